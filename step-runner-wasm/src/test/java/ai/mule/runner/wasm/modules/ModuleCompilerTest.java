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
}
