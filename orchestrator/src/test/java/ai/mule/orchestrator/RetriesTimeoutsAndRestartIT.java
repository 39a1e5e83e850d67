package ai.mule.orchestrator;

import static ai.mule.orchestrator.TestJobs.newJobId;
import static ai.mule.orchestrator.TestJobs.prompt;
import static ai.mule.orchestrator.TestJobs.request;
import static ai.mule.orchestrator.TestJobs.text;
import static ai.mule.orchestrator.TestJobs.wasm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.StepStarted;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Retries, timeouts and restarts of the whole service against a real broker and PostgreSQL, with a fake runner
 * that fails, stalls or dies on purpose.
 */
class RetriesTimeoutsAndRestartIT {

    private static final Duration PATIENCE = Duration.ofSeconds(45);

    @TempDir
    static Path stateDir;
    @TempDir
    static Path otherMachinesStateDir;
    static TestPostgres.Database db;
    static JdbcClient jdbc;
    static String applicationId = "mule-orchestrator-reliability-it-" + UUID.randomUUID();
    static String writerGroup = "mule-job-status-writer-reliability-it-" + UUID.randomUUID();
    static ConfigurableApplicationContext app;

    @BeforeAll
    static void startService() {
        db = TestPostgres.newDatabase();
        jdbc = JdbcClient.create(db.dataSource());
        app = start(stateDir);
    }

    @AfterAll
    static void stopService() {
        if (app != null) {
            app.close();
        }
    }

    static ConfigurableApplicationContext start(Path stateDir) {
        return TestOrchestrator.start(db, stateDir, applicationId, writerGroup,
                "--mule.orchestrator.session-timeout=6s",
                // runners here report within milliseconds: a short grace keeps lost-runner tests short
                "--mule.orchestrator.step-timeout-grace=300ms",
                "--mule.orchestrator.status-writer.poll-timeout=100ms");
    }

    @Test
    void aStepThatFailsTwiceSucceedsOnItsThirdAttemptAfterTheBackoff() throws Exception {
        String jobId = newJobId();
        insertQueuedJob(jobId);
        StepPolicy policy = new StepPolicy(3, 400, 2.0, 10_000, 5_000, false);
        Map<Integer, Instant> receivedAt = new ConcurrentHashMap<>();

        try (FakeRunner runner = new FakeRunner(List.of(jobId), command -> {
            receivedAt.put(command.attempt(), Instant.now());
            return Optional.of(command.attempt() < 3
                    ? Results.failed(command, FailureKind.PROVIDER_UNAVAILABLE, "upstream 503 #" + command.attempt(),
                    null, null, 1_000, Instant.now())
                    : Results.succeeded(command, text("third time lucky"), null, null, 2_000, Instant.now()));
        })) {
            TestKafka.send(Topics.JOB_REQUESTS, jobId, request(jobId, wasm(1, "flaky", policy)));
            await().atMost(PATIENCE).until(() -> "completed".equals(jobStatus(jobId)));
        }

        assertThat(receivedAt).containsOnlyKeys(1, 2, 3);
        assertThat(Duration.between(receivedAt.get(1), receivedAt.get(2)))
                .as("the first backoff").isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(Duration.between(receivedAt.get(2), receivedAt.get(3)))
                .as("the second backoff, doubled").isGreaterThanOrEqualTo(Duration.ofMillis(800));
        Map<String, Object> step = jdbc.sql("SELECT status, attempt, error_message, failure_kind, output_data::text AS out "
                + "FROM job_steps WHERE job_id = ?").param(UUID.fromString(jobId)).query().singleRow();
        assertThat(step).containsEntry("status", "completed").containsEntry("attempt", 3);
        assertThat(json(step.get("out"))).isEqualTo(text("third time lucky"));
        List<Map<String, Object>> attempts = attempts(jobId);
        assertThat(attempts).extracting(a -> a.get("attempt")).containsExactly(1, 2, 3);
        assertThat(attempts).extracting(a -> a.get("status")).containsExactly("failed", "failed", "completed");
        assertThat(attempts).extracting(a -> a.get("error_message"))
                .containsExactly("upstream 503 #1", "upstream 503 #2", null);
        assertThat(attempts).extracting(a -> a.get("failure_kind"))
                .containsExactly("provider_unavailable", "provider_unavailable", null);
        assertThat(attempts).extracting(a -> a.get("duration_micros")).containsExactly(1_000L, 1_000L, 2_000L);
    }

