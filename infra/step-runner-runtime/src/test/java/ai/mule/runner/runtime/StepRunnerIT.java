package ai.mule.runner.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.kafka.KafkaClientConfig;
import ai.mule.kafka.KafkaProperties;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.StepStarted;
import ai.mule.schemas.Topic;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WasmStep;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runtime against a real broker, with a trivial handler: each test has its own step topic and consumer
 * group; results are read from the shared {@code mule.steps.results} by job id.
 */
class StepRunnerIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Topic<String, StepCommand> topic = new Topic<>("test.steps." + UUID.randomUUID(),
            Topics.STEPS_WASM.keySerde(), Topics.STEPS_WASM.valueSerde(), null);
    private final String group = "test-runner-" + UUID.randomUUID();
    private final List<StepRunner> runners = new CopyOnWriteArrayList<>();
    private final List<Throwable> fatal = new CopyOnWriteArrayList<>();

    @BeforeEach
    void createTopic() {
        TestKafka.createTopics(topic.name());
    }

    @AfterEach
    void stopRunners() {
        runners.forEach(StepRunner::close);
    }

    @Test
    void aCommandPastItsDeadlineIsSkippedAndTheNextOneRuns() {
        AtomicInteger runs = new AtomicInteger();
        start(1, Limits.DEFAULTS, (command, cancel) -> {
            runs.incrementAndGet();
            return ok(command, "ran");
        });
        String stale = job();
        String fresh = job();

        send(command(stale, 1_000, Instant.now().minusSeconds(1)));
        send(command(fresh, 1_000, null));

        assertThat(results(fresh, 1)).singleElement().extracting(StepResult::output).isEqualTo(TextNode.valueOf("ran"));
        assertThat(TestKafka.read(Topics.STEP_RESULTS, stale, 1, Duration.ofSeconds(1))).as("nothing for a stale command").isEmpty();
        assertThat(runs).as("only the fresh command ran").hasValue(1);
        awaitAllCommitted();
    }

    @Test
    void stepStartedIsPublishedOnlyWhenTheRunMayPassTheDeadline() {
        start(2, Limits.DEFAULTS, (command, cancel) -> ok(command, "ran"));
        String close = job();
        String roomy = job();

        // a 30 s step with 5 s left before its deadline: the orchestrator must hear it started
        send(command(close, 30_000, Instant.now().plusSeconds(5)));
        // a 1 s step with a minute left: no extra record
        send(command(roomy, 1_000, Instant.now().plusSeconds(60)));

        assertThat(results(close, 1)).hasSize(1);
        assertThat(results(roomy, 1)).hasSize(1);
        List<StepStarted> started = TestKafka.read(Topics.STEPS_STARTED, close, 1, WAIT);
        assertThat(started).singleElement().satisfies(s -> {
            assertThat(s.stepIndex()).isZero();
            assertThat(s.attempt()).isEqualTo(1);
        });
        assertThat(TestKafka.read(Topics.STEPS_STARTED, roomy, 1, Duration.ofSeconds(1))).isEmpty();
    }

    /**
     * An agent step whose tool runs a workflow of agent steps, on a runner of one: the step it waits for comes to the
     * same runner. Holding its place while waiting, the caller kept the other from ever starting.
     */
    @Test
    void aStepWaitingForAnotherStepGivesBackItsPlaceSoThatOneRunsOnTheSameRunner() {
        String caller = job();
        String called = job();
        CountDownLatch calledRan = new CountDownLatch(1);
        start(1, Limits.DEFAULTS, (command, cancel) -> {
            if (command.jobId().equals(called)) {
                calledRan.countDown();
                return ok(command, "called");
            }
            boolean ran = cancel.whileWaitingForOtherSteps(() -> {
                send(command(called, 1_000, null));
                try {
                    return calledRan.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
            return ok(command, ran ? "the called step ran meanwhile" : "the called step never started");
        });

        send(command(caller, 30_000, null));

        assertThat(results(caller, 1)).singleElement().extracting(StepResult::output)
                .isEqualTo(TextNode.valueOf("the called step ran meanwhile"));
        assertThat(results(called, 1)).singleElement().extracting(StepResult::output)
                .isEqualTo(TextNode.valueOf("called"));
        // the runner still runs one step at a time
        String next = job();
        send(command(next, 1_000, null));
        assertThat(results(next, 1)).hasSize(1);
        awaitAllCommitted();
    }

    @Test
    void aHandlerRunningOutOfMemoryFailsThatStepAndTheNextOneRuns() {
        start(1, Limits.DEFAULTS, (command, cancel) -> {
            if (command.input().path("poison").asBoolean()) {
                throw new OutOfMemoryError("Java heap space");
            }
            return ok(command, "after");
        });
        String poisoned = job();
        String next = job();

        send(command(poisoned, 1_000, null, JsonSerde.mapper().createObjectNode().put("poison", true)));
        send(command(next, 1_000, null));

        assertThat(results(poisoned, 1)).singleElement().satisfies(r -> {
            assertThat(r.success()).isFalse();
            assertThat(r.failureKind()).isEqualTo(FailureKind.LIMIT_EXCEEDED);
            assertThat(r.error()).contains("out of", "memory");
        });
        assertThat(results(next, 1)).singleElement().extracting(StepResult::output).isEqualTo(TextNode.valueOf("after"));
        awaitAllCommitted();
        assertThat(runners.get(0).isHealthy()).isTrue();
        assertThat(fatal).isEmpty();
    }

    @Test
    void aCancelInterruptsTheRunningHandler() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        start(1, Limits.DEFAULTS, (command, cancel) -> {
            running.countDown();
            try {
                Thread.sleep(30_000);
                return ok(command, "slept");
            } catch (InterruptedException e) {
                return StepResult.failed(command, FailureKind.CANCELLED, "stopped", null, null, 0, Instant.now());
            }
        });
        String job = job();
        send(command(job, 60_000, null));
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

        long sent = System.nanoTime();
        TestKafka.send(Topics.JOB_CONTROL, job, JobControl.cancel(job, "test", Instant.now()));

        assertThat(results(job, 1)).singleElement().extracting(StepResult::failureKind).isEqualTo(FailureKind.CANCELLED);
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aCommandRunsTheStepsItCarriesInTurnAndReportsThemInOneRecord() {
        start(1, Limits.DEFAULTS, (command, cancel) -> ok(command,
                command.input().path("prompt").asText("") + command.step().stepOrder()));
        String job = job();

        send(command(job, 1_000, Instant.now().plusSeconds(30)).following(List.of(step(1), step(2))));

        StepResult result = single(results(job, 1));
        assertThat(result.output()).isEqualTo(TextNode.valueOf("0"));
        assertThat(result.carried()).extracting(StepResult::stepIndex).containsExactly(1, 2);
        assertThat(result.carried()).extracting(StepResult::attempt).containsExactly(1, 1);
        assertThat(result.carried()).extracting(StepResult::output)
                .as("each step's input is {\"prompt\": output} of the one before")
                .containsExactly(TextNode.valueOf("01"), TextNode.valueOf("012"));
        awaitAllCommitted();
    }

    @Test
    void aCarriedStepThatFailsEndsTheRecordAndTheStepsAfterItDoNotRun() {
        List<Integer> ran = new CopyOnWriteArrayList<>();
        start(1, Limits.DEFAULTS, (command, cancel) -> {
            ran.add(command.stepIndex());
            return command.stepIndex() == 1
                    ? StepResult.failed(command, FailureKind.TRAP, "boom", null, null, 0, Instant.now())
                    : ok(command, "fine");
        });
        String job = job();

        send(command(job, 1_000, null).following(List.of(step(1), step(2))));

        StepResult result = single(results(job, 1));
        assertThat(result.success()).isTrue();
        assertThat(result.carried()).singleElement().satisfies(failed -> {
            assertThat(failed.stepIndex()).isEqualTo(1);
            assertThat(failed.error()).isEqualTo("boom");
        });
        assertThat(ran).containsExactly(0, 1);
    }

    @Test
    void aCancelStopsTheStepsACommandCarries() throws InterruptedException {
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        List<Integer> ran = new CopyOnWriteArrayList<>();
        start(1, Limits.DEFAULTS, (command, cancel) -> {
            ran.add(command.stepIndex());
            firstRunning.countDown();
            try {
                cancelled.await(30, TimeUnit.SECONDS);
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                // the cancel reached the runner while this step ran; this step ends anyway, the next must not run
            }
            return ok(command, "done");
        });
        String job = job();
        send(command(job, 60_000, null).following(List.of(step(1))));
        assertThat(firstRunning.await(30, TimeUnit.SECONDS)).isTrue();

        TestKafka.send(Topics.JOB_CONTROL, job, JobControl.cancel(job, "test", Instant.now()));
        cancelled.countDown();

        StepResult result = single(results(job, 1));
        assertThat(result.carried()).singleElement().extracting(StepResult::failureKind)
                .isEqualTo(FailureKind.CANCELLED);
        assertThat(ran).containsExactly(0);
    }

    @Test
    void carriedStepsStopBeforeTheirResultsWouldNotFitInOneRecord() {
        Limits small = new Limits(100_000, 64, 64 * 1024, 64 * 1024, 64 * 1024, 60_000);
        List<Integer> ran = new CopyOnWriteArrayList<>();
        start(1, small, (command, cancel) -> {
            ran.add(command.stepIndex());
            return ok(command, "x".repeat(40_000));
        });
        String job = job();

        send(command(job, 1_000, null).following(List.of(step(1), step(2), step(3))));

        StepResult result = single(results(job, 1));
        assertThat(result.carried()).as("the first two results fill over half a record: the third is left to send")
                .extracting(StepResult::stepIndex).containsExactly(1);
        assertThat(ran).containsExactly(0, 1);
    }

    @Test
    void anOutputOverTheLimitFailsTheStepWithLimitExceeded() {
        Limits small = new Limits(1_000_000, 64, 256 * 1024, 128 * 1024, 256 * 1024, 1024);
        start(1, small, (command, cancel) -> ok(command, "x".repeat(4_000)));
        String job = job();

        send(command(job, 1_000, null));

        assertThat(results(job, 1)).singleElement().satisfies(r -> {
            assertThat(r.success()).isFalse();
            assertThat(r.failureKind()).isEqualTo(FailureKind.LIMIT_EXCEEDED);
            assertThat(r.error()).contains("max-step-output-bytes");
        });
    }

    @Test
    void aRevokedPartitionWaitsForItsRunningStepAndItRunsOnce() {
        AtomicInteger runs = new AtomicInteger();
        StepHandler slow = (command, cancel) -> {
            runs.incrementAndGet();
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ok(command, "slow");
        };
        start(TestKafka.PARTITIONS, Limits.DEFAULTS, slow);
        // one running step on every partition, so whichever partition moves has one in flight
        List<String> jobs = IntStream.range(0, TestKafka.PARTITIONS).mapToObj(StepRunnerIT::jobOnPartition).toList();
        jobs.forEach(job -> send(command(job, 10_000, null)));
        await().atMost(WAIT).until(() -> runs.get() == TestKafka.PARTITIONS);

        // a second member joins: the cooperative assignor moves a partition to it, revoking it here
        start(TestKafka.PARTITIONS, Limits.DEFAULTS, slow);

        for (String job : jobs) {
            assertThat(results(job, 1)).singleElement().extracting(StepResult::output)
                    .isEqualTo(TextNode.valueOf("slow"));
        }
        awaitAllCommitted();
        for (String job : jobs) {
            assertThat(TestKafka.read(Topics.STEP_RESULTS, job, 2, Duration.ofSeconds(1))).as("not run again")
                    .hasSize(1);
        }
        assertThat(runs).hasValue(TestKafka.PARTITIONS);
    }

    /** A job id that the default partitioner puts on this partition. */
    private static String jobOnPartition(int partition) {
        while (true) {
            String job = job();
            byte[] key = job.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (Utils.toPositive(Utils.murmur2(key)) % TestKafka.PARTITIONS == partition) {
                return job;
            }
        }
    }

    @Test
    void aResultKafkaRefusesAsTooLargeIsSentAgainAsASmallFailure() {
        // a producer that takes requests of 4 KiB at most, as a broker or client configured below Mule's limits would
        KafkaClients small = new KafkaClients(new KafkaClientConfig(new KafkaProperties(TestKafka.bootstrapServers(),
                Map.of(), Map.of(), Map.of("max.request.size", "4096"), (short) 1, 1, 3, true)));
        start(small, 1, Limits.DEFAULTS, (command, cancel) -> ok(command, command.input().path("big").asBoolean()
                ? "x".repeat(8 * 1024) : "small"));
        String big = job();
        String next = job();

        send(command(big, 1_000, null, JsonSerde.mapper().createObjectNode().put("big", true)));
        send(command(next, 1_000, null));

        assertThat(results(big, 1)).singleElement().satisfies(r -> {
            assertThat(r.success()).isFalse();
            assertThat(r.output()).isNull();
            assertThat(r.failureKind()).isEqualTo(FailureKind.LIMIT_EXCEEDED);
            assertThat(r.error()).contains("larger than the broker accepts");
        });
        assertThat(results(next, 1)).singleElement().extracting(StepResult::output)
                .isEqualTo(TextNode.valueOf("small"));
        awaitAllCommitted();
        assertThat(fatal).isEmpty();
    }

    @Test
    void aConsumerLoopThatDiesOfAnErrorHaltsTheProcess() {
        Topic<String, StepCommand> poisoned = new Topic<>(topic.name(), topic.keySerde(),
                
                // reads commands, but runs out of memory doing so: an Error on the consumer thread
                Serdes.serdeFrom(topic.valueSerde().serializer(), (Deserializer<StepCommand>) (name, data) -> {
                    throw new OutOfMemoryError("while reading a command");
                }), null);
        StepRunner runner = new StepRunner(new RunnerSettings(poisoned, group, 1, Duration.ofSeconds(1),
                KafkaClients.of(TestKafka.bootstrapServers()), Limits.DEFAULTS), (command, cancel) -> ok(command, ""),
                Clock.systemUTC(), (what, cause) -> fatal.add(cause));
        runners.add(runner);
        runner.start();

        send(command(job(), 1_000, null));

        await().atMost(WAIT).until(() -> !fatal.isEmpty());
        assertThat(fatal.get(0)).isInstanceOf(OutOfMemoryError.class);
        await().atMost(WAIT).untilAsserted(() -> assertThat(runner.problems()).isNotEmpty());
    }


    private void start(int concurrency, Limits limits, StepHandler handler) {
        start(KafkaClients.of(TestKafka.bootstrapServers()), concurrency, limits, handler);
    }

    private void start(KafkaClients kafka, int concurrency, Limits limits, StepHandler handler) {
        StepRunner runner = new StepRunner(new RunnerSettings(topic, group, concurrency, Duration.ofSeconds(10),
                kafka, limits), handler, Clock.systemUTC(), (what, cause) -> fatal.add(cause));
        runners.add(runner);
        runner.start();
    }

    private void send(StepCommand command) {
        TestKafka.send(topic, command.jobId(), command);
    }

    private static List<StepResult> results(String job, int count) {
        return TestKafka.read(Topics.STEP_RESULTS, job, count, WAIT);
    }

    private static String job() {
        return UUID.randomUUID().toString();
    }

    private static StepCommand command(String job, long timeoutMs, Instant deadline) {
        return command(job, timeoutMs, deadline, JsonSerde.mapper().createObjectNode());
    }

    private static StepCommand command(String job, long timeoutMs, Instant deadline,
                                       com.fasterxml.jackson.databind.JsonNode input) {
        WasmStep step = new WasmStep(0, null, "module-id", "m", "0".repeat(64), null,
                new StepPolicy(1, 0, 1.0, 0, timeoutMs, false));
        return StepCommand.of(job, 0, 1, step, input, Instant.now(), deadline);
    }

    /** A WASM step of order {@code order}, 1 s a run, as a command's following step. */
    private static WasmStep step(int order) {
        return new WasmStep(order, null, "module-id", "m", "0".repeat(64), null,
                new StepPolicy(1, 0, 1.0, 0, 1_000, false));
    }

    private static <T> T single(List<T> values) {
        assertThat(values).hasSize(1);
        return values.get(0);
    }

    private static StepResult ok(StepCommand command, String output) {
        return StepResult.succeeded(command, TextNode.valueOf(output), null, null, 0, Instant.now(), null);
    }

    private void awaitAllCommitted() {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    TestKafka.bootstrapServers()))) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
                for (int p = 0; p < TestKafka.PARTITIONS; p++) {
                    latest.put(new TopicPartition(topic.name(), p), OffsetSpec.latest());
                }
                return admin.listOffsets(latest).all().get().entrySet().stream().allMatch(end -> {
                    OffsetAndMetadata at = committed.get(end.getKey());
                    return (at == null ? 0 : at.offset()) >= end.getValue().offset();
                });
            }
        });
    }
}
