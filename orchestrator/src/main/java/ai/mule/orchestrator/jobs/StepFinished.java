package ai.mule.orchestrator.jobs;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;

/**
 * A runner's result for one step ({@code mule.steps.results}). Runners deliver at least once, so only the
 * result of the step and attempt the job waits for counts; any other is a duplicate or stale and changes nothing.
 */
public record StepFinished(StepResult result) implements JobCommand {

    /** The most bytes (as JSON) of a failed result's error carried on in its events; the rest is cut off. */
    static final int MAX_ERROR_JSON_BYTES = 8 * 1024;

    /**
     * Reads a result as it enters, against the limits every service shares: a successful one whose output nests
     * too deeply or is too large ({@link Limits#checkStepOutput}) fails its step with {@code limit_exceeded} and
     * says which limit: the limits are what keeps an output able to travel on in the next step command, the job's
     * state and its events (a 999-deep one could not even be written). A failed one's error is cut to
     * {@link #MAX_ERROR_JSON_BYTES}, as it is copied into two events. The results it carries
     * ({@link StepResult#carried}) are read the same way, each on its own.
     */
    public static StepFinished of(StepResult result, Limits limits) {
        StepResult checked = checked(result, limits);
        return new StepFinished(result.carried().isEmpty() ? checked
                : checked.carrying(result.carried().stream().map(carried -> checked(carried, limits)).toList()));
    }

    private static StepResult checked(StepResult result, Limits limits) {
        if (!result.success()) {
            String error = StepStreams.capped(result.error(), MAX_ERROR_JSON_BYTES);
            return error == null || error.equals(result.error()) ? result
                    : asFailure(result, error, result.failureKind());
        }
        Optional<Limits.Violation> violation = limits.checkStepOutput(result.output());
        return violation.isEmpty() ? result : asFailure(result, violation.get().message(), FailureKind.LIMIT_EXCEEDED);
    }

    private static StepResult asFailure(StepResult result, String error, FailureKind kind) {
        return new StepResult(result.version(), result.jobId(), result.stepIndex(), result.attempt(), false, null,
                error, result.stdout(), result.stderr(), result.durationMicros(), result.finishedAt(), kind,
                result.usage());
    }

    @Override
    public String jobId() {
        return result.jobId();
    }

    @Override
    public Transition apply(JobState job, Instant now) {
        if (job == null) {
            return Transition.ignored("no such job (never started, or finished and forgotten)");
        }
        if (job.status().terminal()) {
            return Transition.ignored("the job is already " + job.status().wire());
        }
        if (job.graph()) {
            return FlowRun.finished(job, result, now);
        }
        JobProgress progress = job.progress();
        if (job.waitsForRetry()) {
            return Transition.ignored("a result for step " + result.stepIndex() + " attempt " + result.attempt()
                    + " but the job waits to send attempt " + progress.attempt() + " at " + progress.retryAt());
        }
        if (!job.waitsFor(result.stepIndex(), result.attempt())) {
            return Transition.ignored("a result for step " + result.stepIndex() + " attempt " + result.attempt()
                    + " but the job waits for step " + progress.stepIndex() + " attempt " + progress.attempt());
        }
        return result.success() ? succeeded(job, now) : failed(job, now);
    }

    /**
     * The step succeeded: its output becomes the next step's input, or the job's output after its last step. When
     * the step's command carried the steps after it ({@link JobState#following}), their results came along
     * ({@link StepResult#carried}) and are applied in the same transition, each as if its own result had come: a
     * started and a completed event per step, and a failed one retried or failing the job as usual. The first step
     * without a result here (the runner stopped before it) is sent as usual.
     */
    private Transition succeeded(JobState job, Instant now) {
        int lastCarriable = result.stepIndex() + job.following().size();
        Iterator<StepResult> carried = result.carried().iterator();
        Changes changes = Changes.after(job, now);
        JobState step = job;
        StepResult done = result;
        while (true) {
            JobState completedStep = step;
            StepResult completed = done;
            StepStreams streams = StepStreams.of(completed);
            changes.emit((seq, at) -> new JobEvent.StepCompleted(Topics.SCHEMA_VERSION, job.jobId(), seq, at,
                    Changes.stepRef(completedStep), completed.output(), completed.durationMicros(), completed.usage(),
                    streams.stdout(), streams.stderr()));
            ObjectNode prompt = StepCommand.promptOf(completed.output());
            JobState withUsage = step.plusUsage(completed.usage());
            if (withUsage.onLastStep()) {
                return changes
                        .emit((seq, at) -> new JobEvent.JobCompleted(Topics.SCHEMA_VERSION, job.jobId(), seq, at,
                                prompt, withUsage.progress().usage()))
                        .into(withUsage.finished(JobStatus.COMPLETED, now));
            }
            int nextIndex = step.progress().stepIndex() + 1;
            JobState next = withUsage.atStep(nextIndex).running(prompt, now);
            StepResult nextResult = carried.hasNext() ? carried.next() : null;
            if (nextResult == null || nextResult.stepIndex() != nextIndex || nextResult.attempt() != 1
                    || nextIndex > lastCarriable) {
                return changes.startStep(next).into(next);
            }
            changes.startedCarried(next);
            if (!nextResult.success()) {
                return Changes.attemptFailed(next, changes, now, kindOf(nextResult), errorOf(nextResult),
                        nextResult.durationMicros(), StepStreams.of(nextResult));
            }
            step = next;
            done = nextResult;
        }
    }

    private Transition failed(JobState job, Instant now) {
        return Changes.attemptFailed(job, now, kindOf(result), errorOf(result), result.durationMicros(),
                StepStreams.of(result));
    }

    /** A failed result's error as events carry it. */
    static String errorOf(StepResult result) {
        return result.error() == null || result.error().isBlank() ? "no reason given" : result.error();
    }

    /** A failed result's kind; a runner that names none (an old one) reported something it could not classify. */
    static FailureKind kindOf(StepResult result) {
        return result.failureKind() == null ? FailureKind.INTERNAL : result.failureKind();
    }
}
