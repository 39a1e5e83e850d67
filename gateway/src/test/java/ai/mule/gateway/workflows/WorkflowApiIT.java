package ai.mule.gateway.workflows;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.TestApi;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class WorkflowApiIT extends IntegrationTestBase {

    @Test
    void createsAWorkflowAndAppendsSteps() {
        String name = TestApi.unique("pipeline");
        Http.Response created = http.post("/api/v1/workflows", map("name", name, "description", "d", "is_async", true));
        assertThat(created.status()).isEqualTo(201);
        JsonNode workflow = created.json().get("data");
        assertThat(workflow.get("is_async").asBoolean()).isTrue();
        String id = workflow.get("id").asText();
        String moduleId = api.module("upper.wasm", "{}").get("id").asText();
        String agentId = api.agent(api.provider("k").get("id").asText(), "Be kind.").get("id").asText();

        JsonNode first = api.wasmStep(id, moduleId, map("mode", "shout"));
        JsonNode second = api.agentStep(id, agentId);

        assertThat(first.get("step_order").asInt()).isEqualTo(1);
        assertThat(first.get("type").asText()).isEqualTo("wasm_module");
        assertThat(first.get("step_type").asText()).isEqualTo("wasm_module");
        assertThat(first.at("/config/mode").asText()).isEqualTo("shout");
        assertThat(second.get("step_order").asInt()).isEqualTo(2);
        assertThat(second.get("agent_id").asText()).isEqualTo(agentId);
        assertThat(second.get("wasm_module_id").isNull()).isTrue();

        Http.Response steps = http.get("/api/v1/workflows/" + id + "/steps");
        assertThat(steps.status()).isEqualTo(200);
        assertThat(steps.json().get("data").findValuesAsText("step_order")).containsExactly("1", "2");
        assertThat(steps.json().get("total_count").asInt()).isEqualTo(2);
        assertThat(http.get("/api/v1/workflows/" + id).json().at("/data/name").asText()).isEqualTo(name);
        assertThat(http.get("/api/v1/workflows?page_size=100").json().get("data").findValuesAsText("name")).contains(name);
    }

    @Test
    void takesAnExplicitStepOrderAndRefusesAUsedOne() {
        String id = api.workflow().get("id").asText();
        String moduleId = api.module("reverse.wasm", "{}").get("id").asText();

        Http.Response tenth = http.post("/api/v1/workflows/" + id + "/steps",
                map("step_type", "wasm_module", "wasm_module_id", moduleId, "step_order", 10));
        Http.Response clash = http.post("/api/v1/workflows/" + id + "/steps",
                map("step_type", "wasm_module", "wasm_module_id", moduleId, "step_order", 10));
        Http.Response next = http.post("/api/v1/workflows/" + id + "/steps",
                map("step_type", "wasm_module", "wasm_module_id", moduleId));

        assertThat(tenth.status()).isEqualTo(201);
        assertThat(clash.status()).isEqualTo(409);
        assertThat(clash.json().get("detail").asText()).contains("step_order 10");
        assertThat(next.json().at("/data/step_order").asInt()).isEqualTo(11);
    }

    @Test
    void explainsBadSteps() {
        String id = api.workflow().get("id").asText();
        String path = "/api/v1/workflows/" + id + "/steps";

        Http.Response noType = http.post(path, map("wasm_module_id", "0f8fad5b-d9cb-469f-a165-70867728950e"));
        Http.Response badType = http.post(path, map("step_type", "shell", "wasm_module_id", "x"));
        Http.Response noModule = http.post(path, map("step_type", "wasm_module"));
        Http.Response unknownModule = http.post(path, map("step_type", "wasm_module",
                "wasm_module_id", "0f8fad5b-d9cb-469f-a165-70867728950e"));
        Http.Response unknownAgent = http.post(path, map("type", "agent", "agent_id", "0f8fad5b-d9cb-469f-a165-70867728950e"));
        Http.Response badConfig = http.post(path, map("step_type", "wasm_module",
                "wasm_module_id", "0f8fad5b-d9cb-469f-a165-70867728950e", "config", "not-an-object"));

        assertThat(noType.status()).isEqualTo(400);
        assertThat(noType.json().get("detail").asText()).contains("step_type");
        assertThat(badType.status()).isEqualTo(400);
        assertThat(badType.json().get("detail").asText()).contains("'wasm_module' or 'agent'");
        assertThat(noModule.status()).isEqualTo(400);
        assertThat(noModule.json().get("detail").asText()).contains("wasm_module_id is required");
        assertThat(unknownModule.status()).isEqualTo(422);
        assertThat(unknownAgent.status()).isEqualTo(422);
        assertThat(badConfig.status()).isEqualTo(400);
        assertThat(badConfig.json().get("detail").asText()).contains("config must be a JSON object");
        assertThat(http.get(path).json().get("data")).isEmpty();
        assertThat(http.post("/api/v1/workflows/not-a-uuid/steps", map("step_type", "agent")).status()).isEqualTo(404);
    }

    @Test
    void explainsBadWorkflowBodies() {
        Http.Response wrongType = http.postRaw("/api/v1/workflows", "{\"name\": \"w\", \"is_async\": \"perhaps\"}");
        Http.Response notJson = http.postRaw("/api/v1/workflows", "{\"name\": ");
        Http.Response noName = http.post("/api/v1/workflows", map("description", "d"));

        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().get("detail").asText()).contains("is_async").contains("boolean");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("detail").asText()).contains("not valid JSON");
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.json().at("/errors/0/field").asText()).isEqualTo("name");
        assertThat(notJson.body()).doesNotContain("at com.").doesNotContain("Exception");
    }
}
