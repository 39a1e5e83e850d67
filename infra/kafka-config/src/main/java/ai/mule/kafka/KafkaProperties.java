package ai.mule.kafka;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where every Mule service finds Kafka and how it talks to it, read the same way by all of them ({@code MULE_KAFKA_*}).
 *
 * @param bootstrapServers  {@code MULE_KAFKA_BOOTSTRAP_SERVERS}: the brokers to start from, {@code host:port,...}
 * @param properties        any Kafka client property, passed to every producer, consumer, admin and Streams client
 *                          of the service: {@code MULE_KAFKA_PROPERTIES_SECURITY_PROTOCOL=SASL_SSL} sets
 *                          {@code security.protocol} (the name after {@code PROPERTIES_}, lower-cased, underscores
 *                          read as dots), likewise {@code sasl.mechanism}, {@code sasl.jaas.config},
 *                          {@code ssl.truststore.location}, {@code client.rack}
 * @param consumer          client properties for consumers only ({@code MULE_KAFKA_CONSUMER_*}), e.g.
 *                          {@code max.poll.records}
 * @param producer          client properties for producers only ({@code MULE_KAFKA_PRODUCER_*}), e.g.
 *                          {@code compression.type}
 * @param replicationFactor {@code MULE_KAFKA_REPLICATION_FACTOR}: replicas of each Mule topic and of the orchestrator's
 *                          internal topics (changelogs); 3 on a production cluster
 * @param minInsyncReplicas {@code MULE_KAFKA_MIN_INSYNC_REPLICAS}: replicas that must have a write before it counts
 *                          (with {@code acks=all}, which every producer uses); 2 with a replication factor of 3
 * @param partitions        {@code MULE_KAFKA_PARTITIONS}: partitions of each Mule topic when it is created, the
 *                          most consumers of one group that can share a topic's load
 * @param createTopics      {@code MULE_KAFKA_CREATE_TOPICS}: whether a service creates missing Mule topics at start
 *                          (turn off where topics are managed elsewhere)
 */
@ConfigurationProperties("mule.kafka")
@Validated
public record KafkaProperties(@DefaultValue("127.0.0.1:9092") @NotBlank String bootstrapServers,
                              Map<String, String> properties,
                              Map<String, String> consumer,
                              Map<String, String> producer,
                              @DefaultValue("1") @Min(1) short replicationFactor,
                              @DefaultValue("1") @Min(1) int minInsyncReplicas,
                              @DefaultValue("3") @Min(1) int partitions,
                              @DefaultValue("true") boolean createTopics) {

    public KafkaProperties {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        consumer = consumer == null ? Map.of() : Map.copyOf(consumer);
        producer = producer == null ? Map.of() : Map.copyOf(producer);
        if (minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("MULE_KAFKA_MIN_INSYNC_REPLICAS (" + minInsyncReplicas
                    + ") cannot exceed MULE_KAFKA_REPLICATION_FACTOR (" + replicationFactor + ")");
        }
    }

    /** Only where the cluster is; everything else at its default (tests, one local broker). */
    public static KafkaProperties of(String bootstrapServers) {
        return new KafkaProperties(bootstrapServers, Map.of(), Map.of(), Map.of(), (short) 1, 1, 3, true);
    }

    /** Without the client properties' values: they may hold credentials, and this may end up in logs. */
    @Override
    public String toString() {
        return "KafkaProperties[bootstrapServers=" + bootstrapServers + ", properties=" + properties.keySet()
                + ", consumer=" + consumer.keySet() + ", producer=" + producer.keySet() + ", replicationFactor="
                + replicationFactor + ", minInsyncReplicas=" + minInsyncReplicas + ", partitions=" + partitions + "]";
    }
}
