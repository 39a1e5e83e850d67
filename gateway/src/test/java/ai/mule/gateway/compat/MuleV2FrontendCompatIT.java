package ai.mule.gateway.compat;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.TestApi;
import ai.mule.testkit.WasmFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Replays every request Mule v2's frontend sends ({@code frontend/src/services/api.js}, its pages and components, at
 * v2's HEAD e7beda5) with the bodies those pages build, and checks Mule's answers. The one difference that applies
 * to every answer is the envelope: Mule answers {@code {"data": ...}} where v2 answered bare objects (see
 * gateway/README.md, "Mule v2 compatibility"); each check reads the data where Mule puts it. Mule has no
 * {@code /ws} in this test (JobUpdatesSocketIT replays it).
 */
class MuleV2FrontendCompatIT extends IntegrationTestBase {

    private final List<String> failures = new ArrayList<>();

    @Test
    void providersToolsSkillsAgentsAndSettingsPages() {
        // Providers.js
        JsonNode provider = data(expect("providersAPI.create", http.post("/api/v1/providers", map("name",
                TestApi.unique("openai"), "api_base_url", "http://127.0.0.1:9/v1", "api_key", "sk-test")), 201));
        String providerId = provider.get("id").asText();
        expect("providersAPI.list", http.get("/api/v1/providers"), 200);
        expect("providersAPI.get", http.get("/api/v1/providers/" + providerId), 200);
        expect("providersAPI.update", http.put("/api/v1/providers/" + providerId, map("name", provider.get("name").asText(),
                "api_base_url", "http://127.0.0.1:9/v1", "api_key", "sk-test2")), 200);
        Http.Response models = http.get("/api/v1/providers/" + providerId + "/models");
        check("providersAPI.getModels (provider unreachable: a 502 naming it)", models.status() == 502, models);
        // Tools.js: the default new tool, then an edit
        JsonNode tool = data(expect("toolsAPI.create", http.post("/api/v1/tools", map("name", TestApi.unique("tool"),
                "description", "d", "metadata", map("tool_type", "http", "config", map()))), 201));
        String toolId = tool.get("id").asText();
        expect("toolsAPI.list", http.get("/api/v1/tools"), 200);
        expect("toolsAPI.get", http.get("/api/v1/tools/" + toolId), 200);
        expect("toolsAPI.update", http.put("/api/v1/tools/" + toolId, map("id", toolId, "name", tool.get("name").asText(),
                "description", "d2", "metadata", map("tool_type", "database", "config", map("x", 1)))), 200);
        // Skills.js
        JsonNode skill = data(expect("skillsAPI.create", http.post("/api/v1/skills", map("name", TestApi.unique("skill"),
                "description", "d", "content", "Be kind.")), 201));
        String skillId = skill.get("id").asText();
        expect("skillsAPI.list", http.get("/api/v1/skills"), 200);
        expect("skillsAPI.get", http.get("/api/v1/skills/" + skillId), 200);
        expect("skillsAPI.update", http.put("/api/v1/skills/" + skillId, map("name", skill.get("name").asText(),
                "description", "d", "content", "Be kinder.")), 200);
        // Agents.js
        JsonNode agent = data(expect("agentsAPI.create", http.post("/api/v1/agents", map("name", TestApi.unique("agent"),
                "description", "d", "provider_id", providerId, "model_id", "gpt-4o", "system_prompt", "Hi.")), 201));
        String agentId = agent.get("id").asText();
        expect("agentsAPI.list", http.get("/api/v1/agents"), 200);
        expect("agentsAPI.get", http.get("/api/v1/agents/" + agentId), 200);
        expect("agentsAPI.update", http.put("/api/v1/agents/" + agentId, map("name", agent.get("name").asText(),
                "description", "d", "provider_id", providerId, "model_id", "gpt-4o-mini", "system_prompt", "Hi.")), 200);
        expect("agentsAPI.assignSkill", http.put("/api/v1/agents/" + agentId + "/skills", map("skill_ids",
                List.of(skillId))), 200);
        check("agentsAPI.getSkills", data(expect("agentsAPI.getSkills", http.get("/api/v1/agents/" + agentId + "/skills"),
                200)).findValuesAsText("id").contains(skillId), null);
        expect("agentsAPI.removeSkill", http.delete("/api/v1/agents/" + agentId + "/skills/" + skillId), 204);
        expect("agentsAPI.assignTool", http.post("/api/v1/agents/" + agentId + "/tools", map("tool_id", toolId)), 201);
        check("agentsAPI.getTools", data(expect("agentsAPI.getTools", http.get("/api/v1/agents/" + agentId + "/tools"),
                200)).findValuesAsText("tool_id").contains(toolId), null);
        expect("agentsAPI.removeTool", http.delete("/api/v1/agents/" + agentId + "/tools/" + toolId), 204);
        // Settings.js and ToolExecutionConfig.js
        expect("Settings: GET /api/v1/settings", http.get("/api/v1/settings"), 200);
        expect("ToolExecutionConfig: GET setting", http.get("/api/v1/settings/max_tool_calls"), 200);
        expect("ToolExecutionConfig: PUT setting", http.put("/api/v1/settings/max_tool_calls", map("key", "max_tool_calls",
                "value", "10", "description", "Maximum number of tool calls allowed in a single agent execution",
                "category", "agent")), 200);
        // MemoryConfig.js
        expect("memoryConfigAPI.get", http.get("/api/v1/memory-config"), 200);
        expect("memoryConfigAPI.update", http.put("/api/v1/memory-config", map("database_url", "", "embedding_provider",
                providerId, "embedding_model", "text-embedding-ada-002", "embedding_dims", 1536, "default_ttl_seconds", 0,
                "default_top_k", 5)), 200);
        // and the deletes every page offers
        expect("agentsAPI.delete", http.delete("/api/v1/agents/" + agentId), 204);
        expect("skillsAPI.delete", http.delete("/api/v1/skills/" + skillId), 204);
        expect("toolsAPI.delete", http.delete("/api/v1/tools/" + toolId), 204);
        expect("providersAPI.delete", http.delete("/api/v1/providers/" + providerId), 204);

        assertThat(failures).isEmpty();
    }

