package ai.mule.gateway.openai;

import ai.mule.gateway.events.JobEventSubscribers;
import ai.mule.gateway.events.JobWaiters;
import ai.mule.gateway.events.SseStream;
import ai.mule.gateway.events.SseStreams;
import ai.mule.gateway.jobs.Job;
import ai.mule.gateway.settings.Settings;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

/**
 * A chat completion with {@code "stream": true}, in OpenAI's format: {@code data: <chat.completion.chunk>} frames
 * ending with {@code data: [DONE]}. A workflow's output is known only when its job completes, so the stream is a
 * first chunk with the assistant role at once, the output as one content delta when the job completes, a chunk
 * with {@code finish_reason: "stop"} (and one with {@code usage} if asked for), then {@code [DONE]}. Meanwhile each
 * step's progress goes out as an SSE comment ({@code : step 1 completed}), which every SSE client skips, so the
 * format never breaks. A failed, cancelled or timed-out job sends {@code data: {"error": {...}}} (OpenAI's
 * in-stream error, carrying {@code job_id}) before {@code [DONE]}.
 */
@Component
class StreamedCompletion {

    private static final String DONE = "data: [DONE]\n\n";

    private final SseStreams streams;
    private final JobEventSubscribers subscribers;
    private final JobWaiters waiters;
    private final Settings settings;
    private final Executor executor;

    StreamedCompletion(SseStreams streams, JobEventSubscribers subscribers, JobWaiters waiters, Settings settings,
                       @Qualifier("answerPool") Executor executor) {
        this.streams = streams;
        this.subscribers = subscribers;
        this.waiters = waiters;
        this.settings = settings;
        this.executor = executor;
    }

    /**
     * Opens the stream for a job whose waiter ({@code end}) is registered, then runs {@code accept} to write the job.
     * If writing fails the waiter and subscription are dropped and the error is thrown (a normal JSON error answer).
     */
    ResponseBodyEmitter start(String jobId, ModelRef model, boolean includeUsage, CompletableFuture<JobEvent> end,
                              Runnable accept, Function<String, Optional<Job>> storedJob) {
        SseStream stream;
        try {
            stream = streams.open(() -> { });
        } catch (RuntimeException e) {
            waiters.cancel(jobId);
            throw e;
        }
        AutoCloseable progress = subscribers.subscribe(jobId, event -> progress(stream, event));
        try {
            accept.run();
        } catch (RuntimeException e) {
            waiters.cancel(jobId);
            close(progress);
            stream.emitter().complete();
            throw e;
        }
        stream.onClose(progress);
        // a client that leaves stops the wait; the job itself runs on
        stream.onClose(() -> waiters.cancel(jobId));
        long created = Instant.now().getEpochSecond();
        stream.send(SseStream.frame(null, null, ChatCompletionChunk.delta(jobId, model.id(), created,
                new ChatCompletionChunk.Delta("assistant", ""), null)));
        Duration timeout = settings.workflowTimeout();
        end.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenCompleteAsync((event, error) -> {
                    if (error == null) {
                        stream.sendLast(finish(jobId, model, created, includeUsage, event, storedJob, timeout));
                    }
                }, executor)
                .exceptionally(full -> {
                    // the answer pool was full (PoolFullException): the stream ends with that error, not silently
                    stream.sendLast(error(new OpenAiException(HttpStatus.SERVICE_UNAVAILABLE, "job " + jobId
                            + " ended but the gateway was too busy to answer: " + full.getCause().getMessage()
                            + "; read the job at GET /api/v1/jobs/" + jobId, "server_error", null, "overloaded", jobId)));
                    return null;
                });
        return stream.emitter();
    }

    private static void progress(SseStream stream, JobEvent event) {
        if (event instanceof JobEvent.StepCompleted completed) {
            stream.send(": step " + completed.step().stepOrder() + " completed\n\n");
        } else if (event instanceof JobEvent.StepStarted started) {
            stream.send(": step " + started.step().stepOrder() + " started\n\n");
        } else if (event instanceof JobEvent.StepFailed failed) {
            stream.send(": step " + failed.step().stepOrder() + " failed\n\n");
        }
    }

    private static List<String> finish(String jobId, ModelRef model, long created, boolean includeUsage, JobEvent event,
                                       Function<String, Optional<Job>> storedJob, Duration timeout) {
        if (event instanceof JobEvent.JobCompleted completed) {
            return completed(jobId, model, created, includeUsage, ChatCompletionService.content(completed.output()),
                    ChatCompletion.Usage.of(completed.usage()));
        }
        if (event instanceof JobEvent.JobFailed failed) {
            return error(ChatCompletionService.failure(jobId, failed.error()));
        }
        if (event instanceof JobEvent.JobCancelled cancelled) {
            return error(ChatCompletionService.cancellation(jobId, cancelled.reason()));
        }
        Optional<Job> job = storedJob.apply(jobId);
        JobStatus status = job.map(j -> JobStatus.fromWire(j.status())).orElse(JobStatus.QUEUED);
        if (status == JobStatus.COMPLETED) {
            return completed(jobId, model, created, includeUsage, ChatCompletionService.content(job.get().outputData()),
                    ChatCompletion.Usage.of(null));
        }
        if (status == JobStatus.FAILED) {
            return error(ChatCompletionService.failure(jobId, job.get().errorMessage()));
        }
        if (status == JobStatus.CANCELLED) {
            return error(ChatCompletionService.cancellation(jobId, job.get().errorMessage()));
        }
        return error(ChatCompletionService.timeout(jobId, timeout));
    }

    private static List<String> completed(String jobId, ModelRef model, long created, boolean includeUsage,
                                          String content, ChatCompletion.Usage usage) {
        List<String> frames = new ArrayList<>();
        frames.add(SseStream.frame(null, null, ChatCompletionChunk.delta(jobId, model.id(), created,
                new ChatCompletionChunk.Delta(null, content), null)));
        frames.add(SseStream.frame(null, null, ChatCompletionChunk.delta(jobId, model.id(), created,
                new ChatCompletionChunk.Delta(null, null), "stop")));
        if (includeUsage) {
            frames.add(SseStream.frame(null, null, ChatCompletionChunk.usageOnly(jobId, model.id(), created, usage)));
        }
        frames.add(DONE);
        return frames;
    }

    private static List<String> error(OpenAiException e) {
        return List.of(SseStream.frame(null, null, Map.of("error", e.body().error())), DONE);
    }

    private static void close(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // a subscription's close does not fail
        }
    }
}
