package ai.mule.gateway.workflows;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A workflow's whole snapshot (every step as a job carries it) stays within {@code mule.limits.max-snapshot-bytes}
 * (256 KiB by default): the step whose save would make it too big is refused (413), and a workflow that grew past
 * it another way (its module's config) is refused when a job is accepted (422), on every way a job is accepted,
 * with nothing written.
 */
class SnapshotLimitIT extends IntegrationTestBase {

    private static final String LIMIT = "mule.limits.max-snapshot-bytes";

    @Test
    void refusesTheStepThatMakesTheSnapshotTooBigAndKeepsTheOthers() {
        JsonNode workflow = api.workflow();
        String workflowId = workflow.get("id").asText();
        String moduleId = api.module("greet.wasm", "").get("id").asText();
        Map<String, Object> config = map("text", "x".repeat(120_000));
        api.wasmStep(workflowId, moduleId, config);
        JsonNode second = api.wasmStep(workflowId, moduleId, config);

        Http.Response third = http.post("/api/v1/workflows/" + workflowId + "/steps", map("step_type", "wasm_module",
                "wasm_module_id", moduleId, "config", config));
        Http.Response grown = http.put("/api/v1/workflows/" + workflowId + "/steps/" + second.get("id").asText(),
                map("step_type", "wasm_module", "wasm_module_id", moduleId, "config", map("text", "y".repeat(127_000),
                        "more", "z".repeat(10_000))));

        assertThat(third.status()).as(third.body()).isEqualTo(413);
        assertThat(third.json().get("detail").asText()).contains("with this step, workflow '"
                + workflow.get("name").asText() + "'").contains(LIMIT);
        assertThat(third.json().get("limit").asText()).isEqualTo(LIMIT);
        assertThat(grown.status()).as(grown.body()).isEqualTo(413);
        assertThat(grown.json().get("limit").asText()).isEqualTo("mule.limits.max-step-config-bytes");
        List<JsonNode> steps = List.copyOf(listOf(http.get("/api/v1/workflows/" + workflowId + "/steps").json()));
        assertThat(steps).hasSize(2);
        assertThat(steps.get(1).at("/config/text").asText()).hasSize(120_000);
        // the two steps that fit still run
        assertThat(http.post("/api/v1/jobs", map("workflow_id", workflowId)).status()).isEqualTo(201);
    }

    @Test
    void refusesAJobOfAWorkflowThatGrewPastTheLimitWhereverItIsAcceptedAndWritesNothing() {
        JsonNode workflow = api.workflow();
        String workflowId = workflow.get("id").asText();
        String name = workflow.get("name").asText();
        String moduleId = api.module("greet.wasm", "").get("id").asText();
        Map<String, Object> config = map("text", "x".repeat(100_000));
        api.wasmStep(workflowId, moduleId, config);
        api.wasmStep(workflowId, moduleId, config);
        // the module's config is merged into each step's: 2 x (100 KB + 40 KB) is over 256 KiB
        Http.Response edited = http.putMultipart("/api/v1/wasm-modules/" + moduleId,
                Map.of("config", "{\"extra\": \"" + "e".repeat(40_000) + "\"}"), null, null);
        assertThat(edited.status()).as(edited.body()).isEqualTo(200);

        Http.Response job = http.post("/api/v1/jobs", map("workflow_id", workflowId, "input_data", map("prompt", "x")));
        Http.Response chat = http.post("/v1/chat/completions", map("model", "workflow/" + name,
                "messages", List.of(map("role", "user", "content", "x"))));
        Http.Response async = http.post("/v1/chat/completions", map("model", "async/workflow/" + name,
                "messages", List.of(map("role", "user", "content", "x"))));

        assertThat(job.status()).as(job.body()).isEqualTo(422);
        assertThat(job.json().get("detail").asText()).contains("workflow '" + name + "'").contains(LIMIT)
                .contains("shrink the configs");
        assertThat(job.json().get("limit").asText()).isEqualTo(LIMIT);
        for (Http.Response openAi : List.of(chat, async)) {
            assertThat(openAi.status()).as(openAi.body()).isEqualTo(422);
            JsonNode error = openAi.json().get("error");
            assertThat(error.get("code").asText()).isEqualTo("limit_exceeded");
            assertThat(error.get("param").asText()).isEqualTo(LIMIT);
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        }
        // refused before the transaction wrote anything: no job row, so no outbox row (written with it) either
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE workflow_name = ?").param(name).query(Long.class).single())
                .isZero();
    }

    private static List<JsonNode> listOf(JsonNode page) {
        List<JsonNode> items = new java.util.ArrayList<>();
        page.get("data").forEach(items::add);
        return items;
    }
}
