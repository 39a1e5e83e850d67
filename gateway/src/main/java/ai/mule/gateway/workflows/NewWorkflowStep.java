package ai.mule.gateway.workflows;

import ai.mule.gateway.orchestration.StepPolicyFields;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A step to add; {@code type} (Mule v2's name) is accepted for {@code step_type}. The graph fields ({@code name}
 * ... {@code fallback}) are optional; see {@link StepGraphFields} and {@link WorkflowGraph} for their checks.
 */
// what a GET answered may be sent back as is: the read-only fields are ignored, any other unknown field is refused
@JsonIgnoreProperties({"id", "created_at", "updated_at", "workflow_id"})
record NewWorkflowStep(@JsonAlias("type") String stepType, String wasmModuleId, String agentId, Integer stepOrder,
                       JsonNode config, Integer maxAttempts, Long initialBackoffMs, Double backoffMultiplier,
                       Long maxBackoffMs, Long timeoutMs, Boolean retryStepFailures, String name,
                       List<String> dependsOn, String joinPolicy, String when, JsonNode forEach, JsonNode fallback) {

    /** The step's retry and timeout policy as sent; absent fields take the step type's defaults. */
    StepPolicyFields policy() {
        return new StepPolicyFields(maxAttempts, initialBackoffMs, backoffMultiplier, maxBackoffMs, timeoutMs,
                retryStepFailures).validated();
    }
}
