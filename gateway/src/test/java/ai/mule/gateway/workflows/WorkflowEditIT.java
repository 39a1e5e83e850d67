package ai.mule.gateway.workflows;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.TestApi;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WorkflowEditIT extends IntegrationTestBase {

    @Test
    void updatesAndDeletesWorkflows() {
        String id = api.workflow().get("id").asText();
        String taken = api.workflow().get("name").asText();
        String name = TestApi.unique("edited");

        var updated = http.put("/api/v1/workflows/" + id, map("name", name, "description", "new", "is_async", true));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().at("/data/is_async").asBoolean()).isTrue();
        assertThat(http.get("/api/v1/workflows/" + id).json().at("/data/name").asText()).isEqualTo(name);
        assertThat(http.put("/api/v1/workflows/" + id, map("name", taken)).status()).isEqualTo(409);
        assertThat(http.put("/api/v1/workflows/" + id, map("name", "../etc")).status()).isEqualTo(400);
        assertThat(http.put("/api/v1/workflows/" + UUID.randomUUID(), map("name", TestApi.unique("x"))).status()).isEqualTo(404);

        assertThat(http.delete("/api/v1/workflows/" + id).status()).isEqualTo(204);
        assertThat(http.get("/api/v1/workflows/" + id).status()).isEqualTo(404);
        assertThat(http.delete("/api/v1/workflows/" + id).status()).isEqualTo(404);
    }

    @Test
    void editsDeletesAndReordersSteps() {
        String workflow = api.workflow().get("id").asText();
        String module = api.module("upper.wasm", "").get("id").asText();
        String first = api.wasmStep(workflow, module, null).get("id").asText();
        String second = api.wasmStep(workflow, module, null).get("id").asText();
        String third = api.wasmStep(workflow, module, null).get("id").asText();
        String steps = "/api/v1/workflows/" + workflow + "/steps";

        var edited = http.put(steps + "/" + second, map("type", "wasm_module", "wasm_module_id", module,
                "config", map("greeting", "hi")));
        assertThat(edited.status()).as(edited.toString()).isEqualTo(200);
        assertThat(edited.json().at("/data/config/greeting").asText()).isEqualTo("hi");
        assertThat(edited.json().at("/data/step_order").asInt()).isEqualTo(2);
        assertThat(http.put(steps + "/" + second, map("type", "wasm_module", "wasm_module_id", module, "step_order", 1))
                .status()).isEqualTo(409);
        assertThat(http.put(steps + "/" + second, map("type", "wasm_module", "wasm_module_id", UUID.randomUUID().toString()))
                .status()).isEqualTo(422);
        assertThat(http.put(steps + "/" + UUID.randomUUID(), map("type", "wasm_module", "wasm_module_id", module))
                .status()).isEqualTo(404);

        var reordered = http.post(steps + "/reorder", map("step_ids", List.of(third, first, second)));
        assertThat(reordered.status()).as(reordered.toString()).isEqualTo(200);
        assertThat(reordered.json().get("data").findValuesAsText("id")).containsExactly(third, first, second);
        assertThat(reordered.json().get("data").findValues("step_order").stream().map(JsonNode::asInt))
                .containsExactly(1, 2, 3);
        assertThat(http.post(steps + "/reorder", map("step_ids", List.of(third, first))).status()).isEqualTo(422);
        assertThat(http.post(steps + "/reorder", map("step_ids", List.of(third, first, first))).status()).isEqualTo(400);
        assertThat(http.post(steps + "/reorder", map("step_ids", List.of("x", first, second))).status()).isEqualTo(400);
        assertThat(http.post(steps + "/reorder", map()).status()).isEqualTo(400);
        assertThat(http.get(steps).json().get("data").findValuesAsText("id")).containsExactly(third, first, second);

        assertThat(http.delete(steps + "/" + first).status()).isEqualTo(204);
        assertThat(http.delete(steps + "/" + first).status()).isEqualTo(404);
        assertThat(http.get(steps).json().get("data").findValuesAsText("id")).containsExactly(third, second);
    }

    @Test
    void updatesAndDeletesAgentsAndTheirTools() {
        String provider = api.provider("").get("id").asText();
        JsonNode agent = api.agent(provider, "be brief");
        String id = agent.get("id").asText();
        String name = TestApi.unique("agent");

        var updated = http.put("/api/v1/agents/" + id, map("name", name, "provider_id", provider, "model_id", "m2",
                "system_prompt", "be long"));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().at("/data/model_id").asText()).isEqualTo("m2");
        assertThat(http.put("/api/v1/agents/" + id, map("name", name, "provider_id", UUID.randomUUID().toString(),
                "model_id", "m")).status()).isEqualTo(422);
        assertThat(http.put("/api/v1/agents/" + UUID.randomUUID(), map("name", name, "provider_id", provider,
                "model_id", "m")).status()).isEqualTo(404);

        var tool = http.post("/api/v1/agents/" + id + "/tools", map("name", "web-search", "config", map("max", 3)));
        assertThat(tool.status()).as(tool.toString()).isEqualTo(201);
        assertThat(http.post("/api/v1/agents/" + id + "/tools", map("name", "web-search")).status()).isEqualTo(409);
        assertThat(http.post("/api/v1/agents/" + id + "/tools", map("name", "../x")).status()).isEqualTo(400);
        assertThat(http.get("/api/v1/agents/" + id + "/tools").json().get("data").findValuesAsText("name"))
                .containsExactly("web-search");
        assertThat(http.delete("/api/v1/agents/" + id + "/tools/web-search").status()).isEqualTo(204);
        assertThat(http.delete("/api/v1/agents/" + id + "/tools/web-search").status()).isEqualTo(404);

        String workflow = api.workflow().get("id").asText();
        api.agentStep(workflow, id);
        assertThat(http.delete("/api/v1/agents/" + id).status()).isEqualTo(409);
        http.delete("/api/v1/workflows/" + workflow);
        assertThat(http.delete("/api/v1/agents/" + id).status()).isEqualTo(204);
        assertThat(http.get("/api/v1/agents/" + id).status()).isEqualTo(404);
    }
}
