package ai.mule.schemas;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * The snapshot of one workflow step taken when its job was accepted: everything a runner needs to run
 * it except secrets. The {@code type} names match Mule v2's step types.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = WasmStep.class, name = "wasm_module"),
        @JsonSubTypes.Type(value = AgentStep.class, name = "agent"),
        @JsonSubTypes.Type(value = WorkflowStep.class, name = "workflow")
})
public sealed interface StepDefinition permits WasmStep, AgentStep, WorkflowStep {

    /** Mule v2's step_order of this step in its workflow (for display; need not be contiguous). */
    int stepOrder();

    /** The workflow step row this was taken from, or null for a job that runs one module directly. */
    String workflowStepId();

    /** How this step is retried and how long one run may take (the type's default when not set). */
    StepPolicy policy();

    /** The topic whose runners execute this kind of step; null for a sub-workflow ({@link WorkflowStep}). */
    Topic<String, StepCommand> commandTopic();
}
