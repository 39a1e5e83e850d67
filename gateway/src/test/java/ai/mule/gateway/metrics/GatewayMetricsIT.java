package ai.mule.gateway.metrics;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.testkit.Prometheus;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;

/** The gateway's metrics after real requests: accepted jobs by source, the outbox's depth. */
// Spring Boot's tests switch metrics export off unless asked
@AutoConfigureObservability(tracing = false)
class GatewayMetricsIT extends IntegrationTestBase {

    @Autowired
    ConsumerLag lag;

    @Test
    void countsAcceptedJobsBySourceAndNotRefusedOnes() {
        String moduleId = api.module("greet.wasm", "{}").get("id").asText();
        Prometheus before = Prometheus.scrape(base());

        Http.Response first = http.post("/api/v1/jobs", map("wasm_module_id", moduleId));
        Http.Response second = http.post("/api/v1/jobs", map("wasm_module_id", moduleId));
        Http.Response refused = http.post("/api/v1/jobs", map("input_data", map()));

        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(201);
        assertThat(refused.status()).isEqualTo(400);
        Prometheus after = Prometheus.scrape(base());
        assertThat(after.value("mule_jobs_accepted_total", "source", "api")
                - before.value("mule_jobs_accepted_total", "source", "api")).isEqualTo(2);
        assertThat(after.has("mule_jobs_accepted_total", "source", "chat")).isTrue();
        assertThat(after.has("mule_jobs_accepted_total", "source", "kafka")).isTrue();
    }

    @Test
    void showsTheOutboxDepthAndItsDrain() {
        String moduleId = api.module("greet.wasm", "{}").get("id").asText();
        assertThat(http.post("/api/v1/jobs", map("wasm_module_id", moduleId)).status()).isEqualTo(201);

        // the relay publishes to the real broker: the outbox empties, and the gauge says so
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            long rows = jdbc.sql("SELECT count(*) FROM outbox").query(Long.class).single();
            assertThat(rows).isZero();
            assertThat(Prometheus.scrape(base()).value("mule_outbox_records")).isZero();
        });
        assertThat(Prometheus.scrape(base()).has("mule_outbox_records")).isTrue();
    }

    @Test
    void showsTheLagOfTheEventsListenerAndTheIngressGroup() {
        Prometheus metrics = Prometheus.scrape(base());

        assertThat(metrics.value("mule_consumer_lag_records", "group", "mule-gateway-job-events")).isBetween(0.0, 1e6);
        assertThat(metrics.value("mule_consumer_lag_records", "group", "mule-gateway-ingress")).isBetween(0.0, 1e6);
    }

    @Test
    void probesAnswerUnderActuator() {
        Http.Response liveness = http.get("/actuator/health/liveness");
        Http.Response readiness = http.get("/actuator/health/readiness");

        assertThat(liveness.status()).as(liveness.toString()).isEqualTo(200);
        assertThat(liveness.body()).contains("\"gatewayLoops\"");
        assertThat(readiness.status()).as(readiness.toString()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"pipeline\"");
    }

    @Test
    void summarisesThroughputAndFailuresByKindForTheDashboard() {
        String moduleId = api.module("greet.wasm", "{}").get("id").asText();
        Http.Response accepted = http.post("/api/v1/jobs", map("wasm_module_id", moduleId));
        assertThat(accepted.status()).isEqualTo(201);
        UUID jobId = UUID.fromString(accepted.json().at("/data/id").asText());
        // what the status writer records when an attempt fails
        jdbc.sql("""
                INSERT INTO job_step_attempts (job_id, step_index, attempt, status, failure_kind, completed_at)
                VALUES (?, 0, 1, 'failed', 'trap', now())""").param(jobId).update();

        JsonNode summary = http.get("/api/v1/metrics/summary?minutes=15").json().get("data");

        assertThat(summary.get("minutes").asInt()).isEqualTo(15);
        long acceptedInWindow = 0;
        for (JsonNode minute : summary.get("throughput")) {
            acceptedInWindow += minute.get("accepted").asLong();
        }
        assertThat(acceptedInWindow).isGreaterThanOrEqualTo(1);
        assertThat(summary.get("failures_by_kind").findValuesAsText("failure_kind")).contains("trap");
        assertThat(http.get("/api/v1/metrics/summary?minutes=0").status()).isEqualTo(400);
    }

    @Test
    void measuresAGroupsLagFromTheBroker() throws Exception {
        String group = "lag-probe-" + UUID.randomUUID();
        TopicPartition partition = new TopicPartition(Topics.JOB_EVENTS.name(), 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestKafka.bootstrapServers()))) {
            admin.alterConsumerGroupOffsets(group, Map.of(partition, new OffsetAndMetadata(0))).all().get();
            long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get()
                    .offset();

            ConsumerLag.GroupLag measured = lag.lag(group);

            assertThat(measured.problem()).isNull();
            assertThat(measured.records()).isEqualTo(end);
        }
        assertThat(lag.lag("no-such-group-" + UUID.randomUUID()).records()).isNull();
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }
}
