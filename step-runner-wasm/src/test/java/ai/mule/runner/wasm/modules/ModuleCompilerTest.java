package ai.mule.runner.wasm.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.runner.wasm.execution.LoadedModule;
import ai.mule.runner.wasm.execution.StepFailure.Reason;
import ai.mule.testkit.WasmFixtures;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ModuleCompilerTest {

    @Test
    void compilesAModuleToBytecode() {
        LoadedModule module = new ModuleCompiler(true).load("sha", WasmFixtures.wasm("upper.wasm"));

        assertThat(module.engine()).isEqualTo(LoadedModule.Engine.COMPILED);
        assertThat(module.sha256()).isEqualTo("sha");
    }

    @Test
    void interpretsWhenCompilationIsOff() {
        assertThat(new ModuleCompiler(false).load("sha", WasmFixtures.wasm("upper.wasm")).engine())
                .isEqualTo(LoadedModule.Engine.INTERPRETED);
    }

    @Test
    void refusesBytesThatAreNotWebAssembly() {
        assertThatThrownBy(() -> new ModuleCompiler(true).load("sha", "#!/bin/sh\necho hi".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(ModuleUnavailableException.class, e -> {
                    assertThat(e.failure().reason()).isEqualTo(Reason.MODULE_INVALID);
                    assertThat(e.getMessage()).startsWith("module sha is not a valid WebAssembly module");
                });
    }

    @Test
    void refusesBeforeParsingAModuleThatWouldTakeTooMuchOfTheHeap() {
        byte[] upper = WasmFixtures.wasm("upper.wasm");
        long footprint = ModuleFootprint.estimate(upper);

        assertThat(footprint).isGreaterThan(upper.length);
        assertThat(new ModuleCompiler(true, footprint).load("sha", upper).engine()).isEqualTo(LoadedModule.Engine.COMPILED);
        assertThatThrownBy(() -> new ModuleCompiler(true, footprint - 1).load("sha", upper))
                .isInstanceOfSatisfying(ModuleUnavailableException.class, e -> {
                    assertThat(e.failure().reason()).isEqualTo(Reason.RESOURCE_LIMIT);
                    assertThat(e.failure().reason().kind()).isEqualTo(ai.mule.schemas.FailureKind.LIMIT_EXCEEDED);
                    assertThat(e.getMessage()).contains("is too large for this runner: loading it would take about")
                            .contains("a quarter of the runner's heap");
                });
    }

    @Test
    void estimatesCodeAtFortyBytesOfHeapPerByteAndTheRestAtItsSize() {
        // header, a custom section of 100 bytes, a code section of 1000 bytes (framing only is read)
        byte[] module = new byte[8 + 2 + 100 + 3 + 1000];
        module[8] = 0;
        module[9] = 100;
        module[110] = 10;
        module[111] = (byte) (1000 & 0x7f | 0x80);
        module[112] = (byte) (1000 >> 7);

        assertThat(ModuleFootprint.estimate(module)).isEqualTo(module.length - 1000 + 1000L * 40);
        // framing that does not add up: estimated at its size, and the parse refuses it
        assertThat(ModuleFootprint.estimate(java.util.Arrays.copyOf(module, 500))).isEqualTo(500);
    }
}
