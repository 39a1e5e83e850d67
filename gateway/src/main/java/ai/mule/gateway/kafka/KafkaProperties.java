package ai.mule.gateway.kafka;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** Where the Kafka cluster is ({@code MULE_KAFKA_BOOTSTRAP_SERVERS}). */
@Validated
@ConfigurationProperties("mule.kafka")
public record KafkaProperties(@NotBlank String bootstrapServers) {
}
