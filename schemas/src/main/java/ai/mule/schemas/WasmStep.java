package ai.mule.schemas;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A WASM module step. The runner fetches the module bytes by {@code sha256} (content-addressed, so a
 * module edited after the job was accepted does not change the job) and merges {@code config} with the
 * step input on the module's stdin.
 */
public record WasmStep(int stepOrder, String workflowStepId, String moduleId, String moduleName, String sha256,
                       JsonNode config) implements StepDefinition {

    @Override
    public Topic<String, StepCommand> commandTopic() {
        return Topics.STEPS_WASM;
    }
}