    @Test
    void workflowBuilderJobsDashboardAndWasmPages() {
        // WasmModules.js: multipart create and update
        JsonNode module = data(expect("wasmModulesAPI.create", http.postMultipart("/api/v1/wasm-modules", Map.of("name",
                TestApi.unique("upper"), "description", "d", "config", "{}"), "module_data",
                WasmFixtures.wasm("upper.wasm")), 201));
        String moduleId = module.get("id").asText();
        expect("wasmModulesAPI.list", http.get("/api/v1/wasm-modules"), 200);
        expect("wasmModulesAPI.get", http.get("/api/v1/wasm-modules/" + moduleId), 200);
        expect("wasmModulesAPI.update", http.putMultipart("/api/v1/wasm-modules/" + moduleId, Map.of("description", "d2"),
                null, null), 200);
        // WasmCodeEditor.js: v2's default language is Go, which Mule answers 422 naming what it compiles
        Http.Response goExample = http.get("/api/v1/wasm-modules/example?language=go");
        check("wasmModulesAPI.getExampleCode('go') is 422 naming wat and c", goExample.status() == 422
                && goExample.body().contains("wat, c"), goExample);
        String example = data(expect("wasmModulesAPI.getExampleCode('wat')",
                http.get("/api/v1/wasm-modules/example?language=wat"), 200)).get("example_code").asText();
        JsonNode compiled = data(expect("wasmModulesAPI.compile", http.post("/api/v1/wasm-modules/compile", map("name",
                TestApi.unique("edited"), "description", "d", "language", "wat", "source_code", example, "config", "{}")), 201));
        String compiledId = compiled.get("module_id").asText();
        check("compile answers compilation_status", compiled.path("compilation_status").asText().equals("success"), null);
        check("wasmModulesAPI.getSource", data(expect("wasmModulesAPI.getSource",
                http.get("/api/v1/wasm-modules/" + compiledId + "/source"), 200)).path("language").asText().equals("wat"), null);
        expect("wasmModulesAPI.updateSource", http.put("/api/v1/wasm-modules/" + compiledId + "/source", map("name",
                compiled.at("/module/name").asText(), "description", "d", "language", "wat", "source_code", example,
                "config", "{}")), 200);
        // WorkflowBuilder.js: steps as the builder sends them ("type", then the one id that applies)
        JsonNode workflow = data(expect("workflowsAPI.create", http.post("/api/v1/workflows", map("name",
                TestApi.unique("flow"), "description", "d", "is_async", false)), 201));
        String workflowId = workflow.get("id").asText();
        expect("workflowsAPI.list", http.get("/api/v1/workflows"), 200);
        expect("workflowsAPI.get", http.get("/api/v1/workflows/" + workflowId), 200);
        expect("workflowsAPI.update", http.put("/api/v1/workflows/" + workflowId, map("name", workflow.get("name").asText(),
                "description", "d2", "is_async", true)), 200);
        String first = data(expect("workflowsAPI.createStep", http.post("/api/v1/workflows/" + workflowId + "/steps",
                map("type", "wasm_module", "wasm_module_id", moduleId, "config", map())), 201)).get("id").asText();
        String second = data(expect("workflowsAPI.createStep (2)", http.post("/api/v1/workflows/" + workflowId + "/steps",
                map("type", "wasm_module", "wasm_module_id", compiledId, "config", map())), 201)).get("id").asText();
        expect("workflowsAPI.getSteps", http.get("/api/v1/workflows/" + workflowId + "/steps"), 200);
        expect("workflowsAPI.updateStep", http.put("/api/v1/workflows/" + workflowId + "/steps/" + second, map("type",
                "wasm_module", "wasm_module_id", compiledId, "config", map("k", 1))), 200);
        expect("workflowsAPI.reorderSteps", http.post("/api/v1/workflows/" + workflowId + "/steps/reorder",
                map("step_ids", List.of(second, first))), 200);
        // Dashboard.js: a module run as a job (its id as workflow_id) with a working directory; chat models
        Http.Response job = expect("jobsAPI.create (Dashboard, module id as workflow_id)", http.post("/api/v1/jobs",
                map("workflow_id", moduleId, "input_data", map("prompt", "hi"), "working_directory", "projects/site")), 201);
        String jobId = data(job).get("id").asText();
        Http.Response absolute = http.post("/api/v1/jobs", map("workflow_id", workflowId, "input_data", map("prompt", "x"),
                "working_directory", "/home/user/repo"));
        check("jobsAPI.create with v2's absolute working_directory is a 400 naming the field", absolute.status() == 400
                && absolute.body().contains("working_directory"), absolute);
        expect("chatAPI.models", http.get("/v1/models"), 200);
        Http.Response chat = http.post("/v1/chat/completions", map("model", "async/workflow/" + workflow.get("name").asText(),
                "messages", List.of(map("role", "user", "content", "hi")), "stream", false, "working_directory", "projects"));
        check("chatAPI.complete with working_directory (async workflow)", chat.status() == 200 || chat.status() == 202, chat);
        // Jobs.js
        expect("jobsAPI.list", http.get("/api/v1/jobs?page=1&page_size=20&status=queued&search=hi&workflow_name="
                + workflow.get("name").asText()), 200);
        expect("jobsAPI.get", http.get("/api/v1/jobs/" + jobId), 200);
        expect("jobsAPI.getSteps", http.get("/api/v1/jobs/" + jobId + "/steps"), 200);
        Http.Response cancel = http.delete("/api/v1/jobs/" + jobId);
        check("jobsAPI.cancel", cancel.status() == 200 || cancel.status() == 202 || cancel.status() == 204, cancel);
        expect("workflowsAPI.deleteStep", http.delete("/api/v1/workflows/" + workflowId + "/steps/" + first), 204);
        expect("workflowsAPI.delete", http.delete("/api/v1/workflows/" + workflowId), 204);
        expect("wasmModulesAPI.delete", http.delete("/api/v1/wasm-modules/" + compiledId), 204);

        assertThat(failures).isEmpty();
    }

    private Http.Response expect(String call, Http.Response response, int status) {
        check(call + " answers " + status, response.status() == status, response);
        return response;
    }

    private void check(String what, boolean holds, Http.Response response) {
        if (!holds) {
            failures.add(what + (response == null ? "" : ": got " + response));
        }
    }

    private static JsonNode data(Http.Response response) {
        return response.json() == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
                : response.json().path("data");
    }
}
