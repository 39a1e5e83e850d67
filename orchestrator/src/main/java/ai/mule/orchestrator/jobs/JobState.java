package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.TokenUsage;
import ai.mule.schemas.WasmStep;
import ai.mule.tracing.TraceContext;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the orchestrator keeps of one job in its state store: what it was accepted with ({@link JobSnapshot}, fixed)
 * and how far it has got ({@link JobProgress}). A finished job keeps its entry, with {@code finishedAt}, until the
 * retention has passed, so that late or duplicate messages are recognised.
 * <p>
 * A running job is in one of two phases: its attempt was sent and it waits for the result until
 * {@code stepDeadline} (then the runner counts as lost), or an attempt failed and the next one is sent at
 * {@code retryAt} (the backoff). Either way the job has one next time to wake up at ({@link #wakeAt}), which
 * the processor indexes so that a wall-clock punctuator finds due jobs without scanning all of them.
 * <p>
 * Stored as one flat JSON object, both parts' fields side by side ({@link JsonUnwrapped}): the same JSON as when
 * this was one record of fifteen fields, so states in existing stores and changelogs read as they were written,
 * and a previous version reads the states this one writes.
 */
public record JobState(@JsonUnwrapped JobSnapshot snapshot, @JsonUnwrapped JobProgress progress) {

    /** A job just accepted, about to run its first step. */
    static JobState starting(JobRequest request, Duration stepGrace) {
        return starting(request, stepGrace, 1);
    }

    /** A job just accepted whose step commands may each hold up to {@code stepsPerCommand} steps of its line. */
    static JobState starting(JobRequest request, Duration stepGrace, int stepsPerCommand) {
        return new JobState(JobSnapshot.of(request, stepGrace, stepsPerCommand), JobProgress.STARTING);
    }

    /** A job cancelled before its request reached the orchestrator: remembered so that the request never runs. */
    static JobState cancelledUnseen(String jobId, Instant at) {
        return new JobState(JobSnapshot.unseen(jobId), JobProgress.endedUnseen(JobStatus.CANCELLED, at));
    }

    String jobId() {
        return snapshot.jobId();
    }

    JobStatus status() {
        return progress.status();
    }

    boolean waitsFor(int stepIndex, int attempt) {
        return progress.retryAt() == null && progress.stepIndex() == stepIndex && progress.attempt() == attempt;
    }

    boolean waitsForRetry() {
        return progress.retryAt() != null;
    }

    StepDefinition currentStep() {
        return snapshot.steps().get(progress.stepIndex());
    }

    boolean onLastStep() {
        return progress.stepIndex() == snapshot.steps().size() - 1;
    }

    /** Whether this job runs a workflow graph ({@link FlowRun}) rather than a line of steps. */
    boolean graph() {
        return snapshot.graph() && progress.nodes() != null;
    }

    /** A graph job about to start: its input kept (for conditions and root steps), every step pending. */
    JobState graphStarting(JsonNode input, java.util.List<StepState> nodes) {
        return with(progress.running(input, null).withNodes(nodes));
    }

    JobState withNodes(java.util.List<StepState> nodes) {
        return with(progress.withNodes(nodes));
    }

    /** The next time something is due for this job (a retry, a lost step, the job's deadline); null when none. */
    Instant wakeAt() {
        if (progress.status().terminal()) {
            return null;
        }
        if (graph()) {
            return FlowRun.wakeAt(this);
        }
        Instant jobDeadline = snapshot.jobDeadline();
        Instant step = progress.retryAt() != null ? progress.retryAt() : progress.stepDeadline();
        if (step == null) {
            return jobDeadline;
        }
        return jobDeadline == null || step.isBefore(jobDeadline) ? step : jobDeadline;
    }

    static boolean due(Instant at, Instant now) {
        return at != null && at.toEpochMilli() <= now.toEpochMilli();
    }

    /**
     * The current step and attempt sent now with this input: its result is awaited until its timeout, and those of
     * the steps its command carries ({@link #following}), plus the grace.
     */
    JobState running(JsonNode input, Instant now) {
        return with(progress.running(input, now.plusMillis(commandTimeoutMs() + snapshot.stepGraceMs())));
    }

    /**
     * The steps the current step's command carries ({@link StepCommand#following}): in a line, the WASM steps right
     * after a WASM step, up to {@link JobSnapshot#stepsPerCommand} in all. Each runs on the same runner as soon as
     * the one before succeeded, which spares the step a command and a result on Kafka and the orchestrator a
     * transition between them. Agent steps each get their own command (their calls take seconds, not a hop), and so do
     * the steps of a graph, which conditions, joins and for-each decide. Such a command never needs a record larger
     * than the job's state, which holds every step and the same input (and is measured before anything is sent).
     */
    List<StepDefinition> following() {
        int index = progress.stepIndex();
        List<StepDefinition> steps = snapshot.steps();
        if (graph() || snapshot.stepsPerCommand() <= 1 || index >= steps.size()
                || !(steps.get(index) instanceof WasmStep)) {
            return List.of();
        }
        int end = index + 1;
        while (end < steps.size() && end - index < snapshot.stepsPerCommand() && steps.get(end) instanceof WasmStep) {
            end++;
        }
        return steps.subList(index + 1, end);
    }

    /** How long the current step's command may run: its timeout and those of the steps it carries. */
    long commandTimeoutMs() {
        return StepCommand.timeoutMs(currentStep(), following());
    }

    /** The current attempt failed; the next one is sent at {@code at}. */
    JobState retryingAt(Instant at) {
        return with(progress.retryingAt(at));
    }

    JobState atStep(int index) {
        return with(progress.atStep(index));
    }

    JobState finished(JobStatus terminal, Instant at) {
        return with(progress.finished(terminal, at));
    }

    /**
     * This job ended, keeping only what recognising late messages needs: no steps and no input (a job that
     * failed because its records did not fit must not keep what did not fit).
     */
    JobState endedWithoutData(JobStatus terminal, Instant at) {
        return new JobState(snapshot.withoutSteps(), progress.endedWithoutData(terminal, at));
    }

    /**
     * What the store keeps of this job once it has ended ({@link JobStates}): no more than {@link #endedWithoutData}
     * keeps, as every message that reaches a finished job reads only its status. A finished job stays for the
     * retention (a day by default), so its steps' definitions, a graph's step inputs and outputs and the last input
     * would otherwise stay that long too, each up to a record's size, in RocksDB and in the changelog a restart
     * restores.
     */
    JobState asEnded() {
        return endedWithoutData(progress.status(), progress.finishedAt());
    }

    /** The running attempt's result is now awaited until {@code deadline} (its runner reported a late start). */
    JobState awaitedUntil(Instant deadline) {
        return with(progress.awaitedUntil(deadline));
    }

    /** This job with a step's reported tokens added to its total. */
    JobState plusUsage(TokenUsage step) {
        return with(progress.plusUsage(step));
    }

    JobState withLastSeq(long seq) {
        return with(progress.withLastSeq(seq));
    }

    /** This job in the trace {@code context} belongs to: its timers' wake-ups continue that trace. */
    JobState tracedBy(TraceContext context) {
        return new JobState(snapshot.tracedBy(context), progress);
    }

    private JobState with(JobProgress next) {
        return new JobState(snapshot, next);
    }
}
