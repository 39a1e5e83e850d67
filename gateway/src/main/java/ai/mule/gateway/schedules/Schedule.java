package ai.mule.gateway.schedules;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * A schedule as the API shows it: the workflow it starts, when ({@code cron} in {@code time_zone}), with which
 * input, what becomes of {@code missed_runs}, whether it is {@code enabled}, its {@code next_fire_at} (null while
 * paused or when the cron has no future slot) and its last slot fired.
 */
record Schedule(UUID id, UUID workflowId, String workflowName, String name, String cron, String timeZone,
                JsonNode inputData, String missedRuns, boolean enabled, Instant nextFireAt, Instant lastSlot,
                UUID lastJobId, String lastError, Instant createdAt, Instant updatedAt) {
}
