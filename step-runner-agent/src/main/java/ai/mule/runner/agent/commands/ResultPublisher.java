package ai.mule.runner.agent.commands;

import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topic;
import ai.mule.schemas.Topics;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes step results to {@code mule.steps.results}, keyed by job id, and waits for Kafka's
 * acknowledgement: the command's offset is committed only after that, so a result is never lost. The
 * producer is idempotent with {@code acks=all}, and already retries for {@code delivery.timeout.ms}
 * before a send fails; after such a failure this keeps retrying rather than dropping the result.
 */
public class ResultPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ResultPublisher.class);
    private static final Topic<String, StepResult> TOPIC = Topics.STEP_RESULTS;

    private final Producer<String, StepResult> producer;
    private final Duration retryBackoff;

    public ResultPublisher(Producer<String, StepResult> producer, Duration retryBackoff) {
        this.producer = producer;
        this.retryBackoff = retryBackoff;
    }

    /**
     * Sends the result and waits until Kafka has it. Returns false only if interrupted first (the
     * runner is stopping): the command is then left uncommitted and will run again.
     */
    public boolean publish(StepResult result) {
        StepResult toSend = result;
        while (true) {
            try {
                producer.send(new ProducerRecord<>(TOPIC.name(), toSend.jobId(), toSend)).get();
                return true;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RecordTooLargeException && toSend.success()) {
                    // an enormous reply: report that instead, so the job fails with a reason rather than hangs
                    toSend = tooLarge(toSend, e.getCause().getMessage());
                    continue;
                }
                log.warn("cannot publish the result of job {} step {}, retrying in {}: {}", toSend.jobId(),
                        toSend.stepIndex(), retryBackoff, e.getCause().toString());
                if (!sleep(retryBackoff)) {
                    return false;
                }
            } catch (InterruptedException | InterruptException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    private static StepResult tooLarge(StepResult result, String reason) {
        return new StepResult(result.version(), result.jobId(), result.stepIndex(), result.attempt(), false, null,
                "the step output is too large for Kafka: " + reason, null, null, result.durationMicros(),
                result.finishedAt());
    }

    private static boolean sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
