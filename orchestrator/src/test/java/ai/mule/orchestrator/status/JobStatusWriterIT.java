package ai.mule.orchestrator.status;

import ai.mule.kafka.KafkaClientConfig;
import ai.mule.kafka.KafkaProperties;
import static ai.mule.orchestrator.TestJobs.newJobId;
import static ai.mule.orchestrator.TestJobs.prompt;
import static ai.mule.orchestrator.TestJobs.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobEvent.JobCancelled;
import ai.mule.schemas.JobEvent.JobCompleted;
import ai.mule.schemas.JobEvent.JobFailed;
import ai.mule.schemas.JobEvent.JobStarted;
import ai.mule.schemas.JobEvent.StepCompleted;
import ai.mule.schemas.JobEvent.StepFailed;
import ai.mule.schemas.JobEvent.StepRetrying;
import ai.mule.schemas.JobEvent.StepStarted;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepRef;
import ai.mule.schemas.TokenUsage;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import ai.mule.tracing.SpanNames;
import ai.mule.tracing.Tracing;
import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** The status writer against a real broker and PostgreSQL: redeliveries and stale events change nothing. */
class JobStatusWriterIT {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    static TestPostgres.Database db;
    static JdbcClient jdbc;
    static KafkaProducer<String, byte[]> producer;
    JobStatusWriter writer;
    String groupId;

    @BeforeAll
    static void connect() {
        db = TestPostgres.newDatabase();
        jdbc = JdbcClient.create(db.dataSource());
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void disconnect() {
        producer.close();
    }

    @AfterEach
    void stopWriter() {
        if (writer != null) {
            writer.stop();
        }
    }

    @Test
    void appliesEachEventOnceInOrderWhateverTheRedeliveries() {
        String completed = newJobId();
        String failed = newJobId();
        String cancelled = newJobId();
        String alreadyCancelled = newJobId();
        String missing = newJobId();
        insertJob(completed, "queued");
        insertJob(failed, "queued");
        insertJob(cancelled, "queued");
        insertJob(alreadyCancelled, "cancelled");

        send(new JobStarted(1, completed, 1, at(1), "wf", 2));
        send(stepStarted(completed, 2, 0, prompt("hello"), 2));
        send(stepStarted(completed, 2, 0, prompt("hello"), 2));                  // duplicate
        send(new StepCompleted(1, completed, 3, at(3), step(0, 1), text("HELLO"), 1500, null, null, null));
        sendRaw(completed, "not an event");                                      // poison
        send(stepStarted(completed, 4, 1, prompt("HELLO"), 4));
        send(stepStarted(completed, 2, 0, prompt("stale redelivery"), 9));      // out of date
        send(new StepCompleted(1, completed, 5, at(5), step(1, 1), text("OLLEH"), 2500, null, null, null));
        send(new JobCompleted(1, completed, 6, at(6), prompt("OLLEH"), null));
        send(new JobFailed(1, completed, 5, at(9), "stale failure"));           // out of date
        send(new JobCancelled(1, completed, 7, at(10), "too late"));            // the job is already terminal

        send(new JobStarted(1, failed, 1, at(1), "wf", 1));
        send(stepStarted(failed, 2, 0, prompt("hello"), 2));
        send(new StepFailed(1, failed, 3, at(3), step(0, 1), "boom", 700, null, null, null));
        send(new JobFailed(1, failed, 4, at(4), "step 10 failed: boom"));

        send(new JobStarted(1, cancelled, 1, at(1), "wf", 2));
        send(stepStarted(cancelled, 2, 0, prompt("hello"), 2));
        send(new JobCancelled(1, cancelled, 3, at(3), "user asked"));

        send(new JobStarted(1, alreadyCancelled, 1, at(1), "wf", 1));
        send(new JobStarted(1, missing, 1, at(1), "wf", 1));

        startWriter();
        awaitCaughtUp();

        assertThat(job(completed)).containsEntry("status", "completed").containsEntry("last_event_seq", 6L)
                .containsEntry("error_message", null);
        assertThat(json(job(completed).get("output"))).isEqualTo(prompt("OLLEH"));
        assertThat(timestamp(job(completed).get("started_at"))).isEqualTo(at(1));
        assertThat(timestamp(job(completed).get("completed_at"))).isEqualTo(at(6));
        List<Map<String, Object>> steps = steps(completed);
        assertThat(steps).extracting(s -> s.get("status")).containsExactly("completed", "completed");
        assertThat(steps).extracting(s -> json(s.get("input"))).containsExactly(prompt("hello"), prompt("HELLO"));
        assertThat(steps).extracting(s -> json(s.get("output"))).containsExactly(text("HELLO"), text("OLLEH"));
        assertThat(steps).extracting(s -> s.get("duration_micros")).containsExactly(1500L, 2500L);
        assertThat(steps).extracting(s -> timestamp(s.get("started_at"))).containsExactly(at(2), at(4));
        assertThat(steps).extracting(s -> s.get("id")).containsExactly(
                JobStatusRepository.stepRowId(UUID.fromString(completed), 0),
                JobStatusRepository.stepRowId(UUID.fromString(completed), 1));

        assertThat(job(failed)).containsEntry("status", "failed").containsEntry("error_message", "step 10 failed: boom")
                .containsEntry("last_event_seq", 4L);
        assertThat(steps(failed)).singleElement().satisfies(step -> assertThat(step)
                .containsEntry("status", "failed").containsEntry("error_message", "boom")
                .containsEntry("duration_micros", 700L));

        assertThat(job(cancelled)).containsEntry("status", "cancelled").containsEntry("last_event_seq", 3L)
                .containsEntry("error_message", "user asked");
        assertThat(timestamp(job(cancelled).get("completed_at"))).isEqualTo(at(3));
        // the step the cancel cut short, and its attempt, say why, as the job's row does
        assertThat(steps(cancelled)).singleElement().satisfies(step -> assertThat(step)
                .containsEntry("status", "cancelled").containsEntry("error_message", "user asked")
                .containsEntry("failure_kind", "cancelled"));
        assertThat(jdbc.sql("SELECT status, error_message, failure_kind FROM job_step_attempts WHERE job_id = ?")
                .param(UUID.fromString(cancelled)).query().listOfRows()).singleElement()
                .isEqualTo(Map.of("status", "cancelled", "error_message", "user asked", "failure_kind", "cancelled"));

        assertThat(job(alreadyCancelled)).containsEntry("status", "cancelled").containsEntry("last_event_seq", 0L)
                .containsEntry("started_at", null);
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE id = ?").param(UUID.fromString(missing))
                .query(Long.class).single()).isZero();
    }

