package ai.mule.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.IntegrationTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed requests, one per row: each is answered with a 4xx whose message names the problem, and nothing is
 * written (no definition, job or outbox row appears).
 */
class MalformedRequestsIT extends IntegrationTestBase {

    private static final String JSON = "application/json";
    private static final String DEEP = "[".repeat(200) + "]".repeat(200);
    private static final String HUGE = "{\"name\": \"" + "x".repeat(1_100_000) + "\"}";
    private static String workflowId;

    @BeforeEach
    void workflow() {
        if (workflowId == null) {
            workflowId = api.workflow().get("id").asText();
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> rows = new ArrayList<>();
        // bad JSON
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": ", 400, "not valid JSON"));
        rows.add(row("POST", "/api/v1/providers", JSON, "{'name': 'x'}", 400, "not valid JSON"));
        rows.add(row("POST", "/api/v1/agents", JSON, "", 400, "missing"));
        rows.add(row("POST", "/api/v1/jobs", JSON, "[1, 2]", 400, "JSON object"));
        rows.add(row("POST", "/api/v1/workflows", JSON, "\"just a string\"", 400, "JSON object"));
        rows.add(row("POST", "/v1/chat/completions", JSON, "{\"model\": ", 400, "not valid JSON"));
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": \"a\"} trailing", 400, ""));
        // wrong types
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": \"ok-name\", \"is_async\": \"maybe\"}", 400, "is_async"));
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": [\"a\"]}", 400, "name"));
        rows.add(row("POST", "/api/v1/providers", JSON, "{\"name\": 5, \"api_base_url\": {}}", 400, ""));
        rows.add(row("POST", "/api/v1/jobs", JSON, "{\"workflow_id\": \"WF\", \"input_data\": \"text\"}", 400, "input_data"));
        rows.add(row("POST", "/api/v1/jobs", JSON, "{\"workflow_id\": 42}", 400, "workflow_id"));
        rows.add(row("POST", "/v1/chat/completions", JSON, "{\"model\": 42, \"messages\": []}", 400, "model"));
        rows.add(row("POST", "/v1/chat/completions", JSON, "{\"model\": \"workflow/x\", \"messages\": \"hi\"}", 400, "messages"));
        rows.add(row("POST", "/v1/chat/completions", JSON, "{\"model\": \"workflow/x\", \"messages\": [{\"content\": 1}], "
                + "\"stream\": \"yes\"}", 400, "stream"));
        rows.add(row("PUT", "/api/v1/settings/max_tool_calls", JSON, "{\"value\": {\"a\": 1}}", 400, "value"));
        rows.add(row("POST", "/api/v1/workflows/WF/steps/reorder", JSON, "{\"step_ids\": \"all\"}", 400, "step_ids"));
        // missing or invalid fields
        rows.add(row("POST", "/api/v1/workflows", JSON, "{}", 400, "name"));
        rows.add(row("POST", "/api/v1/providers", JSON, "{\"name\": \"p-x\", \"api_base_url\": \"file:///etc/passwd\"}", 400, "api_base_url"));
        rows.add(row("POST", "/api/v1/agents", JSON, "{\"name\": \"a-x\", \"provider_id\": \"not-a-uuid\", \"model_id\": \"m\"}", 400, "provider_id"));
        rows.add(row("POST", "/api/v1/jobs", JSON, "{}", 400, "workflow_id"));
        rows.add(row("POST", "/api/v1/workflows/WF/steps", JSON, "{\"step_type\": \"shell\"}", 400, "step_type"));
        rows.add(row("POST", "/api/v1/workflows/WF/steps", JSON, "{\"step_type\": \"wasm_module\", \"step_order\": -1}", 400, "step_order"));
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": \"" + "n".repeat(101) + "\"}", 400, "100"));
        // unknown fields (strict)
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": \"ok-name-2\", \"is_asynch\": true}", 400, "unknown field 'is_asynch'"));
        rows.add(row("POST", "/api/v1/providers", JSON, "{\"name\": \"p-y\", \"api_base_url\": \"http://x/v1\", \"apikey\": \"k\"}", 400, "unknown field"));
        rows.add(row("POST", "/api/v1/jobs", JSON, "{\"workflow_id\": \"WF\", \"inputs\": {}}", 400, "unknown field 'inputs'"));
        // huge and deep bodies
        rows.add(row("POST", "/api/v1/workflows", JSON, HUGE, 413, "larger than"));
        rows.add(row("POST", "/v1/chat/completions", JSON, HUGE, 413, ""));
        rows.add(row("POST", "/api/v1/jobs", JSON, "{\"workflow_id\": \"WF\", \"input_data\": {\"a\": " + DEEP + "}}", 400, "nested too deeply"));
        // wrong content types
        rows.add(row("POST", "/api/v1/workflows", "text/plain", "{\"name\": \"ct-1\"}", 415, ""));
        rows.add(row("POST", "/api/v1/providers", "application/x-www-form-urlencoded", "name=ct-2", 415, ""));
        rows.add(row("POST", "/api/v1/wasm-modules", JSON, "{\"name\": \"ct-3\"}", 415, ""));
        rows.add(row("POST", "/v1/chat/completions", "text/plain", "hello", 415, "application/json"));
        // path traversal and bad names
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": \"../../etc/passwd\"}", 400, "name"));
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": \"..\"}", 400, "name"));
        rows.add(row("POST", "/api/v1/agents", JSON, "{\"name\": \"a/b\", \"provider_id\": \"" + UUID.randomUUID() + "\", \"model_id\": \"m\"}", 400, "name"));
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": \"with space\"}", 400, "name"));
        rows.add(row("GET", "/api/v1/workflows/..%252F..%252Fetc%252Fpasswd", null, null, 404, "no workflow"));
        rows.add(row("POST", "/v1/chat/completions", JSON, "{\"model\": \"workflow/../x\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}", 404, "does not exist"));
        rows.add(row("GET", "/api/v1/jobs?page_size=1000", null, null, 400, "page_size"));
        rows.add(row("GET", "/api/v1/jobs?status=done", null, null, 400, "status"));
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} {1} [{2}] -> {4}")
    @MethodSource("cases")
    void refusesWithAUsefulMessageAndWritesNothing(String method, String path, String contentType, String body, int status,
                                                   String messageContains) throws Exception {
        long before = rows();
        String realPath = path.replace("WF", workflowId);
        String realBody = body == null ? null : body.replace("\"WF\"", "\"" + workflowId + "\"");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + realPath))
                .method(method, realBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(realBody));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        HttpResponse<String> response;
        try {
            response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            // a refused huge body may be answered and the connection closed before the client finished sending
            assertThat(status).isEqualTo(413);
            assertThat(rows()).isEqualTo(before);
            return;
        }

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode json = new ObjectMapper().readTree(response.body());
        String message = json.has("error") ? json.at("/error/message").asText() : json.path("detail").asText();
        assertThat(message).as(response.body()).isNotBlank().containsIgnoringCase(messageContains);
        assertThat(rows()).isEqualTo(before);
    }

    private long rows() {
        return jdbc.sql("SELECT (SELECT count(*) FROM workflows) + (SELECT count(*) FROM providers) + "
                + "(SELECT count(*) FROM agents) + (SELECT count(*) FROM jobs) + (SELECT count(*) FROM workflow_steps) + "
                + "(SELECT count(*) FROM wasm_modules)").query(Long.class).single();
    }

    private static Arguments row(String method, String path, String contentType, String body, int status, String message) {
        return Arguments.of(method, path, contentType, body, status, message);
    }
}
