package ai.mule.gateway;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.testkit.WasmFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.UUID;

/** Object mother for definitions, created through the API as a user would. Names are unique per call. */
public final class TestApi {

    private final Http http;

    public TestApi(Http http) {
        this.http = http;
    }

    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public JsonNode provider(String apiKey) {
        return created(http.post("/api/v1/providers", map("name", unique("provider"),
                "api_base_url", "http://127.0.0.1:11434/v1", "api_key", apiKey)));
    }

    public JsonNode agent(String providerId, String systemPrompt) {
        return created(http.post("/api/v1/agents", map("name", unique("agent"), "description", "answers",
                "provider_id", providerId, "model_id", "llama3.2", "system_prompt", systemPrompt)));
    }

    public JsonNode workflow() {
        return created(http.post("/api/v1/workflows", map("name", unique("flow"), "description", "test flow",
                "is_async", false)));
    }

    /** A new workflow of one step (the upper fixture), by name: what a chat completion's model names. */
    public String oneStepWorkflowName() {
        JsonNode workflow = workflow();
        wasmStep(workflow.get("id").asText(), module("upper.wasm", "").get("id").asText(), null);
        return workflow.get("name").asText();
    }

    public JsonNode module(String fixture, String config) {
        return created(http.postMultipart("/api/v1/wasm-modules", Map.of("name", unique(fixture.replace(".wasm", "")),
                "description", "fixture " + fixture, "config", config), "module_data", WasmFixtures.wasm(fixture)));
    }

    public JsonNode wasmStep(String workflowId, String moduleId, Object config) {
        return created(http.post("/api/v1/workflows/" + workflowId + "/steps", map("step_type", "wasm_module",
                "wasm_module_id", moduleId, "config", config)));
    }

    public JsonNode agentStep(String workflowId, String agentId) {
        return created(http.post("/api/v1/workflows/" + workflowId + "/steps", map("type", "agent",
                "agent_id", agentId)));
    }

    private static JsonNode created(Http.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("data");
    }
}
