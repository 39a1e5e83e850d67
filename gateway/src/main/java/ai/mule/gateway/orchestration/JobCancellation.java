package ai.mule.gateway.orchestration;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Marks a job cancelled in PostgreSQL at once, in the caller's transaction (which also writes the job's
 * {@code JobControl} to the outbox). The job status writer never changes a finished job, so no event that the
 * orchestrator emits afterwards (not even a late completion) changes the row again.
 */
@Component
public class JobCancellation {

    private final JdbcClient jdbc;

    JobCancellation(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** True if the job was queued or running and is now cancelled; false if it had already ended (or is unknown). */
    public boolean cancel(UUID jobId, String reason, Instant at) {
        OffsetDateTime now = OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
        int updated = jdbc.sql("""
                        UPDATE jobs SET status = 'cancelled', error_message = :reason, completed_at = :at, updated_at = :at
                         WHERE id = :id AND status NOT IN ('completed', 'failed', 'cancelled')""")
                .param("reason", reason).param("at", now).param("id", jobId)
                .update();
        if (updated == 0) {
            return false;
        }
        jdbc.sql("UPDATE job_steps SET status = 'cancelled', completed_at = :at "
                        + "WHERE job_id = :id AND status IN ('queued', 'running')")
                .param("at", now).param("id", jobId).update();
        jdbc.sql("UPDATE job_step_attempts SET status = 'cancelled', completed_at = :at "
                        + "WHERE job_id = :id AND status = 'running'")
                .param("at", now).param("id", jobId).update();
        return true;
    }
}
