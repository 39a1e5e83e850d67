package ai.mule.gateway.openai;

import ai.mule.gateway.events.JobWaiters;
import ai.mule.gateway.events.MissedEnds;
import ai.mule.gateway.jobs.Job;
import ai.mule.gateway.jobs.JobPlan;
import ai.mule.gateway.jobs.JobPlanner;
import ai.mule.gateway.jobs.JobService;
import ai.mule.gateway.jobs.StepCall;
import ai.mule.gateway.settings.Settings;
import ai.mule.gateway.web.Json;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Service;

/**
 * Runs a chat completion as a job. {@code workflow/<name>} and {@code agent/<name>} register a waiter, accept
 * the job and answer when its terminal event arrives (or at {@code timeout_workflow_seconds}); no servlet
 * thread is held while waiting. {@code async/workflow/<name>} answers with the job id at once.
 */
@Service
class ChatCompletionService {

    private final JobPlanner planner;
    private final JobService jobs;
    private final MissedEnds missedEnds;
    private final JobWaiters waiters;
    private final Settings settings;
    private final Executor executor;
    private final StreamedCompletion streamed;
    private final DirectAgentCompletion agents;

    ChatCompletionService(JobPlanner planner, JobService jobs, MissedEnds missedEnds, JobWaiters waiters,
                          Settings settings, @Qualifier("answerPool") Executor executor,
                          StreamedCompletion streamed, DirectAgentCompletion agents) {
        this.streamed = streamed;
        this.agents = agents;
        this.planner = planner;
        this.jobs = jobs;
        this.missedEnds = missedEnds;
        this.waiters = waiters;
        this.settings = settings;
        this.executor = executor;
    }

    /**
     * The answer: a {@code ResponseEntity} (JSON), or for {@code stream: true} a {@code text/event-stream}
     * emitter. {@code idempotencyKey} applies to async models only: a waiting call cannot be replayed.
     * {@code call} is what an agent's tool says of its step ({@link StepCall}): the depth of the job a workflow model
     * starts (its own job's depth + 1) and the job it is counted under; one past {@code mule.limits.max-call-depth}
     * or {@code mule.limits.max-descendant-jobs} is refused before anything is written. A direct agent call starts no
     * job and runs no tools, so it has nothing to check.
     */
    CompletableFuture<Object> complete(ChatRequest request, String idempotencyKey, StepCall call) {
        ModelRef model = ModelRef.parse(request.model()).orElseThrow(() -> modelNotFound(request.model()));
        if (request.stream() && model.kind() == ModelRef.Kind.ASYNC_WORKFLOW) {
            throw OpenAiException.invalidRequest("stream is not available for " + model.id() + ": async models answer "
                    + "a job id at once; stream workflow/" + model.name() + " instead, or follow the job at "
                    + "GET /api/v1/jobs/{id}/events", "stream", "unsupported_parameter");
        }
        if (model.kind() == ModelRef.Kind.AGENT) {
            // answered directly by the agent's provider, without a job (see DirectAgentCompletion)
            CompletableFuture<Object> answer = agents.complete(request, model);
            if (answer == null) {
                throw modelNotFound(request.model());
            }
            return answer;
        }
        JobPlan plan = plan(model).orElseThrow(() -> modelNotFound(request.model())).requireSteps()
                .calledBy(call);
        ObjectNode input = Json.emptyObject().put("prompt", request.prompt());
        UUID jobId = UUID.randomUUID();
        if (model.kind() == ModelRef.Kind.ASYNC_WORKFLOW) {
            JobService.Accepted accepted = jobs.acceptOnce(jobId, plan, input, "", JobService.SOURCE_CHAT, idempotencyKey);
            ResponseEntity.BodyBuilder ok = ResponseEntity.ok();
            if (accepted.replayed()) {
                ok.header("Idempotent-Replayed", "true");
            }
            return CompletableFuture.completedFuture(ok.body(AsyncJob.queued(accepted.job().id().toString())));
        }
        String id = jobId.toString();
        CompletableFuture<JobEvent> end = waiters.register(id);
        if (request.stream()) {
            return CompletableFuture.completedFuture(streamed.start(id, model, request.includeUsage(), end,
                    () -> jobs.accept(jobId, plan, input, "", JobService.SOURCE_CHAT), this::answerFromRow));
        }
        try {
            jobs.accept(jobId, plan, input, "", JobService.SOURCE_CHAT);
        } catch (RuntimeException e) {
            waiters.cancel(id);
            throw e;
        }
        Duration timeout = settings.workflowTimeout();
        // built on the events listener's thread; LateAnswers gives it to a container thread to write, so the listener
        // never waits for a client
        return JobWaiters.<Object>answer(end, timeout, event -> answer(id, model, event),
                () -> answerWithoutEvent(id, model, timeout), executor);
    }

    /** The stored job, for a waiter that timed out: the end may have been recorded while its event was missed. */
    private Optional<Job> answerFromRow(String jobId) {
        return missedEnds.afterWait(UUID.fromString(jobId));
    }

