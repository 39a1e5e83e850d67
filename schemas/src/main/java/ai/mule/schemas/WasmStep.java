package ai.mule.schemas;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A WASM module step. The runner fetches the module bytes by {@code sha256} (content-addressed, so a
 * module edited after the job was accepted does not change the job) and merges {@code config} with the
 * step input on the module's stdin.
 */
public record WasmStep(int stepOrder, String workflowStepId, String moduleId, String moduleName, String sha256,
                       JsonNode config, StepPolicy policy) implements StepDefinition {

    public WasmStep {
        policy = policy == null ? StepPolicy.WASM_DEFAULT : policy;
    }

    public WasmStep(int stepOrder, String workflowStepId, String moduleId, String moduleName, String sha256,
                    JsonNode config) {
        this(stepOrder, workflowStepId, moduleId, moduleName, sha256, config, StepPolicy.WASM_DEFAULT);
    }

    @Override
    public Topic<String, StepCommand> commandTopic() {
        return Topics.STEPS_WASM;
    }
}
