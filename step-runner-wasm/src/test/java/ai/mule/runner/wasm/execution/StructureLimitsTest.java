package ai.mule.runner.wasm.execution;

import ai.mule.wasm.StructureLimits;
import static ai.mule.runner.wasm.execution.WasmStepExecutorTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.runner.wasm.execution.LoadedModule.Engine;
import ai.mule.runner.wasm.execution.StepFailure.Reason;
import ai.mule.runner.wasm.modules.ModuleCompiler;
import ai.mule.schemas.FailureKind;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Memory outside linear memory: tables, globals, memories, GC types are capped before a module runs. */
class StructureLimitsTest {

    private static final WasmStepExecutor EXECUTOR = new WasmStepExecutor(
            new WasmLimits(Duration.ofSeconds(10), 64, 64 * 1024, 16 * 1024));

    @AfterAll
    static void close() {
        EXECUTOR.close();
    }

    @Test
    void sixtyHugeTablesAreRefusedBeforeAnythingIsAllocated() {
        WasmOutcome outcome = run(WasmBytes.tables(60, 10_000_000), Engine.COMPILED);

        assertThat(outcome.failure().reason()).isEqualTo(Reason.STRUCTURE_LIMIT);
        assertThat(outcome.failure().reason().kind()).isEqualTo(FailureKind.LIMIT_EXCEEDED);
        assertThat(outcome.failure().message()).isEqualTo("module 'hostile' cannot run: its tables start with "
                + "600000000 elements in all, above the limit of 100000 table elements");
    }

    @Test
    void tablesUpToTheLimitRun() {
        assertThat(run(WasmBytes.tables(1, StructureLimits.MAX_TABLE_ELEMENTS), Engine.COMPILED).failure()).isNull();
        assertThat(run(WasmBytes.tables(StructureLimits.MAX_TABLES + 1, 0), Engine.COMPILED).failure().message())
                .contains("101 tables, above the limit of 100 tables");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void tableGrowPastTheBudgetReturnsMinusOneAndTheModulesTableTypeStaysAsDeclared(Engine engine) {
        LoadedModule within = load(WasmBytes.tableGrow(StructureLimits.MAX_TABLE_ELEMENTS - 1), engine);
        LoadedModule past = load(WasmBytes.tableGrow(StructureLimits.MAX_TABLE_ELEMENTS), engine);

        // the module traps when table.grow answers -1
        assertThat(EXECUTOR.run(within, "grow", null, json("{}"), Duration.ofSeconds(10)).failure()).isNull();
        assertThat(EXECUTOR.run(within, "grow", null, json("{}"), Duration.ofSeconds(10)).failure()).isNull();
        assertThat(EXECUTOR.run(past, "grow", null, json("{}"), Duration.ofSeconds(10)).failure().reason())
                .isEqualTo(Reason.TRAP);
        // each run grows a copy: the next run's table starts at the declared size again
        assertThat(within.module().tableSection().getTable(0).limits().min()).isEqualTo(1);
    }

    @Test
    void tooManyGlobalsAreRefused() {
        WasmOutcome outcome = run(WasmBytes.globals(StructureLimits.MAX_GLOBALS + 1), Engine.INTERPRETED);

        assertThat(outcome.failure()).isEqualTo(StepFailure.of(Reason.STRUCTURE_LIMIT, "module 'hostile' cannot run: "
                + "it declares 100001 globals, above the limit of 100000 globals"));
    }

    @Test
    void gcTypesAreRefused() {
        WasmOutcome outcome = run(WasmBytes.gcArrayType(), Engine.INTERPRETED);

        assertThat(outcome.failure().reason()).isEqualTo(Reason.STRUCTURE_LIMIT);
        assertThat(outcome.failure().message()).contains("struct or array types (WebAssembly GC)");
    }

    private static WasmOutcome run(byte[] bytes, Engine engine) {
        return EXECUTOR.run(load(bytes, engine), "hostile", null, json("{}"), Duration.ofSeconds(10));
    }

    private static LoadedModule load(byte[] bytes, Engine engine) {
        return new ModuleCompiler(engine == Engine.COMPILED).load("sha", bytes);
    }
}
