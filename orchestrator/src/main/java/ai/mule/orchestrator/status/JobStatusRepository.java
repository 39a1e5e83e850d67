package ai.mule.orchestrator.status;

import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobEvent.JobCancelled;
import ai.mule.schemas.JobEvent.JobCompleted;
import ai.mule.schemas.JobEvent.JobFailed;
import ai.mule.schemas.JobEvent.JobStarted;
import ai.mule.schemas.JobEvent.StepCompleted;
import ai.mule.schemas.JobEvent.StepFailed;
import ai.mule.schemas.JobEvent.StepRetrying;
import ai.mule.schemas.JobEvent.StepStarted;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.PostgresText;
import ai.mule.schemas.StepRef;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies job events to the {@code jobs} and {@code job_steps} tables, idempotently: the one writer of a job's
 * status (the gateway only creates the row; a cancel through the API reaches the row as the orchestrator's
 * {@code job_cancelled}, or not at all if the job finished first). An event is applied only
 * if its {@code seq} is above the job's {@code last_event_seq} and the job is not finished: the guard and the
 * write are one UPDATE, so a redelivered or out-of-date event changes nothing and a terminal status never
 * changes again (Mule v2 let a late completion overwrite a cancel).
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

    private static final String ADVANCE_JOB = """
            UPDATE jobs SET last_event_seq = :seq, updated_at = now() %s
             WHERE id = :jobId AND last_event_seq < :seq AND status NOT IN ('completed', 'failed', 'cancelled')""";

    private static final String START_STEP = """
            INSERT INTO job_steps (id, job_id, workflow_step_id, step_index, step_order, status, attempt, input_data,
                                   started_at)
            VALUES (:id, :jobId, :workflowStepId, :stepIndex, :stepOrder, 'running', :attempt, CAST(:input AS jsonb), :at)
            ON CONFLICT (job_id, step_index) DO UPDATE
               SET status = 'running', attempt = EXCLUDED.attempt, input_data = EXCLUDED.input_data,
                   started_at = EXCLUDED.started_at, output_data = NULL, duration_micros = NULL,
                   completed_at = NULL, next_attempt_at = NULL, stdout = NULL, stderr = NULL""";

    // error_message and failure_kind of a retried step keep its last failure until it completes
    private static final String START_ATTEMPT = """
            INSERT INTO job_step_attempts (job_id, step_index, attempt, status, started_at)
            VALUES (:jobId, :stepIndex, :attempt, 'running', :at)
            ON CONFLICT (job_id, step_index, attempt) DO NOTHING""";

    private static final String FINISH_ATTEMPT = """
            INSERT INTO job_step_attempts (job_id, step_index, attempt, status, error_message, failure_kind,
                                           duration_micros, completed_at)
            VALUES (:jobId, :stepIndex, :attempt, :status, :error, :failureKind, :durationMicros, :at)
            ON CONFLICT (job_id, step_index, attempt) DO UPDATE
               SET status = EXCLUDED.status, error_message = EXCLUDED.error_message,
                   failure_kind = EXCLUDED.failure_kind, duration_micros = EXCLUDED.duration_micros,
                   completed_at = EXCLUDED.completed_at""";

    private static final String STEP_RETRYING = """
            UPDATE job_steps SET error_message = :error, failure_kind = :failureKind, next_attempt_at = :retryAt
             WHERE job_id = :jobId AND step_index = :stepIndex""";

    private static final String CANCEL_OPEN_ATTEMPTS = """
            UPDATE job_step_attempts SET status = 'cancelled', completed_at = :at
             WHERE job_id = :jobId AND status = 'running'""";

    private static final String FINISH_STEP = """
            INSERT INTO job_steps (id, job_id, workflow_step_id, step_index, step_order, status, attempt, output_data,
                                   error_message, duration_micros, completed_at, failure_kind, stdout, stderr)
            VALUES (:id, :jobId, :workflowStepId, :stepIndex, :stepOrder, :status, :attempt, CAST(:output AS jsonb),
                    :error, :durationMicros, :at, :failureKind, :stdout, :stderr)
            ON CONFLICT (job_id, step_index) DO UPDATE
               SET status = EXCLUDED.status, attempt = EXCLUDED.attempt, output_data = EXCLUDED.output_data,
                   error_message = EXCLUDED.error_message, duration_micros = EXCLUDED.duration_micros,
                   completed_at = EXCLUDED.completed_at, failure_kind = EXCLUDED.failure_kind,
                   next_attempt_at = NULL, stdout = EXCLUDED.stdout, stderr = EXCLUDED.stderr""";

    private static final String STEP_USAGE = """
            UPDATE job_steps SET usage = CAST(:usage AS jsonb) WHERE job_id = :jobId AND step_index = :stepIndex""";

    private static final String CANCEL_OPEN_STEPS = """
            UPDATE job_steps SET status = 'cancelled', completed_at = :at
             WHERE job_id = :jobId AND status IN ('queued', 'running')""";

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

    /** The most characters of a database error kept in the reason a job is marked failed with. */
    static final int MAX_REASON_CHARS = 2_000;

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;

    public JobStatusRepository(JdbcClient jdbc, TransactionTemplate transaction) {
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    /** Applies the events in order, in one transaction; returns how many of them changed the tables. */
    public int apply(List<JobEvent> events) {
        Integer applied = transaction.execute(status -> {
            int count = 0;
            for (JobEvent event : events) {
                if (applyOne(event)) {
                    count++;
                }
            }
            return count;
        });
        return applied == null ? 0 : applied;
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

    private boolean applyOne(JobEvent event) {
        UUID jobId = uuid(event.jobId());
        if (jobId == null) {
            log.warn("Skipping {} seq {}: job id {} is not a UUID", type(event), event.seq(), event.jobId());
            return false;
        }
        if (!advanceJob(jobId, event)) {
            return false;
        }
        writeSteps(jobId, event);
        return true;
    }

    /**
     * Moves the job's {@code last_event_seq} to the event's, with the columns the event changes, if the event
     * is new and the job not finished; false when the event was skipped.
     */
    private boolean advanceJob(UUID jobId, JobEvent event) {
        String assignments = "";
        Map<String, Object> values = new HashMap<>();
        if (event instanceof JobStarted) {
            assignments = ", status = 'running', started_at = COALESCE(started_at, :at)";
        } else if (event instanceof JobCompleted completed) {
            assignments = ", status = 'completed', output_data = CAST(:output AS jsonb), error_message = NULL,"
                    + " completed_at = :at";
            values.put("output", json(completed.output()));
        } else if (event instanceof JobFailed failed) {
            assignments = ", status = 'failed', error_message = :error, completed_at = :at";
            values.put("error", text(failed.error()));
        } else if (event instanceof JobCancelled cancelled) {
            // the reason (e.g. "cancelled through the API") is what a caller that reads the row is told
            assignments = ", status = 'cancelled', error_message = :error, completed_at = :at";
            values.put("error", text(cancelled.reason()));
        }
        int updated = jdbc.sql(ADVANCE_JOB.formatted(assignments))
                .param("seq", event.seq())
                .param("jobId", jobId)
                .param("at", timestamp(event.at()))
                .params(values)
                .update();
        if (updated == 0) {
            explainSkip(jobId, event);
        }
        return updated == 1;
    }

    private void writeSteps(UUID jobId, JobEvent event) {
        if (event instanceof StepStarted started) {
            startStep(jobId, started);
        } else if (event instanceof StepCompleted completed) {
            finishStep(jobId, completed.step(), "completed", json(completed.output()), null, null,
                    completed.durationMicros(), completed.at(), completed.stdout(), completed.stderr());
            if (completed.usage() != null) {
                jdbc.sql(STEP_USAGE)
                        .param("jobId", jobId)
                        .param("stepIndex", completed.step().stepIndex())
                        .param("usage", json(JsonSerde.mapper().valueToTree(completed.usage())))
                        .update();
            }
        } else if (event instanceof StepFailed failed) {
            finishStep(jobId, failed.step(), "failed", null, failed.error(), failed.failureKind(),
                    failed.durationMicros(), failed.at(), failed.stdout(), failed.stderr());
        } else if (event instanceof StepRetrying retrying) {
            finishAttempt(jobId, retrying.step(), "failed", retrying.error(),
                    retrying.failureKind(), retrying.durationMicros(), retrying.at());
            jdbc.sql(STEP_RETRYING)
                    .param("jobId", jobId)
                    .param("stepIndex", retrying.step().stepIndex())
                    .param("error", text(retrying.error()))
                    .param("failureKind", wire(retrying.failureKind()))
                    .param("retryAt", timestamp(retrying.retryAt()))
                    .update();
        } else if (event instanceof JobCancelled) {
            // the step that was running when the job was cancelled will never report: close it too
            jdbc.sql(CANCEL_OPEN_STEPS).param("jobId", jobId).param("at", timestamp(event.at())).update();
            jdbc.sql(CANCEL_OPEN_ATTEMPTS).param("jobId", jobId).param("at", timestamp(event.at())).update();
        }
    }

    private void startStep(UUID jobId, StepStarted event) {
        StepRef step = event.step();
        jdbc.sql(START_STEP)
                .param("id", stepRowId(jobId, step.stepIndex()))
                .param("jobId", jobId)
                .param("workflowStepId", uuid(step.workflowStepId()))
                .param("stepIndex", step.stepIndex())
                .param("stepOrder", step.stepOrder())
                .param("attempt", step.attempt())
                .param("input", json(event.input()))
                .param("at", timestamp(event.at()))
                .update();
        jdbc.sql(START_ATTEMPT)
                .param("jobId", jobId)
                .param("stepIndex", step.stepIndex())
                .param("attempt", step.attempt())
                .param("at", timestamp(event.at()))
                .update();
    }

    private void finishAttempt(UUID jobId, StepRef step, String status, String error, FailureKind kind,
                               long durationMicros, Instant at) {
        jdbc.sql(FINISH_ATTEMPT)
                .param("jobId", jobId)
                .param("stepIndex", step.stepIndex())
                .param("attempt", step.attempt())
                .param("status", status)
                .param("error", text(error))
                .param("failureKind", wire(kind))
                .param("durationMicros", durationMicros)
                .param("at", timestamp(at))
                .update();
    }

    private void finishStep(UUID jobId, StepRef step, String status, String output, String error, FailureKind kind,
                            long durationMicros, Instant at, String stdout, String stderr) {
        finishAttempt(jobId, step, status, error, kind, durationMicros, at);
        jdbc.sql(FINISH_STEP)
                .param("id", stepRowId(jobId, step.stepIndex()))
                .param("jobId", jobId)
                .param("workflowStepId", uuid(step.workflowStepId()))
                .param("stepIndex", step.stepIndex())
                .param("stepOrder", step.stepOrder())
                .param("status", status)
                .param("attempt", step.attempt())
                .param("output", output)
                .param("error", text(error))
                .param("durationMicros", durationMicros)
                .param("at", timestamp(at))
                .param("failureKind", wire(kind))
                .param("stdout", text(stdout))
                .param("stderr", text(stderr))
                .update();
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
