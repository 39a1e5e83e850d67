package ai.mule.gateway.modules;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.gateway.web.ApiException;
import ai.mule.testkit.WasmFixtures;
import org.junit.jupiter.api.Test;

class WasmBinaryValidatorTest {

    @Test
    void acceptsTheExampleModules() {
        for (String name : new String[] {"greet.wasm", "upper.wasm", "reverse.wasm", "require-prompt.wasm",
                "json-extract.wasm", "router.wasm", "http-fetch.wasm", "hello-wat.wasm"}) {
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

    @Test
    void refusesImportsTheRunnerDoesNotOffer() {
        assertThatThrownBy(() -> WasmBinaryValidator.validate(fixture("imports-shell.wasm")))
                .hasMessageContaining("'env.execute_bash_command'").hasMessageContaining("Mule does not offer")
                .hasMessageContaining("shell, git");
        assertThatThrownBy(() -> WasmBinaryValidator.validate(fixture("imports-other-module.wasm")))
                .hasMessageContaining("from module 'wasi:http/outgoing-handler'");
        assertThatThrownBy(() -> WasmBinaryValidator.validate(fixture("imports-memory.wasm")))
                .hasMessageContaining("imports memory 'env.memory'");
        assertThatThrownBy(() -> WasmBinaryValidator.validate(fixture("imports-wrong-signature.wasm")))
                .hasMessageContaining("'env.http_request' with the signature").hasMessageContaining("6 i32 parameters");
        assertThatThrownBy(() -> WasmBinaryValidator.validate(fixture("imports-unknown-wasi.wasm")))
                .hasMessageContaining("'wasi_snapshot_preview1.sock_open'");
    }

    static byte[] fixture(String name) {
        try (java.io.InputStream in = WasmBinaryValidatorTest.class.getResourceAsStream("/modules/" + name)) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
