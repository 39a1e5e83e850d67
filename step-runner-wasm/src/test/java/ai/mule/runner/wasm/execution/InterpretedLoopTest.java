package ai.mule.runner.wasm.execution;

import static ai.mule.runner.wasm.execution.WasmStepExecutorTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.runner.wasm.execution.StepFailure.Reason;
import ai.mule.runner.wasm.execution.WasmBytes.BackEdge;
import ai.mule.runner.wasm.modules.ModuleCompiler;
import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.wasm.Parser;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A function too large for one JVM method runs in Chicory's interpreter even in a compiled module, and
 * Chicory 1.7.5's interpreter checks the interrupt flag on {@code br} and calls only: a loop whose only back
 * edge is a {@code br_if} or {@code br_table} ignored the watchdog and wedged its worker thread for good.
 */
class InterpretedLoopTest {

    // 20,000 x 4 instructions: about 80 KB of JVM bytecode, past the 64 KB a method may hold
    private static final int GROUPS = 20_000;
    private static final Map<BackEdge, LoadedModule> LOOPS = new EnumMap<>(BackEdge.class);
    private static final WasmStepExecutor EXECUTOR = new WasmStepExecutor(
            new WasmLimits(Duration.ofSeconds(10), 64, 64 * 1024, 16 * 1024));
    // daemon: if a run is wedged after all, the test fails instead of hanging the build
    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "interpreted-loop-test");
        thread.setDaemon(true);
        return thread;
    });

    @AfterAll
    static void close() {
        WORKER.shutdownNow();
        EXECUTOR.close();
    }

    private static synchronized LoadedModule loop(BackEdge backEdge) {
        return LOOPS.computeIfAbsent(backEdge, edge ->
                new ModuleCompiler(true).load("huge-" + edge, WasmBytes.hugeLoop(GROUPS, edge)));
    }

    @Test
    void theLoopsFunctionIsTooLargeToCompileSoItRunsInTheInterpreter() {
        byte[] bytes = WasmBytes.hugeLoop(GROUPS, BackEdge.BR_IF);

        assertThatThrownBy(() -> MachineFactoryCompiler.builder(Parser.parse(bytes))
                .withInterpreterFallback(InterpreterFallback.FAIL).compile())
                .rootCause().hasMessageContaining("Method too large");
    }

    @ParameterizedTest
    @EnumSource(BackEdge.class)
    void theTimeoutStopsAnInterpretedLoop(BackEdge backEdge) throws Exception {
        LoadedModule module = loop(backEdge);

        WasmOutcome outcome = runOnWorker(() -> EXECUTOR.run(module, "spin", null, json("{}"),
                Duration.ofMillis(500)));

        assertThat(outcome.failure()).isEqualTo(StepFailure.of(Reason.TIMEOUT,
                "module 'spin' did not finish within its time limit of 500 ms"));
        assertThat(outcome.durationMicros()).isBetween(500_000L, 3_000_000L);
        assertWorkerStillRunsSteps();
    }

    @ParameterizedTest
    @EnumSource(BackEdge.class)
    void cancellingTheJobStopsAnInterpretedLoop(BackEdge backEdge) throws Exception {
        LoadedModule module = loop(backEdge);
        CancelSignal cancel = new CancelSignal();
        Future<WasmOutcome> run = WORKER.submit(() -> EXECUTOR.run(module, "spin", null, json("{}"),
                Duration.ofSeconds(60), new RunOptions(null, cancel, null)));
        Thread.sleep(500);
        assertThat(run.isDone()).as("still spinning").isFalse();

        long cancelledAt = System.nanoTime();
        cancel.cancel();
        WasmOutcome outcome = run.get(10, TimeUnit.SECONDS);

        assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt)).isLessThan(Duration.ofSeconds(2));
        assertThat(outcome.failure()).isEqualTo(StepFailure.of(Reason.CANCELLED,
                "module 'spin' was stopped: its job was cancelled"));
        assertWorkerStillRunsSteps();
    }

    private static void assertWorkerStillRunsSteps() throws Exception {
        WasmOutcome next = runOnWorker(() -> EXECUTOR.run(TestModules.load("greet.wasm", LoadedModule.Engine.INTERPRETED),
                "greet", null, json("{\"prompt\":\"again\"}"), Duration.ofSeconds(10)));
        assertThat(next.output()).isEqualTo(TextNode.valueOf("Hello, again!"));
    }

    private static WasmOutcome runOnWorker(java.util.concurrent.Callable<WasmOutcome> run) throws Exception {
        Future<WasmOutcome> future = WORKER.submit(run);
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the run ignored its timeout: the worker thread is wedged", e);
        }
    }
}
