package ai.mule.runner.wasm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.runner.runtime.StepRunner;
import ai.mule.runner.wasm.WasmRunnerApplication;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WasmStep;
import ai.mule.testkit.Prometheus;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import ai.mule.testkit.WasmFixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The runner's management server against a real broker and PostgreSQL: the probes reflect its consumer and
 * control listener, and the metrics move with the steps it runs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WasmRunnerObservabilityIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final byte[] GREET = WasmFixtures.wasm("greet.wasm");
    private static final byte[] REQUIRE_PROMPT = WasmFixtures.wasm("require-prompt.wasm");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static ConfigurableApplicationContext runner;
    private static String management;

    @BeforeAll
    static void startRunner() {
        TestPostgres.Database db = TestPostgres.newDatabase();
        JdbcTemplate jdbc = new JdbcTemplate(db.dataSource());
        for (byte[] module : List.of(GREET, REQUIRE_PROMPT)) {
            jdbc.update("INSERT INTO wasm_modules (id, name, module_data, sha256) VALUES (?, ?, ?, ?)",
                    UUID.randomUUID(), "m-" + UUID.randomUUID(), module, WasmFixtures.sha256(module));
        }
        runner = new SpringApplicationBuilder(WasmRunnerApplication.class).properties(
                "MULE_DB_URL=" + db.jdbcUrl(),
                "MULE_DB_USER=" + db.username(),
                "MULE_DB_PASSWORD=" + db.password(),
                "mule.kafka.bootstrap-servers=" + TestKafka.bootstrapServers()).run();
        management = "http://127.0.0.1:" + runner.getEnvironment().getProperty("local.server.port");
    }

    @AfterAll
    static void stopRunner() {
        runner.close();
    }

    @Test
    @Order(1)
    void probesAreUpWhileTheRunnerConsumes() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("/actuator/health/readiness").statusCode())
                .isEqualTo(200));
        HttpResponse<String> liveness = get("/actuator/health/liveness");
        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(liveness.body()).contains("\"stepRunnerLoops\"").contains("\"UP\"");
    }

    @Test
    @Order(2)
    void metricsMoveWithTheStepsRun() {
        Prometheus before = Prometheus.scrape(management);

        StepResult first = run(step(GREET), "{\"prompt\":\"one\"}");
        StepResult second = run(step(GREET), "{\"prompt\":\"two\"}");
        StepResult failed = run(step(REQUIRE_PROMPT), "{\"prompt\":\"\"}");

        assertThat(first.success()).isTrue();
        assertThat(second.success()).isTrue();
        assertThat(failed.success()).isFalse();
        Prometheus after = Prometheus.scrape(management);
        String[] completed = {"runner", "mule-step-runner-wasm", "step_type", "wasm_module", "outcome", "completed"};
        String[] failures = {"step_type", "wasm_module", "outcome", "failed"};
        assertThat(after.value("mule_step_duration_seconds_count", completed)
                - before.value("mule_step_duration_seconds_count", completed)).isEqualTo(2);
        assertThat(after.value("mule_step_duration_seconds_count", failures)
                - before.value("mule_step_duration_seconds_count", failures)).isEqualTo(1);
        assertThat(after.value("mule_step_duration_seconds_sum", completed))
                .isGreaterThan(before.value("mule_step_duration_seconds_sum", completed));
        // the histogram's buckets are there for quantiles: every run took less than ten minutes
        assertThat(after.value("mule_step_duration_seconds_bucket", "le", "600.0", "outcome", "completed"))
                .isEqualTo(after.value("mule_step_duration_seconds_count", completed));
        // greet loaded once (a miss), then found (a hit); require-prompt loaded once
        assertThat(after.value("mule_wasm_module_cache_misses_total")
                - before.value("mule_wasm_module_cache_misses_total")).isEqualTo(2);
        assertThat(after.value("mule_wasm_module_cache_hits_total")
                - before.value("mule_wasm_module_cache_hits_total")).isEqualTo(1);
        assertThat(after.value("mule_wasm_module_cache_modules")).isEqualTo(2);
        assertThat(after.has("mule_consumer_lag_records", "group", "mule-step-runner-wasm"))
                .as("lag gauge in\n%s", after).isTrue();
        assertThat(after.value("mule_consumer_lag_records", "group", "mule-step-runner-wasm")).isBetween(0.0, 10.0);
    }

    @Test
    @Order(3)
    void probesGoDownWhenTheRunnerStopsConsuming() throws Exception {
        runner.getBean(StepRunner.class).close();

        HttpResponse<String> readiness = get("/actuator/health/readiness");
        HttpResponse<String> liveness = get("/actuator/health/liveness");

        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).contains("the step command consumer of mule-step-runner-wasm is not running");
        assertThat(liveness.statusCode()).isEqualTo(503);
    }

    private static StepResult run(WasmStep step, String input) {
        String jobId = UUID.randomUUID().toString();
        TestKafka.send(Topics.STEPS_WASM, jobId, StepCommand.of(jobId, 0, 1, step, json(input), Instant.now(), null));
        List<StepResult> results = TestKafka.read(Topics.STEP_RESULTS, jobId, 1, WAIT);
        assertThat(results).as("result of job %s", jobId).hasSize(1);
        return results.get(0);
    }

    private static WasmStep step(byte[] module) {
        return new WasmStep(1, UUID.randomUUID().toString(), UUID.randomUUID().toString(), "m",
                WasmFixtures.sha256(module), null, new StepPolicy(1, 0, 1.0, 0, 5_000, false));
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(management + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String text) {
        try {
            return JsonSerde.mapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
