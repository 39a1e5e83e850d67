package ai.mule.runner.wasm.steps;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes step results to {@code mule.steps.results}, keyed by job id, and reports each one the broker
 * acknowledged, so that its command's offset can be committed. The producer is idempotent and retries
 * on its own up to its delivery timeout; a result that still fails is sent again after a pause, as long
 * as the runner runs (if it stops first, the uncommitted command is run again elsewhere).
 */
final class ResultPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ResultPublisher.class);
    private static final long RESEND_AFTER_MS = 1_000;

    private final Producer<String, StepResult> producer;
    private final ScheduledExecutorService resends = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "wasm-result-resend");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closed;

    ResultPublisher(Producer<String, StepResult> producer) {
        this.producer = producer;
    }

    /** Sends the result; {@code onAcked} runs (on a producer thread) once the broker has it. */
    void publish(StepCommand command, StepResult result, Runnable onAcked) {
        try {
            producer.send(new ProducerRecord<>(Topics.STEP_RESULTS.name(), result.jobId(), result), (metadata, error) -> {
                if (error == null) {
                    onAcked.run();
                } else {
                    failed(command, result, onAcked, error);
                }
            });
        } catch (RuntimeException e) {
            failed(command, result, onAcked, e);
        }
    }

    private void failed(StepCommand command, StepResult result, Runnable onAcked, Exception error) {
        if (closed) {
            log.warn("job {} step {}: result not published before shutdown ({}); the step will run again",
                    result.jobId(), result.stepIndex(), error.toString());
            return;
        }
        StepResult next = result;
        if (error instanceof RecordTooLargeException) {
            next = StepResult.failed(command, FailureKind.LIMIT_EXCEEDED, "the step result is larger than the broker accepts: " + error.getMessage(),
                    null, null, result.durationMicros(), result.finishedAt());
        }
        log.warn("job {} step {}: publishing the result failed ({}); sending again in {} ms", result.jobId(),
                result.stepIndex(), error.toString(), RESEND_AFTER_MS);
        StepResult resend = next;
        // never from the producer's own callback thread: send() may block when its buffer is full
        resends.schedule(() -> publish(command, resend, onAcked), RESEND_AFTER_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    void close(Duration timeout) {
        closed = true;
        resends.shutdownNow();
        producer.close(timeout);
    }
}
