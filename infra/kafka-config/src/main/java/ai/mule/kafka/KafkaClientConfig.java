package ai.mule.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Builds the client configuration of every Kafka client a Mule service makes, so that the cluster's address and
 * its security settings are given once ({@link KafkaProperties}) and reach every client alike. A service passes its
 * own tuning (linger, isolation level, timeouts...); the user's client properties go over that tuning (a user may
 * know better for their cluster), and {@code acks=all} goes over everything: no Mule write is acknowledged before
 * {@code min.insync.replicas} brokers have it.
 */
public final class KafkaClientConfig {

    private final KafkaProperties properties;

    public KafkaClientConfig(KafkaProperties properties) {
        this.properties = properties;
    }

    public KafkaProperties properties() {
        return properties;
    }

    public String bootstrapServers() {
        return properties.bootstrapServers();
    }

    /**
     * A consumer's configuration: {@code tuning}, then the user's properties for every client and for consumers,
     * then where the cluster is.
     */
    public Map<String, Object> consumer(Map<String, ?> tuning) {
        return common(tuning, properties.consumer());
    }

    /** A producer's configuration, always with {@code acks=all}. */
    public Map<String, Object> producer(Map<String, ?> tuning) {
        Map<String, Object> config = common(tuning, properties.producer());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return config;
    }

    /** An admin client's configuration. */
    public Map<String, Object> admin(Map<String, ?> tuning) {
        return common(tuning, Map.of());
    }

    /**
     * A Kafka Streams application's configuration: the user's properties reach its consumers, producers and admin
     * client (Streams passes unprefixed client properties to all three); its internal topics get the replication
     * factor and {@code min.insync.replicas} of Mule's topics, and its producer {@code acks=all}.
     */
    public Properties streams(Properties tuning) {
        Properties config = new Properties();
        config.putAll(tuning);
        config.putAll(properties.properties());
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, properties.bootstrapServers());
        config.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) properties.replicationFactor());
        config.put(StreamsConfig.topicPrefix("min.insync.replicas"), String.valueOf(properties.minInsyncReplicas()));
        config.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
        return config;
    }

    private Map<String, Object> common(Map<String, ?> tuning, Map<String, String> forThisKind) {
        Map<String, Object> config = new HashMap<>(tuning);
        config.putAll(properties.properties());
        config.putAll(forThisKind);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, properties.bootstrapServers());
        return config;
    }
}
