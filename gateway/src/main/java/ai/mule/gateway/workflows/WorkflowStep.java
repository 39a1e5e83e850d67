package ai.mule.gateway.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * A step of a workflow. Mule v2 calls the step's kind {@code type}; the table calls it {@code step_type}: both
 * are written, so clients of either keep working. The policy fields ({@code max_attempts} ... {@code
 * retry_step_failures}) are the ones jobs of this step run with: the step's own, else its type's defaults.
 */
public record WorkflowStep(UUID id, UUID workflowId, int stepOrder, String type, String stepType, UUID agentId,
                           UUID wasmModuleId, JsonNode config, Instant createdAt, Instant updatedAt,
                           int maxAttempts, long initialBackoffMs, double backoffMultiplier, long maxBackoffMs,
                           long timeoutMs, boolean retryStepFailures) {
}
