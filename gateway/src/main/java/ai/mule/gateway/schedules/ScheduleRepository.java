package ai.mule.gateway.schedules;

import ai.mule.gateway.web.Json;
import ai.mule.gateway.web.Paging;
import ai.mule.gateway.web.Timestamps;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class ScheduleRepository {

    private static final String SELECT = "SELECT s.id, s.workflow_id, w.name AS workflow_name, s.name, s.cron, "
            + "s.time_zone, s.input_data, s.missed_runs, s.enabled, s.next_fire_at, s.last_slot, s.last_job_id, "
            + "s.last_error, s.created_at, s.updated_at FROM schedules s JOIN workflows w ON w.id = s.workflow_id";

    private final JdbcClient jdbc;

    ScheduleRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<String> workflowName(UUID workflowId) {
        return jdbc.sql("SELECT name FROM workflows WHERE id = ?").param(workflowId).query(String.class).optional();
    }

    void insert(UUID id, UUID workflowId, String name, ScheduleCron cron, ObjectNode input, MissedRuns missedRuns,
                boolean enabled, Instant nextFireAt, Instant now) {
        jdbc.sql("INSERT INTO schedules (id, workflow_id, name, cron, time_zone, input_data, missed_runs, enabled, "
                        + "next_fire_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?, ?, ?)")
                .params(id, workflowId, name, cron.expression(), cron.zone().getId(), Json.write(input),
                        missedRuns.wire(), enabled, Timestamps.param(nextFireAt), Timestamps.param(now),
                        Timestamps.param(now))
                .update();
    }

    void update(UUID id, UUID workflowId, String name, ScheduleCron cron, ObjectNode input, MissedRuns missedRuns,
                boolean enabled, Instant nextFireAt, Instant now) {
        jdbc.sql("UPDATE schedules SET workflow_id = ?, name = ?, cron = ?, time_zone = ?, input_data = CAST(? AS JSONB), "
                        + "missed_runs = ?, enabled = ?, next_fire_at = ?, updated_at = ? WHERE id = ?")
                .params(workflowId, name, cron.expression(), cron.zone().getId(), Json.write(input), missedRuns.wire(),
                        enabled, Timestamps.param(nextFireAt), Timestamps.param(now), id)
                .update();
    }

    boolean delete(UUID id) {
        return jdbc.sql("DELETE FROM schedules WHERE id = ?").param(id).update() > 0;
    }

    Optional<Schedule> find(UUID id) {
        return jdbc.sql(SELECT + " WHERE s.id = ?").param(id).query(ScheduleRepository::map).optional();
    }

    /** The schedule, locked until the transaction ends (an update waits for a scheduler firing it, and back). */
    Optional<Schedule> findForUpdate(UUID id) {
        return jdbc.sql(SELECT + " WHERE s.id = ? FOR UPDATE OF s").param(id).query(ScheduleRepository::map).optional();
    }

    List<Schedule> list(UUID workflowId, Paging paging) {
        List<Object> params = new ArrayList<>();
        String where = "";
        if (workflowId != null) {
            where = " WHERE s.workflow_id = ?";
            params.add(workflowId);
        }
        params.add(paging.pageSize());
        params.add(paging.offset());
        return jdbc.sql(SELECT + where + " ORDER BY s.created_at DESC, s.id LIMIT ? OFFSET ?")
                .params(params).query(ScheduleRepository::map).list();
    }

    long count(UUID workflowId) {
        return workflowId == null
                ? jdbc.sql("SELECT count(*) FROM schedules").query(Long.class).single()
                : jdbc.sql("SELECT count(*) FROM schedules WHERE workflow_id = ?").param(workflowId).query(Long.class)
                        .single();
    }

    List<ScheduleRun> runs(UUID scheduleId, int limit) {
        return jdbc.sql("SELECT slot, job_id, slots, error, fired_at FROM schedule_runs WHERE schedule_id = ? "
                        + "ORDER BY slot DESC LIMIT ?")
                .params(scheduleId, limit)
                .query((rs, n) -> new ScheduleRun(Timestamps.column(rs, "slot"), rs.getObject("job_id", UUID.class),
                        rs.getInt("slots"), rs.getString("error"), Timestamps.column(rs, "fired_at")))
                .list();
    }

    /**
     * The enabled schedule whose slot is due longest, locked for this transaction; schedules another scheduler
     * holds are skipped, so schedulers in several gateways share the due schedules without waiting on each other.
     * A row another scheduler fired and committed meanwhile is read again by PostgreSQL, and is not due any more.
     */
    Optional<Due> lockNextDue(Instant now) {
        return jdbc.sql("SELECT id, workflow_id, cron, time_zone, input_data, missed_runs, next_fire_at FROM schedules "
                        + "WHERE enabled AND next_fire_at <= ? ORDER BY next_fire_at, id LIMIT 1 FOR UPDATE SKIP LOCKED")
                .param(Timestamps.param(now))
                .query(ScheduleRepository::due)
                .optional();
    }

    /** The same schedule again, locked, if it is still due at the same slot (else another scheduler fired it). */
    Optional<Due> lockIfStillDue(UUID id, Instant nextFireAt) {
        return jdbc.sql("SELECT id, workflow_id, cron, time_zone, input_data, missed_runs, next_fire_at FROM schedules "
                        + "WHERE id = ? AND enabled AND next_fire_at = ? FOR UPDATE SKIP LOCKED")
                .params(id, Timestamps.param(nextFireAt))
                .query(ScheduleRepository::due)
                .optional();
    }

    /**
     * Records a slot as fired; false when it already was (the primary key), and then nothing may start for it.
     * Inserted before the job, in the job's transaction.
     */
    boolean claimSlot(UUID scheduleId, Instant slot, UUID jobId, int slots, String error, Instant now) {
        return jdbc.sql("INSERT INTO schedule_runs (schedule_id, slot, job_id, slots, error, fired_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (schedule_id, slot) DO NOTHING")
                .params(scheduleId, Timestamps.param(slot), jobId, slots, error, Timestamps.param(now))
                .update() == 1;
    }

    /** Moves the schedule to its next slot, and remembers the slot just fired (if one was). */
    void advance(UUID id, Instant next, Instant firedSlot, UUID jobId, String error, Instant now) {
        if (firedSlot == null) {
            jdbc.sql("UPDATE schedules SET next_fire_at = ? WHERE id = ?").params(Timestamps.param(next), id).update();
            return;
        }
        jdbc.sql("UPDATE schedules SET next_fire_at = ?, last_slot = ?, last_job_id = ?, last_error = ? WHERE id = ?")
                .params(Timestamps.param(next), Timestamps.param(firedSlot), jobId, error, id)
                .update();
    }

    private static Schedule map(ResultSet rs, int n) throws SQLException {
        return new Schedule(rs.getObject("id", UUID.class), rs.getObject("workflow_id", UUID.class),
                rs.getString("workflow_name"), rs.getString("name"), rs.getString("cron"), rs.getString("time_zone"),
                Json.column(rs, "input_data"), rs.getString("missed_runs"), rs.getBoolean("enabled"),
                Timestamps.column(rs, "next_fire_at"), Timestamps.column(rs, "last_slot"),
                rs.getObject("last_job_id", UUID.class), rs.getString("last_error"),
                Timestamps.column(rs, "created_at"), Timestamps.column(rs, "updated_at"));
    }

    private static Due due(ResultSet rs, int n) throws SQLException {
        return new Due(rs.getObject("id", UUID.class), rs.getObject("workflow_id", UUID.class), rs.getString("cron"),
                rs.getString("time_zone"), (ObjectNode) Json.column(rs, "input_data"),
                MissedRuns.fromWire(rs.getString("missed_runs")), Timestamps.column(rs, "next_fire_at"));
    }

    /** A due schedule, as the scheduler needs it. */
    record Due(UUID id, UUID workflowId, String cron, String timeZone, ObjectNode input, MissedRuns missedRuns,
               Instant nextFireAt) {
    }
}
