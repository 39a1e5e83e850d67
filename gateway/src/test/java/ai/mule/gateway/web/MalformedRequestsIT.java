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
    private static String workflowName;
    private static String moduleId;
    private static String agentId;

    @BeforeEach
    void workflow() {
        if (workflowId == null) {
            JsonNode workflow = api.workflow();
            workflowId = workflow.get("id").asText();
            workflowName = workflow.get("name").asText();
            moduleId = api.module("greet.wasm", "").get("id").asText();
            // one step, so that a job of the workflow is refused for its input and not for having nothing to run
            api.wasmStep(workflowId, moduleId, java.util.Map.of());
            agentId = api.agent(api.provider("").get("id").asText(), "answer").get("id").asText();
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
        // multipart bodies that cannot be parsed or have too many parts: the client's to fix, never a 500
        String parts = "multipart/form-data; boundary=zzz";
        rows.add(row("POST", "/api/v1/wasm-modules", parts, "--zzz\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx",
                400, "the multipart/form-data body cannot be read (Stream ended unexpectedly)"));
        rows.add(row("POST", "/api/v1/wasm-modules", "multipart/form-data", "abc", 400, "no multipart boundary was found"));
        rows.add(row("POST", "/api/v1/wasm-modules", parts, manyParts(300), 413, "the upload has more than"));
        rows.add(row("PUT", "/api/v1/wasm-modules/MOD", parts, "--zzz\r\n", 400, "multipart/form-data body cannot be read"));
        // a text field sent as a file (curl -F config=@cfg.json): Spring cannot make a string of it
        rows.add(row("POST", "/api/v1/wasm-modules", parts, fileField("config"), 400,
                "'config' must be a text field, but came as a file; with curl, -F 'config=<file'"));
        rows.add(row("POST", "/api/v1/wasm-modules", parts, fileField("name"), 400, "'name' must be a text field"));
        rows.add(row("PUT", "/api/v1/wasm-modules/MOD", parts, fileField("description"), 400,
                "'description' must be a text field"));
        // path traversal and bad names
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": \"../../etc/passwd\"}", 400, "name"));
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": \"..\"}", 400, "name"));
        rows.add(row("POST", "/api/v1/agents", JSON, "{\"name\": \"a/b\", \"provider_id\": \"" + UUID.randomUUID() + "\", \"model_id\": \"m\"}", 400, "name"));
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": \"with space\"}", 400, "name"));
        rows.add(row("GET", "/api/v1/workflows/..%252F..%252Fetc%252Fpasswd", null, null, 404, "no workflow"));
        rows.add(row("POST", "/v1/chat/completions", JSON, "{\"model\": \"workflow/../x\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}", 404, "does not exist"));
        rows.add(row("GET", "/api/v1/jobs?page_size=1000", null, null, 400, "page_size"));
        rows.add(row("GET", "/api/v1/jobs?status=done", null, null, 400, "status"));
        strictTypes(rows);
        limits(rows);
        return rows.stream();
    }

    /** A module upload whose field {@code name} is a file part, as {@code curl -F name=@file} sends it. */
    private static String fileField(String name) {
        return "--zzz\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"f.json\"\r\n"
                + "Content-Type: application/json\r\n\r\n{}\r\n"
                + "--zzz\r\nContent-Disposition: form-data; name=\"module_data\"; filename=\"m.wasm\"\r\n"
                + "Content-Type: application/wasm\r\n\r\nx\r\n--zzz--\r\n";
    }

    /** A well-formed multipart body of {@code count} small fields: more parts than Tomcat takes in one request. */
    private static String manyParts(int count) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < count; i++) {
            body.append("--zzz\r\nContent-Disposition: form-data; name=\"f").append(i).append("\"\r\n\r\nx\r\n");
        }
        return body.append("--zzz--\r\n").toString();
    }

    /** No coercion anywhere: a value of another JSON type is a 400 naming the field and both types. */
    private static void strictTypes(List<Arguments> rows) {
        String step = "{\"step_type\": \"wasm_module\", \"wasm_module_id\": \"MOD\", ";
        String agent = "{\"name\": \"a-strict\", \"provider_id\": \"" + UUID.randomUUID() + "\", \"model_id\": \"m\", ";
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": 123}", 400, "name: expected a string, got a number"));
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": true}", 400, "name: expected a string, got a boolean"));
        rows.add(row("PUT", "/api/v1/workflows/WF", JSON, "{\"name\": 1.5}", 400, "name: expected a string, got a decimal number"));
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": \"strict-1\", \"is_async\": \"true\"}", 400, "is_async: expected a boolean (true or false), got a string"));
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": \"strict-2\", \"is_async\": 1}", 400, "is_async: expected a boolean (true or false), got a number"));
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": \"strict-3\", \"description\": 5}", 400, "description: expected a string, got a number"));
        rows.add(row("POST", "/api/v1/workflows/WF/steps", JSON, step + "\"step_order\": \"2\"}", 400, "step_order: expected a whole number, got a string"));
        rows.add(row("POST", "/api/v1/workflows/WF/steps", JSON, step + "\"step_order\": 1.5}", 400, "step_order: expected a whole number, got a decimal number"));
        rows.add(row("POST", "/api/v1/workflows/WF/steps", JSON, step + "\"step_order\": \"\"}", 400, "step_order: expected a whole number, got an empty string"));
        rows.add(row("POST", "/api/v1/workflows/WF/steps", JSON, step + "\"max_attempts\": true}", 400, "max_attempts: expected a whole number, got a boolean"));
        rows.add(row("POST", "/api/v1/workflows/WF/steps", JSON, step + "\"timeout_ms\": \"1000\"}", 400, "timeout_ms: expected a whole number, got a string"));
        rows.add(row("POST", "/api/v1/workflows/WF/steps", JSON, step + "\"backoff_multiplier\": \"2\"}", 400, "backoff_multiplier: expected a number, got a string"));
        rows.add(row("POST", "/api/v1/workflows/WF/steps", JSON, step + "\"retry_step_failures\": \"true\"}", 400, "retry_step_failures: expected a boolean (true or false), got a string"));
        rows.add(row("POST", "/api/v1/workflows/WF/steps", JSON, step + "\"retry_step_failures\": 0}", 400, "retry_step_failures: expected a boolean (true or false), got a number"));
        rows.add(row("POST", "/api/v1/workflows/WF/steps", JSON, "{\"step_type\": [\"wasm_module\"]}", 400, "step_type: expected a string, got an array"));
        rows.add(row("POST", "/api/v1/workflows/WF/steps/reorder", JSON, "{\"step_ids\": [\"a\", 1]}", 400, "step_ids[1]: expected a string, got a number"));
        rows.add(row("POST", "/api/v1/jobs", JSON, "{\"workflow_id\": \"WF\", \"working_directory\": 7}", 400, "working_directory: expected a string, got a number"));
        rows.add(row("POST", "/api/v1/jobs", JSON, "{\"workflow_id\": {\"id\": \"WF\"}}", 400, "workflow_id: expected a string, got an object"));
        rows.add(row("POST", "/api/v1/agents", JSON, agent + "\"temperature\": \"0.5\"}", 400, "temperature: expected a number, got a string"));
        rows.add(row("POST", "/api/v1/agents", JSON, agent + "\"max_tokens\": 1.5}", 400, "max_tokens: expected a whole number, got a decimal number"));
        rows.add(row("POST", "/api/v1/agents", JSON, agent + "\"max_tokens\": \"100\"}", 400, "max_tokens: expected a whole number, got a string"));
        rows.add(row("POST", "/api/v1/agents", JSON, "{\"name\": 7, \"provider_id\": \"x\", \"model_id\": \"m\"}", 400, "name: expected a string, got a number"));
        rows.add(row("POST", "/api/v1/providers", JSON, "{\"name\": \"p-strict\", \"api_base_url\": \"http://x/v1\", \"api_key\": 12345}", 400, "api_key: expected a string, got a number"));
        rows.add(row("POST", "/api/v1/skills", JSON, "{\"name\": \"s-strict\", \"content\": [\"a\"]}", 400, "content: expected a string, got an array"));
        rows.add(row("PUT", "/api/v1/settings/max_tool_calls", JSON, "{\"value\": 5}", 400, "value: expected a string, got a number"));
        rows.add(row("POST", "/api/v1/agents/AG/tools", JSON, "{\"name\": 5, \"config\": {}}", 400, "name: expected a string, got a number"));
        rows.add(row("POST", "/api/v1/wasm-modules/test", JSON, "{\"module_id\": 5}", 400, "module_id: expected a string, got a number"));
        rows.add(row("POST", "/v1/wasm/execute", JSON, "{\"module\": false}", 400, "module: expected a string, got a boolean"));
    }

    /**
     * The pipeline's limits where data enters: 413 for a size, 400 for depth and for text PostgreSQL cannot store,
     * each naming the value and the limit's setting.
     */
    private static void limits(List<Arguments> rows) {
        String deepConfig = "{\"a\": " + "[".repeat(68) + "]".repeat(68) + "}";
        String bigText = "\"" + "x".repeat(200_000) + "\"";
        String hugeText = "\"" + "x".repeat(300_000) + "\"";
        String step = "{\"step_type\": \"wasm_module\", \"wasm_module_id\": \"MOD\", \"config\": ";
        // step config
        rows.add(row("POST", "/api/v1/workflows/WF/steps", JSON, step + deepConfig + "}", 400, "config: the step config nests deeper than the limit of 64 levels (mule.limits.max-json-depth)"));
        rows.add(row("POST", "/api/v1/workflows/WF/steps", JSON, step + "{\"a\": " + bigText + "}}", 413, "mule.limits.max-step-config-bytes"));
        rows.add(row("POST", "/api/v1/workflows/WF/steps", JSON, step + "{\"a\": [\"ok\", \"x\\u0000y\"]}}", 400, "config.a[1] holds a NUL character (U+0000)"));
        // Jackson itself refuses a broken surrogate in a field name, naming the field it is in
        rows.add(row("POST", "/api/v1/workflows/WF/steps", JSON, step + "{\"a\\ud800\": 1}}", 400, "config"));
        rows.add(row("POST", "/api/v1/agents/AG/tools", JSON, "{\"name\": \"big\", \"config\": {\"a\": " + bigText + "}}", 413, "mule.limits.max-step-config-bytes"));
        rows.add(row("POST", "/api/v1/agents/AG/tools", JSON, "{\"name\": \"deep\", \"config\": " + deepConfig + "}", 400, "mule.limits.max-json-depth"));
        // job input, on every way a job is accepted
        rows.add(row("POST", "/api/v1/jobs", JSON, "{\"workflow_id\": \"WF\", \"input_data\": " + deepConfig + "}", 400, "the job input nests deeper than the limit of 64 levels"));
        rows.add(row("POST", "/api/v1/jobs", JSON, "{\"workflow_id\": \"WF\", \"input_data\": {\"a\": " + hugeText + "}}", 413, "mule.limits.max-job-input-bytes"));
        rows.add(row("POST", "/api/v1/jobs", JSON, "{\"workflow_id\": \"WF\", \"input_data\": {\"a\": \"x\\u0000\"}}", 400, "the job input $.a holds a NUL character"));
        rows.add(row("POST", "/v1/wasm/execute", JSON, "{\"module\": \"MOD\", \"input\": {\"a\": \"\\udc00\"}}", 400, "the job input $.a holds an unpaired UTF-16 surrogate"));
        rows.add(row("POST", "/v1/wasm/execute", JSON, "{\"module\": \"MOD\", \"input\": " + hugeText + "}", 413, "mule.limits.max-job-input-bytes"));
        rows.add(row("POST", "/api/v1/wasm-modules/MOD/execute", JSON, "{\"input\": " + deepConfig + "}", 400, "mule.limits.max-json-depth"));
        rows.add(row("POST", "/api/v1/wasm-modules/test", JSON, "{\"module_id\": \"MOD\", \"input\": {\"a\": \"\\u0000\"}}", 400, "NUL character"));
        rows.add(row("POST", "/v1/chat/completions", JSON, "{\"model\": \"workflow/x\", \"messages\": [{\"role\": \"user\", \"content\": \"a\\u0000b\"}]}", 400, "messages[0].content holds a NUL character"));
        rows.add(row("POST", "/v1/chat/completions", JSON, "{\"model\": \"workflow/WFNAME\", \"messages\": [{\"role\": \"user\", \"content\": " + hugeText + "}]}", 413, "mule.limits.max-job-input-bytes"));
        // text in plain string fields
        rows.add(row("POST", "/api/v1/workflows", JSON, "{\"name\": \"nul-1\", \"description\": \"a\\u0000b\"}", 400, "description holds a NUL character (U+0000) at position 1"));
        rows.add(row("POST", "/api/v1/skills", JSON, "{\"name\": \"s-nul\", \"content\": \"\\ud800\"}", 400, "content holds an unpaired UTF-16 surrogate"));
    }

    @ParameterizedTest(name = "{0} {1} [{2}] -> {4}")
    @MethodSource("cases")
    void refusesWithAUsefulMessageAndWritesNothing(String method, String path, String contentType, String body, int status,
                                                   String messageContains) throws Exception {
        long before = rows();
        String realPath = path.replace("WF", workflowId).replace("MOD", moduleId).replace("AG", agentId);
        String realBody = body == null ? null : body.replace("\"WF\"", "\"" + workflowId + "\"")
                .replace("\"MOD\"", "\"" + moduleId + "\"").replace("WFNAME", workflowName);
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
        if (messageContains.contains("mule.limits.")) {
            // the broken limit's setting, in the problem detail's limit member or the OpenAI error's param
            String limit = json.has("error") ? json.at("/error/param").asText() : json.path("limit").asText();
            assertThat(messageContains).contains(limit);
            assertThat(limit).startsWith("mule.limits.");
        }
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
