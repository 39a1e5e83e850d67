package ai.mule.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.UnauthorizedException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * A gateway with keys configured (its own database, so the keys created here do not lock the other tests out):
 * every endpoint but /health asks for a key, the admin key manages keys, revoked keys stop working.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = {"mule.health.required-groups=", "mule.security.api-keys=static-key-1, static-key-2",
        "mule.security.admin-key=admin-secret", "mule.security.failed-auth.max-per-address=1000000"})
class ApiKeysIT {

    private static final TestPostgres.Database DB = TestPostgres.newDatabase();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", DB::jdbcUrl);
        registry.add("spring.datasource.username", DB::username);
        registry.add("spring.datasource.password", DB::password);
        registry.add("mule.kafka.bootstrap-servers", TestKafka::bootstrapServers);
    }

    @Test
    void asksForAKeyEverywhereButHealth() throws Exception {
        assertThat(send("GET", "/health", null, null).statusCode()).isEqualTo(200);
        // the dashboard's page loads without a key (it holds no data); its API calls need one
        assertThat(send("GET", "/", null, null).statusCode()).isNotIn(401, 403);
        assertThat(send("GET", "/assets/%2e%2e/api/v1/workflows", null, null).statusCode()).isIn(400, 401);
        assertThat(send("GET", "/assets/..;/api/v1/workflows", null, null).statusCode()).isIn(400, 401);
        assertThat(send("GET", "/api/v1/%77orkflows", null, null).statusCode()).isEqualTo(401);
        // an encoded or parameterised admin path is still the admin path
        assertThat(send("GET", "/api/v1/%61pi-keys", "static-key-1", null).statusCode()).isIn(400, 403);
        assertThat(send("GET", "/api/v1/api-keys;x=1", "static-key-1", null).statusCode()).isIn(400, 403);

        HttpResponse<String> missing = send("GET", "/api/v1/workflows", null, null);
        HttpResponse<String> wrong = send("GET", "/api/v1/workflows", "nope", null);
        HttpResponse<String> openAiMissing = send("GET", "/v1/models", null, null);
        HttpResponse<String> docs = send("GET", "/v3/api-docs", null, null);
        HttpResponse<String> write = send("POST", "/api/v1/workflows", null, "{\"name\": \"never-written\"}");

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(json(missing).get("detail").asText()).contains("Authorization: Bearer");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(json(wrong).get("detail").asText()).contains("not valid");
        assertThat(openAiMissing.statusCode()).isEqualTo(401);
        assertThat(json(openAiMissing).at("/error/code").asText()).isEqualTo("missing_api_key");
        assertThat(docs.statusCode()).isEqualTo(401);
        assertThat(write.statusCode()).isEqualTo(401);
        assertThat(jdbc.sql("SELECT count(*) FROM workflows WHERE name = 'never-written'").query(Long.class).single()).isZero();
        assertThat(send("GET", "/api/v1/workflows", "static-key-2", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v3/api-docs", "static-key-1", null).statusCode()).isEqualTo(200);
    }

    /** Every endpoint of the API, each refused without a key and with a wrong one. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.CsvSource({
            "GET, /api/v1/providers", "POST, /api/v1/providers", "GET, /api/v1/providers/X", "PUT, /api/v1/providers/X",
            "DELETE, /api/v1/providers/X", "GET, /api/v1/providers/X/models",
            "GET, /api/v1/agents", "POST, /api/v1/agents", "GET, /api/v1/agents/X", "PUT, /api/v1/agents/X",
            "DELETE, /api/v1/agents/X", "GET, /api/v1/agents/X/tools", "POST, /api/v1/agents/X/tools",
            "GET, /api/v1/workflows", "POST, /api/v1/workflows", "GET, /api/v1/workflows/X", "PUT, /api/v1/workflows/X",
            "DELETE, /api/v1/workflows/X", "GET, /api/v1/workflows/X/steps", "POST, /api/v1/workflows/X/steps",
            "PUT, /api/v1/workflows/X/steps/X", "DELETE, /api/v1/workflows/X/steps/X", "POST, /api/v1/workflows/X/steps/reorder",
            "GET, /api/v1/wasm-modules", "POST, /api/v1/wasm-modules", "GET, /api/v1/wasm-modules/X",
            "PUT, /api/v1/wasm-modules/X", "DELETE, /api/v1/wasm-modules/X",
            "GET, /api/v1/jobs", "POST, /api/v1/jobs", "GET, /api/v1/jobs/X", "DELETE, /api/v1/jobs/X",
            "GET, /api/v1/jobs/X/steps", "GET, /api/v1/jobs/X/events",
            "GET, /api/v1/settings", "GET, /api/v1/settings/max_tool_calls", "PUT, /api/v1/settings/max_tool_calls",
            "GET, /v1/models", "POST, /v1/chat/completions", "GET, /v3/api-docs",
            "GET, /api/v1/api-keys", "POST, /api/v1/api-keys", "DELETE, /api/v1/api-keys/X"})
    void everyEndpointRefusesAMissingOrWrongKey(String method, String path) throws Exception {
        String real = path.replace("X", java.util.UUID.randomUUID().toString());
        HttpResponse<String> missing = send(method, real, null, "{}");
        HttpResponse<String> wrong = send(method, real, "mule_wrong", "{}");
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(401);
        assertThat(wrong.statusCode()).as(wrong.body()).isIn(401, 403);
    }

    @Test
    void theAdminKeyCreatesKeysThatWorkUntilRevoked() throws Exception {
        assertThat(send("POST", "/api/v1/api-keys", null, "{\"name\": \"ci\"}").statusCode()).isEqualTo(401);
        HttpResponse<String> notAdmin = send("POST", "/api/v1/api-keys", "static-key-1", "{\"name\": \"ci\"}");
        assertThat(notAdmin.statusCode()).isEqualTo(403);
        assertThat(json(notAdmin).get("detail").asText()).contains("MULE_ADMIN_KEY");
        assertThat(send("POST", "/api/v1/api-keys", "admin-secret", "{\"name\": \"\"}").statusCode()).isEqualTo(400);

        HttpResponse<String> created = send("POST", "/api/v1/api-keys", "admin-secret", "{\"name\": \"ci\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        String key = json(created).at("/data/key").asText();
        String id = json(created).at("/data/id").asText();
        assertThat(key).startsWith("mule_").hasSizeGreaterThan(40);

        // stored only as a hash; listed without the key
        assertThat(jdbc.sql("SELECT count(*) FROM api_keys WHERE key_hash = ? AND prefix = ?")
                .params(ApiKeys.hash(key), key.substring(0, 12)).query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM api_keys WHERE key_hash = ? OR prefix = ?").params(key, key)
                .query(Long.class).single()).isZero();
        HttpResponse<String> list = send("GET", "/api/v1/api-keys", "admin-secret", null);
        assertThat(list.body()).contains(id).doesNotContain(key);

        assertThat(send("GET", "/api/v1/providers", key, null).statusCode()).isEqualTo(200);
        OpenAIClient sdk = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1").apiKey(key).build();
        assertThat(sdk.models().list().data()).isNotNull();

        assertThat(send("DELETE", "/api/v1/api-keys/" + id, "admin-secret", null).statusCode()).isEqualTo(204);
        assertThat(send("GET", "/api/v1/providers", key, null).statusCode()).isEqualTo(401);
        assertThatThrownBy(() -> sdk.models().list()).isInstanceOf(UnauthorizedException.class);
        assertThat(send("DELETE", "/api/v1/api-keys/" + id, "admin-secret", null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/api/v1/api-keys/not-a-uuid", "admin-secret", null).statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
    }

}
