package ai.mule.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

@TestPropertySource(properties = {
        "mule.health.required-groups=health-it-running,health-it-nobody-runs-this",
        "mule.health.cache-ttl=0s"})
class HealthWithRequiredGroupsIT extends IntegrationTestBase {

    @Test
    void is503NamingEveryGroupWithoutAnActiveMember() {
        try (KafkaConsumer<byte[], byte[]> member = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "health-it-running"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            member.subscribe(List.of(Topics.JOB_CONTROL.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (member.assignment().isEmpty() && System.nanoTime() < deadline) {
                member.poll(Duration.ofMillis(100));
            }
            assertThat(member.assignment()).as("the test consumer joined its group").isNotEmpty();

            Http.Response health = http.get("/health");

            assertThat(health.status()).isEqualTo(503);
            assertThat(health.body()).contains("health-it-nobody-runs-this").doesNotContain("health-it-running ");
            assertThat(health.json().get("problems")).hasSize(1);
        }
    }
}
