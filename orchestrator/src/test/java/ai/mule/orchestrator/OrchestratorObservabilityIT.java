package ai.mule.orchestrator;

import static ai.mule.orchestrator.TestJobs.newJobId;
import static ai.mule.orchestrator.TestJobs.request;
import static ai.mule.orchestrator.TestJobs.text;
import static ai.mule.orchestrator.TestJobs.wasm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.testkit.Prometheus;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The orchestrator's management server against a real broker and PostgreSQL: its probes, and the job metrics
 * moving as jobs complete, fail after a retry or are cancelled.
 */
class OrchestratorObservabilityIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String APPLICATION_ID = "mule-orchestrator-obs-it-" + UUID.randomUUID();
    /** The status writer's group: the job metrics count what it writes. */
    private static final String WRITER_GROUP = "mule-job-status-writer-obs-it-" + UUID.randomUUID();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path stateDir;
    static ConfigurableApplicationContext app;
    static String management;

    @BeforeAll
    static void startService() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();
        startAtTheEnd(APPLICATION_ID);
        app = TestOrchestrator.start(db, stateDir, APPLICATION_ID, WRITER_GROUP);
        management = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
        awaitWriterCaughtUp();
    }

    @AfterAll
    static void stopService() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void probesTellTheStreamsStateAndTheStatusWriter() throws Exception {
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(get("/actuator/health/readiness").statusCode())
                .isEqualTo(200));
        HttpResponse<String> readiness = get("/actuator/health/readiness");
        HttpResponse<String> liveness = get("/actuator/health/liveness");

        assertThat(readiness.body()).contains("\"orchestrator\"").contains("\"streams\":\"RUNNING\"");
        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(liveness.body()).contains("\"orchestratorLoops\"");
    }

    @Test
    void jobMetricsCountOutcomesRetriesAndFailuresByKind() throws Exception {
        Prometheus before = Prometheus.scrape(management);
        String retried = newJobId();
        String failed = newJobId();
        String cancelled = newJobId();
        StepPolicy twoAttempts = new StepPolicy(2, 0, 1.0, 0, 30_000, false);
        StepPolicy oneAttempt = new StepPolicy(1, 0, 1.0, 0, 30_000, false);

        try (FakeRunner runner = new FakeRunner(List.of(retried, failed, cancelled), command -> answer(command,
                retried, failed))) {
            TestKafka.send(Topics.JOB_REQUESTS, retried, request(retried, wasm(1, "flaky", twoAttempts)));
            TestKafka.send(Topics.JOB_REQUESTS, failed, request(failed, wasm(1, "broken", oneAttempt)));
            TestKafka.send(Topics.JOB_REQUESTS, cancelled, request(cancelled, wasm(1, "held", oneAttempt)));
            await().atMost(PATIENCE).until(() -> runner.received().stream()
                    .anyMatch(r -> r.command().jobId().equals(cancelled)));
            TestKafka.send(Topics.JOB_CONTROL, cancelled, JobControl.cancel(cancelled, "test", Instant.now()));

            // counted from the job events as they are committed (an unreadable event left by another test is skipped)
            await().atMost(PATIENCE).untilAsserted(() -> {
                Prometheus after = Prometheus.scrape(management);
                assertThat(delta(before, after, "mule_jobs_finished_total", "outcome", "completed")).isEqualTo(1);
                assertThat(delta(before, after, "mule_jobs_finished_total", "outcome", "failed")).isEqualTo(1);
                assertThat(delta(before, after, "mule_jobs_finished_total", "outcome", "cancelled")).isEqualTo(1);
                assertThat(delta(before, after, "mule_step_retries_total", "failure_kind", "infrastructure")).isEqualTo(1);
                assertThat(delta(before, after, "mule_step_failures_total", "failure_kind", "infrastructure"))
                        .isEqualTo(1);
                assertThat(delta(before, after, "mule_step_failures_total", "failure_kind", "module_failed"))
                        .isEqualTo(1);
                assertThat(after.has("mule_consumer_lag_records", "group", APPLICATION_ID)).isTrue();
                assertThat(after.value("mule_consumer_lag_records", "group", APPLICATION_ID)).isBetween(0.0, 100.0);
                assertThat(after.has("mule_consumer_lag_records", "group", WRITER_GROUP)).isTrue();
            });
        }
    }

    /** flaky fails its first attempt (a transient failure) and passes the second; broken fails; held never answers. */
    private static Optional<StepResult> answer(StepCommand command, String retried, String failed) {
        if (command.jobId().equals(retried)) {
            return Optional.of(command.attempt() == 1
                    ? Results.failed(command, FailureKind.INFRASTRUCTURE, "disk hiccup", null, null, 10,
                    Instant.now())
                    : Results.succeeded(command, text("ok"), null, null, 10, Instant.now()));
        }
        if (command.jobId().equals(failed)) {
            return Optional.of(Results.failed(command, FailureKind.MODULE_FAILED, "no", null, null, 10,
                    Instant.now()));
        }
        return Optional.empty();
    }

    private static double delta(Prometheus before, Prometheus after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }

    /**
     * Other tests on the shared broker left job requests and results behind: a new application id would run those
     * jobs again (from the oldest offset) and their ends would be counted with this test's. Its group starts at the
     * end of its inputs instead.
     */
    private static void startAtTheEnd(String groupId) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestKafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (String topic : List.of(Topics.JOB_REQUESTS.name(), Topics.STEP_RESULTS.name(),
                    Topics.JOB_CONTROL.name(), Topics.STEPS_STARTED.name())) {
                for (int p = 0; p < TestKafka.PARTITIONS; p++) {
                    latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
            }
            Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((partition, end) ->
                    ends.put(partition, new OffsetAndMetadata(end.offset())));
            admin.alterConsumerGroupOffsets(groupId, ends).all().get();
        }
    }

    /**
     * The status writer's new group starts at the oldest event on the shared broker (other tests' jobs): wait until
     * it has written all of them, so that the counts measured from here on are this test's.
     */
    private static void awaitWriterCaughtUp() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestKafka.bootstrapServers()))) {
            await().atMost(PATIENCE).untilAsserted(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(WRITER_GROUP)
                        .partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (int p = 0; p < TestKafka.PARTITIONS; p++) {
                    latest.put(new TopicPartition(Topics.JOB_EVENTS.name(), p), OffsetSpec.latest());
                }
                admin.listOffsets(latest).all().get().forEach((partition, end) -> {
                    OffsetAndMetadata position = committed.get(partition);
                    assertThat(position == null ? 0 : position.offset()).as(partition.toString())
                            .isGreaterThanOrEqualTo(end.offset());
                });
            });
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(management + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
