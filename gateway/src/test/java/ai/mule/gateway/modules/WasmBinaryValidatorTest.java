package ai.mule.gateway.modules;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.gateway.web.ApiException;
import ai.mule.testkit.WasmFixtures;
import org.junit.jupiter.api.Test;

class WasmBinaryValidatorTest {

    @Test
    void acceptsTheExampleModules() {
        for (String name : new String[] {"greet.wasm", "upper.wasm", "reverse.wasm", "require-prompt.wasm"}) {
            assertThatCode(() -> WasmBinaryValidator.validate(WasmFixtures.wasm(name))).doesNotThrowAnyException();
        }
    }

    @Test
    void refusesWhatIsNotARunnableModule() {
        assertThatThrownBy(() -> WasmBinaryValidator.validate("(module)".getBytes()))
                .isInstanceOf(ApiException.class).hasMessageContaining("not a WebAssembly binary");
        assertThatThrownBy(() -> WasmBinaryValidator.validate(new byte[] {0, 'a', 's', 'm', 0x0d, 0, 1, 0}))
                .hasMessageContaining("unsupported binary version");
        // a valid, empty module: parses, but has no _start to run
        assertThatThrownBy(() -> WasmBinaryValidator.validate(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0}))
                .hasMessageContaining("no _start");
        byte[] upper = WasmFixtures.wasm("upper.wasm");
        assertThatThrownBy(() -> WasmBinaryValidator.validate(java.util.Arrays.copyOf(upper, upper.length / 2)))
                .hasMessageContaining("not a valid WebAssembly module");
    }
}
