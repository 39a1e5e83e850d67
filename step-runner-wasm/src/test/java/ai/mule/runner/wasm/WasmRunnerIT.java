package ai.mule.runner.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WasmStep;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import ai.mule.testkit.WasmFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The runner as deployed: the Spring Boot application against a real broker and a real PostgreSQL, fed
 * step commands on mule.steps.wasm, answering on mule.steps.results.
 */
class WasmRunnerIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration RUN_TIMEOUT = Duration.ofMillis(1500);
    private static final byte[] GREET = WasmFixtures.wasm("greet.wasm");
    private static final byte[] REQUIRE_PROMPT = WasmFixtures.wasm("require-prompt.wasm");
    private static final byte[] LOOP = WasmFixtures.wasm("loop.wasm");
    private static final byte[] UPPER = WasmFixtures.wasm("upper.wasm");

    private static ConfigurableApplicationContext runner;

    @BeforeAll
    static void startRunner() {
        TestPostgres.Database db = TestPostgres.newDatabase();
        JdbcTemplate jdbc = new JdbcTemplate(db.dataSource());
        store(jdbc, "greet", GREET, WasmFixtures.sha256(GREET));
        store(jdbc, "require-prompt", REQUIRE_PROMPT, WasmFixtures.sha256(REQUIRE_PROMPT));
        store(jdbc, "loop", LOOP, WasmFixtures.sha256(LOOP));
        // a row whose bytes are not what its sha256 says (edited in place, or damaged)
        store(jdbc, "tampered", GREET, WasmFixtures.sha256(UPPER));

        // the variables a deployment sets (as default properties here: the test cannot set the environment)
        runner = new SpringApplicationBuilder(WasmRunnerApplication.class).properties(
                "MULE_DB_URL=" + db.jdbcUrl(),
                "MULE_DB_USER=" + db.username(),
                "MULE_DB_PASSWORD=" + db.password(),
                "mule.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                "mule.runner.wasm.concurrency=2",
                "mule.runner.wasm.default-timeout=" + RUN_TIMEOUT.toMillis() + "ms",
                // shorter than the slow-module test keeps both workers busy: only polling while paused keeps
                // the runner in its group
                "mule.kafka.consumer[max.poll.interval.ms]=3000").run();
    }

    @AfterAll
    static void stopRunner() {
        long started = System.nanoTime();
        runner.close();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void runsAModuleAndPublishesItsOutput() {
        String jobId = send(step("greet", GREET, "{\"greeting\":\"Hej\"}"), "{\"prompt\":\"Mule\"}");

        StepResult result = resultOf(jobId);

        assertThat(result.success()).isTrue();
        assertThat(result.output()).isEqualTo(TextNode.valueOf("Hej, Mule!"));
        assertThat(result.error()).isNull();
        assertThat(result.stdout()).contains("Hej, Mule!");
        assertThat(result.stepIndex()).isEqualTo(0);
        assertThat(result.attempt()).isEqualTo(1);
        assertThat(result.durationMicros()).isBetween(1L, 1_000_000L);
    }

    @Test
    void publishesAFailureTheModuleReports() {
        String jobId = send(step("require-prompt", REQUIRE_PROMPT, null), "{\"prompt\":\"\"}");

        StepResult result = resultOf(jobId);

        assertThat(result.success()).isFalse();
        assertThat(result.output()).isNull();
        assertThat(result.error()).isEqualTo("a non-empty \"prompt\" is required");
        assertThat(result.failureKind()).isEqualTo(FailureKind.MODULE_FAILED);
    }

    @Test
    void failsAStepWhoseModuleIsNotStored() {
        String missing = "e".repeat(64);
        String jobId = send(new WasmStep(1, null, UUID.randomUUID().toString(), "ghost", missing, null), "{}");

        StepResult result = resultOf(jobId);

        assertThat(result.success()).isFalse();
        assertThat(result.error()).isEqualTo("module 'ghost': no module with sha256 " + missing + " is stored");
        assertThat(result.failureKind()).isEqualTo(FailureKind.INVALID_INPUT);
    }

    @Test
    void failsAStepWhoseStoredBytesDoNotMatchTheSha256() {
        String jobId = send(new WasmStep(1, null, UUID.randomUUID().toString(), "tampered", WasmFixtures.sha256(UPPER),
                null), "{\"prompt\":\"x\"}");

        StepResult result = resultOf(jobId);

        assertThat(result.success()).isFalse();
        assertThat(result.error()).startsWith("module 'tampered': the module stored under sha256 "
                + WasmFixtures.sha256(UPPER) + " has different content");
    }

    @Test
    void skipsARecordThatIsNotAStepCommandAndGoesOn() {
        String poisonKey = UUID.randomUUID().toString();
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.STEPS_WASM.name(), poisonKey,
                    "{not a step command".getBytes(StandardCharsets.UTF_8))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        String jobId = send(step("greet", GREET, null), "{\"prompt\":\"after poison\"}");

        assertThat(resultOf(jobId).output()).isEqualTo(TextNode.valueOf("Hello, after poison!"));
        assertThat(TestKafka.read(Topics.STEP_RESULTS, poisonKey, 1, Duration.ofSeconds(1))).isEmpty();
        awaitAllCommitted();
    }

    @Test
    void keepsItsPartitionsWhileSlowModulesOccupyEveryWorker() throws Exception {
        // six runs to their 1.5 s timeout on two workers: 4.5 s of work, more than max.poll.interval.ms (3 s)
        List<String> slowJobs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            slowJobs.add(send(step("loop", LOOP, null), "{}"));
        }
        String quickJob = send(step("greet", GREET, null), "{\"prompt\":\"queued\"}");

        for (String jobId : slowJobs) {
            StepResult result = resultOf(jobId);
            assertThat(result.success()).isFalse();
            assertThat(result.error()).isEqualTo("module 'loop' did not finish within its time limit of 1500 ms");
            assertThat(result.failureKind()).isEqualTo(FailureKind.TIMEOUT);
            assertThat(result.durationMicros()).isBetween(RUN_TIMEOUT.toNanos() / 1_000, 3 * RUN_TIMEOUT.toNanos() / 1_000);
        }
        assertThat(resultOf(quickJob).output()).isEqualTo(TextNode.valueOf("Hello, queued!"));

        // no rebalance happened: every command ran once (a rebalance would have redelivered uncommitted ones)
        awaitAllCommitted();
        for (String jobId : slowJobs) {
            assertThat(TestKafka.read(Topics.STEP_RESULTS, jobId, 2, Duration.ofSeconds(1))).hasSize(1);
        }
        try (Admin admin = admin()) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(RunnerConfiguration.GROUP_ID))
                    .describedGroups().get(RunnerConfiguration.GROUP_ID).get();
            assertThat(group.members()).hasSize(1);
        }
    }

    @Test
    void stopsTheRunningStepOfACancelledJob() {
        String jobId = send(step("loop", LOOP, null, Duration.ofSeconds(20)), "{}");
        // the step is running (no result yet) when the cancel arrives
        assertThat(TestKafka.read(Topics.STEP_RESULTS, jobId, 1, Duration.ofMillis(1500))).isEmpty();
        long cancelledAt = System.nanoTime();
        TestKafka.send(Topics.JOB_CONTROL, jobId, JobControl.cancel(jobId, "test", Instant.now()));

        StepResult result = resultOf(jobId);

        assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt)).isLessThan(Duration.ofSeconds(5));
        assertThat(result.success()).isFalse();
        assertThat(result.failureKind()).isEqualTo(FailureKind.CANCELLED);
        assertThat(result.error()).isEqualTo("module 'loop' was stopped: its job was cancelled");
        // the worker is free again: a later step runs at once
        assertThat(resultOf(send(step("greet", GREET, null), "{\"prompt\":\"after cancel\"}")).output())
                .isEqualTo(TextNode.valueOf("Hello, after cancel!"));
    }

    @Test
    void doesNotRunAStepOfAJobCancelledBeforeItsCommandArrived() {
        String jobId = UUID.randomUUID().toString();
        double cancelsBefore = cancelsReceived();
        TestKafka.send(Topics.JOB_CONTROL, jobId, JobControl.cancel(jobId, "test", Instant.now()));
        // the cancel and the command travel on different topics, read by different consumers: only once the
        // runner has read the cancel is the command's arrival "after" it
        await().atMost(WAIT).until(() -> cancelsReceived() > cancelsBefore);
        TestKafka.send(Topics.STEPS_WASM, jobId, StepCommand.of(jobId, 0, 1, step("loop", LOOP, null,
                Duration.ofSeconds(20)), json("{}"), Instant.now(), null));

        StepResult result = resultOf(jobId);

        assertThat(result.failureKind()).isEqualTo(FailureKind.CANCELLED);
        assertThat(result.durationMicros()).isZero();
    }

    private static double cancelsReceived() {
        return runner.getBean(MeterRegistry.class).get("mule.job.cancels.received").counter().count();
    }

    private static StepResult resultOf(String jobId) {
        List<StepResult> results = TestKafka.read(Topics.STEP_RESULTS, jobId, 1, WAIT);
        assertThat(results).as("result of job %s", jobId).hasSize(1);
        return results.get(0);
    }

    private static String send(WasmStep step, String input) {
        String jobId = UUID.randomUUID().toString();
        TestKafka.send(Topics.STEPS_WASM, jobId, StepCommand.of(jobId, 0, 1, step, json(input), Instant.now(), null));
        return jobId;
    }

    private static WasmStep step(String name, byte[] bytes, String config) {
        return step(name, bytes, config, RUN_TIMEOUT);
    }

    private static WasmStep step(String name, byte[] bytes, String config, Duration timeout) {
        StepPolicy policy = new StepPolicy(1, 0, 1.0, 0, timeout.toMillis(), false);
        return new WasmStep(1, UUID.randomUUID().toString(), UUID.randomUUID().toString(), name,
                WasmFixtures.sha256(bytes), config == null ? null : json(config), policy);
    }

    /** Every command on mule.steps.wasm so far is committed by the runner's group. */
    private static void awaitAllCommitted() {
        try (Admin admin = admin()) {
            await().atMost(WAIT).untilAsserted(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin
                        .listConsumerGroupOffsets(RunnerConfiguration.GROUP_ID).partitionsToOffsetAndMetadata().get();
                for (int p = 0; p < TestKafka.PARTITIONS; p++) {
                    TopicPartition partition = new TopicPartition(Topics.STEPS_WASM.name(), p);
                    long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get()
                            .offset();
                    long position = committed.containsKey(partition) ? committed.get(partition).offset() : 0;
                    assertThat(position).as("committed offset of %s", partition).isEqualTo(end);
                }
            });
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()));
    }

    private static void store(JdbcTemplate jdbc, String name, byte[] bytes, String sha256) {
        jdbc.update("INSERT INTO wasm_modules (id, name, module_data, sha256) VALUES (?, ?, ?, ?)",
                UUID.randomUUID(), name, bytes, sha256);
    }

    private static JsonNode json(String text) {
        try {
            return JsonSerde.mapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
