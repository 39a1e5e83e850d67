package ai.mule.schemas;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A WASM module step. The runner fetches the module bytes by {@code sha256} (content-addressed, so a
 * module edited after the job was accepted does not change the job) and merges {@code config} with the
 * step input on the module's stdin.
 *
 * @param workingDirectory the job's {@code working_directory} (Mule v2's field): a path relative to the runner's mount
 *                         root, mounted read-only at {@link #WORKING_DIRECTORY_GUEST} when the step has no
 *                         {@code mount} of its own; null or empty for none
 */
public record WasmStep(int stepOrder, String workflowStepId, String moduleId, String moduleName, String sha256,
                       JsonNode config, StepPolicy policy, String workingDirectory) implements StepDefinition {

    /** Where a module sees its job's working directory. */
    public static final String WORKING_DIRECTORY_GUEST = "/work";

    public WasmStep {
        policy = policy == null ? StepPolicy.WASM_DEFAULT : policy;
    }

    public WasmStep(int stepOrder, String workflowStepId, String moduleId, String moduleName, String sha256,
                    JsonNode config, StepPolicy policy) {
        this(stepOrder, workflowStepId, moduleId, moduleName, sha256, config, policy, null);
    }

    public WasmStep(int stepOrder, String workflowStepId, String moduleId, String moduleName, String sha256,
                    JsonNode config) {
        this(stepOrder, workflowStepId, moduleId, moduleName, sha256, config, StepPolicy.WASM_DEFAULT);
    }

    /** This step in a job whose working directory is {@code directory}. */
    public WasmStep inDirectory(String directory) {
        return new WasmStep(stepOrder, workflowStepId, moduleId, moduleName, sha256, config, policy, directory);
    }

    @Override
    public Topic<String, StepCommand> commandTopic() {
        return Topics.STEPS_WASM;
    }
}
