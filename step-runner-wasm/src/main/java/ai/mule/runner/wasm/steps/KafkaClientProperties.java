package ai.mule.runner.wasm.steps;

import jakarta.validation.constraints.NotBlank;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where Kafka is ({@code MULE_KAFKA_BOOTSTRAP_SERVERS}) and any extra client settings a real cluster
 * needs (security, timeouts): {@code properties} go to the consumer and the producer, {@code consumer}
 * and {@code producer} to one of them. The settings the runner's guarantees rest on (group id, manual
 * commits, isolation level, acks, idempotence, linger) are not overridable.
 */
@ConfigurationProperties("mule.kafka")
@Validated
public record KafkaClientProperties(@NotBlank @DefaultValue("127.0.0.1:9092") String bootstrapServers,
                                    Map<String, String> properties, Map<String, String> consumer,
                                    Map<String, String> producer) {

    public KafkaClientProperties {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        consumer = consumer == null ? Map.of() : Map.copyOf(consumer);
        producer = producer == null ? Map.of() : Map.copyOf(producer);
    }
}
