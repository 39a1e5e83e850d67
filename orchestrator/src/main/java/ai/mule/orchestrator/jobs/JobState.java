package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.StepDefinition;
import java.time.Instant;
import java.util.List;

/**
 * What the orchestrator keeps of one job in its state store: the workflow snapshot the job runs, the step
 * (and attempt) it waits for, and the {@code seq} of its last event. A finished job keeps its entry, with
 * {@code finishedAt}, until the retention has passed, so that late or duplicate messages are recognised.
 *
 * @param workflowName null for a job cancelled before its request arrived
 * @param stepIndex    the step whose result the job waits for (the last one it ran once finished)
 * @param attempt      the attempt of that step whose result counts; results of other attempts are stale
 */
public record JobState(String jobId, String workflowName, List<StepDefinition> steps, JobStatus status,
                       int stepIndex, int attempt, long lastSeq, Instant finishedAt) {

    public JobState {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** A job just accepted, about to run its first step. */
    static JobState starting(JobRequest request) {
        return new JobState(request.jobId(), request.workflowName(), request.steps(), JobStatus.RUNNING, 0, 1, 0, null);
    }

    /** A job cancelled before its request reached the orchestrator: remembered so that the request never runs. */
    static JobState cancelledUnseen(String jobId, Instant at) {
        return new JobState(jobId, null, List.of(), JobStatus.CANCELLED, 0, 0, 0, at);
    }

    boolean waitsFor(int stepIndex, int attempt) {
        return this.stepIndex == stepIndex && this.attempt == attempt;
    }

    StepDefinition currentStep() {
        return steps.get(stepIndex);
    }

    boolean onLastStep() {
        return stepIndex == steps.size() - 1;
    }

    JobState atStep(int index) {
        return new JobState(jobId, workflowName, steps, status, index, 1, lastSeq, finishedAt);
    }

    JobState finished(JobStatus terminal, Instant at) {
        return new JobState(jobId, workflowName, steps, terminal, stepIndex, attempt, lastSeq, at);
    }

    JobState withLastSeq(long seq) {
        return new JobState(jobId, workflowName, steps, status, stepIndex, attempt, seq, finishedAt);
    }
}
