package ai.mule.gateway.jobs;

import ai.mule.gateway.web.ApiException;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.ParentStep;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.StepFlow;
import ai.mule.schemas.WasmStep;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;
import java.util.UUID;

/**
 * What a new job will run: the snapshot of its steps taken now, and what it was started from (a workflow, or
 * one WASM module or one agent run directly). Exactly one of the three ids is set. {@code flow} is the workflow's
 * graph (one entry per step), or null when its steps run in a line. {@code parent} is set for the child job of a
 * sub-workflow step. {@code callDepth} is how many workflow calls through agent tools the job is nested in
 * ({@link ai.mule.schemas.JobRequest#callDepth}): 0 unless an agent's tool or a sub-workflow of such a job asked.
 * {@code startedBy} is the job whose step (an agent's tool, a module's host function) asked for this one, null
 * otherwise; with {@code parent}'s job it is what the job is counted under ({@link #starter}).
 */
public record JobPlan(UUID workflowId, UUID wasmModuleId, UUID agentId, String workflowName, List<StepDefinition> steps,
                      List<StepFlow> flow, ParentStep parent, int callDepth, UUID startedBy) {

    public JobPlan(UUID workflowId, UUID wasmModuleId, UUID agentId, String workflowName, List<StepDefinition> steps) {
        this(workflowId, wasmModuleId, agentId, workflowName, steps, null, null, 0, null);
    }

    public JobPlan(UUID workflowId, UUID wasmModuleId, UUID agentId, String workflowName, List<StepDefinition> steps,
                   List<StepFlow> flow) {
        this(workflowId, wasmModuleId, agentId, workflowName, steps, flow, null, 0, null);
    }

    /** This plan as the child job of a sub-workflow step. */
    public JobPlan withParent(ParentStep step) {
        return new JobPlan(workflowId, wasmModuleId, agentId, workflowName, steps, flow, step, callDepth, startedBy);
    }

    /** This plan for a job {@code depth} workflow calls through agent tools deep (checked when it is accepted). */
    public JobPlan atCallDepth(int depth) {
        return new JobPlan(workflowId, wasmModuleId, agentId, workflowName, steps, flow, parent, depth, startedBy);
    }

    /** This plan with the depth and starting job a call says ({@link StepCall}; a client's call: depth 0, none). */
    public JobPlan calledBy(StepCall call) {
        return new JobPlan(workflowId, wasmModuleId, agentId, workflowName, steps, flow, parent, call.callDepth(),
                call.startedBy());
    }

    /** The job whose step started this one (a sub-workflow's parent, or {@link #startedBy}); null for none. */
    public UUID starter() {
        return parent != null ? UUID.fromString(parent.jobId()) : startedBy;
    }

    /** The size of the steps' snapshot as it travels (JSON, in the job request and the orchestrator's state). */
    public int snapshotBytes() {
        try {
            int bytes = JsonSerde.mapper().writeValueAsBytes(steps).length;
            return flow == null ? bytes : bytes + JsonSerde.mapper().writeValueAsBytes(flow).length;
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
                .map(step -> step instanceof WasmStep wasm ? wasm.inDirectory(workingDirectory) : step).toList(),
                flow, parent, callDepth, startedBy);
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
