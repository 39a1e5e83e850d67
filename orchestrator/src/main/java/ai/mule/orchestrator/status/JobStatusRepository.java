package ai.mule.orchestrator.status;

import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobEvent.JobCancelled;
import ai.mule.schemas.JobEvent.JobCompleted;
import ai.mule.schemas.JobEvent.JobFailed;
import ai.mule.schemas.JobEvent.JobStarted;
import ai.mule.schemas.JobEvent.StepCompleted;
import ai.mule.schemas.JobEvent.StepFailed;
import ai.mule.schemas.JobEvent.StepRetrying;
import ai.mule.schemas.JobEvent.StepSkipped;
import ai.mule.schemas.JobEvent.StepStarted;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.PostgresText;
import ai.mule.schemas.StepRef;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies job events to the {@code jobs} and {@code job_steps} tables, idempotently: the one writer of a job's
 * status (the gateway only creates the row; a cancel through the API reaches the row as the orchestrator's
 * {@code job_cancelled}, or not at all if the job finished first). An event is applied only
 * if its {@code seq} is above the job's {@code last_event_seq} and the job is not finished: the guard (which locks
 * the job's row) and the writes are one statement, so a redelivered or out-of-date event changes nothing and a
 * terminal status never changes again (Mule v2 let a late completion overwrite a cancel).
 * <p>
 * Events of a job whose row does not exist are skipped with a warning: the gateway creates every job row
 * (with its outbox row) before the job's request reaches Kafka, so a missing row means the job was deleted or
 * the events belong to another database; inventing a row would resurrect it with made-up columns.
 * <p>
 * Every text and JSON value written here goes through {@link PostgresText#storable} (in {@link #text} and
 * {@link #json}, the one place the status writer makes text storable): what a step produced travels unchanged
 * through Kafka, and a NUL or an unpaired surrogate in it, which PostgreSQL refuses, is stored as U+FFFD.
 */
public class JobStatusRepository {

    private static final Logger log = LoggerFactory.getLogger(JobStatusRepository.class);

    /** The job's row, locked, if the event is new to it (its seq is above the last applied) and it still runs. */
    private static final String ADVANCING = """
            SELECT id FROM jobs
             WHERE id = :jobId AND last_event_seq < :seq AND status NOT IN ('completed', 'failed', 'cancelled')
               FOR UPDATE""";

    private static final String ADVANCE_JOB = """
            UPDATE jobs SET last_event_seq = :seq, updated_at = now() %s WHERE id IN (SELECT id FROM advanced)""";

    // The writes below run as parts of one statement with ADVANCE_JOB (guarded): each takes the job's id from the
    // row ADVANCING locked, so it writes nothing when the event was skipped. Parameters are cast, as a SELECT list
    // does not give them their column's type.

    private static final String START_STEP = """
            INSERT INTO job_steps (id, job_id, workflow_step_id, step_index, step_order, status, attempt, input_data,
                                   started_at)
            SELECT CAST(:id AS uuid), id, CAST(:workflowStepId AS uuid), CAST(:stepIndex AS integer),
                   CAST(:stepOrder AS integer), 'running', CAST(:attempt AS integer), CAST(:input AS jsonb),
                   CAST(:at AS timestamptz) FROM advanced
            ON CONFLICT (job_id, step_index) DO UPDATE
               SET status = 'running', attempt = EXCLUDED.attempt, input_data = EXCLUDED.input_data,
                   started_at = EXCLUDED.started_at, output_data = NULL, duration_micros = NULL,
                   completed_at = NULL, next_attempt_at = NULL, stdout = NULL, stderr = NULL""";

    // error_message and failure_kind of a retried step keep its last failure until it completes
    private static final String START_ATTEMPT = """
            INSERT INTO job_step_attempts (job_id, step_index, attempt, status, started_at)
            SELECT id, CAST(:stepIndex AS integer), CAST(:attempt AS integer), 'running', CAST(:at AS timestamptz)
              FROM advanced
            ON CONFLICT (job_id, step_index, attempt) DO NOTHING""";

    private static final String FINISH_ATTEMPT = """
            INSERT INTO job_step_attempts (job_id, step_index, attempt, status, error_message, failure_kind,
                                           duration_micros, completed_at)
            SELECT id, CAST(:stepIndex AS integer), CAST(:attempt AS integer), CAST(:status AS text),
                   CAST(:error AS text), CAST(:failureKind AS text), CAST(:durationMicros AS bigint),
                   CAST(:at AS timestamptz) FROM advanced
            ON CONFLICT (job_id, step_index, attempt) DO UPDATE
               SET status = EXCLUDED.status, error_message = EXCLUDED.error_message,
                   failure_kind = EXCLUDED.failure_kind, duration_micros = EXCLUDED.duration_micros,
                   completed_at = EXCLUDED.completed_at""";

    private static final String STEP_RETRYING = """
            UPDATE job_steps SET error_message = CAST(:error AS text), failure_kind = CAST(:failureKind AS text),
                                 next_attempt_at = CAST(:retryAt AS timestamptz)
             WHERE job_id = (SELECT id FROM advanced) AND step_index = CAST(:stepIndex AS integer)""";

    private static final String CANCEL_OPEN_ATTEMPTS = """
            UPDATE job_step_attempts SET status = 'cancelled', error_message = CAST(:error AS text),
                                         failure_kind = 'cancelled', completed_at = CAST(:at AS timestamptz)
             WHERE job_id = (SELECT id FROM advanced) AND status = 'running'""";

    // a step's usage is written with its completion (one row is changed once per statement); a failure keeps it
    private static final String FINISH_STEP = """
            INSERT INTO job_steps (id, job_id, workflow_step_id, step_index, step_order, status, attempt, output_data,
                                   error_message, duration_micros, completed_at, failure_kind, stdout, stderr, usage)
            SELECT CAST(:id AS uuid), id, CAST(:workflowStepId AS uuid), CAST(:stepIndex AS integer),
                   CAST(:stepOrder AS integer), CAST(:status AS text), CAST(:attempt AS integer),
                   CAST(:output AS jsonb), CAST(:error AS text), CAST(:durationMicros AS bigint),
                   CAST(:at AS timestamptz), CAST(:failureKind AS text), CAST(:stdout AS text),
                   CAST(:stderr AS text), CAST(:usage AS jsonb) FROM advanced
            ON CONFLICT (job_id, step_index) DO UPDATE
               SET status = EXCLUDED.status, attempt = EXCLUDED.attempt, output_data = EXCLUDED.output_data,
                   error_message = EXCLUDED.error_message, duration_micros = EXCLUDED.duration_micros,
                   completed_at = EXCLUDED.completed_at, failure_kind = EXCLUDED.failure_kind,
                   next_attempt_at = NULL, stdout = EXCLUDED.stdout, stderr = EXCLUDED.stderr,
                   usage = COALESCE(EXCLUDED.usage, job_steps.usage)""";

    private static final String CANCEL_OPEN_STEPS = """
            UPDATE job_steps SET status = 'cancelled', error_message = CAST(:error AS text),
                                 failure_kind = 'cancelled', completed_at = CAST(:at AS timestamptz),
                                 next_attempt_at = NULL
             WHERE job_id = (SELECT id FROM advanced) AND status IN ('queued', 'running')""";

    /** One statement per event: the job's row moves, and the event's other writes if it did. */
    private static final String JOB_STARTED = guarded(", status = 'running', started_at = COALESCE(started_at, :at)");
    private static final String JOB_COMPLETED = guarded(", status = 'completed', output_data = CAST(:output AS jsonb),"
            + " error_message = NULL, completed_at = :at");
    private static final String JOB_FAILED = guarded(", status = 'failed', error_message = :error, completed_at = :at");
    // the step that was running (or waiting to retry) when the job was cancelled will never report: close it and
    // its attempt too, with the job's reason (e.g. "cancelled through the API"), what a caller that reads the rows
    // is told, and the failure kind 'cancelled'
    private static final String JOB_CANCELLED = guarded(", status = 'cancelled', error_message = :error,"
            + " completed_at = :at", CANCEL_OPEN_STEPS, CANCEL_OPEN_ATTEMPTS);
    private static final String STEP_STARTED = guarded("", START_STEP, START_ATTEMPT);
    private static final String STEP_FINISHED = guarded("", FINISH_ATTEMPT, FINISH_STEP);
    private static final String STEP_RETRIED = guarded("", FINISH_ATTEMPT, STEP_RETRYING);
    // a skipped step has a row (status 'skipped', the reason as its error) and no attempt: none ran
    private static final String STEP_SKIPPED = guarded("", FINISH_STEP);
    private static final String OTHER_EVENT = guarded("");

    private static final String FAIL_JOB = """
            UPDATE jobs SET status = 'failed', error_message = :error, completed_at = now(), updated_at = now(),
                            last_event_seq = GREATEST(last_event_seq, :seq)
             WHERE id = :jobId AND status NOT IN ('completed', 'failed', 'cancelled')""";

    private static final String FAIL_OPEN_STEPS = """
            UPDATE job_steps SET status = 'failed', error_message = :error, failure_kind = :failureKind,
                                 completed_at = now(), next_attempt_at = NULL
             WHERE job_id = :jobId AND status IN ('queued', 'running')""";

    private static final String FAIL_OPEN_ATTEMPTS = """
            UPDATE job_step_attempts SET status = 'failed', error_message = :error, failure_kind = :failureKind,
                                         completed_at = now()
             WHERE job_id = :jobId AND status = 'running'""";

    /** The rows of a poll's jobs, locked in one order (two writers of one job, as in a rebalance, cannot deadlock). */
    private static final String LOCK_JOBS = """
            SELECT id, last_event_seq, status FROM jobs WHERE id = ANY(CAST(:ids AS uuid[])) ORDER BY id FOR UPDATE""";

    // The writes of a folded job (FoldedJob): each row once, with what its events one by one would have left in it.
    // They run under LOCK_JOBS's lock, for events that lock found new to a running job.

    // A step's start time is set in the fold exactly when it holds the step's start, so its input and start time are
    // written; its end time exactly when it holds the step's end, so its error and failure kind are (a start alone
    // keeps the last failure, as START_STEP does). FoldedJob folds no event without a time. The rows of a poll go
    // as one statement (MultiRowInsert), so the tail reads a row's values through EXCLUDED only.
    private static final MultiRowInsert WRITE_STEPS = new MultiRowInsert("""
            INSERT INTO job_steps (id, job_id, workflow_step_id, step_index, step_order, status, attempt, input_data,
                                   started_at, output_data, error_message, duration_micros, completed_at, failure_kind,
                                   stdout, stderr, usage)
            VALUES""", """
            (:id, :jobId, :workflowStepId, :stepIndex, :stepOrder, :status, :attempt, CAST(:input AS jsonb),
             :startedAt, CAST(:output AS jsonb), :error, :durationMicros, :completedAt, :failureKind, :stdout,
             :stderr, CAST(:usage AS jsonb))""", """
            ON CONFLICT (job_id, step_index) DO UPDATE
               SET status = EXCLUDED.status, attempt = EXCLUDED.attempt,
                   input_data = CASE WHEN EXCLUDED.started_at IS NULL THEN job_steps.input_data
                                     ELSE EXCLUDED.input_data END,
                   started_at = COALESCE(EXCLUDED.started_at, job_steps.started_at),
                   output_data = EXCLUDED.output_data, duration_micros = EXCLUDED.duration_micros,
                   completed_at = EXCLUDED.completed_at, next_attempt_at = NULL, stdout = EXCLUDED.stdout,
                   stderr = EXCLUDED.stderr,
                   error_message = CASE WHEN EXCLUDED.completed_at IS NULL THEN job_steps.error_message
                                        ELSE EXCLUDED.error_message END,
                   failure_kind = CASE WHEN EXCLUDED.completed_at IS NULL THEN job_steps.failure_kind
                                       ELSE EXCLUDED.failure_kind END,
                   usage = COALESCE(EXCLUDED.usage, job_steps.usage)""");

    // an attempt's start never changes a row that exists (START_ATTEMPT); its end, which sets its end time, does
    // (FINISH_ATTEMPT)
    private static final MultiRowInsert WRITE_ATTEMPTS = new MultiRowInsert("""
            INSERT INTO job_step_attempts (job_id, step_index, attempt, status, started_at, error_message,
                                           failure_kind, duration_micros, completed_at)
            VALUES""", """
            (:jobId, :stepIndex, :attempt, :status, :startedAt, :error, :failureKind, :durationMicros, :completedAt)""",
            """
            ON CONFLICT (job_id, step_index, attempt) DO UPDATE
               SET status = EXCLUDED.status, error_message = EXCLUDED.error_message,
                   failure_kind = EXCLUDED.failure_kind, duration_micros = EXCLUDED.duration_micros,
                   completed_at = EXCLUDED.completed_at
             WHERE EXCLUDED.completed_at IS NOT NULL""");

    // status is null when the events do not change it; ended: the job completed or failed (JOB_COMPLETED, JOB_FAILED)
    // and completed: it completed, with an output. A batch of these, not one statement of many rows as the steps' and
    // attempts': written as an UPDATE ... FROM (VALUES ...), they took as long (issue 14)
    private static final String WRITE_JOB = """
            UPDATE jobs SET last_event_seq = :seq, updated_at = now(), status = COALESCE(:status, status),
                            started_at = COALESCE(started_at, :startedAt),
                            output_data = CASE WHEN :completed THEN CAST(:output AS jsonb) ELSE output_data END,
                            error_message = CASE WHEN :ended THEN :error ELSE error_message END,
                            completed_at = CASE WHEN :ended THEN :endedAt ELSE completed_at END
             WHERE id = :jobId AND last_event_seq < :seq""";

    /** The most characters of a database error kept in the reason a job is marked failed with. */
    static final int MAX_REASON_CHARS = 2_000;

    private final NamedParameterJdbcTemplate named;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;

    public JobStatusRepository(NamedParameterJdbcTemplate named, TransactionTemplate transaction) {
        this.named = named;
        this.jdbc = JdbcClient.create(named);
        this.transaction = transaction;
    }

    /**
     * Applies the events, each job's in order, in one transaction; returns how many of them changed the tables.
     * <p>
     * The rows of the events' jobs are locked first, and what each has applied ({@code last_event_seq}) and whether it
     * still runs decide which events are new: those are applied, the rest skipped. A job's new events are then written
     * as one write per row they change when they can be ({@link FoldedJob}, as they are while a job runs its steps),
     * and otherwise one statement per event. The folded jobs' step and attempt rows go as statements of many rows each
     * ({@link MultiRowInsert}), the other writes as JDBC batches, each sent in one round trip.
     */
    public int apply(List<JobEvent> events) {
        Integer applied = transaction.execute(status -> {
            Map<UUID, List<JobEvent>> byJob = byJob(events);
            Map<UUID, AppliedSoFar> rows = lock(byJob.keySet());
            List<FoldedJob> folded = new ArrayList<>();
            List<JobEvent> oneByOne = new ArrayList<>();
            byJob.forEach((jobId, jobEvents) -> {
                List<JobEvent> fresh = fresh(jobId, jobEvents, rows.get(jobId));
                FoldedJob.of(jobId, fresh).ifPresentOrElse(folded::add, () -> oneByOne.addAll(fresh));
            });
            return writeFolded(folded) + applyOneByOne(oneByOne);
        });
        return applied == null ? 0 : applied;
    }

    /**
     * Applies the events with a statement each, none folded: what {@link #apply} must leave in the rows whatever it
     * folds (JobStatusWriterIT compares the two).
     */
    int applyUnfolded(List<JobEvent> events) {
        Integer applied = transaction.execute(status -> applyOneByOne(events.stream()
                .filter(event -> uuid(event.jobId()) != null).toList()));
        return applied == null ? 0 : applied;
    }

    /** What a job's row has applied, read under its lock. */
    private record AppliedSoFar(long lastEventSeq, boolean finished) {
    }

    /** The events by job, each job's in their order; an event whose job id is not a UUID is skipped. */
    private static Map<UUID, List<JobEvent>> byJob(List<JobEvent> events) {
        Map<UUID, List<JobEvent>> byJob = new LinkedHashMap<>();
        for (JobEvent event : events) {
            UUID jobId = uuid(event.jobId());
            if (jobId == null) {
                log.warn("Skipping {} seq {}: job id {} is not a UUID", type(event), event.seq(), event.jobId());
                continue;
            }
            byJob.computeIfAbsent(jobId, id -> new ArrayList<>()).add(event);
        }
        return byJob;
    }

    private Map<UUID, AppliedSoFar> lock(Set<UUID> jobIds) {
        Map<UUID, AppliedSoFar> rows = new HashMap<>();
        if (jobIds.isEmpty()) {
            return rows;
        }
        String[] ids = jobIds.stream().map(UUID::toString).toArray(String[]::new);
        jdbc.sql(LOCK_JOBS).param("ids", ids).query(rs -> {
            rows.put(rs.getObject("id", UUID.class), new AppliedSoFar(rs.getLong("last_event_seq"),
                    JobStatus.fromWire(rs.getString("status")).terminal()));
        });
        return rows;
    }

    /**
     * The events of a job that are new to its row, in order: those above the seq it has applied, up to and with the
     * one that ends it; none of a job that has ended or has no row (the others are skipped, as a redelivery).
     */
    private static List<JobEvent> fresh(UUID jobId, List<JobEvent> events, AppliedSoFar row) {
        if (row == null) {
            events.forEach(event -> log.warn("Skipping {} seq {}: there is no job {} (job rows are created by the "
                    + "gateway)", type(event), event.seq(), jobId));
            return List.of();
        }
        List<JobEvent> fresh = new ArrayList<>(events.size());
        long applied = row.lastEventSeq();
        boolean finished = row.finished();
        for (JobEvent event : events) {
            if (finished || event.seq() <= applied) {
                log.debug("Skipping {} seq {} of job {}: already applied, or the job has ended", type(event),
                        event.seq(), jobId);
                continue;
            }
            fresh.add(event);
            applied = event.seq();
            finished = event.terminal();
        }
        return fresh;
    }

    /** Writes the folded jobs: their steps' rows and their attempts' rows many to a statement, their own as a batch. */
    private int writeFolded(List<FoldedJob> jobs) {
        if (jobs.isEmpty()) {
            return 0;
        }
        List<MapSqlParameterSource> steps = new ArrayList<>();
        List<MapSqlParameterSource> attempts = new ArrayList<>();
        List<SqlParameterSource> rows = new ArrayList<>();
        int count = 0;
        for (FoldedJob job : jobs) {
            for (FoldedJob.FoldedStep step : job.steps()) {
                steps.add(stepRow(job.jobId(), step));
                attempts.add(attemptRow(job.jobId(), step));
            }
            rows.add(jobRow(job));
            count += job.eventCount();
        }
        if (!steps.isEmpty()) {
            WRITE_STEPS.insert(named.getJdbcOperations(), steps);
            WRITE_ATTEMPTS.insert(named.getJdbcOperations(), attempts);
        }
        named.batchUpdate(WRITE_JOB, rows.toArray(SqlParameterSource[]::new));
        return count;
    }

    private static MapSqlParameterSource stepRow(UUID jobId, FoldedJob.FoldedStep folded) {
        StepRef step = folded.step();
        FoldedJob.Outcome outcome = folded.outcome();
        return outcome(folded, outcome)
                .addValue("id", stepRowId(jobId, step.stepIndex()), Types.OTHER)
                .addValue("jobId", jobId, Types.OTHER)
                .addValue("workflowStepId", uuid(step.workflowStepId()), Types.OTHER)
                .addValue("stepIndex", step.stepIndex(), Types.INTEGER)
                .addValue("stepOrder", step.stepOrder(), Types.INTEGER)
                .addValue("attempt", step.attempt(), Types.INTEGER)
                .addValue("input", folded.started() == null ? null : json(folded.started().input()), Types.VARCHAR)
                .addValue("output", json(outcome.output()), Types.VARCHAR)
                .addValue("stdout", text(outcome.stdout()), Types.VARCHAR)
                .addValue("stderr", text(outcome.stderr()), Types.VARCHAR)
                .addValue("usage", outcome.usage() == null ? null
                        : json(JsonSerde.mapper().valueToTree(outcome.usage())), Types.VARCHAR);
    }

    private static MapSqlParameterSource attemptRow(UUID jobId, FoldedJob.FoldedStep folded) {
        return outcome(folded, folded.outcome())
                .addValue("jobId", jobId, Types.OTHER)
                .addValue("stepIndex", folded.step().stepIndex(), Types.INTEGER)
                .addValue("attempt", folded.step().attempt(), Types.INTEGER);
    }

    /** The values a step's row and its attempt's row both take from its events. */
    private static MapSqlParameterSource outcome(FoldedJob.FoldedStep folded, FoldedJob.Outcome outcome) {
        return new MapSqlParameterSource()
                .addValue("startedAt", folded.started() == null ? null : timestamp(folded.started().at()),
                        Types.TIMESTAMP_WITH_TIMEZONE)
                .addValue("status", outcome.status(), Types.VARCHAR)
                .addValue("error", text(outcome.error()), Types.VARCHAR)
                .addValue("failureKind", wire(outcome.failureKind()), Types.VARCHAR)
                .addValue("durationMicros", outcome.durationMicros(), Types.BIGINT)
                .addValue("completedAt", timestamp(outcome.completedAt()), Types.TIMESTAMP_WITH_TIMEZONE);
    }

    private static SqlParameterSource jobRow(FoldedJob job) {
        boolean completed = job.status() == JobStatus.COMPLETED;
        return new MapSqlParameterSource()
                .addValue("jobId", job.jobId(), Types.OTHER)
                .addValue("seq", job.lastSeq(), Types.BIGINT)
                .addValue("status", job.status() == null ? null : job.status().wire(), Types.VARCHAR)
                .addValue("startedAt", timestamp(job.startedAt()), Types.TIMESTAMP_WITH_TIMEZONE)
                .addValue("ended", job.endedAt() != null, Types.BOOLEAN)
                .addValue("completed", completed, Types.BOOLEAN)
                .addValue("output", completed ? json(job.output()) : null, Types.VARCHAR)
                .addValue("error", text(job.error()), Types.VARCHAR)
                .addValue("endedAt", timestamp(job.endedAt()), Types.TIMESTAMP_WITH_TIMEZONE);
    }

    /**
     * Applies events one statement each, each job's in order: the first event of every job in the list, then the
     * second, and so on; within such a round every event is of another job, so its events are batched by statement
     * (issue 14). Each statement is guarded by the job's seq and status on its own.
     */
    private int applyOneByOne(List<JobEvent> events) {
        int count = 0;
        for (List<Write> round : rounds(events)) {
            Map<String, List<Write>> byStatement = new LinkedHashMap<>();
            round.forEach(write -> byStatement.computeIfAbsent(write.statement(), s -> new ArrayList<>()).add(write));
            for (Map.Entry<String, List<Write>> batch : byStatement.entrySet()) {
                count += applyBatch(batch.getKey(), batch.getValue());
            }
        }
        return count;
    }

    /** One event's statement and its values. */
    private record Write(JobEvent event, UUID jobId, String statement, Map<String, Object> values) {
    }

    /** The writes of {@code events} (of jobs with UUIDs) in rounds: a job's n-th event in round n, in order. */
    private static List<List<Write>> rounds(List<JobEvent> events) {
        List<List<Write>> rounds = new ArrayList<>();
        Map<UUID, Integer> seen = new HashMap<>();
        for (JobEvent event : events) {
            UUID jobId = uuid(event.jobId());
            Map<String, Object> values = new HashMap<>();
            values.put("seq", event.seq());
            values.put("jobId", jobId);
            values.put("at", timestamp(event.at()));
            String statement = statementFor(event, jobId, values);
            int round = seen.merge(jobId, 1, Integer::sum) - 1;
            if (round == rounds.size()) {
                rounds.add(new ArrayList<>());
            }
            rounds.get(round).add(new Write(event, jobId, statement, values));
        }
        return rounds;
    }

    private int applyBatch(String statement, List<Write> writes) {
        SqlParameterSource[] values = writes.stream().map(write -> new MapSqlParameterSource(write.values()))
                .toArray(SqlParameterSource[]::new);
        int[] advanced = named.batchUpdate(statement, values);
        int count = 0;
        for (int i = 0; i < writes.size(); i++) {
            if (advanced[i] == 0) {
                explainSkip(writes.get(i).jobId(), writes.get(i).event());
            } else {
                count++;
            }
        }
        return count;
    }

    /**
     * Marks the job of {@code event} failed because its events cannot be stored ({@code reason}, the database's
     * error), closing its open steps and attempts, so that the row ends instead of reading running forever; its
     * later events are then skipped as those of a finished job. A job already finished keeps its status.
     *
     * @return whether the job's row changed
     */
    public boolean failJob(JobEvent event, String reason) {
        UUID jobId = uuid(event.jobId());
        if (jobId == null) {
            return false;
        }
        String error = text("the job's status could not be stored: " + cut(reason));
        String kind = FailureKind.INTERNAL.wire();
        Integer updated = transaction.execute(status -> {
            int changed = jdbc.sql(FAIL_JOB).param("jobId", jobId).param("seq", event.seq()).param("error", error)
                    .update();
            if (changed == 1) {
                jdbc.sql(FAIL_OPEN_STEPS).param("jobId", jobId).param("error", error).param("failureKind", kind).update();
                jdbc.sql(FAIL_OPEN_ATTEMPTS).param("jobId", jobId).param("error", error).param("failureKind", kind)
                        .update();
            }
            return changed;
        });
        return updated != null && updated == 1;
    }

    /** The statement that applies {@code event}, with its values added to {@code values}. */
    private static String statementFor(JobEvent event, UUID jobId, Map<String, Object> values) {
        if (event instanceof JobStarted) {
            return JOB_STARTED;
        } else if (event instanceof JobCompleted completed) {
            values.put("output", json(completed.output()));
            return JOB_COMPLETED;
        } else if (event instanceof JobFailed failed) {
            values.put("error", text(failed.error()));
            return JOB_FAILED;
        } else if (event instanceof JobCancelled cancelled) {
            values.put("error", text(cancelled.reason()));
            return JOB_CANCELLED;
        } else if (event instanceof StepStarted started) {
            step(values, jobId, started.step());
            values.put("input", json(started.input()));
            return STEP_STARTED;
        } else if (event instanceof StepCompleted completed) {
            finished(values, jobId, completed.step(), "completed", null, null, completed.durationMicros());
            values.put("output", json(completed.output()));
            values.put("stdout", text(completed.stdout()));
            values.put("stderr", text(completed.stderr()));
            values.put("usage", completed.usage() == null ? null
                    : json(JsonSerde.mapper().valueToTree(completed.usage())));
            return STEP_FINISHED;
        } else if (event instanceof StepFailed failed) {
            finished(values, jobId, failed.step(), "failed", failed.error(), failed.failureKind(),
                    failed.durationMicros());
            values.put("output", null);
            values.put("stdout", text(failed.stdout()));
            values.put("stderr", text(failed.stderr()));
            values.put("usage", null);
            return STEP_FINISHED;
        } else if (event instanceof StepSkipped skipped) {
            finished(values, jobId, skipped.step(), "skipped", skipped.reason(), null, 0);
            values.put("durationMicros", null);
            values.put("output", null);
            values.put("stdout", null);
            values.put("stderr", null);
            values.put("usage", null);
            return STEP_SKIPPED;
        } else if (event instanceof StepRetrying retrying) {
            finished(values, jobId, retrying.step(), "failed", retrying.error(), retrying.failureKind(),
                    retrying.durationMicros());
            values.put("retryAt", timestamp(retrying.retryAt()));
            return STEP_RETRIED;
        }
        return OTHER_EVENT;
    }

    private static void step(Map<String, Object> values, UUID jobId, StepRef step) {
        values.put("id", stepRowId(jobId, step.stepIndex()));
        values.put("workflowStepId", uuid(step.workflowStepId()));
        values.put("stepIndex", step.stepIndex());
        values.put("stepOrder", step.stepOrder());
        values.put("attempt", step.attempt());
    }

    private static void finished(Map<String, Object> values, UUID jobId, StepRef step, String status, String error,
                                 FailureKind kind, long durationMicros) {
        step(values, jobId, step);
        values.put("status", status);
        values.put("error", text(error));
        values.put("failureKind", wire(kind));
        values.put("durationMicros", durationMicros);
    }

    /**
     * {@code writes}, each seeing the row ADVANCING locked as {@code advanced}, then ADVANCE_JOB with
     * {@code jobAssignments}: its update count (1, or 0 when the event was skipped) is the statement's.
     */
    private static String guarded(String jobAssignments, String... writes) {
        StringBuilder sql = new StringBuilder("WITH advanced AS (").append(ADVANCING).append(')');
        for (int i = 0; i < writes.length; i++) {
            sql.append(",\nwrite").append(i).append(" AS (").append(writes[i]).append(')');
        }
        return sql.append('\n').append(ADVANCE_JOB.formatted(jobAssignments)).toString();
    }

    private void explainSkip(UUID jobId, JobEvent event) {
        List<String> status = jdbc.sql("SELECT status FROM jobs WHERE id = :jobId").param("jobId", jobId)
                .query(String.class).list();
        if (status.isEmpty()) {
            log.warn("Skipping {} seq {}: there is no job {} (job rows are created by the gateway)", type(event),
                    event.seq(), jobId);
        } else {
            log.debug("Skipping {} seq {} of job {}: already applied, or the job is {}", type(event), event.seq(),
                    jobId, status.get(0));
        }
    }

    /** The same job and step index always give the same row id, so a step's row is written, never duplicated. */
    static UUID stepRowId(UUID jobId, int stepIndex) {
        return UUID.nameUUIDFromBytes((jobId + "/step/" + stepIndex).getBytes(StandardCharsets.UTF_8));
    }

    private static UUID uuid(String value) {
        if (value == null) {
            return null;
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A JSON value as a jsonb column can hold it: {@link PostgresText#storable(JsonNode)}, then written. */
    private static String json(JsonNode node) {
        if (node == null) {
            return null;
        }
        try {
            return JsonSerde.mapper().writeValueAsString(PostgresText.storable(node));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON", e);
        }
    }

    /** Text as a text column can hold it: {@link PostgresText#storable(String)}. */
    private static String text(String value) {
        return PostgresText.storable(value);
    }

    private static String cut(String reason) {
        String known = reason == null || reason.isBlank() ? "no reason given" : reason;
        return known.length() <= MAX_REASON_CHARS ? known : known.substring(0, MAX_REASON_CHARS) + "…";
    }

    private static OffsetDateTime timestamp(Instant at) {
        return at == null ? null : OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    private static String wire(FailureKind kind) {
        return kind == null ? null : kind.wire();
    }

    private static String type(JobEvent event) {
        return event.getClass().getSimpleName();
    }
}
