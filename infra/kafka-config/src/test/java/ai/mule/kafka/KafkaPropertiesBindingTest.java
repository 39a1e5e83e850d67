package ai.mule.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class KafkaPropertiesBindingTest {

    @Test
    void environmentVariablesBindTheClusterAndAnyClientProperty() {
        KafkaProperties properties = bind(Map.of(
                "MULE_KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092",
                "MULE_KAFKA_PROPERTIES_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "MULE_KAFKA_PROPERTIES_SASL_MECHANISM", "PLAIN",
                "MULE_KAFKA_PROPERTIES_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required;",
                "MULE_KAFKA_PROPERTIES_CLIENT_RACK", "eu-1a",
                "MULE_KAFKA_REPLICATION_FACTOR", "3",
                "MULE_KAFKA_MIN_INSYNC_REPLICAS", "2"));

        assertThat(properties.bootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(properties.properties()).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required;")
                .containsEntry("client.rack", "eu-1a");
        assertThat(properties.replicationFactor()).isEqualTo((short) 3);
        assertThat(properties.minInsyncReplicas()).isEqualTo(2);
    }

    @Test
    void everyClientGetsTheUserPropertiesOverItsTuningAndProducersAlwaysAckAll() {
        KafkaClientConfig config = new KafkaClientConfig(bind(Map.of(
                "MULE_KAFKA_BOOTSTRAP_SERVERS", "k1:9092",
                "MULE_KAFKA_PROPERTIES_SECURITY_PROTOCOL", "SSL",
                "MULE_KAFKA_PROPERTIES_ACKS", "1",
                "MULE_KAFKA_PROPERTIES_LINGER_MS", "5",
                "MULE_KAFKA_REPLICATION_FACTOR", "3",
                "MULE_KAFKA_MIN_INSYNC_REPLICAS", "2")));

        Map<String, Object> producer = config.producer(Map.of("linger.ms", 0, "client.id", "relay"));
        Map<String, Object> consumer = config.consumer(Map.of("isolation.level", "read_committed"));
        Properties streams = config.streams(new Properties());

        assertThat(producer).containsEntry("security.protocol", "SSL").containsEntry("linger.ms", "5")
                .containsEntry("acks", "all").containsEntry("client.id", "relay").containsEntry("bootstrap.servers", "k1:9092");
        assertThat(consumer).containsEntry("security.protocol", "SSL").containsEntry("isolation.level", "read_committed");
        assertThat(config.admin(Map.of())).containsEntry("security.protocol", "SSL");
        assertThat(streams).containsEntry("security.protocol", "SSL").containsEntry("replication.factor", 3)
                .containsEntry("topic.min.insync.replicas", "2").containsEntry("producer.acks", "all");
    }

    @Test
    void aMinimumInSyncAboveTheReplicationFactorIsRefusedByName() {
        assertThatThrownBy(() -> new KafkaProperties("k:9092", Map.of(), Map.of(), Map.of(), (short) 1, 2, 3, true))
                .hasMessageContaining("MULE_KAFKA_MIN_INSYNC_REPLICAS (2) cannot exceed MULE_KAFKA_REPLICATION_FACTOR (1)");
    }

    private static KafkaProperties bind(Map<String, Object> environment) {
        MutablePropertySources sources = new MutablePropertySources();
        sources.addFirst(new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                environment));
        return new Binder(ConfigurationPropertySources.from(sources))
                .bindOrCreate("mule.kafka", KafkaProperties.class);
    }
}