    @Test
    void aStepWhoseRunnerNeverAnswersTimesOutOnEveryAttemptAndFailsTheJob() throws Exception {
        String jobId = newJobId();
        insertQueuedJob(jobId);
        StepPolicy policy = new StepPolicy(2, 100, 1.0, 100, 700, false);

        Instant sent;
        try (FakeRunner silent = new FakeRunner(List.of(jobId), command -> Optional.empty())) {
            sent = Instant.now();
            TestKafka.send(Topics.JOB_REQUESTS, jobId, request(jobId, wasm(3, "black-hole", policy)));
            await().atMost(PATIENCE).until(() -> "failed".equals(jobStatus(jobId)));
            assertThat(silent.received()).extracting(r -> r.command().attempt()).containsExactly(1, 2);
        }

        assertThat(Duration.between(sent, Instant.now())).as("two runs of 700 ms + 300 ms grace, 100 ms between")
                .isGreaterThanOrEqualTo(Duration.ofMillis(2_100));
        String error = jdbc.sql("SELECT error_message FROM jobs WHERE id = ?").param(UUID.fromString(jobId))
                .query(String.class).single();
        assertThat(error).startsWith("step 3 failed: no result within 1000 ms");
        assertThat(attempts(jobId)).extracting(a -> a.get("failure_kind")).containsExactly("runner_lost", "runner_lost");
        assertThat(attempts(jobId)).extracting(a -> a.get("status")).containsExactly("failed", "failed");
    }

    @Test
    void aStepWhoseRunnerReportsALateStartIsAwaitedPastItsFirstDeadlineAndRunsOnce() throws Exception {
        String jobId = newJobId();
        insertQueuedJob(jobId);
        StepPolicy policy = new StepPolicy(3, 50, 1.0, 50, 1_500, false);

        Instant sent;
        try (FakeRunner queued = new FakeRunner(List.of(jobId), command -> {
            // as if the command waited 600 ms in the runner's queue: it starts, says so, and runs for 1.2 s
            sleep(600);
            TestKafka.send(Topics.STEPS_STARTED, jobId, StepStarted.of(command, Instant.now()));
            sleep(1_200);
            return Optional.of(Results.succeeded(command, text("late but fine"), null, null, 1_200_000,
                    Instant.now()));
        })) {
            sent = Instant.now();
            TestKafka.send(Topics.JOB_REQUESTS, jobId, request(jobId, wasm(1, "queued", policy)));
            await().atMost(PATIENCE).until(() -> "completed".equals(jobStatus(jobId)));
            assertThat(queued.received()).singleElement().satisfies(received -> assertThat(
                    received.command().deadline()).isEqualTo(received.command().issuedAt().plusMillis(1_800)));
        }

        assertThat(Duration.between(sent, Instant.now())).as("past the command's own deadline of 1500 + 300 ms")
                .isGreaterThan(Duration.ofMillis(1_800));
        assertThat(attempts(jobId)).singleElement().satisfies(attempt -> assertThat(attempt)
                .containsEntry("status", "completed"));
    }

