package ai.mule.gateway.ingress;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the gateway consumes {@code mule.jobs.ingress} ({@code MULE_INGRESS_*}).
 *
 * @param enabled        whether this gateway takes jobs from Kafka at all
 * @param groupId        its consumer group: several gateways share the topic's partitions
 * @param maxPollRecords the most requests handled between two offset commits
 * @param pollTimeout    how long one poll waits for requests
 * @param retryBackoff   how long to wait before handling a batch again after PostgreSQL or Kafka failed
 * @param topicCacheTtl  how long the list of existing topics (to check reply topics) is trusted
 */
@ConfigurationProperties("mule.ingress")
@Validated
public record IngressProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("mule-gateway-ingress") @NotBlank String groupId,
        @DefaultValue("200") @Positive int maxPollRecords,
        @DefaultValue("500ms") @NotNull @DurationMin(millis = 1) Duration pollTimeout,
        @DefaultValue("1s") @NotNull @DurationMin(millis = 1) Duration retryBackoff,
        @DefaultValue("30s") @NotNull Duration topicCacheTtl) {
}
