package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobStatus;
import ai.mule.schemas.TokenUsage;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * How far a job has got: the step (and attempt) it waits for, the {@code seq} of its last event, and when it
 * wakes up next. Every change returns a new value; {@link JobState} says when each one applies.
 *
 * @param stepIndex    the step whose result the job waits for (the last one it ran once finished)
 * @param attempt      the attempt of that step whose result counts; results of other attempts are stale. While
 *                     the job waits for a retry, the attempt that will be sent at {@code retryAt}
 * @param lastSeq      the {@code seq} of the job's last event; the next one gets {@code lastSeq + 1}
 * @param finishedAt   when the job ended; null while it runs
 * @param stepInput    the current step's input, kept so that a retry sends the same input again
 * @param stepDeadline when the running attempt counts as lost if no result came: its timeout plus a grace from
 *                     when it was sent, or from when its runner reported it started if that was later
 * @param retryAt      when the next attempt is sent; null when an attempt is running
 * @param usage        the tokens its completed steps reported, summed; null while none did
 * @param nodes        a graph job's step states, one per step ({@link FlowRun}); null for a job that runs a line
 *                     (whose progress is the fields above, written as before graphs existed)
 */
public record JobProgress(JobStatus status, int stepIndex, int attempt, long lastSeq, Instant finishedAt,
                          JsonNode stepInput, Instant stepDeadline, Instant retryAt, TokenUsage usage,
                          List<StepState> nodes) {

    public JobProgress {
        nodes = nodes == null ? null : List.copyOf(nodes);
    }

    public JobProgress(JobStatus status, int stepIndex, int attempt, long lastSeq, Instant finishedAt,
                       JsonNode stepInput, Instant stepDeadline, Instant retryAt, TokenUsage usage) {
        this(status, stepIndex, attempt, lastSeq, finishedAt, stepInput, stepDeadline, retryAt, usage, null);
    }

    JobProgress withNodes(List<StepState> next) {
        return new JobProgress(status, stepIndex, attempt, lastSeq, finishedAt, stepInput, stepDeadline, retryAt, usage,
                next);
    }

    /** About to send the first attempt of the first step. */
    static final JobProgress STARTING = new JobProgress(JobStatus.RUNNING, 0, 1, 0, null, null, null, null, null);

    /** Ended before it started (a cancel that overtook the request). */
    static JobProgress endedUnseen(JobStatus terminal, Instant at) {
        return new JobProgress(terminal, 0, 0, 0, at, null, null, null, null);
    }

    JobProgress running(JsonNode input, Instant deadline) {
        return new JobProgress(status, stepIndex, attempt, lastSeq, finishedAt, input, deadline, null, usage);
    }

    JobProgress retryingAt(Instant at) {
        return new JobProgress(status, stepIndex, attempt + 1, lastSeq, finishedAt, stepInput, null, at, usage);
    }

    JobProgress atStep(int index) {
        return new JobProgress(status, index, 1, lastSeq, finishedAt, null, null, null, usage);
    }

    /** Ended: the input is dropped (a finished job is kept only to recognise late messages). */
    JobProgress finished(JobStatus terminal, Instant at) {
        return new JobProgress(terminal, stepIndex, attempt, lastSeq, at, null, stepDeadline, retryAt, usage, nodes);
    }

    /** Ended, keeping nothing that was sent or awaited: no input, no deadlines. */
    JobProgress endedWithoutData(JobStatus terminal, Instant at) {
        return new JobProgress(terminal, stepIndex, attempt, lastSeq, at, null, null, null, usage);
    }

    JobProgress awaitedUntil(Instant deadline) {
        return new JobProgress(status, stepIndex, attempt, lastSeq, finishedAt, stepInput, deadline, retryAt, usage);
    }

    JobProgress plusUsage(TokenUsage step) {
        if (step == null) {
            return this;
        }
        TokenUsage total = usage == null ? step : usage.plus(step);
        return new JobProgress(status, stepIndex, attempt, lastSeq, finishedAt, stepInput, stepDeadline, retryAt,
                total, nodes);
    }

    JobProgress withLastSeq(long seq) {
        return new JobProgress(status, stepIndex, attempt, seq, finishedAt, stepInput, stepDeadline, retryAt, usage,
                nodes);
    }
}
