package ai.mule.gateway.schedules;

import java.time.Instant;
import java.util.UUID;

/**
 * A slot a schedule fired: the job it started (null when the job was refused, {@code error} says why) and how
 * many slots that job stands for ({@code run_once} after missed slots).
 */
record ScheduleRun(Instant slot, UUID jobId, int slots, String error, Instant firedAt) {
}
