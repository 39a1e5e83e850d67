package ai.mule.gateway.providers;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.TestApi;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class ProviderApiIT extends IntegrationTestBase {

    @Test
    void createsAProviderAndNeverReturnsItsKey() {
        String name = TestApi.unique("openai");
        Http.Response created = http.post("/api/v1/providers",
                map("name", name, "api_base_url", "https://api.example.com/v1", "api_key", "sk-secret-1234567890"));

        assertThat(created.status()).isEqualTo(201);
        JsonNode data = created.json().get("data");
        assertThat(data.get("name").asText()).isEqualTo(name);
        assertThat(data.get("api_base_url").asText()).isEqualTo("https://api.example.com/v1");
        assertThat(data.get("api_key").asText()).isEqualTo("********");
        assertThat(created.body()).doesNotContain("sk-secret");

        Http.Response read = http.get("/api/v1/providers/" + data.get("id").asText());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body()).doesNotContain("sk-secret");
        assertThat(read.json().at("/data/created_at").asText()).isEqualTo(data.get("created_at").asText());
        // stored sealed (AES-GCM) for the agent runner to open with the master key
        String stored = jdbc.sql("SELECT api_key FROM providers WHERE name = ?").param(name).query(String.class).single();
        assertThat(stored).startsWith("enc:v1:").doesNotContain("sk-secret");
        assertThat(ai.mule.schemas.SecretBox.fromBase64(MASTER_KEY).open(stored, data.get("id").asText()))
                .isEqualTo("sk-secret-1234567890");

        Http.Response list = http.get("/api/v1/providers?page_size=100");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("data").findValuesAsText("name")).contains(name);
        assertThat(list.json().get("page").asInt()).isEqualTo(1);
        assertThat(list.json().get("page_size").asInt()).isEqualTo(100);
        assertThat(list.json().get("total_count").asLong()).isPositive();
        assertThat(list.json().has("total_pages")).isTrue();
        assertThat(list.body()).doesNotContain("sk-secret");
    }

    @Test
    void refusesADuplicateName() {
        JsonNode first = api.provider("k");

        Http.Response again = http.post("/api/v1/providers",
                map("name", first.get("name").asText(), "api_base_url", "http://127.0.0.1:1/v1"));

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.contentType()).startsWith("application/problem+json");
        assertThat(again.json().get("detail").asText()).contains("already exists");
    }

    @Test
    void explainsInvalidFields() {
        Http.Response traversal = http.post("/api/v1/providers", map("name", "../x", "api_base_url", "http://h/v1"));
        assertThat(traversal.status()).isEqualTo(400);
        assertThat(traversal.json().get("detail").asText()).contains("name").contains("letters, digits");
        assertThat(traversal.json().at("/errors/0/field").asText()).isEqualTo("name");

        Http.Response badUrl = http.post("/api/v1/providers", map("name", TestApi.unique("p"), "api_base_url", "ftp:x"));
        assertThat(badUrl.status()).isEqualTo(400);
        assertThat(badUrl.json().get("detail").asText()).contains("api_base_url").contains("http");

        Http.Response missing = http.post("/api/v1/providers", map("name", TestApi.unique("p")));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("detail").asText()).contains("api_base_url is required");
    }

    @Test
    void answersUnknownAndMalformedIdsWith404() {
        assertThat(http.get("/api/v1/providers/0f8fad5b-d9cb-469f-a165-70867728950e").status()).isEqualTo(404);
        Http.Response malformed = http.get("/api/v1/providers/not-a-uuid");
        assertThat(malformed.status()).isEqualTo(404);
        assertThat(malformed.json().get("detail").asText()).contains("no provider with id 'not-a-uuid'");
    }
}