    private Optional<JobPlan> plan(ModelRef model) {
        return model.kind() == ModelRef.Kind.AGENT ? planner.agentNamed(model.name())
                : planner.workflowNamed(model.name());
    }

    /** The answer to a job's terminal event. */
    private ResponseEntity<Object> answer(String jobId, ModelRef model, JobEvent event) {
        if (event instanceof JobEvent.JobCompleted completed) {
            return ResponseEntity.ok(ChatCompletion.of(jobId, model.id(), content(completed.output()), now(),
                    completed.usage()));
        }
        if (event instanceof JobEvent.JobFailed failed) {
            return failed(jobId, failed.error());
        }
        if (event instanceof JobEvent.JobCancelled cancelled) {
            return cancelled(jobId, cancelled.reason());
        }
        throw new IllegalStateException("a waiter of job " + jobId + " was given " + event.getClass().getSimpleName()
                + ", not a terminal event");
    }

    /**
     * No event in time: the status writer may still have recorded the end (e.g. the event was read while this
     * gateway's listener was reconnecting), so look before answering with a timeout.
     */
    private ResponseEntity<Object> answerWithoutEvent(String jobId, ModelRef model, Duration timeout) {
        return missedEnds.afterWait(UUID.fromString(jobId))
                .map(job -> fromRow(job, model))
                .orElseGet(() -> timedOut(jobId, timeout));
    }

    /** The answer for a job the status writer saw end, or null (so {@code map} yields empty) if it has not ended. */
    private ResponseEntity<Object> fromRow(Job job, ModelRef model) {
        String id = job.id().toString();
        JobStatus status = JobStatus.fromWire(job.status());
        if (status == JobStatus.COMPLETED) {
            return ResponseEntity.ok(ChatCompletion.of(id, model.id(), content(job.outputData()), now()));
        }
        if (status == JobStatus.FAILED) {
            return failed(id, job.errorMessage());
        }
        if (status == JobStatus.CANCELLED) {
            return cancelled(id, job.errorMessage());
        }
        return null;
    }

    /** The reply text: the job output's {@code prompt} as text, or as JSON text when it is not a string. */
    static String content(JsonNode output) {
        if (output == null || output.isNull()) {
            return "";
        }
        JsonNode prompt = output.get("prompt");
        if (prompt == null) {
            return output.isTextual() ? output.asText() : Json.write(output);
        }
        if (prompt.isNull()) {
            return "";
        }
        return prompt.isTextual() ? prompt.asText() : Json.write(prompt);
    }

    static OpenAiException failure(String jobId, String error) {
        return new OpenAiException(HttpStatus.BAD_GATEWAY, "job " + jobId + " failed: "
                + (error == null ? "no reason given" : error), "workflow_error", null, "job_failed", jobId);
    }

    static OpenAiException cancellation(String jobId, String reason) {
        return new OpenAiException(HttpStatus.BAD_GATEWAY, "job " + jobId + " was cancelled"
                + (reason == null || reason.isEmpty() ? "" : ": " + reason), "workflow_error", null, "job_cancelled", jobId);
    }

    static OpenAiException timeout(String jobId, Duration timeout) {
        return new OpenAiException(HttpStatus.GATEWAY_TIMEOUT, "job " + jobId + " did not finish within "
                + timeout.toSeconds() + " s (setting timeout_workflow_seconds); it may still complete: follow it at "
                + "GET /api/v1/jobs/" + jobId, "timeout_error", null, "job_timeout", jobId);
    }

    private static ResponseEntity<Object> failed(String jobId, String error) {
        return error(new OpenAiException(HttpStatus.BAD_GATEWAY, "job " + jobId + " failed: "
                + (error == null ? "no reason given" : error), "workflow_error", null, "job_failed", jobId));
    }

    private static ResponseEntity<Object> cancelled(String jobId, String reason) {
        return error(new OpenAiException(HttpStatus.BAD_GATEWAY, "job " + jobId + " was cancelled"
                + (reason == null || reason.isEmpty() ? "" : ": " + reason), "workflow_error", null, "job_cancelled", jobId));
    }

    private static ResponseEntity<Object> timedOut(String jobId, Duration timeout) {
        return error(new OpenAiException(HttpStatus.GATEWAY_TIMEOUT, "job " + jobId + " did not finish within "
                + timeout.toSeconds() + " s (setting timeout_workflow_seconds); it may still complete: follow it at "
                + "GET /api/v1/jobs/" + jobId, "timeout_error", null, "job_timeout", jobId));
    }

    /**
     * The job ran (or may still run): retrying would start another one, so OpenAI SDKs are told not to retry
     * this 5xx ({@code x-should-retry}, honoured by the official SDKs).
     */
    private static ResponseEntity<Object> error(OpenAiException e) {
        return ResponseEntity.status(e.status()).header("x-should-retry", "false").body(e.body());
    }

    private static OpenAiException modelNotFound(String model) {
        return new OpenAiException(HttpStatus.NOT_FOUND, "The model '" + model + "' does not exist. Use "
                + ModelRef.ACCEPTED_FORMS + ".", "invalid_request_error", "model", "model_not_found", null);
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }
}
