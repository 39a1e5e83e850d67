package ai.mule.runner.runtime;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Where Kafka is ({@code mule.kafka.bootstrap-servers}, {@code MULE_KAFKA_BOOTSTRAP_SERVERS}) and any extra
 * client settings a real cluster needs (security, timeouts): {@code properties} go to every client,
 * {@code consumer} and {@code producer} to one kind. The settings the runtime's guarantees rest on (group id,
 * manual commits, isolation level, acks, idempotence, linger) are not overridable.
 */
public record KafkaClients(String bootstrapServers, Map<String, String> properties, Map<String, String> consumer,
                           Map<String, String> producer) {

    public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";

    public KafkaClients {
        bootstrapServers = bootstrapServers == null || bootstrapServers.isBlank() ? DEFAULT_BOOTSTRAP_SERVERS
                : bootstrapServers;
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        consumer = consumer == null ? Map.of() : Map.copyOf(consumer);
        producer = producer == null ? Map.of() : Map.copyOf(producer);
    }

    public static KafkaClients of(String bootstrapServers) {
        return new KafkaClients(bootstrapServers, null, null, null);
    }

    public KafkaClients withBootstrapServers(String servers) {
        return new KafkaClients(servers, properties, consumer, producer);
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
        Map<String, Object> config = consumerBase();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // a new group starts with the commands already waiting, not only those sent after it joined
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return config;
    }

    /** A consumer outside any group (it assigns itself partitions), reading from the latest offset. */
    Map<String, Object> assignedConsumer() {
        Map<String, Object> config = consumerBase();
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        return config;
    }

    /** Results wait for no batch ({@code linger.ms=0}: a step's latency is the pipeline's), acks=all, idempotent. */
    Map<String, Object> producer(String clientId) {
        Map<String, Object> config = new HashMap<>(properties);
        config.putAll(producer);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return config;
    }

    private Map<String, Object> consumerBase() {
        Map<String, Object> config = new HashMap<>(properties);
        config.putAll(consumer);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        return config;
    }

    /** Without the client properties: they may hold credentials, and these settings may end up in logs. */
    @Override
    public String toString() {
        return "KafkaClients[bootstrapServers=" + bootstrapServers + ", properties=" + properties.keySet()
                + ", consumer=" + consumer.keySet() + ", producer=" + producer.keySet() + "]";
    }
}