    @Test
    void eventsOfInterleavedJobsWrittenTogetherKeepEachJobsOrder() {
        String first = newJobId();
        String second = newJobId();
        insertJob(first, "queued");
        insertJob(second, "queued");

        // the repository batches the events by statement, a round per position in each job's events: a batch of all
        // the step starts before all the step completions would apply the second step's start before the first
        // step's completion, which would then be skipped as out of date
        int applied = repository().apply(List.of(
                new JobStarted(1, first, 1, at(1), "wf", 2),
                stepStarted(first, 2, 0, prompt("a"), 2),
                new JobStarted(1, second, 1, at(1), "wf", 1),
                new StepCompleted(1, first, 3, at(3), step(0, 1), text("A"), 100, null, null, null),
                stepStarted(second, 2, 0, prompt("b"), 2),
                stepStarted(first, 2, 0, prompt("a"), 2),
                stepStarted(first, 4, 1, prompt("A"), 4),
                new StepCompleted(1, first, 5, at(5), step(1, 1), text("AA"), 100, null, null, null),
                new JobCompleted(1, first, 6, at(6), prompt("AA"), null)));

        assertThat(applied).as("all but the repeated start").isEqualTo(8);
        assertThat(job(first)).containsEntry("status", "completed").containsEntry("last_event_seq", 6L);
        assertThat(steps(first)).extracting(step -> step.get("status")).containsExactly("completed", "completed");
        assertThat(job(second)).containsEntry("status", "running").containsEntry("last_event_seq", 2L);
        assertThat(steps(second)).singleElement().satisfies(step -> assertThat(step)
                .containsEntry("status", "running"));
    }

    /**
     * A job's events written together are folded into one write per row (FoldedJob) when they can be: whatever the
     * events and however a redelivery cuts them, the rows must read as the statements of each event alone leave them.
     */
    @Test
    void eventsWrittenTogetherLeaveTheRowsTheyLeaveOneByOneWhereverARedeliveryCutsThem() {
        Map<String, Function<String, List<JobEvent>>> scenarios = scenarios();
        scenarios.forEach((name, events) -> {
            Rows expected = rowsLeftOneByOne(events);
            int eventCount = events.apply(newJobId()).size();
            for (int applied = 0; applied <= eventCount; applied++) {
                String together = newJobId();
                insertJob(together, "queued");
                List<JobEvent> all = events.apply(together);
                all.subList(0, applied).forEach(event -> repository().apply(List.of(event)));
                repository().apply(all);
                assertThat(rows(together)).as("%s, with %d events applied before", name, applied).isEqualTo(expected);
            }
        });
    }

