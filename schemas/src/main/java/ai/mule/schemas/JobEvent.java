package ai.mule.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One change of a job's state ({@code mule.jobs.events}), emitted by the orchestrator.
 * {@code seq} counts a job's events from 1 without gaps, so a consumer that stores the last seq it
 * applied can apply each event exactly once and in order, whatever the redelivery.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = JobEvent.JobStarted.class, name = "job_started"),
        @JsonSubTypes.Type(value = JobEvent.StepStarted.class, name = "step_started"),
        @JsonSubTypes.Type(value = JobEvent.StepCompleted.class, name = "step_completed"),
        @JsonSubTypes.Type(value = JobEvent.StepFailed.class, name = "step_failed"),
        @JsonSubTypes.Type(value = JobEvent.StepRetrying.class, name = "step_retrying"),
        @JsonSubTypes.Type(value = JobEvent.StepSkipped.class, name = "step_skipped"),
        @JsonSubTypes.Type(value = JobEvent.JobCompleted.class, name = "job_completed"),
        @JsonSubTypes.Type(value = JobEvent.JobFailed.class, name = "job_failed"),
        @JsonSubTypes.Type(value = JobEvent.JobCancelled.class, name = "job_cancelled")
})
public sealed interface JobEvent {

    int version();

    String jobId();

    long seq();

    Instant at();

    /** The job's status once this event has happened. */
    @JsonIgnore
    JobStatus jobStatus();

    @JsonIgnore
    default boolean terminal() {
        return jobStatus().terminal();
    }

    /**
     * An event about one attempt of one step. Its {@link StepRef} is written flat into the event's JSON
     * ({@code stepIndex}, {@code stepOrder}, {@code workflowStepId}, {@code attempt}).
     */
    sealed interface StepEvent extends JobEvent {

        StepRef step();
    }

    /** The job began running its first step. */
    record JobStarted(int version, String jobId, long seq, Instant at, String workflowName, int stepCount)
            implements JobEvent {
        public JobStatus jobStatus() {
            return JobStatus.RUNNING;
        }
    }

    /** A step's command was sent to its runner. */
    record StepStarted(int version, String jobId, long seq, Instant at, @JsonUnwrapped StepRef step, JsonNode input)
            implements StepEvent {
        public JobStatus jobStatus() {
            return JobStatus.RUNNING;
        }
    }

    /**
     * A step finished successfully with this output. {@code stdout} and {@code stderr} are what a WASM module
     * wrote (capped by the orchestrator, marked when cut); null for agent steps and from old orchestrators.
     */
    record StepCompleted(int version, String jobId, long seq, Instant at, @JsonUnwrapped StepRef step,
                         JsonNode output, long durationMicros, TokenUsage usage, String stdout, String stderr)
            implements StepEvent {
        public JobStatus jobStatus() {
            return JobStatus.RUNNING;
        }
    }

    /**
     * A step failed for good (its policy allows no further attempt); the job fails with it.
     * {@code failureKind} says why (null from old orchestrators). {@code stdout} and {@code stderr} are what a
     * WASM module wrote before it failed (capped, marked when cut); null when there was no result (a timeout, a
     * lost runner), for agent steps, and from old orchestrators.
     */
    record StepFailed(int version, String jobId, long seq, Instant at, @JsonUnwrapped StepRef step, String error,
                      long durationMicros, FailureKind failureKind, String stdout, String stderr)
            implements StepEvent {
        public JobStatus jobStatus() {
            return JobStatus.RUNNING;
        }
    }

    /**
     * One attempt of a step failed and the step's policy runs it again: attempt {@code attempt + 1} starts at
     * {@code retryAt} (after the backoff), announced by its own {@code StepStarted}.
     *
     * @param durationMicros how long the failed attempt ran on its runner (0 when no result came back)
     */
    record StepRetrying(int version, String jobId, long seq, Instant at, @JsonUnwrapped StepRef step, String error,
                        FailureKind failureKind, long durationMicros, Instant retryAt) implements StepEvent {
        public JobStatus jobStatus() {
            return JobStatus.RUNNING;
        }
    }

    /**
     * A step of a workflow graph will not run: its condition ({@code when}) was false, or every step it depends on was
     * skipped. It is reported as attempt 1 (the attempt that did not run); its dependents see it as done with no output.
     */
    record StepSkipped(int version, String jobId, long seq, Instant at, @JsonUnwrapped StepRef step, String reason)
            implements StepEvent {
        public JobStatus jobStatus() {
            return JobStatus.RUNNING;
        }
    }

    /**
     * The job completed; {@code output} is its last step's output wrapped as {@code {"prompt": ...}};
     * {@code usage} sums the tokens its steps reported (null when none did).
     */
    record JobCompleted(int version, String jobId, long seq, Instant at, JsonNode output, TokenUsage usage)
            implements JobEvent {
        public JobStatus jobStatus() {
            return JobStatus.COMPLETED;
        }
    }

    /** The job failed, e.g. {@code step 2 failed: ...} as Mule v2 words it. */
    record JobFailed(int version, String jobId, long seq, Instant at, String error) implements JobEvent {
        public JobStatus jobStatus() {
            return JobStatus.FAILED;
        }
    }

    /** The job was cancelled before it finished. */
    record JobCancelled(int version, String jobId, long seq, Instant at, String reason) implements JobEvent {
        public JobStatus jobStatus() {
            return JobStatus.CANCELLED;
        }
    }
}
