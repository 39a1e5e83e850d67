package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobRequest;
import ai.mule.schemas.StepDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a job was accepted with, fixed for its life: the workflow snapshot it runs and the limits and routing its
 * request set. Only a job that ends without data drops its steps ({@link #withoutSteps}).
 *
 * @param workflowName null for a job cancelled before its request arrived
 * @param jobDeadline  when the whole job fails if it has not ended; null = no job limit
 * @param stepGraceMs  how long past a step's own timeout the orchestrator waits for its result
 * @param replyTopic   a topic that also receives the job's terminal event (Kafka ingress); null = none
 */
public record JobSnapshot(String jobId, String workflowName, List<StepDefinition> steps, Instant jobDeadline,
                          long stepGraceMs, String replyTopic) {

    public JobSnapshot {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    static JobSnapshot of(JobRequest request, Duration stepGrace) {
        return new JobSnapshot(request.jobId(), request.workflowName(), request.steps(), request.deadline(),
                stepGrace.toMillis(), request.replyTopic());
    }

    /** A job known only by its id: cancelled before its request reached the orchestrator. */
    static JobSnapshot unseen(String jobId) {
        return new JobSnapshot(jobId, null, List.of(), null, 0, null);
    }

    JobSnapshot withoutSteps() {
        return new JobSnapshot(jobId, workflowName, List.of(), jobDeadline, stepGraceMs, replyTopic);
    }
}
