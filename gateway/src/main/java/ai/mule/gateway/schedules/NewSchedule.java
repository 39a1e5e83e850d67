package ai.mule.gateway.schedules;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A schedule as callers send it: on create, {@code workflow_id}, {@code cron} and {@code time_zone} are required;
 * on update, fields left out keep their value ({@code {"enabled": false}} pauses a schedule).
 */
record NewSchedule(String workflowId, String name, String cron, String timeZone, JsonNode inputData,
                   String missedRuns, Boolean enabled) {
}
