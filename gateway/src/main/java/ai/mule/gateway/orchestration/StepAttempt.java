package ai.mule.gateway.orchestration;

import ai.mule.gateway.web.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * One run of a job's step ({@code job_step_attempts}, written by the job status writer): shown under each step of
 * {@code GET /api/v1/jobs/{id}/steps}, so a retried step's every error and timing is visible.
 *
 * @param failureKind why the attempt failed (e.g. {@code runner_lost}, {@code provider_unavailable}); null if not
 */
public record StepAttempt(int attempt, String status, String errorMessage, String failureKind, Long durationMicros,
                          Instant startedAt, Instant completedAt) {

    /** Every attempt of every step of a job, by step index, in attempt order. */
    public static Map<Integer, List<StepAttempt>> ofJob(JdbcClient jdbc, UUID jobId) {
        return jdbc.sql("SELECT step_index, attempt, status, error_message, failure_kind, duration_micros, started_at, "
                        + "completed_at FROM job_step_attempts WHERE job_id = ? ORDER BY step_index, attempt")
                .param(jobId)
                .query((rs, n) -> Map.entry(rs.getInt("step_index"), map(rs)))
                .list().stream()
                .collect(Collectors.groupingBy(Map.Entry::getKey,
                        Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
    }

    private static StepAttempt map(ResultSet rs) throws SQLException {
        long duration = rs.getLong("duration_micros");
        Long durationMicros = rs.wasNull() ? null : duration;
        return new StepAttempt(rs.getInt("attempt"), rs.getString("status"), rs.getString("error_message"),
                rs.getString("failure_kind"), durationMicros, Timestamps.column(rs, "started_at"),
                Timestamps.column(rs, "completed_at"));
    }
}