    /** A poll's folded rows are written many to a statement (MultiRowInsert): each job's must still be its own. */
    @Test
    void aPollOfManyJobsLeavesEachJobsRowsAsItsEventsOneByOne() {
        Map<String, Function<String, List<JobEvent>>> scenarios = scenarios();
        Map<String, Rows> expected = new HashMap<>();
        scenarios.forEach((name, events) -> expected.put(name, rowsLeftOneByOne(events)));
        // more step rows than one statement takes (MultiRowInsert.MAX_ROWS), and of jobs with a part of their events
        // applied before (a redelivery), so that some of a statement's rows are new and some update their row
        List<JobEvent> poll = new ArrayList<>();
        Map<String, String> scenarioOfJob = new LinkedHashMap<>();
        for (int i = 0; i < 30; i++) {
            for (Map.Entry<String, Function<String, List<JobEvent>>> scenario : scenarios.entrySet()) {
                String jobId = newJobId();
                insertJob(jobId, "queued");
                List<JobEvent> all = scenario.getValue().apply(jobId);
                int before = i % (all.size() + 1);
                if (before > 0) {
                    repository().apply(all.subList(0, before));
                }
                poll.addAll(all);
                scenarioOfJob.put(jobId, scenario.getKey());
            }
        }

        repository().apply(poll);

        scenarioOfJob.forEach((jobId, name) -> assertThat(rows(jobId)).as("%s, job %s", name, jobId)
                .isEqualTo(expected.get(name)));
    }

    /** The rows a new job's events leave when each is written by its own statement (the reference). */
    private static Rows rowsLeftOneByOne(Function<String, List<JobEvent>> events) {
        String jobId = newJobId();
        insertJob(jobId, "queued");
        repository().applyUnfolded(events.apply(jobId));
        return rows(jobId);
    }

    /** Runs of a job's events, by name: each gives the events of the job whose id it is given. */
    private static Map<String, Function<String, List<JobEvent>>> scenarios() {
        StepRef third = new StepRef(2, 30, UUID.randomUUID().toString(), 1);
        return Map.of(
                "three steps completed", jobId -> List.of(
                        new JobStarted(1, jobId, 1, at(1), "wf", 3),
                        stepStarted(jobId, 2, 0, prompt("hello"), 2),
                        new StepCompleted(1, jobId, 3, at(3), step(0, 1), text("HELLO"), 100, null, "out", "err"),
                        stepStarted(jobId, 4, 1, prompt("HELLO"), 3),
                        new StepCompleted(1, jobId, 5, at(4), step(1, 1), text("OLLEH"), 200, new TokenUsage(1, 2, 3),
                                null, null),
                        new StepStarted(1, jobId, 6, at(4), third, prompt("OLLEH")),
                        new StepCompleted(1, jobId, 7, at(5), third, text("done"), 300, null, null, null),
                        new JobCompleted(1, jobId, 8, at(5), prompt("done"), null)),
                "a step failed", jobId -> List.of(
                        new JobStarted(1, jobId, 1, at(1), "wf", 2),
                        stepStarted(jobId, 2, 0, prompt("hello"), 2),
                        new StepFailed(1, jobId, 3, at(3), step(0, 1), "trap", 700, FailureKind.MODULE_FAILED, "o",
                                "e"),
                        new JobFailed(1, jobId, 4, at(3), "step 10 failed: trap")),
                "retried, then completed", jobId -> List.of(
                        new JobStarted(1, jobId, 1, at(1), "wf", 1),
                        stepStarted(jobId, 2, 0, prompt("hello"), 2),
                        new StepRetrying(1, jobId, 3, at(3), step(0, 1), "503", FailureKind.PROVIDER_UNAVAILABLE, 800,
                                at(4)),
                        new StepStarted(1, jobId, 4, at(4), step(0, 2), prompt("hello")),
                        new StepCompleted(1, jobId, 5, at(5), step(0, 2), text("HELLO"), 100, new TokenUsage(5, 5, 10),
                                null, null),
                        new JobCompleted(1, jobId, 6, at(5), prompt("HELLO"), null)),
                "retried, running again", jobId -> List.of(
                        new JobStarted(1, jobId, 1, at(1), "wf", 1),
                        stepStarted(jobId, 2, 0, prompt("hello"), 2),
                        new StepRetrying(1, jobId, 3, at(3), step(0, 1), "503", FailureKind.PROVIDER_UNAVAILABLE, 800,
                                at(4)),
                        new StepStarted(1, jobId, 4, at(4), step(0, 2), prompt("hello"))),
                "two steps at once, cancelled", jobId -> List.of(
                        new JobStarted(1, jobId, 1, at(1), "wf", 3),
                        stepStarted(jobId, 2, 0, prompt("a"), 2),
                        stepStarted(jobId, 3, 1, prompt("b"), 2),
                        new StepCompleted(1, jobId, 4, at(3), step(1, 1), text("B"), 100, null, null, null),
                        new StepCompleted(1, jobId, 5, at(4), step(0, 1), text("A"), 100, null, null, null),
                        stepStarted(jobId, 6, 2, prompt("c"), 5),
                        new JobCancelled(1, jobId, 7, at(6), "user asked"),
                        new JobStarted(1, jobId, 8, at(7), "wf", 3)));
    }

