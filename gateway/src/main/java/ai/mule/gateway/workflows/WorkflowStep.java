package ai.mule.gateway.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A step of a workflow. Mule v2 calls the step's kind {@code type}; the table calls it {@code step_type}: both
 * are written, so clients of either keep working. The policy fields ({@code max_attempts} ... {@code
 * retry_step_failures}) are the ones jobs of this step run with: the step's own, else its type's defaults.
 * The graph fields ({@code name} ... {@code fallback}, see {@link StepGraphFields}) are as saved, except that
 * {@code name} is always given ({@code step_<step_order>} by default); {@code depends_on} null means the previous
 * step.
 */
public record WorkflowStep(UUID id, UUID workflowId, int stepOrder, String type, String stepType, UUID agentId,
                           UUID wasmModuleId, JsonNode config, Instant createdAt, Instant updatedAt,
                           int maxAttempts, long initialBackoffMs, double backoffMultiplier, long maxBackoffMs,
                           long timeoutMs, boolean retryStepFailures, String name, List<String> dependsOn,
                           String joinPolicy, String when, ObjectNode forEach, ObjectNode fallback) {
}
