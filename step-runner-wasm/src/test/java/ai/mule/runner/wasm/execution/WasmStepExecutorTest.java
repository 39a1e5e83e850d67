package ai.mule.runner.wasm.execution;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.runner.wasm.execution.LoadedModule.Engine;
import ai.mule.runner.wasm.execution.StepFailure.Reason;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.WasmStep;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WasmStepExecutorTest {

    private static final WasmLimits LIMITS = new WasmLimits(Duration.ofSeconds(10), 64, 64 * 1024, 16 * 1024);
    private static final WasmStepExecutor EXECUTOR = new WasmStepExecutor(LIMITS);

    @AfterAll
    static void closeExecutor() {
        EXECUTOR.close();
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void greetsThePromptWithHelloWithoutConfig(Engine engine) {
        WasmOutcome outcome = run("greet.wasm", engine, null, "{\"prompt\":\"World\"}");

        assertThat(outcome.failure()).isNull();
        assertThat(outcome.output()).isEqualTo(TextNode.valueOf("Hello, World!"));
        assertThat(outcome.stdout()).contains("\"message\":\"Hello, World!\"");
        assertThat(outcome.durationMicros()).isPositive();
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void greetsWithTheConfiguredGreeting(Engine engine) {
        WasmOutcome outcome = run("greet.wasm", engine, "{\"greeting\":\"Bonjour\"}", "{\"prompt\":\"Ada\"}");

        assertThat(outcome.output()).isEqualTo(TextNode.valueOf("Bonjour, Ada!"));
    }

    @Test
    void stepInputWinsOverConfig() {
        WasmOutcome outcome = run("greet.wasm", Engine.COMPILED, "{\"greeting\":\"Hi\",\"prompt\":\"config\"}",
                "{\"prompt\":\"input\"}");

        assertThat(outcome.output()).isEqualTo(TextNode.valueOf("Hi, input!"));
    }

    @Test
    void runsTheStepsModuleWithItsConfig() {
        WasmStep step = new WasmStep(1, null, "id", "greet", "sha", json("{\"greeting\":\"Hej\"}"));

        WasmOutcome outcome = EXECUTOR.run(TestModules.load("greet.wasm", Engine.COMPILED), step, json("{\"prompt\":\"Mule\"}"));

        assertThat(outcome.output()).isEqualTo(TextNode.valueOf("Hej, Mule!"));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void upperCasesAndReverses(Engine engine) {
        assertThat(run("upper.wasm", engine, null, "{\"prompt\":\"Hello\"}").output()).isEqualTo(TextNode.valueOf("HELLO"));
        assertThat(run("reverse.wasm", engine, null, "{\"prompt\":\"abc\"}").output()).isEqualTo(TextNode.valueOf("cba"));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void jsonExtractPicksTheConfiguredField(Engine engine) {
        assertThat(run("json-extract.wasm", engine, "{\"field\":\"city\"}",
                "{\"user\":{\"name\":\"Ada\",\"city\":\"London\"}}").output()).isEqualTo(TextNode.valueOf("London"));
        // a previous step's output arrives as {"prompt": "<JSON text>"}
        assertThat(run("json-extract.wasm", engine, "{\"field\":\"city\"}",
                "{\"prompt\":\"{\\\"city\\\":\\\"Paris\\\"}\"}").output()).isEqualTo(TextNode.valueOf("Paris"));
        WasmOutcome missing = run("json-extract.wasm", engine, "{\"field\":\"zip\"}", "{\"city\":\"Oslo\"}");
        assertThat(missing.failure()).isEqualTo(StepFailure.of(Reason.MODULE_REPORTED_FAILURE,
                "the input has no string field \"zip\""));
    }

    @Test
    void runsTheWatExample() {
        assertThat(run("hello-wat.wasm", Engine.COMPILED, null, "{}").output())
                .isEqualTo(TextNode.valueOf("hello from WebAssembly text"));
    }

    @Test
    void failsWithTheModulesMessageWhenItReportsSuccessFalse() {
        WasmOutcome outcome = run("require-prompt.wasm", Engine.COMPILED, null, "{\"prompt\":\"\"}");

        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.failure()).isEqualTo(StepFailure.of(Reason.MODULE_REPORTED_FAILURE,
                "a non-empty \"prompt\" is required"));
        assertThat(outcome.stdout()).contains("\"success\":false");
    }

    @Test
    void passesWhatRequirePromptAccepts() {
        assertThat(run("require-prompt.wasm", Engine.COMPILED, null, "{\"prompt\":\"ok\"}").output())
                .isEqualTo(TextNode.valueOf("ok"));
    }

    @Test
    void keepsNonJsonStdoutAsText() {
        WasmOutcome outcome = run("plain-text.wasm", Engine.COMPILED, null, "{}");

        assertThat(outcome.output()).isEqualTo(TextNode.valueOf("hello, plain text"));
        assertThat(outcome.stdout()).isEqualTo("hello, plain text\n");
    }

    @Test
    void givesTheModuleConfigMergedWithInputOnStdin() {
        WasmOutcome outcome = run("echo.wasm", Engine.COMPILED, "{\"a\":1,\"prompt\":\"config\",\"nested\":{\"x\":1}}",
                "{\"prompt\":\"input\",\"nested\":{\"y\":2}}");

        assertThat(outcome.output()).isEqualTo(json("{\"a\":1,\"prompt\":\"input\",\"nested\":{\"y\":2}}"));
    }

    @Test
    void givesANonObjectInputAsThePrompt() {
        WasmOutcome outcome = run("echo.wasm", Engine.COMPILED, "{\"a\":1}", "\"just text\"");

        assertThat(outcome.output()).isEqualTo(json("{\"a\":1,\"prompt\":\"just text\"}"));
    }

    @Test
    void refusesAConfigThatIsNotAnObject() {
        WasmOutcome outcome = run("echo.wasm", Engine.COMPILED, "[1,2]", "{}");

        assertThat(outcome.failure().reason()).isEqualTo(Reason.INVALID_INPUT);
        assertThat(outcome.failure().message()).contains("config must be a JSON object");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void callsInitializeBeforeStart(Engine engine) {
        assertThat(run("init-then-start.wasm", engine, null, "{}").output()).isEqualTo(TextNode.valueOf("initialized"));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void treatsProcExitZeroAsANormalEnd(Engine engine) {
        WasmOutcome outcome = run("exit-zero.wasm", engine, null, "{}");

        assertThat(outcome.failure()).isNull();
        assertThat(outcome.output()).isEqualTo(TextNode.valueOf("done"));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void failsWithTheExitCodeAndStderrOfAModuleThatExitsNonZero(Engine engine) {
        WasmOutcome outcome = run("exit-code.wasm", engine, null, "{}");

        assertThat(outcome.failure().reason()).isEqualTo(Reason.EXIT_CODE);
        assertThat(outcome.failure().message())
                .isEqualTo("module 'exit-code.wasm' exited with code 3: cannot continue: the frobnicator is missing");
        assertThat(outcome.stderr()).isEqualTo("cannot continue: the frobnicator is missing\n");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void reportsATrap(Engine engine) {
        WasmOutcome outcome = run("divide-by-zero.wasm", engine, null, "{}");

        assertThat(outcome.failure().reason()).isEqualTo(Reason.TRAP);
        assertThat(outcome.failure().message()).startsWith("module 'divide-by-zero.wasm' trapped: ")
                .containsIgnoringCase("divide by zero");
    }

    @Test
    void refusesAModuleImportingHostFunctionsItDoesNotOffer() {
        WasmOutcome outcome = run("needs-host.wasm", Engine.INTERPRETED, null, "{}");

        assertThat(outcome.failure().reason()).isEqualTo(Reason.MODULE_UNLINKABLE);
        assertThat(outcome.failure().message()).contains("http_request")
                .contains("WASI preview 1 and Mule's env host functions only");
    }

    @Test
    void refusesAModuleWithoutStart() {
        WasmOutcome outcome = run("no-start.wasm", Engine.INTERPRETED, null, "{}");

        assertThat(outcome.failure().reason()).isEqualTo(Reason.NOT_A_COMMAND);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void stopsAnEndlessLoopAtTheTimeoutAndLeavesTheThreadUsable(Engine engine) {
        WasmOutcome outcome = EXECUTOR.run(TestModules.load("loop.wasm", engine), "loop", null, json("{}"),
                Duration.ofMillis(300));

        assertThat(outcome.failure()).isEqualTo(StepFailure.of(Reason.TIMEOUT,
                "module 'loop' did not finish within its time limit of 300 ms"));
        assertThat(outcome.durationMicros()).isBetween(300_000L, 5_000_000L);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(run("greet.wasm", engine, null, "{\"prompt\":\"again\"}").output())
                .isEqualTo(TextNode.valueOf("Hello, again!"));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void stopsARunningModuleWhenItsJobIsCancelled(Engine engine) throws Exception {
        CancelSignal cancel = new CancelSignal();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<WasmOutcome> run = pool.submit(() -> EXECUTOR.run(TestModules.load("loop.wasm", engine), "loop", null,
                    json("{}"), Duration.ofSeconds(30), new RunOptions(null, cancel, null)));
            Thread.sleep(300);
            assertThat(run.isDone()).as("still looping").isFalse();
            long cancelledAt = System.nanoTime();
            cancel.cancel();

            WasmOutcome outcome = run.get(5, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt)).isLessThan(Duration.ofSeconds(2));
            assertThat(outcome.failure()).isEqualTo(StepFailure.of(Reason.CANCELLED,
                    "module 'loop' was stopped: its job was cancelled"));
            assertThat(outcome.failure().reason().kind()).isEqualTo(ai.mule.schemas.FailureKind.CANCELLED);
            // the worker thread is usable for the next run
            assertThat(pool.submit(() -> run("greet.wasm", engine, null, "{\"prompt\":\"again\"}").output()).get())
                    .isEqualTo(TextNode.valueOf("Hello, again!"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void takesTheTimeLimitFromTheStepsPolicy() {
        WasmStep step = new WasmStep(1, null, "id", "loop", "sha", null,
                new ai.mule.schemas.StepPolicy(1, 0, 1.0, 0, 250, false));

        WasmOutcome outcome = EXECUTOR.run(TestModules.load("loop.wasm", Engine.COMPILED), step, json("{}"));

        assertThat(outcome.failure()).isEqualTo(StepFailure.of(Reason.TIMEOUT,
                "module 'loop' did not finish within its time limit of 250 ms"));
        assertThat(outcome.failure().reason().kind()).isEqualTo(ai.mule.schemas.FailureKind.TIMEOUT);
    }

    @Test
    void givesNoHostFilesystemWithoutAMount() {
        WasmOutcome outcome = run("read-file.wasm", Engine.COMPILED, null, "{\"path\":\"/data/hello.txt\"}");

        assertThat(outcome.output().get("read").asText()).isEqualTo("failed");
    }

    @Test
    void mountsADirectoryReadOnly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("hello.txt"), "hello from the host");
        RunOptions options = new RunOptions(null, null, new Mount(dir, "/data"));

        WasmOutcome outcome = EXECUTOR.run(TestModules.load("read-file.wasm", Engine.COMPILED), "read-file", null,
                json("{\"path\":\"/data/hello.txt\",\"write\":\"/data/new.txt\"}"), Duration.ofSeconds(5), options);

        assertThat(outcome.failure()).isNull();
        assertThat(outcome.output().get("read").asText()).isEqualTo("hello from the host");
        assertThat(outcome.output().get("write").asText()).isEqualTo("refused");
        assertThat(dir.resolve("new.txt")).doesNotExist();
        assertThat(java.nio.file.Files.readString(dir.resolve("hello.txt"))).isEqualTo("hello from the host");
    }

    @Test
    void doesNotFollowALinkInsideTheMountThatLeadsOutOfIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path root = java.nio.file.Files.createDirectories(tmp.resolve("root"));
        java.nio.file.Path outside = java.nio.file.Files.createDirectories(tmp.resolve("outside"));
        java.nio.file.Files.writeString(outside.resolve("secret.txt"), "host secret");
        java.nio.file.Files.writeString(root.resolve("inside.txt"), "inside");
        java.nio.file.Files.createSymbolicLink(root.resolve("leak.txt"), outside.resolve("secret.txt"));
        java.nio.file.Files.createSymbolicLink(root.resolve("leakdir"), outside);
        java.nio.file.Files.createSymbolicLink(root.resolve("ok.txt"), root.resolve("inside.txt"));
        RunOptions options = new RunOptions(null, null, new Mount(root, "/data"));

        WasmOutcome file = EXECUTOR.run(TestModules.load("read-file.wasm", Engine.COMPILED), "read-file", null,
                json("{\"path\":\"/data/leak.txt\"}"), Duration.ofSeconds(5), options);
        WasmOutcome throughDir = EXECUTOR.run(TestModules.load("read-file.wasm", Engine.COMPILED), "read-file", null,
                json("{\"path\":\"/data/leakdir/secret.txt\"}"), Duration.ofSeconds(5), options);
        WasmOutcome inside = EXECUTOR.run(TestModules.load("read-file.wasm", Engine.COMPILED), "read-file", null,
                json("{\"path\":\"/data/ok.txt\"}"), Duration.ofSeconds(5), options);

        assertThat(file.output().get("read").asText()).isEqualTo("failed");
        assertThat(throughDir.output().get("read").asText()).isEqualTo("failed");
        assertThat(inside.output().get("read").asText()).as("a link that stays inside the mount is followed")
                .isEqualTo("inside");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void stopsAModuleThatGrowsMemoryWithoutBoundAtTheCeiling(Engine engine) {
        WasmOutcome outcome = run("memory-bomb.wasm", engine, null, "{}");

        assertThat(outcome.failure().reason()).isEqualTo(Reason.MEMORY_LIMIT);
        assertThat(outcome.failure().message()).contains("trapped").contains("ceiling of 64 pages (4 MiB)");
    }

    @Test
    void refusesAModuleWhoseInitialMemoryIsAboveTheCeiling() {
        try (WasmStepExecutor tiny = new WasmStepExecutor(new WasmLimits(Duration.ofSeconds(5), 1, 1024, 1024))) {
            WasmOutcome outcome = tiny.run(TestModules.load("greet.wasm", Engine.COMPILED), "greet", null, json("{}"),
                    Duration.ofSeconds(5));

            assertThat(outcome.failure()).isEqualTo(StepFailure.of(Reason.MEMORY_LIMIT,
                    "module 'greet' needs 2 pages of memory to start, above the ceiling of 1 pages (64 KiB)"));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void stopsAStdoutFloodAtTheCap(Engine engine) {
        WasmOutcome outcome = run("stdout-flood.wasm", engine, null, "{}");

        assertThat(outcome.failure()).isEqualTo(StepFailure.of(Reason.OUTPUT_LIMIT,
                "module 'stdout-flood.wasm' wrote more than 64 KiB to stdout"));
        assertThat(outcome.stdout()).hasSize(64 * 1024).matches("x+");
    }

    @Test
    void stopsAStderrFloodAtTheCap() {
        WasmOutcome outcome = run("stderr-flood.wasm", Engine.COMPILED, null, "{}");

        assertThat(outcome.failure()).isEqualTo(StepFailure.of(Reason.OUTPUT_LIMIT,
                "module 'stderr-flood.wasm' wrote more than 16 KiB to stderr"));
        assertThat(outcome.stderr()).hasSize(16 * 1024);
    }

    @Test
    void concurrentRunsOfOneModuleDoNotMixTheirData() throws Exception {
        LoadedModule reverse = TestModules.load("reverse.wasm", Engine.COMPILED);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> runs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String text = "run-" + i + "-" + "x".repeat(i);
                runs.add(pool.submit(() -> {
                    WasmOutcome outcome = EXECUTOR.run(reverse, "reverse", null,
                            JsonSerde.mapper().createObjectNode().put("prompt", text), Duration.ofSeconds(10));
                    return outcome.output().asText().equals(new StringBuilder(text).reverse().toString());
                }));
            }
            for (Future<Boolean> run : runs) {
                assertThat(run.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCompiledSmallModuleRunsInAFewMilliseconds() {
        LoadedModule greet = TestModules.load("greet.wasm", Engine.COMPILED);
        JsonNode input = json("{\"prompt\":\"World\"}");
        for (int i = 0; i < 300; i++) {
            EXECUTOR.run(greet, "greet", null, input, Duration.ofSeconds(10));
        }
        long[] micros = new long[300];
        for (int i = 0; i < micros.length; i++) {
            micros[i] = EXECUTOR.run(greet, "greet", null, input, Duration.ofSeconds(10)).durationMicros();
        }
        Arrays.sort(micros);
        System.out.printf("greet.wasm compiled, per run: p50 %d us, p90 %d us, max %d us%n",
                micros[150], micros[270], micros[299]);

        assertThat(micros[150]).isLessThan(5_000);
    }

    private static WasmOutcome run(String module, Engine engine, String config, String input) {
        return EXECUTOR.run(TestModules.load(module, engine), module, config == null ? null : json(config), json(input),
                LIMITS.timeout());
    }

    static JsonNode json(String text) {
        try {
            return JsonSerde.mapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
