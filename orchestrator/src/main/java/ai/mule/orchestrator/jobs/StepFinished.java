package ai.mule.orchestrator.jobs;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A runner's result for one step ({@code mule.steps.results}). Runners deliver at least once, so only the
 * result of the step and attempt the job waits for counts; any other is a duplicate or stale and changes nothing.
 */
public record StepFinished(StepResult result) implements JobCommand {

    /**
     * Reads a result, turning a successful one whose output is too large to travel on in a step command or an
     * event into a failure: the producer would reject that record, and under exactly-once that aborts the
     * transaction and replays the same result forever, stalling every job on the partition.
     */
    public static StepFinished of(StepResult result, int maxOutputBytes) {
        if (!result.success() || result.output() == null) {
            return new StepFinished(result);
        }
        int size = jsonSize(result.output());
        if (size <= maxOutputBytes) {
            return new StepFinished(result);
        }
        String error = "its output of " + size + " bytes is larger than the limit of " + maxOutputBytes + " bytes";
        return new StepFinished(new StepResult(result.version(), result.jobId(), result.stepIndex(), result.attempt(),
                false, null, error, result.stdout(), result.stderr(), result.durationMicros(), result.finishedAt(),
                FailureKind.LIMIT_EXCEEDED, result.usage()));
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
        if (job.waitsForRetry()) {
            return Transition.ignored("a result for step " + result.stepIndex() + " attempt " + result.attempt()
                    + " but the job waits to send attempt " + job.attempt() + " at " + job.retryAt());
        }
        if (!job.waitsFor(result.stepIndex(), result.attempt())) {
            return Transition.ignored("a result for step " + result.stepIndex() + " attempt " + result.attempt()
                    + " but the job waits for step " + job.stepIndex() + " attempt " + job.attempt());
        }
        return result.success() ? succeeded(job, now) : failed(job, now);
    }

    private Transition succeeded(JobState job, Instant now) {
        StepDefinition step = job.currentStep();
        StepStreams streams = StepStreams.of(result);
        Changes changes = Changes.after(job, now)
                .emit((seq, at) -> new JobEvent.StepCompleted(Topics.SCHEMA_VERSION, job.jobId(), seq, at,
                        job.stepIndex(), step.stepOrder(), step.workflowStepId(), job.attempt(), result.output(),
                        result.durationMicros(), result.usage(), streams.stdout(), streams.stderr()));
        // Mule v2: a step's output reaches the next step, and the job's output, as {"prompt": output}
        ObjectNode prompt = prompt(result.output());
        JobState done = job.plusUsage(result.usage());
        if (job.onLastStep()) {
            return changes
                    .emit((seq, at) -> new JobEvent.JobCompleted(Topics.SCHEMA_VERSION, job.jobId(), seq, at, prompt,
                            done.usage()))
                    .into(done.finished(JobStatus.COMPLETED, now));
        }
        JobState next = done.atStep(job.stepIndex() + 1).running(prompt, now);
        return changes.startStep(next).into(next);
    }

    private Transition failed(JobState job, Instant now) {
        String error = result.error() == null || result.error().isBlank() ? "no reason given" : result.error();
        // a runner that names no kind (an old one) reported something it could not classify: not retried
        FailureKind kind = result.failureKind() == null ? FailureKind.INTERNAL : result.failureKind();
        return Changes.attemptFailed(job, now, kind, error, result.durationMicros(), StepStreams.of(result));
    }

    private static ObjectNode prompt(JsonNode output) {
        ObjectNode prompt = JsonNodeFactory.instance.objectNode();
        prompt.set("prompt", output == null ? NullNode.getInstance() : output);
        return prompt;
    }

    private static int jsonSize(JsonNode output) {
        try {
            return JsonSerde.mapper().writeValueAsBytes(output).length;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the step output cannot be written as JSON", e);
        }
    }
}
