package ai.mule.gateway.modules;

import static org.assertj.core.api.Assertions.assertThat;
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

    @Test
    void aSixteenMegabyteModuleWithForeignImportsAndNoStartIsRefusedNamingEveryProblemInBoundedMemory() {
        byte[] ruby = RealisticModule.of(16 * 1024 * 1024, RealisticModule.Kind.LIBRARY);
        long allocatedBefore = allocatedByThisThread();
        long started = System.nanoTime();

        assertThatThrownBy(() -> WasmBinaryValidator.validate(new java.io.ByteArrayInputStream(ruby)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().value()).isEqualTo(422))
                .hasMessageContaining("'rb-js-abi-host.js-value-call' from module 'rb-js-abi-host'")
                .hasMessageContaining("'rb-js-abi-host.reflect-apply'")
                .hasMessageContaining("'wasi_snapshot_preview1.sock_open'")
                .hasMessageContaining("host function 'env.rb_wasm_setjmp'")
                .hasMessageContaining("exports no _start function");

        long millis = (System.nanoTime() - started) / 1_000_000;
        long allocated = allocatedByThisThread() - allocatedBefore;
        System.out.printf("validating a %d-byte module: %d ms, %d KiB allocated%n", ruby.length, millis,
                allocated / 1024);
        assertThat(ruby.length).isGreaterThan(16_000_000);
        // the module is never held whole: a 64 KiB buffer and its small sections
        assertThat(allocated).isLessThan(8L * 1024 * 1024);
    }

    @Test
    void aSixteenMegabyteCommandPassesWithItsHashAndSize() throws Exception {
        byte[] command = RealisticModule.of(16 * 1024 * 1024, RealisticModule.Kind.COMMAND);

        WasmBinaryValidator.Checked checked = WasmBinaryValidator.validate(new java.io.ByteArrayInputStream(command));

        assertThat(checked.sha256()).isEqualTo(WasmFixtures.sha256(command));
        assertThat(checked.sizeBytes()).isEqualTo(command.length);
        // every function body is valid: Chicory's full parse (what the runner does) accepts such a module (a
        // smaller one: the full parse of 16 MB takes some 30 s and 550 MB of heap, which is why upload skips it)
        assertThat(com.dylibso.chicory.wasm.Parser.parse(RealisticModule.of(2 * 1024 * 1024, RealisticModule.Kind.COMMAND))
                .codeSection().functionBodyCount()).isGreaterThan(500);
    }

    @Test
    void refusesSixtyHugeTablesNamingTheLimit() {
        assertThatThrownBy(() -> WasmBinaryValidator.validate(withStart(tables(60, 10_000_000))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().value()).isEqualTo(422))
                .hasMessageContaining("its tables start with 600000000 elements in all, above the limit of 100000 "
                        + "table elements");
        assertThatCode(() -> WasmBinaryValidator.validate(withStart(tables(1, 100_000)))).doesNotThrowAnyException();
    }

    @Test
    void refusesBrokenFramingThatAFullParseWouldHaveCaught() {
        byte[] start = withStart(tables(0, 0));
        // the code section's single body (size 2: no locals, end) with its end replaced
        byte[] noEnd = start.clone();
        noEnd[noEnd.length - 1] = 0x01;
        // a second function declared, but only one body
        byte[] greet = WasmFixtures.wasm("greet.wasm");
        byte[] trailing = java.util.Arrays.copyOf(greet, greet.length + 3);
        trailing[greet.length] = 0x0b; // an unknown section id 11 (data) of size 1 after data: out of order or cut
        trailing[greet.length + 1] = 0x05;

        assertThatThrownBy(() -> WasmBinaryValidator.validate(noEnd))
                .hasMessageContaining("not a valid WebAssembly module (function body 0 does not end with an end instruction)");
        assertThatThrownBy(() -> WasmBinaryValidator.validate(trailing))
                .hasMessageContaining("not a valid WebAssembly module");
    }

    /** {@code count} tables of {@code size} funcref elements, an empty {@code _start}. */
    private static byte[] tables(int count, int size) {
        java.io.ByteArrayOutputStream tables = new java.io.ByteArrayOutputStream();
        leb(tables, count);
        for (int i = 0; i < count; i++) {
            tables.write(0x70);
            tables.write(0x00);
            leb(tables, size);
        }
        return tables.toByteArray();
    }

    private static byte[] withStart(byte[] tableSection) {
        java.io.ByteArrayOutputStream module = new java.io.ByteArrayOutputStream();
        module.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        section(module, 1, new byte[] {1, 0x60, 0, 0});
        section(module, 3, new byte[] {1, 0});
        section(module, 4, tableSection);
        section(module, 7, new byte[] {1, 6, '_', 's', 't', 'a', 'r', 't', 0, 0});
        section(module, 10, new byte[] {1, 2, 0, 0x0b});
        return module.toByteArray();
    }

    private static void section(java.io.ByteArrayOutputStream module, int id, byte[] content) {
        module.write(id);
        leb(module, content.length);
        module.writeBytes(content);
    }

    private static void leb(java.io.ByteArrayOutputStream out, long value) {
        do {
            int b = (int) (value & 0x7f);
            value >>>= 7;
            out.write(value != 0 ? b | 0x80 : b);
        } while (value != 0);
    }

    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    static byte[] fixture(String name) {
        try (java.io.InputStream in = WasmBinaryValidatorTest.class.getResourceAsStream("/modules/" + name)) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
