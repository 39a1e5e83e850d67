package ai.mule.runner.runtime;

import ai.mule.kafka.KafkaClientConfig;
import ai.mule.kafka.KafkaProperties;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The runtime's Kafka clients, built on the configuration every Mule service shares ({@link KafkaClientConfig}:
 * {@code MULE_KAFKA_BOOTSTRAP_SERVERS}, {@code MULE_KAFKA_PROPERTIES_*}, ...). The settings the runtime's guarantees
 * rest on (group id, manual commits, isolation level, acks, idempotence, linger) go over the user's.
 */
public record KafkaClients(KafkaClientConfig config) {

    /** A local broker with every other setting at its default (tests). */
    public static KafkaClients of(String bootstrapServers) {
        return new KafkaClients(new KafkaClientConfig(KafkaProperties.of(bootstrapServers)));
    }

    /**
     * The step command consumer of a group: {@code read_uncommitted}, so a command is seen as soon as the
     * orchestrator writes it, before its transaction commits (runners are at-least-once and the orchestrator
     * drops duplicate results; waiting would add its commit interval to every step); manual commits; the
     * cooperative assignor, so a runner joining moves only the partitions it takes. {@code max.poll.records} stays
     * Kafka's: commands beyond the free workers wait in a backlog of one poll at most (the partitions are paused
     * meanwhile), and no other member could run them anyway, their partitions being this one's; a small value
     * costs a fetch round trip every few steps.
     */
    Map<String, Object> commandConsumer(String groupId) {
        // a new group starts with the commands already waiting, not only those sent after it joined
        Map<String, Object> config = consumerBase(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        return config;
    }

    /** A consumer outside any group (it assigns itself partitions), reading from the latest offset. */
    Map<String, Object> assignedConsumer() {
        Map<String, Object> config = consumerBase(Map.of());
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        return config;
    }

    /** Results wait for no batch ({@code linger.ms=0}: a step's latency is the pipeline's), acks=all, idempotent. */
    Map<String, Object> producer(String clientId) {
        Map<String, Object> config = config().producer(Map.of(ProducerConfig.CLIENT_ID_CONFIG, clientId));
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return config;
    }

    private Map<String, Object> consumerBase(Map<String, Object> tuning) {
        Map<String, Object> config = config().consumer(tuning);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        return config;
    }
}
