package ai.mule.gateway.jobs;

import ai.mule.gateway.web.ApiException;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.WasmStep;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;
import java.util.UUID;

/**
 * What a new job will run: the snapshot of its steps taken now, and what it was started from (a workflow, or
 * one WASM module or one agent run directly). Exactly one of the three ids is set.
 */
public record JobPlan(UUID workflowId, UUID wasmModuleId, UUID agentId, String workflowName, List<StepDefinition> steps) {

    /** The size of the steps' snapshot as it travels (JSON, in the job request and the orchestrator's state). */
    public int snapshotBytes() {
        try {
            return JsonSerde.mapper().writeValueAsBytes(steps).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a workflow snapshot could not be written as JSON", e);
        }
    }

    /** The plan with the job's working directory given to its WASM steps (none: unchanged). */
    public JobPlan inDirectory(String workingDirectory) {
        if (workingDirectory == null || workingDirectory.isEmpty()) {
            return this;
        }
        return new JobPlan(workflowId, wasmModuleId, agentId, workflowName, steps.stream()
                .map(step -> step instanceof WasmStep wasm ? wasm.inDirectory(workingDirectory) : step).toList());
    }

    /** A job needs at least one step: the orchestrator would have nothing to start. */
    public JobPlan requireSteps() {
        if (steps.isEmpty()) {
            throw ApiException.unprocessable("workflow '" + workflowName + "' has no steps, so there is nothing to run; "
                    + "add one with POST /api/v1/workflows/" + workflowId + "/steps");
        }
        return this;
    }
}