    @Test
    void aJobWhoseRunnerDiedInTheMiddleOfAStepIsRetriedElsewhereAndCompletes() throws Exception {
        String jobId = newJobId();
        insertQueuedJob(jobId);
        StepPolicy policy = new StepPolicy(3, 50, 1.0, 50, 800, false);

        try (FakeRunner dying = new FakeRunner(List.of(jobId), command -> Optional.empty())) {
            TestKafka.send(Topics.JOB_REQUESTS, jobId, request(jobId, wasm(1, "upper", policy), wasm(2, "reverse",
                    policy)));
            await().atMost(PATIENCE).until(() -> dying.received().size() == 1);
        } // the runner is gone with attempt 1 of step 1 in hand

        // a healthy runner answers whatever is sent from now on (it never sees attempt 1 answered)
        try (FakeRunner healthy = new FakeRunner(List.of(jobId), command -> command.attempt() == 1
                && command.stepIndex() == 0 ? Optional.empty()
                : Optional.of(Results.succeeded(command, text("done " + command.stepIndex()), null, null, 10,
                Instant.now())))) {
            await().atMost(PATIENCE).until(() -> "completed".equals(jobStatus(jobId)));
        }
        List<JobEvent> events = committedEvents(Set.of(jobId), 8, Duration.ofSeconds(10)).get(jobId);
        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly("JobStarted", "StepStarted",
                "StepRetrying", "StepStarted", "StepCompleted", "StepStarted", "StepCompleted", "JobCompleted");
        assertThat(((JobEvent.StepRetrying) events.get(2)).failureKind()).isEqualTo(FailureKind.RUNNER_LOST);
    }

    @Test
    void aRestartWithAHundredJobsInFlightEndsEveryJobExactlyOnce() throws Exception {
        int jobs = 100;
        List<String> jobIds = IntStream.range(0, jobs).mapToObj(i -> newJobId()).toList();
        jobIds.forEach(RetriesTimeoutsAndRestartIT::insertQueuedJob);
        List<String> answered = new CopyOnWriteArrayList<>();
        // each step takes the runner a while, so that the orchestrator stops with most jobs in the middle
        try (FakeRunner runner = new FakeRunner(jobIds, command -> {
            sleep(15);
            answered.add(command.jobId() + "/" + command.stepIndex() + "/" + command.attempt());
            return Optional.of(Results.succeeded(command, text("s" + command.stepIndex()), null, null, 15_000,
                    Instant.now()));
        })) {
            try (KafkaProducer<String, JobRequest> producer = producer()) {
                for (String jobId : jobIds) {
                    producer.send(new ProducerRecord<>(Topics.JOB_REQUESTS.name(), jobId,
                            request(jobId, wasm(1, "a"), wasm(2, "b"), wasm(3, "c"))));
                }
            }
            await().atMost(PATIENCE).until(() -> answered.size() >= 60);
            app.close();
            int answeredWhileDown = answered.size();
            // restarted "on another machine": an empty state dir, so every job's state and timer is restored from
            // the changelog topics
            app = start(otherMachinesStateDir);
            await().atMost(PATIENCE).until(() -> countStatus(jobIds, "completed") == jobs);
            assertThat(answeredWhileDown).as("jobs were in flight when the orchestrator stopped")
                    .isLessThan(jobs * 3);
        }

        Map<String, List<JobEvent>> events = committedEvents(Set.copyOf(jobIds), 8, Duration.ofSeconds(20));
        assertThat(events).hasSize(jobs);
        events.forEach((jobId, list) -> {
            assertThat(list).as("job %s", jobId).filteredOn(JobEvent::terminal).hasSize(1)
                    .first().isInstanceOf(JobEvent.JobCompleted.class);
            assertThat(list).as("job %s's seqs, committed once each", jobId).extracting(JobEvent::seq)
                    .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        });
        Long lastSeqs = jdbc.sql("SELECT sum(last_event_seq) FROM jobs WHERE id IN (" + ids(jobIds) + ")")
                .query(Long.class).single();
        assertThat(lastSeqs).isEqualTo(8L * jobs);
    }

