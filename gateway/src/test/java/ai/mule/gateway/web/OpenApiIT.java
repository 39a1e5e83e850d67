package ai.mule.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.IntegrationTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class OpenApiIT extends IntegrationTestBase {

    @Test
    void describesEveryEndpoint() {
        var docs = http.get("/v3/api-docs");

        assertThat(docs.status()).isEqualTo(200);
        JsonNode paths = docs.json().get("paths");
        assertThat(paths.has("/api/v1/providers/{id}/models")).isTrue();
        assertThat(paths.path("/api/v1/providers/{id}").has("put")).isTrue();
        assertThat(paths.path("/api/v1/agents/{id}").has("delete")).isTrue();
        assertThat(paths.has("/api/v1/agents/{id}/tools")).isTrue();
        assertThat(paths.has("/api/v1/workflows/{id}/steps/reorder")).isTrue();
        assertThat(paths.path("/api/v1/workflows/{id}/steps/{stepId}").has("put")).isTrue();
        assertThat(paths.path("/api/v1/wasm-modules/{id}").has("delete")).isTrue();
        assertThat(paths.has("/api/v1/jobs/{id}/events")).isTrue();
        assertThat(paths.path("/api/v1/jobs").path("post").path("parameters").toString()).contains("Idempotency-Key");
        assertThat(paths.has("/api/v1/settings/{key}")).isTrue();
        assertThat(paths.has("/api/v1/api-keys")).isTrue();
        assertThat(paths.has("/v1/chat/completions")).isTrue();
        assertThat(paths.has("/v1/models")).isTrue();
        assertThat(docs.json().at("/components/securitySchemes/bearer/scheme").asText()).isEqualTo("bearer");
    }
}
