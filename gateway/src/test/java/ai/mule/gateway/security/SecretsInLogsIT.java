package ai.mule.gateway.security;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.TestApi;
import ai.mule.testkit.FakeOpenAiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

/**
 * No secret reaches a log line, at any level: with DEBUG on for Mule, Spring's web layer, Tomcat and langchain4j,
 * traffic that uses every kind of secret (the master key sealing a provider key, the provider key sent to the
 * provider, the admin key, an environment API key, a created API key, a wrong bearer token) leaves none of them in
 * the gateway's output, from its start to the end of the test.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = {"mule.security.api-keys=" + SecretsInLogsIT.STATIC_KEY,
        "mule.security.admin-key=" + SecretsInLogsIT.ADMIN_KEY,
        "logging.level.ai.mule=DEBUG", "logging.level.org.springframework.web=DEBUG",
        "logging.level.org.apache.coyote=DEBUG", "logging.level.org.apache.tomcat=DEBUG",
        "logging.level.org.apache.catalina=DEBUG", "logging.level.dev.langchain4j=DEBUG",
        "logging.level.org.springframework.boot.context.properties=DEBUG"})
class SecretsInLogsIT extends IntegrationTestBase {

    static final String STATIC_KEY = "static-secret-" + "9f3c1a7e55d04b6b";
    static final String ADMIN_KEY = "admin-secret-" + "41d2b7c98e0a4f13";
    private static final String PROVIDER_KEY = "sk-provider-secret-" + UUID.randomUUID();
    private static final String WRONG_TOKEN = "mule_wrong-secret-" + UUID.randomUUID();
    private static final FakeOpenAiServer provider = FakeOpenAiServer.start().requireApiKey(PROVIDER_KEY)
            .models("gpt-logged");

    private final HttpClient client = HttpClient.newHttpClient();

    /** The keys this test stored would make every later test class on the shared database need a key. */
    @AfterEach
    void forgetStoredKeys() {
        jdbc.sql("DELETE FROM api_keys").update();
    }

    @AfterAll
    static void stopProvider() {
        provider.close();
    }

    @Test
    void noSecretIsInAnyLogLine(CapturedOutput output) throws Exception {
        String created = body(send("POST", "/api/v1/api-keys", ADMIN_KEY, "{\"name\":\"logged\"}"), 201)
                .replaceAll("(?s).*\"key\":\"([^\"]+)\".*", "$1");
        assertThat(created).startsWith("mule_");

        String providerId = body(send("POST", "/api/v1/providers", created, json(map("name", TestApi.unique("p"),
                "api_base_url", provider.baseUrl(), "api_key", PROVIDER_KEY))), 201)
                .replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
        body(send("GET", "/api/v1/providers/" + providerId + "/models", STATIC_KEY, null), 200);
        String agent = TestApi.unique("logged");
        body(send("POST", "/api/v1/agents", STATIC_KEY, json(map("name", agent, "provider_id", providerId,
                "model_id", "gpt-logged", "system_prompt", "log nothing"))), 201);
        String chat = "{\"model\":\"agent/" + agent + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        body(send("POST", "/v1/chat/completions", created, chat + "}"), 200);
        body(send("POST", "/v1/chat/completions", created, chat + ",\"stream\":true}"), 200);
        assertThat(send("GET", "/api/v1/workflows", WRONG_TOKEN, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/api/v1/api-keys", STATIC_KEY, null).statusCode()).isEqualTo(403);
        assertThat(provider.requests()).anySatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer " + PROVIDER_KEY));

        String logged = output.getAll();
        assertThat(logged).as("DEBUG logging was on").contains("DEBUG");
        Map<String, String> secrets = Map.of("master key", MASTER_KEY, "provider key", PROVIDER_KEY,
                "admin key", ADMIN_KEY, "environment API key", STATIC_KEY, "created API key", created,
                "wrong bearer token", WRONG_TOKEN);
        secrets.forEach((what, secret) -> assertThat(logged).as("the %s is in the log", what).doesNotContain(secret));
    }

    private HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String body(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return response.body();
    }

    private static String json(Object value) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(value);
    }
}