    /** A job's rows, as text, without what differs between jobs (ids, row creation times). */
    private record Rows(Map<String, Object> job, List<Map<String, Object>> steps, List<Map<String, Object>> attempts) {
    }

    private static Rows rows(String jobId) {
        UUID id = UUID.fromString(jobId);
        return new Rows(jdbc.sql("""
                SELECT status, last_event_seq, output_data::text AS output, error_message, started_at::text AS started,
                       completed_at::text AS completed FROM jobs WHERE id = ?""").param(id).query().singleRow(),
                jdbc.sql("""
                        SELECT step_index, workflow_step_id::text AS workflow_step, step_order, status, attempt,
                               input_data::text AS input, output_data::text AS output, error_message, failure_kind,
                               duration_micros, started_at::text AS started, completed_at::text AS completed,
                               next_attempt_at::text AS next_attempt, stdout, stderr, usage::text AS usage
                          FROM job_steps WHERE job_id = ? ORDER BY step_index""").param(id).query().listOfRows(),
                jdbc.sql("""
                        SELECT step_index, attempt, status, error_message, failure_kind, duration_micros,
                               started_at::text AS started, completed_at::text AS completed
                          FROM job_step_attempts WHERE job_id = ? ORDER BY step_index, attempt""")
                        .param(id).query().listOfRows());
    }

    @Test
    void recordsEveryAttemptOfARetriedStepWithItsErrorOnceWhateverTheRedeliveries() {
        String jobId = newJobId();
        insertJob(jobId, "queued");
        StepRetrying firstFailed = new StepRetrying(1, jobId, 3, at(3), step(0, 1), "503", FailureKind.PROVIDER_UNAVAILABLE,
                800, at(4));
        send(new JobStarted(1, jobId, 1, at(1), "wf", 1));
        send(stepStarted(jobId, 2, 0, prompt("hello"), 2));
        send(firstFailed);
        send(firstFailed);                                                      // duplicate
        send(new StepStarted(1, jobId, 4, at(4), step(0, 2), prompt("hello")));
        send(new StepRetrying(1, jobId, 5, at(6), step(0, 2), "no result within 1000 ms",
                FailureKind.RUNNER_LOST, 0, at(7)));
        send(new StepStarted(1, jobId, 6, at(7), step(0, 3), prompt("hello")));
        send(new StepStarted(1, jobId, 4, at(4), step(0, 2), prompt("hello"))); // out of date
        send(new StepFailed(1, jobId, 7, at(8), step(0, 3), "429", 300, FailureKind.PROVIDER_RATE_LIMITED, null, null));
        send(new JobFailed(1, jobId, 8, at(8), "step 10 failed: 429"));

        startWriter();
        awaitCaughtUp();

        assertThat(job(jobId)).containsEntry("status", "failed").containsEntry("last_event_seq", 8L);
        Map<String, Object> step = jdbc.sql("SELECT status, attempt, error_message, failure_kind, next_attempt_at "
                + "FROM job_steps WHERE job_id = ?").param(UUID.fromString(jobId)).query().singleRow();
        assertThat(step).containsEntry("status", "failed").containsEntry("attempt", 3)
                .containsEntry("error_message", "429").containsEntry("failure_kind", "provider_rate_limited")
                .containsEntry("next_attempt_at", null);
        List<Map<String, Object>> attempts = jdbc.sql("SELECT attempt, status, error_message, failure_kind, "
                + "duration_micros, started_at, completed_at FROM job_step_attempts WHERE job_id = ? ORDER BY attempt")
                .param(UUID.fromString(jobId)).query().listOfRows();
        assertThat(attempts).extracting(a -> a.get("attempt")).containsExactly(1, 2, 3);
        assertThat(attempts).extracting(a -> a.get("status")).containsOnly("failed");
        assertThat(attempts).extracting(a -> a.get("failure_kind"))
                .containsExactly("provider_unavailable", "runner_lost", "provider_rate_limited");
        assertThat(attempts).extracting(a -> a.get("duration_micros")).containsExactly(800L, 0L, 300L);
        assertThat(attempts).extracting(a -> timestamp(a.get("started_at"))).containsExactly(at(2), at(4), at(7));
        assertThat(attempts).extracting(a -> timestamp(a.get("completed_at"))).containsExactly(at(3), at(6), at(8));
    }

