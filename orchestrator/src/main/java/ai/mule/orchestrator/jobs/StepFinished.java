package ai.mule.orchestrator.jobs;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
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
     * {@link #MAX_ERROR_JSON_BYTES}, as it is copied into two events.
     */
    public static StepFinished of(StepResult result, Limits limits) {
        if (!result.success()) {
            String error = StepStreams.capped(result.error(), MAX_ERROR_JSON_BYTES);
            return error == null || error.equals(result.error()) ? new StepFinished(result)
                    : new StepFinished(asFailure(result, error, result.failureKind()));
        }
        Optional<Limits.Violation> violation = limits.checkStepOutput(result.output());
        return violation.isEmpty() ? new StepFinished(result)
                : new StepFinished(asFailure(result, violation.get().message(), FailureKind.LIMIT_EXCEEDED));
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

    private Transition succeeded(JobState job, Instant now) {
        JobProgress progress = job.progress();
        StepStreams streams = StepStreams.of(result);
        Changes changes = Changes.after(job, now)
                .emit((seq, at) -> new JobEvent.StepCompleted(Topics.SCHEMA_VERSION, job.jobId(), seq, at,
                        Changes.stepRef(job), result.output(), result.durationMicros(), result.usage(),
                        streams.stdout(), streams.stderr()));
        // Mule v2: a step's output reaches the next step, and the job's output, as {"prompt": output}
        ObjectNode prompt = prompt(result.output());
        JobState done = job.plusUsage(result.usage());
        if (job.onLastStep()) {
            return changes
                    .emit((seq, at) -> new JobEvent.JobCompleted(Topics.SCHEMA_VERSION, job.jobId(), seq, at, prompt,
                            done.progress().usage()))
                    .into(done.finished(JobStatus.COMPLETED, now));
        }
        JobState next = done.atStep(progress.stepIndex() + 1).running(prompt, now);
        return changes.startStep(next).into(next);
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

    private static ObjectNode prompt(JsonNode output) {
        ObjectNode prompt = JsonNodeFactory.instance.objectNode();
        prompt.set("prompt", output == null ? NullNode.getInstance() : output);
        return prompt;
    }
}
