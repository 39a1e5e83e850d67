package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.TokenUsage;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the orchestrator keeps of one job in its state store: the workflow snapshot the job runs, the step
 * (and attempt) it waits for, and the {@code seq} of its last event. A finished job keeps its entry, with
 * {@code finishedAt}, until the retention has passed, so that late or duplicate messages are recognised.
 * <p>
 * A running job is in one of two phases: its attempt was sent and it waits for the result until
 * {@code stepDeadline} (then the runner counts as lost), or an attempt failed and the next one is sent at
 * {@code retryAt} (the backoff). Either way the job has one next time to wake up at ({@link #wakeAt}), which
 * the processor indexes so that a wall-clock punctuator finds due jobs without scanning all of them.
 *
 * @param workflowName  null for a job cancelled before its request arrived
 * @param stepIndex     the step whose result the job waits for (the last one it ran once finished)
 * @param attempt       the attempt of that step whose result counts; results of other attempts are stale. While
 *                      the job waits for a retry, the attempt that will be sent at {@code retryAt}
 * @param stepInput     the current step's input, kept so that a retry sends the same input again
 * @param stepDeadline  when the running attempt counts as lost if no result came: its timeout plus a grace from
 *                      when it was sent, or from when its runner reported it started if that was later
 * @param retryAt       when the next attempt is sent; null when an attempt is running
 * @param jobDeadline   when the whole job fails if it has not ended; null = no job limit
 * @param stepGraceMs   how long past a step's own timeout the orchestrator waits for its result
 * @param replyTopic    a topic that also receives the job's terminal event (Kafka ingress); null = none
 * @param usage         the tokens its completed steps reported, summed; null while none did
 */
public record JobState(String jobId, String workflowName, List<StepDefinition> steps, JobStatus status,
                       int stepIndex, int attempt, long lastSeq, Instant finishedAt, JsonNode stepInput,
                       Instant stepDeadline, Instant retryAt, Instant jobDeadline, long stepGraceMs,
                       String replyTopic, TokenUsage usage) {

    public JobState {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** A job just accepted, about to run its first step. */
    static JobState starting(JobRequest request, Duration stepGrace) {
        return new JobState(request.jobId(), request.workflowName(), request.steps(), JobStatus.RUNNING, 0, 1, 0, null,
                null, null, null, request.deadline(), stepGrace.toMillis(), request.replyTopic(), null);
    }

    /** A job cancelled before its request reached the orchestrator: remembered so that the request never runs. */
    static JobState cancelledUnseen(String jobId, Instant at) {
        return new JobState(jobId, null, List.of(), JobStatus.CANCELLED, 0, 0, 0, at, null, null, null, null, 0, null,
                null);
    }

    boolean waitsFor(int stepIndex, int attempt) {
        return retryAt == null && this.stepIndex == stepIndex && this.attempt == attempt;
    }

    boolean waitsForRetry() {
        return retryAt != null;
    }

    StepDefinition currentStep() {
        return steps.get(stepIndex);
    }

    boolean onLastStep() {
        return stepIndex == steps.size() - 1;
    }

    /** The next time something is due for this job (a retry, a lost step, the job's deadline); null when none. */
    Instant wakeAt() {
        if (status.terminal()) {
            return null;
        }
        Instant step = retryAt != null ? retryAt : stepDeadline;
        if (step == null) {
            return jobDeadline;
        }
        return jobDeadline == null || step.isBefore(jobDeadline) ? step : jobDeadline;
    }

    static boolean due(Instant at, Instant now) {
        return at != null && at.toEpochMilli() <= now.toEpochMilli();
    }

    /** The current step and attempt sent now with this input: its result is awaited until its timeout (plus grace). */
    JobState running(JsonNode input, Instant now) {
        Instant deadline = now.plusMillis(currentStep().policy().timeoutMs() + stepGraceMs);
        return new JobState(jobId, workflowName, steps, status, stepIndex, attempt, lastSeq, finishedAt, input,
                deadline, null, jobDeadline, stepGraceMs, replyTopic, usage);
    }

    /** The current attempt failed; the next one is sent at {@code at}. */
    JobState retryingAt(Instant at) {
        return new JobState(jobId, workflowName, steps, status, stepIndex, attempt + 1, lastSeq, finishedAt, stepInput,
                null, at, jobDeadline, stepGraceMs, replyTopic, usage);
    }

    JobState atStep(int index) {
        return new JobState(jobId, workflowName, steps, status, index, 1, lastSeq, finishedAt, null, null, null,
                jobDeadline, stepGraceMs, replyTopic, usage);
    }

    JobState finished(JobStatus terminal, Instant at) {
        // the step input is dropped: a finished job is kept only to recognise late messages
        return new JobState(jobId, workflowName, steps, terminal, stepIndex, attempt, lastSeq, at, null, stepDeadline,
                retryAt, jobDeadline, stepGraceMs, replyTopic, usage);
    }

    /**
     * This job ended, keeping only what recognising late messages needs: no snapshot and no input (a job that
     * failed because its records did not fit must not keep what did not fit).
     */
    JobState endedWithoutData(JobStatus terminal, Instant at) {
        return new JobState(jobId, workflowName, List.of(), terminal, stepIndex, attempt, lastSeq, at, null, null,
                null, jobDeadline, stepGraceMs, replyTopic, usage);
    }

    /** The running attempt's result is now awaited until {@code deadline} (its runner reported a late start). */
    JobState awaitedUntil(Instant deadline) {
        return new JobState(jobId, workflowName, steps, status, stepIndex, attempt, lastSeq, finishedAt, stepInput,
                deadline, retryAt, jobDeadline, stepGraceMs, replyTopic, usage);
    }

    /** This job with a step's reported tokens added to its total. */
    JobState plusUsage(TokenUsage step) {
        if (step == null) {
            return this;
        }
        TokenUsage total = usage == null ? step : usage.plus(step);
        return new JobState(jobId, workflowName, steps, status, stepIndex, attempt, lastSeq, finishedAt, stepInput,
                stepDeadline, retryAt, jobDeadline, stepGraceMs, replyTopic, total);
    }

    JobState withLastSeq(long seq) {
        return new JobState(jobId, workflowName, steps, status, stepIndex, attempt, seq, finishedAt, stepInput,
                stepDeadline, retryAt, jobDeadline, stepGraceMs, replyTopic, usage);
    }
}
