package ai.mule.gateway.metrics;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.testkit.Prometheus;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;

/** The gateway's metrics after real requests: accepted jobs by source, the outbox's depth. */
// Spring Boot's tests switch metrics export off unless asked
@AutoConfigureObservability(tracing = false)
class GatewayMetricsIT extends IntegrationTestBase {

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
    void probesAnswerUnderActuator() {
        Http.Response liveness = http.get("/actuator/health/liveness");
        Http.Response readiness = http.get("/actuator/health/readiness");

        assertThat(liveness.status()).as(liveness.toString()).isEqualTo(200);
        assertThat(liveness.body()).contains("\"gatewayLoops\"");
        assertThat(readiness.status()).as(readiness.toString()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"pipeline\"");
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }
}
