package ai.mule.gateway.providers;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.TestApi;
import ai.mule.schemas.SecretBox;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProviderCrudIT extends IntegrationTestBase {

    @Test
    void storesTheKeySealedAndNeverReturnsIt() {
        JsonNode provider = api.provider("sk-very-secret");
        String id = provider.get("id").asText();

        String stored = storedKey(id);
        assertThat(stored).startsWith("enc:v1:").doesNotContain("sk-very-secret");
        assertThat(SecretBox.fromBase64(MASTER_KEY).open(stored, id)).isEqualTo("sk-very-secret");
        assertThat(http.get("/api/v1/providers/" + id).body()).doesNotContain("sk-very-secret").contains("********");
        assertThat(http.get("/api/v1/providers?page_size=100").body()).doesNotContain("sk-very-secret");
    }

    @Test
    void theKeyNeverTravelsInTheJobRequest() {
        String provider = api.provider("sk-not-on-kafka").get("id").asText();
        String agent = api.agent(provider, "").get("id").asText();
        String workflow = api.workflow().get("id").asText();
        api.agentStep(workflow, agent);
        String jobId = http.post("/api/v1/jobs", map("workflow_id", workflow)).json().at("/data/id").asText();

        byte[] onKafka = Topics.JOB_REQUESTS.valueSerde().serializer().serialize(Topics.JOB_REQUESTS.name(),
                TestKafka.read(Topics.JOB_REQUESTS, jobId, 1, java.time.Duration.ofSeconds(15)).get(0));
        String text = new String(onKafka, StandardCharsets.UTF_8);
        assertThat(text).contains(provider).doesNotContain("sk-not-on-kafka").doesNotContain("enc:v1:");
    }

    @Test
    void updatesKeepingOrReplacingOrRemovingTheKey() {
        JsonNode provider = api.provider("sk-one");
        String id = provider.get("id").asText();
        String name = TestApi.unique("renamed");

        // the same origin (scheme, host, port) keeps the key; another origin needs it again (ProviderKeyTheftIT)
        var kept = http.put("/api/v1/providers/" + id, map("name", name, "api_base_url", "http://127.0.0.1:11434/v2",
                "api_key", "********"));
        assertThat(kept.status()).as(kept.toString()).isEqualTo(200);
        assertThat(kept.json().at("/data/name").asText()).isEqualTo(name);
        assertThat(SecretBox.fromBase64(MASTER_KEY).open(storedKey(id), id)).isEqualTo("sk-one");

        http.put("/api/v1/providers/" + id, map("name", name, "api_base_url", "http://127.0.0.1:1/v1", "api_key", "sk-two"));
        assertThat(SecretBox.fromBase64(MASTER_KEY).open(storedKey(id), id)).isEqualTo("sk-two");

        var removed = http.put("/api/v1/providers/" + id, map("name", name, "api_base_url", "http://127.0.0.1:1/v1",
                "api_key", ""));
        assertThat(removed.json().at("/data/api_key").asText()).isEmpty();
        assertThat(storedKey(id)).isNull();
    }

    @Test
    void updateAndDeleteAnswerNotFoundConflictAndValidation() {
        String taken = api.provider("").get("name").asText();
        String id = api.provider("").get("id").asText();

        assertThat(http.put("/api/v1/providers/" + UUID.randomUUID(), map("name", TestApi.unique("p"),
                "api_base_url", "http://x/v1")).status()).isEqualTo(404);
        assertThat(http.put("/api/v1/providers/" + id, map("name", taken, "api_base_url", "http://x/v1")).status())
                .isEqualTo(409);
        assertThat(http.put("/api/v1/providers/" + id, map("name", "ok-name", "api_base_url", "ftp://x")).status())
                .isEqualTo(400);
        assertThat(http.delete("/api/v1/providers/" + UUID.randomUUID()).status()).isEqualTo(404);

        api.agent(id, "");
        var inUse = http.delete("/api/v1/providers/" + id);
        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.json().get("detail").asText()).contains("used by agents");

        String unused = api.provider("").get("id").asText();
        assertThat(http.delete("/api/v1/providers/" + unused).status()).isEqualTo(204);
        assertThat(http.get("/api/v1/providers/" + unused).status()).isEqualTo(404);
    }

    @Test
    void listsTheProvidersOwnModelsSendingItsKey() throws Exception {
        // a provider that lists its models only for the right key, as OpenAI does
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/models", exchange -> {
            boolean authorized = "Bearer sk-models".equals(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (authorized ? "{\"object\": \"list\", \"data\": [{\"id\": \"gpt-a\", \"object\": \"model\", "
                    + "\"owned_by\": \"me\"}, {\"id\": \"gpt-b\", \"object\": \"model\"}]}"
                    : "{\"error\": {\"message\": \"Incorrect API key\"}}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(authorized ? 200 : 401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String baseUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
            String id = http.post("/api/v1/providers", map("name", TestApi.unique("fake"), "api_base_url", baseUrl,
                    "api_key", "sk-models")).json().at("/data/id").asText();
            String wrongKey = http.post("/api/v1/providers", map("name", TestApi.unique("fake"), "api_base_url",
                    baseUrl, "api_key", "sk-wrong")).json().at("/data/id").asText();
            String unreachable = http.post("/api/v1/providers", map("name", TestApi.unique("gone"), "api_base_url",
                    "http://127.0.0.1:1/v1")).json().at("/data/id").asText();

            var models = http.get("/api/v1/providers/" + id + "/models");
            var refused = http.get("/api/v1/providers/" + wrongKey + "/models");
            var down = http.get("/api/v1/providers/" + unreachable + "/models");

            assertThat(models.status()).as(models.toString()).isEqualTo(200);
            assertThat(models.json().get("data").findValuesAsText("id")).containsExactly("gpt-a", "gpt-b");
            assertThat(models.json().at("/data/0/owned_by").asText()).isEqualTo("me");
            assertThat(refused.status()).isEqualTo(502);
            assertThat(refused.json().get("detail").asText()).contains("HTTP 401").doesNotContain("sk-wrong");
            assertThat(down.status()).isEqualTo(502);
            assertThat(down.json().get("detail").asText()).contains("could not be reached");
            assertThat(http.get("/api/v1/providers/" + UUID.randomUUID() + "/models").status()).isEqualTo(404);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void sealsKeysStoredInPlainTextBeforeEncryption() throws Exception {
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO providers (id, name, api_base_url, api_key) VALUES (?, ?, 'http://x/v1', 'sk-legacy')")
                .params(id, TestApi.unique("legacy")).update();

        sealer.run(null);

        assertThat(storedKey(id.toString())).startsWith("enc:v1:");
        assertThat(SecretBox.fromBase64(MASTER_KEY).open(storedKey(id.toString()), id.toString())).isEqualTo("sk-legacy");
    }

    @org.springframework.beans.factory.annotation.Autowired
    @org.springframework.beans.factory.annotation.Qualifier("plaintextKeySealer")
    org.springframework.boot.ApplicationRunner sealer;

    private String storedKey(String id) {
        return jdbc.sql("SELECT api_key FROM providers WHERE id = ?").param(UUID.fromString(id)).query(String.class)
                .optional().orElse(null);
    }
}
