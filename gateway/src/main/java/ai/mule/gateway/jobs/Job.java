package ai.mule.gateway.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * A job as the API shows it (Mule v2's fields, plus {@code workflow_name}, {@code agent_id} and {@code source}).
 * {@code output_data} is the job's output, {@code {"prompt": <last step output>}}, once it completed.
 * {@code schedule_id} and {@code schedule_slot} say which schedule started the job, for which slot (null otherwise).
 */
public record Job(UUID id, UUID workflowId, String workflowName, UUID wasmModuleId, UUID agentId, String status,
                  JsonNode inputData, JsonNode outputData, String errorMessage, String workingDirectory, String source,
                  Instant createdAt, Instant startedAt, Instant completedAt, Instant updatedAt, UUID scheduleId,
                  Instant scheduleSlot) {

    /** This job as an event moved it on, before the status writer stored that event. */
    public Job progressed(String newStatus, String newErrorMessage, Instant newStartedAt, Instant newCompletedAt,
                          Instant newUpdatedAt) {
        return new Job(id, workflowId, workflowName, wasmModuleId, agentId, newStatus, inputData, outputData,
                newErrorMessage, workingDirectory, source, createdAt, newStartedAt, newCompletedAt, newUpdatedAt,
                scheduleId, scheduleSlot);
    }
}
