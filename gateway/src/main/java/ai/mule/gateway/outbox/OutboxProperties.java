package ai.mule.gateway.outbox;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The outbox relay's pace.
 *
 * @param sweepInterval how often the relay looks for rows nobody is sending (left by a crash, or by a failed send
 *                      while Kafka was down); a committed row is sent at once, so this is not on the latency path
 * @param batchSize     rows taken and sent per transaction
 * @param sendTimeout   how long a batch of the sweep may wait for Kafka before it is rolled back and retried
 *                      (the largest payload accepted into the outbox is {@code mule.limits.max-record-bytes})
 */
@Validated
@ConfigurationProperties("mule.outbox")
public record OutboxProperties(@NotNull Duration sweepInterval, @Positive int batchSize, @NotNull Duration sendTimeout) {
}