    @Test
    void aSkippedStepHasARowSayingWhyAndNoAttempt() {
        String jobId = newJobId();
        insertJob(jobId, "queued");
        send(new JobStarted(1, jobId, 1, at(1), "wf", 2));
        send(stepStarted(jobId, 2, 0, prompt("hello"), 2));
        send(new JobEvent.StepSkipped(1, jobId, 3, at(3), step(1, 1), "its condition is false: input.x == 1"));
        send(new StepCompleted(1, jobId, 4, at(4), step(0, 1), text("HELLO"), 1500, null, null, null));
        send(new JobCompleted(1, jobId, 5, at(5), prompt("HELLO"), null));

        startWriter();
        awaitCaughtUp();

        assertThat(job(jobId)).containsEntry("status", "completed").containsEntry("last_event_seq", 5L);
        Map<String, Object> skipped = jdbc.sql("SELECT status, error_message, completed_at FROM job_steps "
                + "WHERE job_id = ? AND step_index = 1").param(UUID.fromString(jobId)).query().singleRow();
        assertThat(skipped).containsEntry("status", "skipped")
                .containsEntry("error_message", "its condition is false: input.x == 1");
        assertThat(timestamp(skipped.get("completed_at"))).isEqualTo(at(3));
        assertThat(jdbc.sql("SELECT count(*) FROM job_step_attempts WHERE job_id = ? AND step_index = 1")
                .param(UUID.fromString(jobId)).query(Long.class).single()).isZero();
    }

    @Test
    void aBatchPostgresRefusedIsWrittenOnceItCanBe() {
        String jobId = newJobId();
        insertJob(jobId, "queued");
        startWriter();
        send(new JobStarted(1, jobId, 1, at(1), "wf", 1));
        awaitCaughtUp();
        assertThat(job(jobId)).containsEntry("status", "running").containsEntry("last_event_seq", 1L);
        jdbc.sql("ALTER TABLE job_steps RENAME TO job_steps_away").update();
        try {
            // only an event that writes job_steps comes now: whatever batch it is polled in, that batch fails
            send(stepStarted(jobId, 2, 0, prompt("hello"), 2));
            // the writer keeps failing on the missing table and must not skip the event meanwhile
            await().pollDelay(Duration.ofSeconds(1)).atMost(PATIENCE).until(() -> true);
            assertThat(job(jobId)).containsEntry("status", "running").containsEntry("last_event_seq", 1L);
        } finally {
            jdbc.sql("ALTER TABLE job_steps_away RENAME TO job_steps").update();
        }

        awaitCaughtUp();
        assertThat(job(jobId)).containsEntry("status", "running").containsEntry("last_event_seq", 2L);
        assertThat(steps(jobId)).singleElement().satisfies(step -> assertThat(step).containsEntry("status", "running"));
    }

