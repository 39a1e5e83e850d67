package ai.mule.gateway.jobs;

import ai.mule.gateway.orchestration.StepAttempt;
import ai.mule.gateway.web.Json;
import ai.mule.gateway.web.Timestamps;
import ai.mule.schemas.JobStatus;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class JobRepository {

    static final String COLUMNS = "id, workflow_id, workflow_name, wasm_module_id, agent_id, status, input_data, "
            + "output_data, error_message, working_directory, source, created_at, started_at, completed_at, updated_at, "
            + "schedule_id, schedule_slot";
    private static final String STEP_COLUMNS = "id, job_id, workflow_step_id, step_index, step_order, status, attempt, "
            + "input_data, output_data, error_message, duration_micros, created_at, started_at, completed_at, "
            + "failure_kind, next_attempt_at, usage, stdout, stderr";

    private final JdbcClient jdbc;

    JobRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A queued job; {@code rootJobId} is the first job of its line when a step started it ({@link #rootOf}). */
    Job insertQueued(UUID id, JobPlan plan, ObjectNode input, String workingDirectory, String source, Instant now,
                     UUID rootJobId) {
        return insertQueued(id, plan, input, workingDirectory, source, now, null, null, rootJobId);
    }

    /** A queued job; {@code scheduleId} and {@code scheduleSlot} are set for a job a schedule started. */
    Job insertQueued(UUID id, JobPlan plan, ObjectNode input, String workingDirectory, String source, Instant now,
                     UUID scheduleId, Instant scheduleSlot, UUID rootJobId) {
        jdbc.sql("INSERT INTO jobs (id, workflow_id, workflow_name, wasm_module_id, agent_id, status, input_data, "
                        + "working_directory, source, created_at, updated_at, schedule_id, schedule_slot, root_job_id) "
                        + "VALUES (?, ?, ?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?, ?, ?, ?, ?)")
                .params(id, plan.workflowId(), plan.workflowName(), plan.wasmModuleId(), plan.agentId(),
                        JobStatus.QUEUED.wire(), Json.write(input), workingDirectory, source, Timestamps.param(now),
                        Timestamps.param(now), scheduleId, Timestamps.param(scheduleSlot), rootJobId)
                .update();
        return new Job(id, plan.workflowId(), plan.workflowName(), plan.wasmModuleId(), plan.agentId(),
                JobStatus.QUEUED.wire(), input, null, null, workingDirectory, source, now, null, null, now, scheduleId,
                scheduleSlot);
    }

    /**
     * Inserts a queued job under an idempotency key, unless a job already holds that key: then nothing is written
     * and empty is returned. A concurrent insert of the same key makes this statement wait for that transaction,
     * so two racing requests never both insert.
     */
    Optional<Job> insertQueuedOnce(UUID id, JobPlan plan, ObjectNode input, String workingDirectory, String source,
                                   Instant now, String idempotencyKey, UUID rootJobId) {
        // a sub-workflow's child is linked to its parent job and step
        UUID parentJobId = plan.parent() == null ? null : UUID.fromString(plan.parent().jobId());
        String parentStep = plan.parent() == null ? null : plan.parent().stepName();
        int inserted = jdbc.sql("INSERT INTO jobs (id, workflow_id, workflow_name, wasm_module_id, agent_id, status, "
                        + "input_data, working_directory, source, created_at, updated_at, idempotency_key, "
                        + "parent_job_id, parent_step, root_job_id) "
                        + "VALUES (?, ?, ?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING")
                .params(id, plan.workflowId(), plan.workflowName(), plan.wasmModuleId(), plan.agentId(),
                        JobStatus.QUEUED.wire(), Json.write(input), workingDirectory, source, Timestamps.param(now),
                        Timestamps.param(now), idempotencyKey, parentJobId, parentStep, rootJobId)
                .update();
        if (inserted == 0) {
            return Optional.empty();
        }
        return Optional.of(new Job(id, plan.workflowId(), plan.workflowName(), plan.wasmModuleId(), plan.agentId(),
                JobStatus.QUEUED.wire(), input, null, null, workingDirectory, source, now, null, null, now, null, null));
    }

    /** The first job of {@code jobId}'s line (one that no step started): its own id if it is one; empty if none. */
    Optional<UUID> rootOf(UUID jobId) {
        return jdbc.sql("SELECT COALESCE(root_job_id, id) FROM jobs WHERE id = ?").param(jobId).query(UUID.class)
                .optional();
    }

    /**
     * Counts one more job started under the root job {@code rootJobId} and returns the count, this job included. The
     * count's row stays locked until the transaction ends, so a job refused (its transaction rolled back) is not
     * counted and two jobs under one root are counted one after the other.
     */
    int countDescendant(UUID rootJobId) {
        return jdbc.sql("INSERT INTO job_trees (root_job_id, descendant_jobs) VALUES (?, 1) ON CONFLICT (root_job_id) "
                        + "DO UPDATE SET descendant_jobs = job_trees.descendant_jobs + 1 RETURNING descendant_jobs")
                .param(rootJobId).query(Integer.class).single();
    }

    Optional<Job> findByIdempotencyKey(String key) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE idempotency_key = ?").param(key)
                .query(JobRepository::map).optional();
    }

    /** The child jobs of a job's sub-workflow steps, oldest first. */
    List<ChildJob> children(UUID parentId) {
        return jdbc.sql("SELECT id, parent_step, workflow_id, workflow_name, status FROM jobs WHERE parent_job_id = ? "
                        + "ORDER BY created_at, id")
                .param(parentId)
                .query((rs, n) -> new ChildJob(rs.getObject("id", UUID.class), rs.getString("parent_step"),
                        rs.getObject("workflow_id", UUID.class), rs.getString("workflow_name"), rs.getString("status")))
                .list();
    }

    public Optional<Job> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE id = ?").param(id).query(JobRepository::map).optional();
    }

    /** The job's steps in order, each with its attempts. */
    public List<JobStep> steps(UUID jobId) {
        List<JobStep> steps = jdbc.sql("SELECT " + STEP_COLUMNS + " FROM job_steps WHERE job_id = ? ORDER BY step_index")
                .param(jobId)
                .query(JobRepository::mapStep)
                .list();
        Map<Integer, List<StepAttempt>> attempts = StepAttempt.ofJob(jdbc, jobId);
        return steps.stream().map(step -> step.withAttempts(attempts.getOrDefault(step.stepIndex(), List.of())))
                .toList();
    }

    static Job map(ResultSet rs, int n) throws SQLException {
        return new Job(rs.getObject("id", UUID.class), rs.getObject("workflow_id", UUID.class),
                rs.getString("workflow_name"), rs.getObject("wasm_module_id", UUID.class),
                rs.getObject("agent_id", UUID.class), rs.getString("status"), Json.column(rs, "input_data"),
                Json.column(rs, "output_data"), rs.getString("error_message"), rs.getString("working_directory"),
                rs.getString("source"), Timestamps.column(rs, "created_at"), Timestamps.column(rs, "started_at"),
                Timestamps.column(rs, "completed_at"), Timestamps.column(rs, "updated_at"),
                rs.getObject("schedule_id", UUID.class), Timestamps.column(rs, "schedule_slot"));
    }

    private static JobStep mapStep(ResultSet rs, int n) throws SQLException {
        long duration = rs.getLong("duration_micros");
        Long durationMicros = rs.wasNull() ? null : duration;
        return new JobStep(rs.getObject("id", UUID.class), rs.getObject("job_id", UUID.class),
                rs.getObject("workflow_step_id", UUID.class), rs.getInt("step_index"), rs.getInt("step_order"),
                rs.getString("status"), rs.getInt("attempt"), Json.column(rs, "input_data"),
                Json.column(rs, "output_data"), rs.getString("error_message"), durationMicros,
                Timestamps.column(rs, "created_at"), Timestamps.column(rs, "started_at"),
                Timestamps.column(rs, "completed_at"), rs.getString("failure_kind"),
                Timestamps.column(rs, "next_attempt_at"), Json.column(rs, "usage"), rs.getString("stdout"),
                rs.getString("stderr"), List.of());
    }
}
