package ai.mule.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.testkit.WasmFixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

@TestPropertySource(properties = {"mule.limits.max-module-size=8KB", "mule.limits.max-module-request-size=9KB"})
class UploadLimitIT extends IntegrationTestBase {

    @Test
    void refusesModulesOverTheUploadLimit() {
        byte[] tooBig = new byte[16 * 1024];
        System.arraycopy(WasmFixtures.wasm("greet.wasm"), 0, tooBig, 0, 8);

        Http.Response response = http.postMultipart("/api/v1/wasm-modules", Map.of("name", "big"), "module_data", tooBig);

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("detail").asText()).contains("larger than");
        assertThat(response.json().get("limit").asText()).isEqualTo("mule.limits.max-module-size");
        assertThat(jdbc.sql("SELECT count(*) FROM wasm_modules WHERE name = 'big'").query(Long.class).single()).isZero();
    }
}