    @Test
    void recordsTheTokensAnAgentStepReported() {
        String jobId = newJobId();
        insertJob(jobId, "queued");
        send(new JobStarted(1, jobId, 1, at(1), "wf", 2));
        send(stepStarted(jobId, 2, 0, prompt("hello"), 2));
        send(new StepCompleted(1, jobId, 3, at(3), step(0, 1), text("a haiku"), 900, new TokenUsage(12, 7, 19), null,
                null));
        send(stepStarted(jobId, 4, 1, prompt("a haiku"), 3));
        send(new StepCompleted(1, jobId, 5, at(4), step(1, 1), text("A HAIKU"), 30, null, null, null));

        startWriter();
        awaitCaughtUp();

        List<Map<String, Object>> rows = jdbc.sql("SELECT usage::text AS usage FROM job_steps WHERE job_id = ? "
                + "ORDER BY step_index").param(UUID.fromString(jobId)).query().listOfRows();
        JsonNode agentStep = json(rows.get(0).get("usage"));
        assertThat(agentStep.path("prompt_tokens").asInt()).isEqualTo(12);
        assertThat(agentStep.path("completion_tokens").asInt()).isEqualTo(7);
        assertThat(agentStep.path("total_tokens").asInt()).isEqualTo(19);
        assertThat(rows.get(1).get("usage")).isNull();
    }

    @Test
    void storesWhatEachStepsModuleWroteToStdoutAndStderr() {
        String completed = newJobId();
        String failed = newJobId();
        insertJob(completed, "queued");
        insertJob(failed, "queued");
        send(new JobStarted(1, completed, 1, at(1), "wf", 2));
        send(stepStarted(completed, 2, 0, prompt("hello"), 2));
        send(new StepCompleted(1, completed, 3, at(3), step(0, 1), text("HELLO"), 40, null,
                "{\"message\":\"HELLO\"}", "upper: 5 bytes\n\u0000end"));
        send(stepStarted(completed, 4, 1, prompt("HELLO"), 4));
        send(new StepCompleted(1, completed, 5, at(5), step(1, 1), text("a poem"), 900, null, null, null));
        send(new JobStarted(1, failed, 1, at(1), "wf", 1));
        send(stepStarted(failed, 2, 0, prompt("hello"), 2));
        send(new StepFailed(1, failed, 3, at(3), step(0, 1), "module returned success: false", 30,
                FailureKind.MODULE_FAILED, "{\"success\":false}", "bad input\n"));

        startWriter();
        awaitCaughtUp();

        List<Map<String, Object>> done = streams(completed);
        assertThat(done.get(0)).containsEntry("stdout", "{\"message\":\"HELLO\"}")
                .containsEntry("stderr", "upper: 5 bytes\n\uFFFDend");
        assertThat(done.get(1).get("stdout")).isNull();
        assertThat(done.get(1).get("stderr")).isNull();
        assertThat(streams(failed)).singleElement().satisfies(step -> assertThat(step)
                .containsEntry("status", "failed")
                .containsEntry("stdout", "{\"success\":false}")
                .containsEntry("stderr", "bad input\n"));
    }

    @Test
    void textPostgresRefusesIsStoredWithReplacementCharactersAndTheJobCompletes() {
        String jobId = newJobId();
        insertJob(jobId, "queued");
        JsonNode output = JsonSerde.mapper().createObjectNode().put("message", "before\u0000after\ud800end");
        send(new JobStarted(1, jobId, 1, at(1), "wf", 1));
        send(stepStarted(jobId, 2, 0, prompt("nul\u0000in"), 2));
        send(new StepCompleted(1, jobId, 3, at(3), step(0, 1), output, 40, null, "out\u0000\udc00", "err"));
        send(new JobCompleted(1, jobId, 4, at(4), prompt("before\u0000after\ud800end"), null));

        startWriter();
        awaitCaughtUp();

        assertThat(job(jobId)).containsEntry("status", "completed").containsEntry("last_event_seq", 4L);
        assertThat(json(job(jobId).get("output")).path("prompt").asText()).isEqualTo("before\uFFFDafter\uFFFDend");
        Map<String, Object> step = steps(jobId).get(0);
        assertThat(json(step.get("input")).path("prompt").asText()).isEqualTo("nul\uFFFDin");
        assertThat(json(step.get("output")).path("message").asText()).isEqualTo("before\uFFFDafter\uFFFDend");
        assertThat(streams(jobId).get(0)).containsEntry("stdout", "out\uFFFD\uFFFD");
    }

