package ai.mule.runner.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JsonSerde;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Modules written to hurt the runner, through the real runner (Kafka in, Kafka out): each fails its own
 * step with an error naming the cause and the failure kind the orchestrator retries by, and the runner
 * goes on serving other steps at full speed.
 */
class HostileModulesIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final byte[] GREET = WasmFixtures.wasm("greet.wasm");
    private static final byte[] REVERSE = WasmFixtures.wasm("reverse.wasm");
    private static final byte[] LOOP = WasmFixtures.wasm("loop.wasm");
    private static final byte[] MEMORY_BOMB = WasmFixtures.wasm("memory-bomb.wasm");
    private static final byte[] STDOUT_FLOOD = WasmFixtures.wasm("stdout-flood.wasm");
    private static final byte[] TRAP = WasmFixtures.wasm("divide-by-zero.wasm");
    private static final byte[] BAD_IMPORTS = WasmFixtures.wasm("needs-shell.wasm");
    private static final byte[] NOT_WASM = "#!/bin/sh\nrm -rf /\n".getBytes(StandardCharsets.UTF_8);

    private static ConfigurableApplicationContext runner;

    @BeforeAll
    static void startRunner() {
        TestPostgres.Database db = TestPostgres.newDatabase();
        JdbcTemplate jdbc = new JdbcTemplate(db.dataSource());
        for (byte[] module : List.of(GREET, REVERSE, LOOP, MEMORY_BOMB, STDOUT_FLOOD, TRAP, BAD_IMPORTS, NOT_WASM)) {
            jdbc.update("INSERT INTO wasm_modules (id, name, module_data, sha256) VALUES (?, ?, ?, ?)",
                    UUID.randomUUID(), UUID.randomUUID().toString(), module, WasmFixtures.sha256(module));
        }
        runner = new SpringApplicationBuilder(WasmRunnerApplication.class).properties(
                "MULE_DB_URL=" + db.jdbcUrl(),
                "MULE_DB_USER=" + db.username(),
                "MULE_DB_PASSWORD=" + db.password(),
                "mule.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                "mule.runner.wasm.concurrency=2",
                "mule.runner.wasm.max-memory-pages=256",
                "mule.runner.wasm.max-stdout=64KB").run();
    }

    @AfterAll
    static void stopRunner() {
        runner.close();
    }

    @Test
    void anInfiniteLoopTimesOut() {
        StepResult result = run("loop", LOOP, "{}", Duration.ofMillis(500));

        assertThat(result.failureKind()).isEqualTo(FailureKind.TIMEOUT);
        assertThat(result.error()).isEqualTo("module 'loop' did not finish within its time limit of 500 ms");
        assertThatTheRunnerStillServesQuickly();
    }

    @Test
    void aMemoryBombStopsAtTheCeiling() {
        StepResult result = run("memory-bomb", MEMORY_BOMB, "{}", Duration.ofSeconds(10));

        assertThat(result.failureKind()).isEqualTo(FailureKind.LIMIT_EXCEEDED);
        assertThat(result.error()).contains("ceiling of 256 pages (16 MiB)");
        assertThatTheRunnerStillServesQuickly();
    }

    @Test
    void aStdoutFloodStopsAtTheCap() {
        StepResult result = run("stdout-flood", STDOUT_FLOOD, "{}", Duration.ofSeconds(10));

        assertThat(result.failureKind()).isEqualTo(FailureKind.LIMIT_EXCEEDED);
        assertThat(result.error()).isEqualTo("module 'stdout-flood' wrote more than 64 KiB to stdout");
        assertThatTheRunnerStillServesQuickly();
    }

    @Test
    void aTrapFailsItsStep() {
        StepResult result = run("divide-by-zero", TRAP, "{}", Duration.ofSeconds(10));

        assertThat(result.failureKind()).isEqualTo(FailureKind.TRAP);
        assertThat(result.error()).startsWith("module 'divide-by-zero' trapped: ").containsIgnoringCase("divide by zero");
        assertThatTheRunnerStillServesQuickly();
    }

    @Test
    void aHugeInputIsRunAndItsEchoTrimmedToFitAResult() {
        String prompt = "ab".repeat(15_000); // 30 KB in, within the 64 KiB stdout cap
        StepResult result = run("reverse", REVERSE, "{\"prompt\":\"" + prompt + "\"}", Duration.ofSeconds(10));

        assertThat(result.success()).as(result.error()).isTrue();
        assertThat(result.output().asText()).isEqualTo("ba".repeat(15_000));
        String tooBig = "x".repeat(900_000); // near the broker's message limit: the command itself is the limit
        StepResult big = run("reverse", REVERSE, "{\"prompt\":\"" + tooBig + "\"}", Duration.ofSeconds(10));
        assertThat(big.success()).isFalse();
        assertThat(big.failureKind()).isEqualTo(FailureKind.LIMIT_EXCEEDED);
        assertThat(big.error()).contains("wrote more than 64 KiB to stdout");
        assertThatTheRunnerStillServesQuickly();
    }

    @Test
    void aModuleImportingWhatMuleDoesNotOfferCannotBeLinked() {
        StepResult result = run("needs-shell", BAD_IMPORTS, "{}", Duration.ofSeconds(10));

        assertThat(result.failureKind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(result.error()).contains("cannot be linked").contains("execute_bash_command");
    }

    @Test
    void bytesThatAreNotWebAssemblyAreRefused() {
        StepResult result = run("script", NOT_WASM, "{}", Duration.ofSeconds(10));

        assertThat(result.failureKind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(result.error()).contains("is not a valid WebAssembly module");
    }

    @Test
    void hostileModulesRunningAtOnceDoNotSlowOtherSteps() {
        List<String> hostile = new ArrayList<>();
        hostile.add(send("loop", LOOP, "{}", Duration.ofSeconds(3)));
        Instant started = Instant.now();
        List<String> quick = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            quick.add(send("greet", GREET, "{\"prompt\":\"n" + i + "\"}", Duration.ofSeconds(5)));
        }
        for (int i = 0; i < quick.size(); i++) {
            StepResult result = resultOf(quick.get(i));
            assertThat(result.output()).isEqualTo(TextNode.valueOf("Hello, n" + i + "!"));
            // done on the other worker while the loop holds one, long before the loop's 3 s are up
            assertThat(result.finishedAt()).isBefore(started.plusSeconds(2));
        }
        assertThat(resultOf(hostile.get(0)).failureKind()).isEqualTo(FailureKind.TIMEOUT);
    }

    private static void assertThatTheRunnerStillServesQuickly() {
        Instant started = Instant.now();
        StepResult result = run("greet", GREET, "{\"prompt\":\"still here\"}", Duration.ofSeconds(5));
        assertThat(result.output()).isEqualTo(TextNode.valueOf("Hello, still here!"));
        assertThat(result.finishedAt()).isBefore(started.plusSeconds(1));
    }

    private static StepResult run(String name, byte[] module, String input, Duration timeout) {
        return resultOf(send(name, module, input, timeout));
    }

    private static String send(String name, byte[] module, String input, Duration timeout) {
        String jobId = UUID.randomUUID().toString();
        WasmStep step = new WasmStep(1, null, UUID.randomUUID().toString(), name, WasmFixtures.sha256(module), null,
                new StepPolicy(1, 0, 1.0, 0, timeout.toMillis(), false));
        TestKafka.send(Topics.STEPS_WASM, jobId, StepCommand.of(jobId, 0, 1, step, json(input), Instant.now(), null));
        return jobId;
    }

    private static StepResult resultOf(String jobId) {
        List<StepResult> results = TestKafka.read(Topics.STEP_RESULTS, jobId, 1, WAIT);
        assertThat(results).as("result of job %s", jobId).hasSize(1);
        return results.get(0);
    }

    private static JsonNode json(String text) {
        try {
            return JsonSerde.mapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
