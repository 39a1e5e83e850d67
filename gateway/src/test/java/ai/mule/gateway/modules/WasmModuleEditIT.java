package ai.mule.gateway.modules;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.TestApi;
import ai.mule.testkit.WasmFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WasmModuleEditIT extends IntegrationTestBase {

    @Test
    void updatesFieldsAndBinaryKeepingWhatIsLeftOut() {
        JsonNode module = api.module("upper.wasm", "{\"a\": 1}");
        String id = module.get("id").asText();
        String name = TestApi.unique("renamed");

        var renamed = http.putMultipart("/api/v1/wasm-modules/" + id, Map.of("name", name, "config", "{\"b\": 2}"), null, null);
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        assertThat(renamed.json().at("/data/name").asText()).isEqualTo(name);
        assertThat(renamed.json().at("/data/config/b").asInt()).isEqualTo(2);
        assertThat(renamed.json().at("/data/sha256").asText()).isEqualTo(module.get("sha256").asText());

        var rebuilt = http.putMultipart("/api/v1/wasm-modules/" + id, Map.of(), "module_data", WasmFixtures.wasm("reverse.wasm"));
        assertThat(rebuilt.status()).as(rebuilt.toString()).isEqualTo(200);
        assertThat(rebuilt.json().at("/data/sha256").asText()).isNotEqualTo(module.get("sha256").asText());
        assertThat(rebuilt.json().at("/data/name").asText()).isEqualTo(name);
    }

    @Test
    void refusesBadUpdatesAndWritesNothing() {
        JsonNode module = api.module("upper.wasm", "");
        String id = module.get("id").asText();
        String taken = api.module("upper.wasm", "").get("name").asText();

        assertThat(http.putMultipart("/api/v1/wasm-modules/" + id, Map.of("name", "../evil"), null, null).status()).isEqualTo(400);
        assertThat(http.putMultipart("/api/v1/wasm-modules/" + id, Map.of("config", "[1]"), null, null).status()).isEqualTo(400);
        assertThat(http.putMultipart("/api/v1/wasm-modules/" + id, Map.of(), "module_data", "not wasm".getBytes()).status())
                .isEqualTo(422);
        assertThat(http.putMultipart("/api/v1/wasm-modules/" + id, Map.of("name", taken), null, null).status()).isEqualTo(409);
        assertThat(http.putMultipart("/api/v1/wasm-modules/" + UUID.randomUUID(), Map.of("name", TestApi.unique("x")), null, null)
                .status()).isEqualTo(404);
        assertThat(http.get("/api/v1/wasm-modules/" + id).json().at("/data/name").asText()).isEqualTo(module.get("name").asText());
    }

    @Test
    void deletesAModuleNoStepUses() {
        String used = api.module("upper.wasm", "").get("id").asText();
        String free = api.module("upper.wasm", "").get("id").asText();
        api.wasmStep(api.workflow().get("id").asText(), used, null);

        assertThat(http.delete("/api/v1/wasm-modules/" + used).status()).isEqualTo(409);
        assertThat(http.delete("/api/v1/wasm-modules/" + free).status()).isEqualTo(204);
        assertThat(http.get("/api/v1/wasm-modules/" + free).status()).isEqualTo(404);
        assertThat(http.delete("/api/v1/wasm-modules/" + free).status()).isEqualTo(404);
    }
}