    @Test
    void anEventPostgresStillRefusesFailsOnlyItsJobAndTheWriterGoesOn() {
        String poisoned = newJobId();
        String normal = newJobId();
        insertJob(poisoned, "queued");
        insertJob(normal, "queued");
        // a retry time past PostgreSQL's last timestamp (294276 AD): legal JSON, refused by the column
        Instant farFuture = Instant.parse("+300000-01-01T00:00:00Z");
        send(new JobStarted(1, poisoned, 1, at(1), "wf", 1));
        send(stepStarted(poisoned, 2, 0, prompt("hello"), 2));
        send(new StepRetrying(1, poisoned, 3, at(3), step(0, 1), "503", FailureKind.PROVIDER_UNAVAILABLE, 800,
                farFuture));
        send(new StepStarted(1, poisoned, 4, at(4), step(0, 2), prompt("hello")));
        send(new StepCompleted(1, poisoned, 5, at(5), step(0, 2), text("HELLO"), 100, null, null, null));
        send(new JobCompleted(1, poisoned, 6, at(6), prompt("HELLO"), null));
        send(new JobStarted(1, normal, 1, at(1), "wf", 1));
        send(stepStarted(normal, 2, 0, prompt("hello"), 2));
        send(new StepCompleted(1, normal, 3, at(3), step(0, 1), text("HELLO"), 100, null, null, null));
        send(new JobCompleted(1, normal, 4, at(4), prompt("HELLO"), null));

        startWriter();
        awaitCaughtUp();

        assertThat(job(poisoned)).containsEntry("status", "failed");
        assertThat((String) job(poisoned).get("error_message"))
                .startsWith("the job's status could not be stored: ").contains("out of range");
        assertThat(steps(poisoned)).singleElement().satisfies(step -> assertThat(step)
                .containsEntry("status", "failed"));
        assertThat(job(normal)).containsEntry("status", "completed").containsEntry("last_event_seq", 4L);
        assertThat(json(job(normal).get("output"))).isEqualTo(prompt("HELLO"));
    }

    private static List<Map<String, Object>> streams(String jobId) {
        return jdbc.sql("SELECT status, stdout, stderr FROM job_steps WHERE job_id = ? ORDER BY step_index")
                .param(UUID.fromString(jobId)).query().listOfRows();
    }