    @Test
    void duplicateRequestsAndDuplicateResultsChangeNothing() throws Exception {
        String jobId = newJobId();
        insertQueuedJob(jobId);
        JobRequest request = request(jobId, wasm(1, "a"), wasm(2, "b"));

        try (KafkaProducer<String, StepResult> duplicates = new KafkaProducer<>(producerProperties(),
                new StringSerializer(), Topics.STEP_RESULTS.valueSerde().serializer());
             FakeRunner runner = new FakeRunner(List.of(jobId), command -> {
                 StepResult result = Results.succeeded(command, text("out " + command.stepIndex()), null, null, 10,
                         Instant.now());
                 // runners deliver at least once: each result arrives three times
                 duplicates.send(new ProducerRecord<>(Topics.STEP_RESULTS.name(), jobId, result));
                 duplicates.send(new ProducerRecord<>(Topics.STEP_RESULTS.name(), jobId, result));
                 return Optional.of(result);
             })) {
            try (KafkaProducer<String, JobRequest> producer = producer()) {
                producer.send(new ProducerRecord<>(Topics.JOB_REQUESTS.name(), jobId, request));
                producer.send(new ProducerRecord<>(Topics.JOB_REQUESTS.name(), jobId, request));
            }
            await().atMost(PATIENCE).until(() -> "completed".equals(jobStatus(jobId)));
            TestKafka.send(Topics.JOB_REQUESTS, jobId, request);
            List<JobEvent> events = committedEvents(Set.of(jobId), 6, Duration.ofSeconds(10)).get(jobId);

            assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly("JobStarted",
                    "StepStarted", "StepCompleted", "StepStarted", "StepCompleted", "JobCompleted");
            assertThat(events).extracting(JobEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(runner.received()).as("each step was sent once").hasSize(2);
        }
        assertThat(jdbc.sql("SELECT last_event_seq FROM jobs WHERE id = ?").param(UUID.fromString(jobId))
                .query(Long.class).single()).isEqualTo(6L);
    }

    private static Map<String, List<JobEvent>> committedEvents(Set<String> jobIds, int perJob, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, List<JobEvent>> seen = new HashMap<>();
        try (KafkaConsumer<String, JobEvent> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                Topics.JOB_EVENTS.valueSerde().deserializer())) {
            consumer.subscribe(List.of(Topics.JOB_EVENTS.name()));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && !(seen.size() == jobIds.size()
                    && seen.values().stream().allMatch(l -> l.size() >= perJob))) {
                for (ConsumerRecord<String, JobEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    if (jobIds.contains(r.key())) {
                        seen.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
                    }
                }
            }
            // a little longer: any duplicate would show up now
            for (int i = 0; i < 5; i++) {
                for (ConsumerRecord<String, JobEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    if (jobIds.contains(r.key())) {
                        seen.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
                    }
                }
            }
        }
        return seen;
    }

    private static KafkaProducer<String, JobRequest> producer() {
        return new KafkaProducer<>(producerProperties(), new StringSerializer(),
                Topics.JOB_REQUESTS.valueSerde().serializer());
    }

    private static Properties producerProperties() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return props;
    }

    private static List<Map<String, Object>> attempts(String jobId) {
        return jdbc.sql("SELECT attempt, status, error_message, failure_kind, duration_micros FROM job_step_attempts "
                + "WHERE job_id = ? ORDER BY step_index, attempt").param(UUID.fromString(jobId)).query().listOfRows();
    }

    private static long countStatus(List<String> jobIds, String status) {
        return jdbc.sql("SELECT count(*) FROM jobs WHERE status = ? AND id IN (" + ids(jobIds) + ")").param(status)
                .query(Long.class).single();
    }

    private static String ids(List<String> jobIds) {
        return jobIds.stream().map(id -> "'" + UUID.fromString(id) + "'").collect(Collectors.joining(","));
    }

    private static void insertQueuedJob(String jobId) {
        jdbc.sql("INSERT INTO jobs (id, workflow_name, status, input_data) VALUES (?, 'test-workflow', 'queued', ?::jsonb)")
                .params(UUID.fromString(jobId), "{\"prompt\": \"hello\"}").update();
    }

    private static String jobStatus(String jobId) {
        return jdbc.sql("SELECT status FROM jobs WHERE id = ?").param(UUID.fromString(jobId)).query(String.class).single();
    }

    private static Object json(Object text) {
        try {
            return JsonSerde.mapper().readTree((String) text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
