package ai.mule.orchestrator;

import static ai.mule.orchestrator.TestJobs.newJobId;
import static ai.mule.orchestrator.TestJobs.prompt;
import static ai.mule.orchestrator.TestJobs.request;
import static ai.mule.orchestrator.TestJobs.text;
import static ai.mule.orchestrator.TestJobs.threeMixedSteps;
import static ai.mule.orchestrator.TestJobs.wasm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.orchestrator.jobs.OrchestratorTopology;
import ai.mule.schemas.AgentStep;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobEvent.JobCompleted;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WasmStep;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The whole service against a real broker and a real PostgreSQL: the Streams app runs jobs through a fake
 * runner, and the status writer mirrors their events into the tables the gateway reads.
 */
class OrchestratorApplicationIT {

    private static final Logger log = LoggerFactory.getLogger(OrchestratorApplicationIT.class);
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    static Path stateDir;
    static TestPostgres.Database db;
    static JdbcClient jdbc;
    static ConfigurableApplicationContext app;
    static String applicationId;

    @BeforeAll
    static void startService() {
        db = TestPostgres.newDatabase();
        jdbc = JdbcClient.create(db.dataSource());
        applicationId = "mule-orchestrator-it-" + UUID.randomUUID();
        app = TestOrchestrator.start(db, stateDir, applicationId, "mule-job-status-writer-it-" + UUID.randomUUID());
    }

