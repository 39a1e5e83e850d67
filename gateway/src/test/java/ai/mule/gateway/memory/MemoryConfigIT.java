package ai.mule.gateway.memory;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import org.junit.jupiter.api.Test;

/** Mule v2's memory settings: stored, validated, never echoing a database URL. */
class MemoryConfigIT extends IntegrationTestBase {

    @Test
    void theSettingsAreStoredAsMuleV2sUiSendsThemAndADatabaseUrlIsNotKept() {
        String provider = api.provider("k").get("id").asText();

        Http.Response put = http.put("/api/v1/memory-config", map("id", "default",
                "database_url", "postgres://mule:secret@db:5432/mem", "embedding_provider", provider,
                "embedding_model", "nomic-embed-text", "embedding_dims", 768, "default_ttl_seconds", 3600,
                "default_top_k", 8));
        Http.Response partial = http.put("/api/v1/memory-config", map("default_top_k", 3));
        Http.Response got = http.get("/api/v1/memory-config");

        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        assertThat(partial.status()).isEqualTo(200);
        assertThat(got.json().at("/data/embedding_provider").asText()).isEqualTo(provider);
        assertThat(got.json().at("/data/embedding_model").asText()).isEqualTo("nomic-embed-text");
        assertThat(got.json().at("/data/embedding_dims").asInt()).isEqualTo(768);
        assertThat(got.json().at("/data/default_ttl_seconds").asInt()).isEqualTo(3600);
        assertThat(got.json().at("/data/default_top_k").asInt()).as("a field left out keeps its value").isEqualTo(3);
        assertThat(got.json().at("/data/database_url").asText()).isEmpty();
        assertThat(got.body()).doesNotContain("secret");
    }

    @Test
    void badSettingsAreRefusedNamingTheField() {
        Http.Response dims = http.put("/api/v1/memory-config", map("embedding_dims", 0));
        Http.Response bigDims = http.put("/api/v1/memory-config", map("embedding_dims", 100_000));
        Http.Response topK = http.put("/api/v1/memory-config", map("default_top_k", 1000));
        Http.Response ttl = http.put("/api/v1/memory-config", map("default_ttl_seconds", -1));
        Http.Response model = http.put("/api/v1/memory-config", map("embedding_model", "a b\"c"));
        Http.Response unknownProvider = http.put("/api/v1/memory-config",
                map("embedding_provider", "0f8fad5b-d9cb-469f-a165-70867728950e"));
        Http.Response wrongType = http.put("/api/v1/memory-config", map("embedding_dims", "many"));

        assertThat(dims.status()).isEqualTo(400);
        assertThat(dims.json().toString()).contains("embedding_dims");
        assertThat(bigDims.status()).isEqualTo(400);
        assertThat(topK.json().toString()).contains("default_top_k");
        assertThat(ttl.json().toString()).contains("default_ttl_seconds");
        assertThat(model.status()).isEqualTo(400);
        assertThat(model.json().toString()).contains("embedding_model");
        assertThat(unknownProvider.status()).isEqualTo(422);
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().toString()).contains("embedding_dims");
    }
}
