package ai.mule.gateway.web;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Mistakes that never reach a controller still get a problem detail that says what to do, and no internals. */
class ErrorResponsesIT extends IntegrationTestBase {

    @Test
    void answersUnknownEndpointsAndMethodsWithProblemDetails() {
        Http.Response unknown = http.get("/api/v1/nothing-here");
        Http.Response method = http.delete("/api/v1/workflows");

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(unknown.json().get("detail").asText()).contains("/api/v1/nothing-here");
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.contentType()).startsWith("application/problem+json");
    }

    @Test
    void refusesBodiesThatAreNotJson() {
        Http.Response form = http.postMultipart("/api/v1/providers", java.util.Map.of("name", "x"), null, null);
        Http.Response chat = http.postMultipart("/v1/chat/completions", java.util.Map.of("model", "x"), null, null);

        assertThat(form.status()).isEqualTo(415);
        assertThat(form.contentType()).startsWith("application/problem+json");
        assertThat(chat.status()).isEqualTo(415);
        assertThat(chat.json().at("/error/message").asText()).contains("application/json");
    }

    @Test
    void refusesOversizedChatBodiesInOpenAiShape() {
        String big = "x".repeat(1024 * 1024 + 1);

        Http.Response response = http.post("/v1/chat/completions", map("model", "workflow/w",
                "messages", List.of(map("role", "user", "content", big))));

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.json().at("/error/code").asText()).isEqualTo("request_too_large");
        assertThat(response.json().at("/error/param").asText()).isEqualTo("mule.limits.max-json-body");
    }

    @Test
    void anOversizedBodyNamesTheLimitItBroke() {
        String big = "x".repeat(1024 * 1024 + 1);

        Http.Response response = http.post("/api/v1/workflows", map("name", "big", "description", big));

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.json().get("limit").asText()).isEqualTo("mule.limits.max-json-body");
        assertThat(response.json().get("detail").asText()).contains("MULE_LIMITS_MAX_JSON_BODY");
    }

    @Test
    void readsAndValidatesSettings() {
        Http.Response all = http.get("/api/v1/settings");
        Http.Response one = http.get("/api/v1/settings/timeout_workflow_seconds");
        Http.Response negative = http.put("/api/v1/settings/timeout_workflow_seconds", map("value", "-5"));
        Http.Response unknown = http.put("/api/v1/settings/no_such_setting", map("value", "1"));

        assertThat(all.json().get("data").findValuesAsText("key")).contains("timeout_workflow_seconds", "max_tool_calls");
        assertThat(one.json().at("/data/value").asText()).isEqualTo("300");
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.json().get("detail").asText()).contains("greater than 0");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(http.get("/api/v1/settings/timeout_workflow_seconds").json().at("/data/value").asText())
                .isEqualTo("300");
    }
}
