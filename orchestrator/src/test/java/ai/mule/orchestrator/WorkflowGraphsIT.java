package ai.mule.orchestrator;

import static ai.mule.orchestrator.TestJobs.graph;
import static ai.mule.orchestrator.TestJobs.newJobId;
import static ai.mule.orchestrator.TestJobs.node;
import static ai.mule.orchestrator.TestJobs.text;
import static ai.mule.orchestrator.TestJobs.wasm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.StepFlow;
import ai.mule.schemas.Topic;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Workflow graphs through the whole orchestrator (real broker, real PostgreSQL, the job status writer), with a fake
 * runner that answers at once: a 10-branch fan-out joined by name, and a for-each of 1,000 items at concurrency 16.
 * Both print what they measure (orchestrator timestamps: first branch command issued to job completed; for-each
 * started to completed), for the closing note; the machine is shared, so the numbers are indicative.
 */
class WorkflowGraphsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    static Path stateDir;
    static TestPostgres.Database db;
    static JdbcClient jdbc;
    static ConfigurableApplicationContext app;

    @BeforeAll
    static void startService() {
        db = TestPostgres.newDatabase();
        jdbc = JdbcClient.create(db.dataSource());
        app = TestOrchestrator.start(db, stateDir, "mule-orchestrator-graphs-it-" + UUID.randomUUID(),
                "mule-job-status-writer-graphs-it-" + UUID.randomUUID(),
                "--mule.orchestrator.status-writer.poll-timeout=100ms");
    }

    @AfterAll
    static void stopService() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aTenBranchFanOutIsJoinedByNameAndTheJobCompletes() throws Exception {
        String jobId = newJobId();
        insertQueuedJob(jobId);
        List<StepDefinition> steps = new ArrayList<>();
        List<StepFlow> flow = new ArrayList<>();
        steps.add(wasm(1, "split"));
        flow.add(node("split"));
        List<Integer> branches = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            steps.add(wasm(i + 1, "branch"));
            flow.add(node("b" + i, 0));
            branches.add(i);
        }
        steps.add(wasm(12, "merge"));
        flow.add(new StepFlow("merge", branches, StepFlow.WAIT_ALL, null, null, null));

        try (FakeRunner runner = new FakeRunner(List.of(jobId), command -> Optional.of(Results.succeeded(command,
                command.stepIndex() == 11 ? command.input() : text("out " + command.stepIndex()), null, null, 10,
                Instant.now())))) {
            TestKafka.send(Topics.JOB_REQUESTS, jobId, graph(jobId, steps, flow));
            await().atMost(PATIENCE).until(() -> "completed".equals(jobStatus(jobId)));

            List<StepCommand> received = runner.received().stream().map(FakeRunner.Received::command).toList();
            assertThat(received).extracting(StepCommand::stepIndex).hasSize(12).doesNotHaveDuplicates();
            StepCommand join = received.stream().filter(c -> c.stepIndex() == 11).findFirst().orElseThrow();
            assertThat(join.input().size()).isEqualTo(10);
            assertThat(join.input().get("b7")).isEqualTo(text("out 7"));
            Instant firstBranch = received.stream().filter(c -> c.stepIndex() >= 1 && c.stepIndex() <= 10)
                    .map(StepCommand::issuedAt).min(Instant::compareTo).orElseThrow();
            List<JobEvent> events = events(jobId, 26);
            JobEvent.JobCompleted completed = (JobEvent.JobCompleted) events.get(events.size() - 1);
            assertThat(completed.output().at("/prompt/b10")).isEqualTo(text("out 10"));
            System.out.printf("MEASURE fan-out of 10 trivial branches: first branch dispatched -> join completed "
                    + "%d ms%n", Duration.between(firstBranch, completed.at()).toMillis());
        }
        assertThat(jdbc.sql("SELECT count(*) FROM job_steps WHERE job_id = ? AND status = 'completed'")
                .param(UUID.fromString(jobId)).query(Long.class).single()).isEqualTo(12);
    }

    @Test
    void aForEachOfAThousandItemsAtConcurrencySixteenKeepsItemOrder() throws Exception {
        String jobId = newJobId();
        insertQueuedJob(jobId);
        ObjectNode parts = JsonSerde.mapper().createObjectNode();
        ArrayNode list = parts.putArray("parts");
        IntStream.range(0, 1_000).forEach(list::add);
        List<StepFlow> flow = List.of(node("split"), new StepFlow("each", List.of(0), null, null,
                new StepFlow.ForEach("steps.split.parts", 16, StepFlow.ForEach.FAIL), null));

        try (FakeRunner runner = new FakeRunner(List.of(jobId), command -> Optional.of(Results.succeeded(command,
                command.stepIndex() == 0 ? parts : text("item " + command.input().get("prompt").asInt()), null, null,
                10, Instant.now())))) {
            TestKafka.send(Topics.JOB_REQUESTS, jobId, graph(jobId, List.of(wasm(1, "split"), wasm(2, "per-item")),
                    flow));
            await().atMost(PATIENCE).until(() -> "completed".equals(jobStatus(jobId)));
            assertThat(runner.received()).hasSize(1_001);
        }
        List<JobEvent> events = events(jobId, 6);
        JobEvent.StepStarted started = (JobEvent.StepStarted) events.get(3);
        JobEvent.StepCompleted done = (JobEvent.StepCompleted) events.get(4);
        JsonNode outputs = done.output();
        assertThat(outputs.size()).isEqualTo(1_000);
        assertThat(outputs.get(0)).isEqualTo(text("item 0"));
        assertThat(outputs.get(999)).isEqualTo(text("item 999"));
        long ms = Math.max(1, Duration.between(started.at(), done.at()).toMillis());
        System.out.printf("MEASURE for-each of 1000 trivial items at concurrency 16: %d ms, %.0f items/s%n", ms,
                1_000 * 1000.0 / ms);
    }

    /**
     * The job's events, read as bytes and parsed one by one: other tests on the shared broker put records on
     * mule.jobs.events that are not events on purpose (poison records), which a typed reader would stop at.
     */
    private static List<JobEvent> events(String jobId, int count) {
        Topic<String, byte[]> raw = new Topic<>(Topics.JOB_EVENTS.name(), Serdes.String(), Serdes.ByteArray(), null);
        return TestKafka.read(raw, jobId, count, PATIENCE).stream()
                .map(bytes -> Topics.JOB_EVENTS.valueSerde().deserializer().deserialize(raw.name(), bytes))
                .toList();
    }

    private static void insertQueuedJob(String jobId) {
        jdbc.sql("INSERT INTO jobs (id, workflow_name, status, input_data) VALUES (?, 'test-workflow', 'queued', ?::jsonb)")
                .params(UUID.fromString(jobId), "{\"prompt\": \"hello\"}").update();
    }

    private static String jobStatus(String jobId) {
        return jdbc.sql("SELECT status FROM jobs WHERE id = ?").param(UUID.fromString(jobId)).query(String.class).single();
    }
}
