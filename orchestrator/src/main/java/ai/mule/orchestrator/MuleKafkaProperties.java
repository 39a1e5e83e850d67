package ai.mule.orchestrator;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** Where the Kafka cluster is ({@code MULE_KAFKA_BOOTSTRAP_SERVERS}), shared by the streams app and the status writer. */
@ConfigurationProperties("mule.kafka")
@Validated
public record MuleKafkaProperties(@DefaultValue("127.0.0.1:9092") @NotBlank String bootstrapServers) {
}
