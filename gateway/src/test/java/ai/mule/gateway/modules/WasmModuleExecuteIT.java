package ai.mule.gateway.modules;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.JobEvents;
import ai.mule.gateway.TestApi;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WasmStep;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.WasmFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Direct module runs: each is a one-step job accepted through the pipeline. The tests play the orchestrator:
 * they read the JobRequest from Kafka and answer with the job's step event (which carries the module's stdout and
 * stderr) and its terminal event.
 */
class WasmModuleExecuteIT extends IntegrationTestBase {

    private static final Duration KAFKA_WAIT = Duration.ofSeconds(15);

    @Test
    void executeByIdRunsTheModuleAsAOneStepJobAndAnswersItsOutput() throws Exception {
        Module module = upload("{\"greeting\":\"Hej\"}");

        CompletableFuture<Http.Response> call = async(() -> http.post("/api/v1/wasm-modules/" + module.id() + "/execute",
                map("input", map("prompt", "Mule"))));
        String jobId = acceptedJobOfModule(module.id());
        JobRequest request = TestKafka.read(Topics.JOB_REQUESTS, jobId, 1, KAFKA_WAIT).get(0);
        assertThat(request.awaited()).as("a sync call waits for the job's end").isTrue();
        TestKafka.send(Topics.JOB_EVENTS, jobId, stepCompleted(jobId, "Hej, Mule!", "{\"message\":\"Hej, Mule!\"}",
                "greet: config greeting Hej\n"));
        TestKafka.send(Topics.JOB_EVENTS, jobId, completed(jobId, "Hej, Mule!"));

        Http.Response response = call.get(20, TimeUnit.SECONDS);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode data = response.json().get("data");
        assertThat(data.get("job_id").asText()).isEqualTo(jobId);
        assertThat(data.get("success").asBoolean()).isTrue();
        assertThat(data.get("status").asText()).isEqualTo("completed");
        assertThat(data.get("output").asText()).isEqualTo("Hej, Mule!");
        assertThat(data.get("stdout").asText()).isEqualTo("{\"message\":\"Hej, Mule!\"}");
        assertThat(data.get("stderr").asText()).isEqualTo("greet: config greeting Hej\n");
        WasmStep step = (WasmStep) request.steps().get(0);
        assertThat(request.steps()).hasSize(1);
        assertThat(step.sha256()).isEqualTo(WasmFixtures.sha256(WasmFixtures.wasm("greet.wasm")));
        assertThat(step.config().get("greeting").asText()).isEqualTo("Hej");
        assertThat(request.input().get("prompt").asText()).isEqualTo("Mule");
        // recorded like any other job
        assertThat(http.get("/api/v1/jobs/" + jobId).json().at("/data/wasm_module_id").asText()).isEqualTo(module.id());
    }

    @Test
    void v1ExecuteFindsTheModuleByNameAndReportsAFailure() throws Exception {
        Module module = upload(null);

        CompletableFuture<Http.Response> call = async(() -> http.post("/v1/wasm/execute",
                map("module", module.name(), "input", map("prompt", ""))));
        String jobId = acceptedJobOfModule(module.id());
        TestKafka.send(Topics.JOB_EVENTS, jobId, JobEvents.stepFailed(jobId, 3, FailureKind.MODULE_FAILED,
                "a non-empty \"prompt\" is required",
                "{\"success\":false,\"error\":\"a non-empty \\\"prompt\\\" is required\"}", "no prompt given\n"));
        TestKafka.send(Topics.JOB_EVENTS, jobId, new JobEvent.JobFailed(Topics.SCHEMA_VERSION, jobId, 4, Instant.now(),
                "step 1 failed: a non-empty \"prompt\" is required"));

        Http.Response response = call.get(20, TimeUnit.SECONDS);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode data = response.json().get("data");
        assertThat(data.get("success").asBoolean()).isFalse();
        assertThat(data.get("status").asText()).isEqualTo("failed");
        assertThat(data.get("output").isNull()).isTrue();
        assertThat(data.get("error").asText()).isEqualTo("step 1 failed: a non-empty \"prompt\" is required");
        assertThat(data.get("stdout").asText())
                .isEqualTo("{\"success\":false,\"error\":\"a non-empty \\\"prompt\\\" is required\"}");
        assertThat(data.get("stderr").asText()).isEqualTo("no prompt given\n");
    }

