package ai.mule.gateway.schedules;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A schedule as callers send it: on create, {@code workflow_id}, {@code cron} and {@code time_zone} are required;
 * on update, fields left out keep their value ({@code {"enabled": false}} pauses a schedule). The fields only the
 * gateway sets are ignored, so that what a {@code GET} answered can be sent back.
 */
@JsonIgnoreProperties({"id", "created_at", "updated_at", "workflow_name", "next_fire_at", "last_slot", "last_job_id",
        "last_error"})
record NewSchedule(String workflowId, String name, String cron, String timeZone, JsonNode inputData,
                   String missedRuns, Boolean enabled) {
}
