package ai.mule.gateway.modules;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.TestApi;
import ai.mule.testkit.WasmFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WasmModuleApiIT extends IntegrationTestBase {

    private static final String PATH = "/api/v1/wasm-modules";

    @Test
    void storesARealModuleWithItsHash() {
        byte[] upper = WasmFixtures.wasm("upper.wasm");
        String name = TestApi.unique("upper");

        Http.Response created = http.postMultipart(PATH, Map.of("name", name, "description", "upper-cases",
                "config", "{\"suffix\": \"!\"}"), "module_data", upper);

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode module = created.json().get("data");
        String id = module.get("id").asText();
        assertThat(module.get("sha256").asText()).isEqualTo(WasmFixtures.sha256(upper));
        assertThat(module.get("size_bytes").asLong()).isEqualTo(upper.length);
        assertThat(module.at("/config/suffix").asText()).isEqualTo("!");
        assertThat(module.has("module_data")).isFalse();
        byte[] stored = jdbc.sql("SELECT module_data FROM wasm_modules WHERE id = CAST(? AS UUID)").param(id)
                .query((rs, n) -> rs.getBytes(1)).single();
        assertThat(stored).isEqualTo(upper);

        Http.Response list = http.get(PATH + "?page_size=100");
        assertThat(list.json().get("data").findValuesAsText("name")).contains(name);
        assertThat(list.body()).doesNotContain("module_data");

        assertThat(http.get(PATH + "/" + id).json().get("data").has("module_data")).isFalse();
        Http.Response withData = http.get(PATH + "/" + id + "?include_data=true");
        assertThat(Base64.getDecoder().decode(withData.json().at("/data/module_data").asText())).isEqualTo(upper);
    }

    @Test
    void refusesBytesThatAreNotWebAssemblyAndStoresNothing() {
        String name = TestApi.unique("fake");

        Http.Response text = http.postMultipart(PATH, Map.of("name", name), "module_data",
                "echo hello".getBytes(StandardCharsets.UTF_8));
        byte[] truncated = java.util.Arrays.copyOf(WasmFixtures.wasm("greet.wasm"), 40);
        Http.Response cut = http.postMultipart(PATH, Map.of("name", name), "module_data", truncated);

        assertThat(text.status()).isEqualTo(422);
        assertThat(text.json().get("detail").asText()).contains("not a WebAssembly binary");
        assertThat(cut.status()).isEqualTo(422);
        assertThat(cut.json().get("detail").asText()).contains("not a valid WebAssembly module");
        assertThat(jdbc.sql("SELECT count(*) FROM wasm_modules WHERE name = ?").param(name).query(Long.class).single())
                .isZero();
    }

    @Test
    void refusesAModuleImportingWhatTheRunnerDoesNotOfferAndStoresNothing() {
        String name = TestApi.unique("shell");

        Http.Response response = http.postMultipart(PATH, Map.of("name", name), "module_data",
                WasmBinaryValidatorTest.fixture("imports-shell.wasm"));

        assertThat(response.status()).isEqualTo(422);
        assertThat(response.json().get("detail").asText()).contains("'env.execute_bash_command'")
                .contains("Mule does not offer");
        assertThat(jdbc.sql("SELECT count(*) FROM wasm_modules WHERE name = ?").param(name).query(Long.class).single())
                .isZero();
    }

    @Test
    void acceptsAModuleUsingMulesHostFunctions() {
        Http.Response response = http.postMultipart(PATH, Map.of("name", TestApi.unique("router")), "module_data",
                WasmFixtures.wasm("router.wasm"));

        assertThat(response.status()).as(response.toString()).isEqualTo(201);
    }

    @Test
    void explainsMissingPartsAndBadConfig() {
        byte[] upper = WasmFixtures.wasm("upper.wasm");

        Http.Response noFile = http.postMultipart(PATH, Map.of("name", TestApi.unique("m")), null, null);
        Http.Response noName = http.postMultipart(PATH, Map.of(), "module_data", upper);
        Http.Response badName = http.postMultipart(PATH, Map.of("name", "../../etc"), "module_data", upper);
        Http.Response arrayConfig = http.postMultipart(PATH, Map.of("name", TestApi.unique("m"), "config", "[1]"),
                "module_data", upper);
        Http.Response brokenConfig = http.postMultipart(PATH, Map.of("name", TestApi.unique("m"), "config", "{"),
                "module_data", upper);

        assertThat(noFile.status()).isEqualTo(400);
        assertThat(noFile.json().get("detail").asText()).contains("module_data is required");
        assertThat(noName.status()).isEqualTo(400);
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.json().get("detail").asText()).contains("not allowed");
        assertThat(arrayConfig.status()).isEqualTo(400);
        assertThat(arrayConfig.json().get("detail").asText()).contains("config must be a JSON object");
        assertThat(brokenConfig.status()).isEqualTo(400);
        assertThat(brokenConfig.json().get("detail").asText()).contains("config is not valid JSON");
    }

    @Test
    void refusesADuplicateName() {
        JsonNode module = api.module("greet.wasm", "");
        Http.Response again = http.postMultipart(PATH, Map.of("name", module.get("name").asText()), "module_data",
                WasmFixtures.wasm("greet.wasm"));
        assertThat(again.status()).isEqualTo(409);
    }

    @Test
    void aSixteenMegabyteModuleWithForeignImportsIsAnswered422QuicklyAndStoresNothing() {
        byte[] ruby = RealisticModule.of(16 * 1024 * 1024, RealisticModule.Kind.LIBRARY);
        String name = TestApi.unique("ruby");

        Measured<Http.Response> upload = measure(() -> http.postMultipart(PATH, Map.of("name", name), "module_data", ruby));

        assertThat(upload.value().status()).as(upload.value().toString()).isEqualTo(422);
        assertThat(upload.value().json().get("detail").asText()).contains("from module 'rb-js-abi-host'")
                .contains("'wasi_snapshot_preview1.sock_open'").contains("exports no _start function");
        assertThat(upload.millis()).isLessThan(10_000);
        assertThat(jdbc.sql("SELECT count(*) FROM wasm_modules WHERE name = ?").param(name).query(Long.class).single())
                .isZero();
        report("refused", ruby.length, upload);
    }

    @Test
    void aSixteenMegabyteCommandIsStoredWholeQuickly() {
        byte[] command = RealisticModule.of(16 * 1024 * 1024, RealisticModule.Kind.COMMAND);
        String name = TestApi.unique("big");

        Measured<Http.Response> upload = measure(() -> http.postMultipart(PATH, Map.of("name", name), "module_data",
                command));

        assertThat(upload.value().status()).as(upload.value().toString()).isEqualTo(201);
        assertThat(upload.millis()).isLessThan(10_000);
        JsonNode module = upload.value().json().get("data");
        assertThat(module.get("sha256").asText()).isEqualTo(WasmFixtures.sha256(command));
        assertThat(module.get("size_bytes").asLong()).isEqualTo(command.length);
        byte[] stored = jdbc.sql("SELECT module_data FROM wasm_modules WHERE name = ?").param(name)
                .query((rs, n) -> rs.getBytes(1)).single();
        assertThat(stored).isEqualTo(command);
        report("stored", command.length, upload);
    }

    private record Measured<T>(T value, long millis, long peakHeapBytes) {
    }

    /** The call's wall time, and the highest heap use of this JVM (client, gateway and broker alike) during it. */
    private static <T> Measured<T> measure(java.util.function.Supplier<T> call) {
        System.gc();
        java.util.List<java.lang.management.MemoryPoolMXBean> heap = java.lang.management.ManagementFactory
                .getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == java.lang.management.MemoryType.HEAP).toList();
        heap.forEach(java.lang.management.MemoryPoolMXBean::resetPeakUsage);
        long started = System.nanoTime();
        T value = call.get();
        long millis = (System.nanoTime() - started) / 1_000_000;
        long peak = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
        return new Measured<>(value, millis, peak);
    }

    private static void report(String what, int bytes, Measured<?> upload) {
        System.out.printf("upload of a %d-byte module (%s): %d ms; heap peak during it %d MiB of max %d MiB%n", bytes,
                what, upload.millis(), upload.peakHeapBytes() / 1024 / 1024, Runtime.getRuntime().maxMemory() / 1024 / 1024);
    }
}