    @Test
    void testEndpointAnswersMuleV2sShape() throws Exception {
        Module module = upload(null);

        CompletableFuture<Http.Response> call = async(() -> http.post("/api/v1/wasm-modules/test",
                map("module_id", module.id(), "input", map("prompt", "World"))));
        String jobId = acceptedJobOfModule(module.id());
        TestKafka.send(Topics.JOB_EVENTS, jobId, stepCompleted(jobId, "Hello, World!", "{\"message\":\"Hello, World!\"}",
                ""));
        TestKafka.send(Topics.JOB_EVENTS, jobId, completed(jobId, "Hello, World!"));

        JsonNode body = call.get(20, TimeUnit.SECONDS).json();
        assertThat(body.get("output").asText()).isEqualTo("Hello, World!");
        assertThat(body.get("success").asBoolean()).isTrue();
        assertThat(body.get("error").isNull()).isTrue();
        assertThat(body.get("job_id").asText()).isEqualTo(jobId);
        assertThat(body.get("stdout").asText()).isEqualTo("{\"message\":\"Hello, World!\"}");
        assertThat(body.get("stderr").asText()).isEmpty();
    }

    @Test
    void aRunWithoutAStepResultAnswersNullStreams() throws Exception {
        Module module = upload(null);

        CompletableFuture<Http.Response> call = async(() -> http.post("/api/v1/wasm-modules/test",
                map("module_id", module.id(), "input", map("prompt", "World"))));
        String jobId = acceptedJobOfModule(module.id());
        TestKafka.send(Topics.JOB_EVENTS, jobId, new JobEvent.JobCancelled(Topics.SCHEMA_VERSION, jobId, 3,
                Instant.now(), "cancelled by user"));

        JsonNode body = call.get(20, TimeUnit.SECONDS).json();
        assertThat(body.get("success").asBoolean()).isFalse();
        assertThat(body.get("status").asText()).isEqualTo("cancelled");
        assertThat(body.get("stdout").isNull()).isTrue();
        assertThat(body.get("stderr").isNull()).isTrue();
    }

    @Test
    void refusesUnknownModulesWithoutCreatingAJob() {
        long jobsBefore = jdbc.sql("SELECT count(*) FROM jobs").query(Long.class).single();

        Http.Response byName = http.post("/v1/wasm/execute", map("module", "no-such-module", "input", map()));
        Http.Response missing = http.post("/v1/wasm/execute", map("input", map()));
        Http.Response byId = http.post("/api/v1/wasm-modules/0b6f4a1e-0000-4000-8000-000000000000/execute", map());
        Http.Response test = http.post("/api/v1/wasm-modules/test", map("module_id", "nope"));

        assertThat(byName.status()).isEqualTo(404);
        assertThat(byName.json().get("detail").asText()).contains("no WASM module with id or name 'no-such-module'");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(byId.status()).isEqualTo(404);
        assertThat(test.status()).isEqualTo(404);
        assertThat(jdbc.sql("SELECT count(*) FROM jobs").query(Long.class).single()).isEqualTo(jobsBefore);
    }

    private record Module(String id, String name) {
    }

    private Module upload(String config) {
        String name = TestApi.unique("greet");
        Map<String, String> fields = config == null ? Map.of("name", name) : Map.of("name", name, "config", config);
        Http.Response created = http.postMultipart("/api/v1/wasm-modules", fields, "module_data",
                WasmFixtures.wasm("greet.wasm"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return new Module(created.json().at("/data/id").asText(), name);
    }

    private String acceptedJobOfModule(String moduleId) {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> jdbc.sql("SELECT CAST(id AS TEXT) FROM jobs WHERE wasm_module_id = CAST(? AS UUID)")
                        .param(moduleId).query(String.class).optional().orElse(null), id -> id != null);
    }

    private static CompletableFuture<Http.Response> async(Supplier<Http.Response> call) {
        return CompletableFuture.supplyAsync(call);
    }

    private static JobEvent stepCompleted(String jobId, String output, String stdout, String stderr) {
        return JobEvents.stepCompleted(jobId, 3, JsonSerde.mapper().getNodeFactory().textNode(output), stdout, stderr);
    }

    private static JobEvent completed(String jobId, String output) {
        return JobEvents.jobCompleted(jobId, 4, output, null);
    }
}
