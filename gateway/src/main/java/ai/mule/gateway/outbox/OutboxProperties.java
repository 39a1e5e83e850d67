package ai.mule.gateway.outbox;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The outbox relay's pace.
 *
 * @param sweepInterval how often the relay looks for rows nobody woke it for (left by a crash, or by a failed
 *                      send while Kafka was down); commits wake it at once, so this is not on the latency path
 * @param batchSize     rows taken and sent per transaction
 * @param sendTimeout   how long a batch may wait for Kafka before it is rolled back and retried
 * @param maxMessageBytes the largest payload accepted into the outbox; it must fit the broker's
 *                      {@code message.max.bytes} (1 MiB by default), or the row could never be published
 */
@Validated
@ConfigurationProperties("mule.outbox")
public record OutboxProperties(@NotNull Duration sweepInterval, @Positive int batchSize, @NotNull Duration sendTimeout,
                               @Positive int maxMessageBytes) {
}
