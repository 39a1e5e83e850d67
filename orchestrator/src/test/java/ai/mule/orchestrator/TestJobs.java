package ai.mule.orchestrator;

import ai.mule.schemas.AgentStep;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.StepFlow;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.WasmStep;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Jobs and steps for tests: an object mother. */
public final class TestJobs {

    private TestJobs() {
    }

    public static String newJobId() {
        return UUID.randomUUID().toString();
    }

    /** WASM (order 10), agent (order 20), WASM (order 30): step orders differ from indexes on purpose. */
    public static JobRequest threeMixedSteps(String jobId) {
        return request(jobId, wasm(10, "upper"), agent(20, "poet"), wasm(30, "reverse"));
    }

    public static JobRequest request(String jobId, StepDefinition... steps) {
        return JobRequest.of(jobId, UUID.randomUUID().toString(), "test-workflow", List.of(steps), prompt("hello"),
                Instant.parse("2026-01-01T00:00:00Z"));
    }

    /** A job running {@code steps} as the workflow graph {@code flow} (one entry per step). */
    public static JobRequest graph(String jobId, List<StepDefinition> steps, List<StepFlow> flow) {
        return request(jobId, steps.toArray(StepDefinition[]::new)).withFlow(flow);
    }

    /** A graph step named {@code name} that waits for the steps at {@code dependsOn}. */
    public static StepFlow node(String name, Integer... dependsOn) {
        return new StepFlow(name, List.of(dependsOn), null, null, null, null);
    }

    public static WasmStep wasm(int stepOrder, String moduleName) {
        ObjectNode config = JsonSerde.mapper().createObjectNode().put("mode", "test");
        return new WasmStep(stepOrder, UUID.randomUUID().toString(), UUID.randomUUID().toString(), moduleName,
                "ab".repeat(32), config);
    }

    /** A WASM step with its own retry and timeout policy. */
    public static WasmStep wasm(int stepOrder, String moduleName, StepPolicy policy) {
        WasmStep plain = wasm(stepOrder, moduleName);
        return new WasmStep(plain.stepOrder(), plain.workflowStepId(), plain.moduleId(), plain.moduleName(),
                plain.sha256(), plain.config(), policy);
    }

    public static AgentStep agent(int stepOrder, String agentName) {
        return new AgentStep(stepOrder, UUID.randomUUID().toString(), UUID.randomUUID().toString(), agentName,
                UUID.randomUUID().toString(), "http://127.0.0.1:11434/v1", "test-model", "Answer briefly.",
                JsonSerde.mapper().createObjectNode());
    }

    public static ObjectNode prompt(String text) {
        return JsonSerde.mapper().createObjectNode().put("prompt", text);
    }

    public static JsonNode text(String text) {
        return JsonSerde.mapper().getNodeFactory().textNode(text);
    }
}
