package ai.mule.runner.runtime;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.StepStarted;
import ai.mule.schemas.Topics;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes step results to {@code mule.steps.results} and {@link StepStarted} to {@code mule.steps.started},
 * keyed by job id, without blocking the worker: {@code onDone} runs (on the producer's thread) once the
 * broker has the result, and only then may its command's offset be committed. The producer is idempotent and
 * retries on its own up to its delivery timeout; a result that still fails is sent again after a pause, a few
 * times, then given up with an error in the log (its command is marked done so that the partition's commits
 * go on; the orchestrator, seeing no result, retries the step past its deadline). A result the broker finds
 * too large is replaced by a small {@code limit_exceeded} failure.
 */
final class ResultPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ResultPublisher.class);
    private static final long RESEND_AFTER_MS = 1_000;
    static final int MAX_SENDS = 5;

    private final Producer<String, byte[]> producer;
    private final ScheduledExecutorService resends;
    private volatile boolean closed;

    ResultPublisher(Producer<String, byte[]> producer, String name) {
        this.producer = producer;
        this.resends = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, name + "-resend");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Sends the result; {@code onDone} runs once the broker has it, or once it was given up.
     *
     * @param headers the trace context the result carries back to the orchestrator; null for none
     */
    void publish(StepCommand command, ResultFit.Fitted fitted, Headers headers, Runnable onDone) {
        send(command, fitted, headers, onDone, 1);
    }

    /** Tells the orchestrator this attempt started (fire and forget: a lost one only costs a retry). */
    void started(StepCommand command, StepStarted started, Headers headers) {
        byte[] value = Topics.STEPS_STARTED.valueSerde().serializer().serialize(Topics.STEPS_STARTED.name(), started);
        try {
            producer.send(new ProducerRecord<>(Topics.STEPS_STARTED.name(), null, command.jobId(), value, headers),
                    (metadata, error) -> {
                if (error != null) {
                    log.warn("job {} step {} attempt {}: StepStarted not published: {}", command.jobId(),
                            command.stepIndex(), command.attempt(), error.toString());
                }
            });
        } catch (RuntimeException e) {
            log.warn("job {} step {} attempt {}: StepStarted not published: {}", command.jobId(), command.stepIndex(),
                    command.attempt(), e.toString());
        }
    }

    /** Sends the fitted result's bytes, as they were measured (and again as they are, after a failure). */
    private void send(StepCommand command, ResultFit.Fitted fitted, Headers headers, Runnable onDone, int sends) {
        try {
            producer.send(new ProducerRecord<>(Topics.STEP_RESULTS.name(), null, fitted.result().jobId(),
                            fitted.value(), headers),
                    (metadata, error) -> {
                        if (error == null) {
                            onDone.run();
                        } else {
                            failed(command, fitted, headers, onDone, error, sends);
                        }
                    });
        } catch (RuntimeException e) {
            failed(command, fitted, headers, onDone, e, sends);
        }
    }

    private void failed(StepCommand command, ResultFit.Fitted fitted, Headers headers, Runnable onDone,
                        Exception error, int sends) {
        StepResult result = fitted.result();
        if (closed) {
            log.warn("job {} step {}: result not published before shutdown ({}); the step will run again",
                    result.jobId(), result.stepIndex(), error.toString());
            return;
        }
        if (sends >= MAX_SENDS) {
            log.error("job {} step {} attempt {}: giving up publishing its result after {} sends ({}); the "
                            + "orchestrator retries the step when its deadline passes", result.jobId(),
                    result.stepIndex(), result.attempt(), sends, error.toString());
            onDone.run();
            return;
        }
        ResultFit.Fitted resend = error instanceof RecordTooLargeException ? tooLarge(command, result, error) : fitted;
        log.warn("job {} step {}: publishing the result failed ({}); sending again in {} ms", result.jobId(),
                result.stepIndex(), error.toString(), RESEND_AFTER_MS);
        // never from the producer's own callback thread: send() may block when its buffer is full
        resends.schedule(() -> send(command, resend, headers, onDone, sends + 1), RESEND_AFTER_MS,
                TimeUnit.MILLISECONDS);
    }

    /** What is sent instead of a result Kafka refused as too large: a small failure saying so. */
    private static ResultFit.Fitted tooLarge(StepCommand command, StepResult result, Exception error) {
        StepResult failure = StepResult.failed(command, FailureKind.LIMIT_EXCEEDED, "the step result is larger than "
                + "the broker accepts: " + error.getMessage(), null, null, result.durationMicros(),
                result.finishedAt());
        return new ResultFit.Fitted(failure, ResultFit.value(failure));
    }

    @Override
    public void close() {
        closed = true;
        resends.shutdownNow();
        producer.close(Duration.ofSeconds(5));
    }
}
