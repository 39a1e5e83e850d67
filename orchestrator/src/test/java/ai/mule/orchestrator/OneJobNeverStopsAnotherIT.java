package ai.mule.orchestrator;

import static ai.mule.orchestrator.TestJobs.newJobId;
import static ai.mule.orchestrator.TestJobs.request;
import static ai.mule.orchestrator.TestJobs.text;
import static ai.mule.orchestrator.TestJobs.wasm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WasmStep;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Hostile but legal step outputs against the whole service (real broker, real PostgreSQL): each may fail its own
 * job, and the normal job sent right after it must still complete, in its row too.
 */
class OneJobNeverStopsAnotherIT {

    private static final Logger log = LoggerFactory.getLogger(OneJobNeverStopsAnotherIT.class);
    private static final Duration PATIENCE = Duration.ofSeconds(45);

    @TempDir
    static Path stateDir;
    static TestPostgres.Database db;
    static JdbcClient jdbc;
    static ConfigurableApplicationContext app;

    @BeforeAll
    static void startService() {
        db = TestPostgres.newDatabase();
        jdbc = JdbcClient.create(db.dataSource());
        app = TestOrchestrator.start(db, stateDir, "mule-orchestrator-poison-it-" + UUID.randomUUID(),
                "mule-job-status-writer-poison-it-" + UUID.randomUUID(),
                "--mule.orchestrator.status-writer.poll-timeout=100ms",
                // each output and config below is under its own limit; only together do they not fit a record
                "--mule.limits.max-step-output-bytes=800000",
                "--mule.limits.max-step-config-bytes=400000");
    }

    @AfterAll
    static void stopService() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void anOutputNested998DeepFailsItsJobAndTheNextJobCompletes() throws Exception {
        String deep = newJobId();
        String normal = newJobId();

        Map<String, Object> row = runPoisonThenNormal(deep, request(deep, wasm(1, "nest"), wasm(2, "upper")),
                command -> Results.succeeded(command, nested(998), null, null, 10, Instant.now()), normal);

        assertThat(row).containsEntry("status", "failed");
        assertThat((String) row.get("error_message")).contains("mule.limits.max-json-depth");
        assertThat(stepRow(deep, 0)).containsEntry("status", "failed").containsEntry("failure_kind", "limit_exceeded");
    }

    @Test
    void aBigOutputAndABigConfigThatDoNotFitOneCommandFailTheirJobAndTheNextJobCompletes() throws Exception {
        String big = newJobId();
        String normal = newJobId();
        WasmStep second = wasm(2, "upper");
        ObjectNode config = JsonSerde.mapper().createObjectNode().put("blob", "c".repeat(350_000));
        WasmStep bigConfig = new WasmStep(second.stepOrder(), second.workflowStepId(), second.moduleId(),
                second.moduleName(), second.sha256(), config);

        Map<String, Object> row = runPoisonThenNormal(big, request(big, wasm(1, "big"), bigConfig),
                command -> Results.succeeded(command, text("o".repeat(700_000)), null, null, 10, Instant.now()),
                normal);

        assertThat(row).containsEntry("status", "failed");
        assertThat((String) row.get("error_message")).contains("the step command of step 2")
                .contains("mule.limits.max-record-bytes");
    }

    @Test
    void aNulAndALoneSurrogateInAnOutputAreStoredAsReplacementCharacters() throws Exception {
        String odd = newJobId();
        String normal = newJobId();
        ObjectNode output = JsonSerde.mapper().createObjectNode().put("message", "before\u0000after\ud800end");

        Map<String, Object> row = runPoisonThenNormal(odd, request(odd, wasm(1, "nul")),
                command -> Results.succeeded(command, output, "out\u0000", null, 10, Instant.now()), normal);

        assertThat(row).containsEntry("status", "completed");
        assertThat(json(row.get("output")).path("prompt").path("message").asText())
                .isEqualTo("before\uFFFDafter\uFFFDend");
        assertThat(stepRow(odd, 0)).containsEntry("status", "completed").containsEntry("stdout", "out\uFFFD");
    }

    /**
     * Runs the poison job, waits until its row is terminal, then runs a normal one-step job and waits until its
     * row is completed; returns the poison job's row.
     */
    private Map<String, Object> runPoisonThenNormal(String poisonId, ai.mule.schemas.JobRequest poison,
                                                    Function<StepCommand, StepResult> poisonRunner,
                                                    String normalId) throws Exception {
        insertQueuedJob(poisonId);
        insertQueuedJob(normalId);
        try (FakeRunner runner = new FakeRunner(List.of(poisonId, normalId), command -> Optional.of(
                command.jobId().equals(poisonId) ? poisonRunner.apply(command)
                        : Results.succeeded(command, text("FINE"), null, null, 10, Instant.now())))) {
            Instant sent = Instant.now();
            TestKafka.send(Topics.JOB_REQUESTS, poisonId, poison);
            await().atMost(PATIENCE).until(() -> terminal(jobStatus(poisonId)));
            Instant poisonDone = Instant.now();
            TestKafka.send(Topics.JOB_REQUESTS, normalId, request(normalId, wasm(1, "upper")));
            await().atMost(PATIENCE).until(() -> "completed".equals(jobStatus(normalId)));
            log.info("Poison job {} terminal in its row after {} ms; the next job completed {} ms later", poisonId,
                    Duration.between(sent, poisonDone).toMillis(),
                    Duration.between(poisonDone, Instant.now()).toMillis());
            assertThat(runner.received()).extracting(r -> r.command().jobId()).contains(normalId);
        }
        return jdbc.sql("SELECT status, error_message, output_data::text AS output FROM jobs WHERE id = ?")
                .param(UUID.fromString(poisonId)).query().singleRow();
    }

    private static JsonNode nested(int depth) {
        ArrayNode innermost = JsonSerde.mapper().createArrayNode().add("bottom");
        ArrayNode outer = innermost;
        for (int i = 1; i < depth; i++) {
            outer = JsonSerde.mapper().createArrayNode().add(outer);
        }
        return outer;
    }

    private static boolean terminal(String status) {
        return List.of("completed", "failed", "cancelled").contains(status);
    }

    private static void insertQueuedJob(String jobId) {
        jdbc.sql("INSERT INTO jobs (id, workflow_name, status, input_data) VALUES (?, 'test-workflow', 'queued', ?::jsonb)")
                .params(UUID.fromString(jobId), "{\"prompt\": \"hello\"}").update();
    }

    private static String jobStatus(String jobId) {
        return jdbc.sql("SELECT status FROM jobs WHERE id = ?").param(UUID.fromString(jobId)).query(String.class).single();
    }

    private static Map<String, Object> stepRow(String jobId, int stepIndex) {
        return jdbc.sql("SELECT status, failure_kind, error_message, stdout FROM job_steps WHERE job_id = ? AND step_index = ?")
                .params(UUID.fromString(jobId), stepIndex).query().singleRow();
    }

    private static JsonNode json(Object text) {
        try {
            return JsonSerde.mapper().readTree((String) text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