    @Test
    void aWriterThreadKilledByAnErrorAsksForTheProcessToExit() {
        String jobId = newJobId();
        insertJob(jobId, "queued");
        send(new JobStarted(1, jobId, 1, at(1), "wf", 1));
        CountDownLatch exitRequested = new CountDownLatch(1);
        JobStatusRepository outOfMemory = new JobStatusRepository(new NamedParameterJdbcTemplate(db.dataSource()),
                new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()))) {
            @Override
            public int apply(List<JobEvent> events) {
                throw new OutOfMemoryError("Java heap space (test)");
            }
        };

        startWriter(outOfMemory, exitRequested::countDown);

        await().atMost(PATIENCE).until(() -> exitRequested.getCount() == 0);
        assertThat(writer.isRunning()).isFalse();
    }

    @Test
    void withTracingOnAJobsWriteIsASpanInTheTraceOfItsEvents() {
        // given a job's events that carry the job's trace context
        String jobId = newJobId();
        String trace = "0af7651916cd43dd8448eb211c80319c";
        insertJob(jobId, "queued");
        send(new JobStarted(1, jobId, 1, at(1), "wf", 1), "00-" + trace + "-b7ad6b7169203331-01");
        send(stepStarted(jobId, 2, 0, prompt("hello"), 2), "00-" + trace + "-00f067aa0ba902b7-01");
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build()) {
            // when a writer that traces writes them
            startWriter(repository(), mustNotExit(), Tracing.of(sdk));
            awaitCaughtUp();

            // then the write of the job's last event is a span in the job's trace, a child of that event's span
            await().atMost(PATIENCE).until(() -> writesOf(spans, jobId).stream()
                    .anyMatch(write -> write.getParentSpanId().equals("00f067aa0ba902b7")));
            assertThat(job(jobId)).containsEntry("status", "running").containsEntry("last_event_seq", 2L);
            // (one span, or two when the events came in two polls)
            assertThat(writesOf(spans, jobId)).hasSizeBetween(1, 2).allSatisfy(write -> {
                assertThat(write.getName()).isEqualTo(SpanNames.STATUS_WRITE);
                assertThat(write.getTraceId()).isEqualTo(trace);
            });
        }
    }

    private static List<SpanData> writesOf(InMemorySpanExporter spans, String jobId) {
        return spans.getFinishedSpanItems().stream()
                .filter(span -> jobId.equals(span.getAttributes().get(Tracing.JOB_ID))).toList();
    }

    private void startWriter() {
        startWriter(repository(), mustNotExit());
    }

    private static JobStatusRepository repository() {
        return new JobStatusRepository(new NamedParameterJdbcTemplate(db.dataSource()),
                new TransactionTemplate(new DataSourceTransactionManager(db.dataSource())));
    }

    private static Runnable mustNotExit() {
        return () -> {
            throw new AssertionError("the writer must not ask for the process to exit");
        };
    }

    private void startWriter(JobStatusRepository repository, Runnable onFatalError) {
        startWriter(repository, onFatalError, Tracing.off());
    }

    private void startWriter(JobStatusRepository repository, Runnable onFatalError, Tracing tracing) {
        groupId = "job-status-writer-it-" + UUID.randomUUID();
        writer = new JobStatusWriter(new StatusWriterProperties(groupId, 500, Duration.ofMillis(100),
                Duration.ofMillis(200)), new KafkaClientConfig(KafkaProperties.of(TestKafka.bootstrapServers())), repository,
                event -> { }, onFatalError, tracing);
        writer.start();
    }

    /** Waits until the writer has committed (so written) everything on the events topic. */
    private void awaitCaughtUp() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = IntStream.range(0, TestKafka.PARTITIONS).boxed()
                    .collect(Collectors.toMap(p -> new TopicPartition(Topics.JOB_EVENTS.name(), p), p -> OffsetSpec.latest()));
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
                return admin.listOffsets(latest).all().get().entrySet().stream().allMatch(end -> {
                    OffsetAndMetadata done = committed.get(end.getKey());
                    return end.getValue().offset() == 0 || done != null && done.offset() >= end.getValue().offset();
                });
            });
        }
    }

    /** Attempt {@code attempt} of the step at {@code stepIndex}; these jobs number their steps 10, 20. */
    private static StepRef step(int stepIndex, int attempt) {
        return new StepRef(stepIndex, (stepIndex + 1) * 10, null, attempt);
    }

    private static StepStarted stepStarted(String jobId, long seq, int stepIndex, JsonNode input, int minute) {
        return new StepStarted(1, jobId, seq, at(minute), step(stepIndex, 1), input);
    }

    private static void send(JobEvent event) {
        sendAndWait(new ProducerRecord<>(Topics.JOB_EVENTS.name(), event.jobId(),
                Topics.JOB_EVENTS.valueSerde().serializer().serialize(Topics.JOB_EVENTS.name(), event)));
    }

    /** An event with the trace context an orchestrator's span puts on it. */
    private static void send(JobEvent event, String traceparent) {
        sendAndWait(new ProducerRecord<>(Topics.JOB_EVENTS.name(), null, event.jobId(),
                Topics.JOB_EVENTS.valueSerde().serializer().serialize(Topics.JOB_EVENTS.name(), event),
                new RecordHeaders().add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8))));
    }

    private static void sendRaw(String key, String value) {
        sendAndWait(new ProducerRecord<>(Topics.JOB_EVENTS.name(), key, value.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * One record at a time, each acknowledged before the next is sent: right after the test broker starts, a
     * partition's leadership may still move, and a test must not depend on how the producer recovers from that.
     */
    private static void sendAndWait(ProducerRecord<String, byte[]> record) {
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot send a job event", e);
        }
    }

    private static Instant at(int minute) {
        return T0.plus(minute, ChronoUnit.MINUTES);
    }

    private static void insertJob(String jobId, String status) {
        jdbc.sql("INSERT INTO jobs (id, workflow_name, status, input_data) VALUES (?, 'wf', ?, '{\"prompt\": \"hello\"}'::jsonb)")
                .params(UUID.fromString(jobId), status).update();
    }

    private static Map<String, Object> job(String jobId) {
        return jdbc.sql("""
                SELECT status, last_event_seq, output_data::text AS output, error_message, started_at, completed_at
                  FROM jobs WHERE id = ?""").param(UUID.fromString(jobId)).query().singleRow();
    }

    private static List<Map<String, Object>> steps(String jobId) {
        return jdbc.sql("""
                SELECT id, status, input_data::text AS input, output_data::text AS output, error_message,
                       failure_kind, duration_micros, started_at, completed_at
                  FROM job_steps WHERE job_id = ? ORDER BY step_index""").param(UUID.fromString(jobId)).query().listOfRows();
    }

    private static Instant timestamp(Object value) {
        if (value instanceof OffsetDateTime time) {
            return time.toInstant();
        }
        return value == null ? null : ((java.sql.Timestamp) value).toInstant();
    }

    private static JsonNode json(Object text) {
        try {
            return text == null ? null : JsonSerde.mapper().readTree((String) text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
