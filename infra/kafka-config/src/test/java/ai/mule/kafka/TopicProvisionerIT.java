package ai.mule.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.testkit.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

class TopicProvisionerIT {

    @Test
    void missingTopicsAreCreatedWithTheirSettingsAndExistingOnesAreLeftAlone() throws Exception {
        KafkaClientConfig config = new KafkaClientConfig(
                new KafkaProperties(TestKafka.bootstrapServers(), Map.of(), Map.of(), Map.of(), (short) 1, 1, 5, true));
        String fresh = "provision-" + UUID.randomUUID();
        TopicProvisioner provisioner = new TopicProvisioner(config);

        List<String> created = provisioner.ensure(List.of(fresh, "mule.jobs.events"));
        List<String> again = provisioner.ensure(List.of(fresh));

        assertThat(created).containsExactly(fresh);
        assertThat(again).isEmpty();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            // a new topic's metadata reaches every broker component a moment after its creation is acknowledged
            TopicDescription topic = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(
                    () -> admin.describeTopics(List.of(fresh)).allTopicNames().get().get(fresh), t -> t != null);
            assertThat(topic.partitions()).hasSize(5);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, fresh);
            assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource)
                    .get("min.insync.replicas").value()).isEqualTo("1");
        }
    }
}
