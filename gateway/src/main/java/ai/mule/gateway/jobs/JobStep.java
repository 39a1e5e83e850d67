package ai.mule.gateway.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/** One step of a job, as the job status writer records it from the job's events. */
public record JobStep(UUID id, UUID jobId, UUID workflowStepId, int stepIndex, int stepOrder, String status, int attempt,
                      JsonNode inputData, JsonNode outputData, String errorMessage, Long durationMicros,
                      Instant createdAt, Instant startedAt, Instant completedAt) {
}
