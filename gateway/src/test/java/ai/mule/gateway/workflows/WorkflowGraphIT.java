package ai.mule.gateway.workflows;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.schemas.JobIngressRequest;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.ParentStep;
import ai.mule.schemas.StepFlow;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WasmStep;
import ai.mule.schemas.WorkflowStep;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Workflow graph fields: stored, returned, checked at save (4xx naming the step), and taken into the job snapshot. */
class WorkflowGraphIT extends IntegrationTestBase {

    private String workflow;
    private String module;

    private Http.Response step(Object... fields) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(map("type", "wasm_module", "wasm_module_id", module));
        for (int i = 0; i < fields.length; i += 2) {
            body.put((String) fields[i], fields[i + 1]);
        }
        return http.post("/api/v1/workflows/" + workflow + "/steps", body);
    }

    private void given() {
        workflow = api.workflow().get("id").asText();
        module = api.module("upper.wasm", "").get("id").asText();
    }

    @Test
    void storesReturnsAndSnapshotsAParallelReviewWithAJoin() {
        given();
        String other = api.module("reverse.wasm", "").get("id").asText();
        assertThat(step("name", "split").status()).isEqualTo(201);
        assertThat(step("name", "a", "depends_on", List.of("split"), "when", "input.lang == 'en'").status()).isEqualTo(201);
        assertThat(step("name", "b", "depends_on", List.of("split"),
                "fallback", map("type", "wasm_module", "wasm_module_id", other, "max_attempts", 1)).status())
                .isEqualTo(201);
        assertThat(step("name", "c", "depends_on", List.of("split"),
                "for_each", map("items", "steps.split.parts", "concurrency", 8)).status()).isEqualTo(201);
        Http.Response join = step("name", "merge", "depends_on", List.of("a", "b", "c"), "join_policy", "wait_all");
        assertThat(join.status()).as(join.toString()).isEqualTo(201);
        assertThat(join.json().at("/data/depends_on").findValuesAsText("")).isEmpty();
        assertThat(join.json().at("/data/join_policy").asText()).isEqualTo("wait_all");

        JsonNode steps = http.get("/api/v1/workflows/" + workflow + "/steps").json().get("data");
        assertThat(steps.findValuesAsText("name")).containsExactly("split", "a", "b", "c", "merge");
        assertThat(steps.get(0).get("depends_on").isNull()).as("absent = the previous step").isTrue();
        assertThat(steps.get(1).get("when").asText()).isEqualTo("input.lang == 'en'");
        assertThat(steps.get(2).at("/fallback/wasm_module_id").asText()).isEqualTo(other);
        assertThat(steps.get(3).at("/for_each/concurrency").asInt()).isEqualTo(8);
        assertThat(steps.get(3).at("/for_each/on_item_failure").asText()).isEqualTo("fail");

        Http.Response accepted = http.post("/api/v1/jobs", map("workflow_id", workflow, "input_data", map("lang", "en")));
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(201);
        List<JobRequest> requests = TestKafka.read(Topics.JOB_REQUESTS, accepted.json().at("/data/id").asText(), 1,
                Duration.ofSeconds(20));
        List<StepFlow> flow = requests.get(0).flow();
        assertThat(flow).extracting(StepFlow::name).containsExactly("split", "a", "b", "c", "merge");
        assertThat(flow.get(0).dependsOn()).isEmpty();
        assertThat(flow.get(4).dependsOn()).containsExactly(1, 2, 3);
        assertThat(flow.get(4).waitsForAll()).isTrue();
        assertThat(flow.get(3).forEach()).isEqualTo(new StepFlow.ForEach("steps.split.parts", 8, "fail"));
        assertThat(((WasmStep) flow.get(2).fallback()).moduleId()).isEqualTo(other);
        assertThat(flow.get(2).fallback().policy().maxAttempts()).isEqualTo(1);

        // the job keeps its snapshot: editing the workflow afterwards changes only later jobs
        String merge = join.json().at("/data/id").asText();
        assertThat(http.delete("/api/v1/workflows/" + workflow + "/steps/" + merge).status()).isEqualTo(204);
        assertThat(requests.get(0).steps()).hasSize(5);
    }

    @Test
    void aJobInAWorkingDirectoryKeepsItsGraph() {
        given();
        step("name", "split");
        step("name", "a", "depends_on", List.of("split"));
        step("name", "b", "depends_on", List.of("split"));

        Http.Response accepted = http.post("/api/v1/jobs", map("workflow_id", workflow, "input_data", map(),
                "working_directory", "projects/site"));

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(201);
        JobRequest request = TestKafka.read(Topics.JOB_REQUESTS, accepted.json().at("/data/id").asText(), 1,
                Duration.ofSeconds(20)).get(0);
        assertThat(request.flow()).as("a and b in parallel, not in a line").isNotNull()
                .extracting(StepFlow::name).containsExactly("split", "a", "b");
        assertThat(request.flow().get(2).dependsOn()).containsExactly(0);
        assertThat(((WasmStep) request.steps().get(2)).workingDirectory()).isEqualTo("projects/site");
    }

    @Test
    void aLinearWorkflowCarriesNoFlow() {
        given();
        step("name", "first");
        step();
        Http.Response accepted = http.post("/api/v1/jobs", map("workflow_id", workflow));
        List<JobRequest> requests = TestKafka.read(Topics.JOB_REQUESTS, accepted.json().at("/data/id").asText(), 1,
                Duration.ofSeconds(20));
        assertThat(requests.get(0).flow()).isNull();
        assertThat(http.get("/api/v1/workflows/" + workflow + "/steps").json().get("data").findValuesAsText("name"))
                .containsExactly("first", "step_2");
    }

    @Test
    void refusesInvalidGraphsNamingTheStep() {
        given();
        step("name", "a");
        step("name", "b", "depends_on", List.of("a"));
        assertRefused(step("name", "a"), 422, "'a'", "unique");
        assertRefused(step("name", "Bad Name"), 400, "name must be");
        assertRefused(step("name", "c", "depends_on", List.of("nope")), 422, "step 'c' depends on 'nope'");
        assertRefused(step("name", "c", "depends_on", List.of("c")), 422, "step 'c' depends on itself");
        assertRefused(step("name", "c", "depends_on", List.of("a", "a")), 400, "more than once");
        assertRefused(step("name", "c", "when", "steps.a.x =="), 422, "step 'c'", "when");
        assertRefused(step("name", "c", "when", "1 + 1"), 422, "step 'c'", "bool");
        assertRefused(step("name", "c", "when", "x".repeat(100_000)), 422, "step 'c'", "characters");
        assertRefused(step("name", "c", "join_policy", "sometimes"), 400, "join_policy");
        assertRefused(step("name", "c", "for_each", map("items", "input.list", "concurrency", 65)), 400,
                "concurrency must be 1 to 64");
        assertRefused(step("name", "c", "for_each", map("items", "input.list", "concurrency", 0)), 400, "concurrency");
        assertRefused(step("name", "c", "for_each", map("items", "input.list.map(")), 422, "for_each.items");
        assertRefused(step("name", "c", "for_each", map("concurrency", 2)), 400, "for_each.items is required");
        assertRefused(step("name", "c", "for_each", map("items", "input.l", "on_item_failure", "ignore")), 400,
                "on_item_failure");
        assertRefused(step("name", "c", "fallback", map("type", "wasm_module", "wasm_module_id",
                UUID.randomUUID().toString())), 422, "step 'c': fallback", "names no WASM module");
        assertRefused(step("name", "c", "fallback", map("type", "wasm_module", "wasm_module_id", module, "name", "x")),
                400, "step 'c'", "no field 'name'");
        assertRefused(step("name", "c", "fallback", "agent"), 400, "fallback must be an object");
        assertRefused(step("name", "c", "when", "input.a == '\u0000'"), 400, "when holds a NUL character");
        // an expression reads only steps that have finished when it runs: those upstream of its step
        assertRefused(step("name", "c", "depends_on", List.of("a"), "when", "steps.b == 'x'"), 422,
                "step 'c': 'when' reads steps.b", "add 'b' to its depends_on");
        assertRefused(step("name", "c", "depends_on", List.of("b"), "when", "has(steps.zz)"), 422,
                "reads steps.zz, which is no step of this workflow");
        assertRefused(step("name", "c", "depends_on", List.of("a"), "for_each", map("items", "steps['b'].parts")), 422,
                "step 'c': for_each.items reads steps.b");

        // a cycle can only come from an edit: a -> b -> a
        String a = http.get("/api/v1/workflows/" + workflow + "/steps").json().at("/data/0/id").asText();
        Http.Response cycle = http.put("/api/v1/workflows/" + workflow + "/steps/" + a,
                map("type", "wasm_module", "wasm_module_id", module, "name", "a", "depends_on", List.of("b")));
        assertRefused(cycle, 422, "is on a cycle", "b -> a -> b");
        // deleting a step another depends on is refused, naming the dependent
        assertRefused(http.delete("/api/v1/workflows/" + workflow + "/steps/" + a), 422, "step 'b' depends on 'a'");
        assertThat(http.get("/api/v1/workflows/" + workflow + "/steps").json().get("data").findValuesAsText("name"))
                .as("nothing refused was saved").containsExactly("a", "b");
    }

    @Test
    void subWorkflowStepsAreCheckedAndTheirChildJobsAreLinkedToTheParentOnce() {
        given();
        String child = api.workflow().get("id").asText();
        http.post("/api/v1/workflows/" + child + "/steps", map("type", "wasm_module", "wasm_module_id", module));
        step("name", "classify");
        Http.Response sub = http.post("/api/v1/workflows/" + workflow + "/steps", map("type", "workflow", "name", "route",
                "config", map("workflow_id", child)));
        assertThat(sub.status()).as(sub.toString()).isEqualTo(201);
        assertThat(sub.json().at("/data/type").asText()).isEqualTo("workflow");
        assertRefused(http.post("/api/v1/workflows/" + workflow + "/steps", map("type", "workflow",
                "config", map("workflow_id", UUID.randomUUID().toString()))), 422, "names no workflow");
        assertRefused(http.post("/api/v1/workflows/" + workflow + "/steps", map("type", "workflow",
                "config", map("other", 1))), 400, "config: {\"workflow_id\"");
        assertRefused(http.post("/api/v1/workflows/" + child + "/steps", map("type", "workflow",
                "config", map("workflow_id", workflow))), 422, "without end");
        assertRefused(step("name", "c", "fallback", map("type", "workflow", "config", map("workflow_id", child))), 400,
                "a fallback is a 'wasm_module' or 'agent' step");

        Http.Response accepted = http.post("/api/v1/jobs", map("workflow_id", workflow));
        String parentId = accepted.json().at("/data/id").asText();
        JobRequest parentRequest = TestKafka.read(Topics.JOB_REQUESTS, parentId, 1, Duration.ofSeconds(20)).get(0);
        WorkflowStep route = (WorkflowStep) parentRequest.steps().get(1);
        assertThat(route.workflowId()).isEqualTo(child);
        assertThat(parentRequest.flow()).as("a sub-workflow runs in a graph").isNotNull();

        // the orchestrator asks for the child; a redelivery makes no second one
        ParentStep parent = new ParentStep(parentId, 1, 1, "route");
        JobIngressRequest request = JobIngressRequest.child(route, map2json("prompt", "billing"), parent);
        TestKafka.send(Topics.JOB_CHILDREN, parent.childJobId(), request);
        TestKafka.send(Topics.JOB_CHILDREN, parent.childJobId(), request);
        JobRequest childRequest = TestKafka.read(Topics.JOB_REQUESTS, parent.childJobId(), 1, Duration.ofSeconds(20))
                .get(0);
        assertThat(childRequest.parent()).isEqualTo(parent);
        assertThat(childRequest.input().get("prompt").asText()).isEqualTo("billing");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode children = http.get("/api/v1/jobs/" + parentId).json().at("/data/children");
            assertThat(children.findValuesAsText("id")).containsExactly(parent.childJobId());
            assertThat(children.get(0).get("parent_step").asText()).isEqualTo("route");
        });
        assertThat(http.get("/api/v1/jobs/" + parentId).json().at("/data/status").asText())
                .as("the job's own fields are still there").isNotEmpty();
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode map2json(String key, String value) {
        return ai.mule.schemas.JsonSerde.mapper().createObjectNode().put(key, value);
    }

    private static void assertRefused(Http.Response response, int status, String... said) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.json().get("detail").asText()).as(response.toString()).contains(said);
    }
}