    /** A restart that must restore a store reads its whole changelog: the log cleaner must be able to shorten it. */
    @Test
    void theStoresChangelogsAreCompactedInSegmentsSmallerThanKafkasDefault() throws Exception {
        try (Admin admin = Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            for (String store : List.of(OrchestratorTopology.JOBS_STORE, OrchestratorTopology.TIMERS_STORE)) {
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC,
                        applicationId + "-" + store + "-changelog");
                Config config = await().atMost(PATIENCE).ignoreExceptions().until(
                        () -> admin.describeConfigs(List.of(topic)).all().get().get(topic), c -> c != null);
                assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
                assertThat(config.get(TopicConfig.SEGMENT_BYTES_CONFIG).value()).as(store)
                        .isEqualTo(String.valueOf(64 * 1024 * 1024));
            }
        }
    }

    @AfterAll
    static void stopService() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void runsAThreeStepJobThroughBothRunnerKindsToCompletion() throws Exception {
        String jobId = newJobId();
        JobRequest request = threeMixedSteps(jobId);
        insertQueuedJob(jobId);

        List<JobEvent> events;
        List<FakeRunner.Received> received;
        try (FakeRunner runner = new FakeRunner(List.of(jobId), command -> Optional.of(run(command)))) {
            Instant sent = Instant.now();
            TestKafka.send(Topics.JOB_REQUESTS, jobId, request);
            events = TestKafka.read(Topics.JOB_EVENTS, jobId, 8, PATIENCE);
            log.info("Three-step job reached its events' reader {} ms after its request was sent",
                    Duration.between(sent, Instant.now()).toMillis());
            received = runner.received();
        }

        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly(
                "JobStarted", "StepStarted", "StepCompleted", "StepStarted", "StepCompleted", "StepStarted",
                "StepCompleted", "JobCompleted");
        assertThat(events).extracting(JobEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(((JobCompleted) events.get(7)).output()).isEqualTo(prompt("OLLEH TUOBA MEOP A"));
        assertThat(received).extracting(FakeRunner.Received::topic)
                .containsExactly(Topics.STEPS_WASM.name(), Topics.STEPS_AGENT.name(), Topics.STEPS_WASM.name());
        assertThat(received).extracting(r -> r.command().input())
                .containsExactly(prompt("hello"), prompt("HELLO"), prompt("a poem about HELLO"));

        await().atMost(PATIENCE).until(() -> "completed".equals(jobStatus(jobId)));
        Map<String, Object> job = jdbc.sql("""
                SELECT output_data::text AS output, last_event_seq, started_at IS NOT NULL AS started,
                       completed_at IS NOT NULL AS completed, error_message
                  FROM jobs WHERE id = ?""").param(UUID.fromString(jobId)).query().singleRow();
        assertThat(json(job.get("output"))).isEqualTo(prompt("OLLEH TUOBA MEOP A"));
        assertThat(job).containsEntry("last_event_seq", 8L).containsEntry("started", true)
                .containsEntry("completed", true).containsEntry("error_message", null);
        List<Map<String, Object>> steps = jdbc.sql("""
                SELECT step_index, step_order, status, attempt, input_data::text AS input, output_data::text AS output
                  FROM job_steps WHERE job_id = ? ORDER BY step_index""").param(UUID.fromString(jobId)).query().listOfRows();
        assertThat(steps).extracting(s -> s.get("step_order")).containsExactly(10, 20, 30);
        assertThat(steps).extracting(s -> s.get("status")).containsOnly("completed");
        assertThat(steps).extracting(s -> json(s.get("input")))
                .containsExactly(prompt("hello"), prompt("HELLO"), prompt("a poem about HELLO"));
        assertThat(steps).extracting(s -> json(s.get("output")))
                .containsExactly(text("HELLO"), text("a poem about HELLO"), text("OLLEH TUOBA MEOP A"));
    }

    @Test
    void aCancelledJobStopsAndIgnoresItsRunningStepsLateResult() throws Exception {
        String jobId = newJobId();
        insertQueuedJob(jobId);

        try (FakeRunner runner = new FakeRunner(List.of(jobId), command -> Optional.empty())) {
            TestKafka.send(Topics.JOB_REQUESTS, jobId, request(jobId, wasm(1, "upper"), wasm(2, "reverse")));
            await().atMost(PATIENCE).until(() -> runner.received().size() == 1);
            StepCommand held = runner.received().get(0).command();

            TestKafka.send(Topics.JOB_CONTROL, jobId, JobControl.cancel(jobId, "changed my mind", Instant.now()));
            assertThat(TestKafka.read(Topics.JOB_EVENTS, jobId, 3, PATIENCE)).extracting(JobEvent::seq)
                    .containsExactly(1L, 2L, 3L);
            TestKafka.send(Topics.STEP_RESULTS, jobId,
                    Results.succeeded(held, text("HELLO"), null, null, 10, Instant.now()));
            await().atMost(PATIENCE).until(() -> "cancelled".equals(jobStatus(jobId)));

            // the late result started nothing: no fourth event, no second command
            assertThat(TestKafka.read(Topics.JOB_EVENTS, jobId, 4, Duration.ofSeconds(2)))
                    .last().isInstanceOf(JobEvent.JobCancelled.class);
            assertThat(runner.received()).hasSize(1);
        }
        assertThat(jdbc.sql("SELECT status FROM job_steps WHERE job_id = ?").param(UUID.fromString(jobId))
                .query(String.class).single()).isEqualTo("cancelled");
    }

    /** What the real runners would answer, in miniature: upper-case, write a "poem", reverse. */
    private static StepResult run(StepCommand command) {
        String input = command.input().path("prompt").asText();
        String output;
        if (command.step() instanceof AgentStep) {
            output = "a poem about " + input;
        } else if ("upper".equals(((WasmStep) command.step()).moduleName())) {
            output = input.toUpperCase();
        } else {
            output = new StringBuilder(input).reverse().toString().toUpperCase();
        }
        return Results.succeeded(command, text(output), null, null, 100, Instant.now());
    }

    private static void insertQueuedJob(String jobId) {
        jdbc.sql("INSERT INTO jobs (id, workflow_name, status, input_data) VALUES (?, 'test-workflow', 'queued', ?::jsonb)")
                .params(UUID.fromString(jobId), "{\"prompt\": \"hello\"}").update();
    }

    private static String jobStatus(String jobId) {
        return jdbc.sql("SELECT status FROM jobs WHERE id = ?").param(UUID.fromString(jobId)).query(String.class).single();
    }

    private static JsonNode json(Object text) {
        try {
            return JsonSerde.mapper().readTree((String) text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
