package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobRequest;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.StepFlow;
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
 * @param flow         the workflow graph ({@link StepFlow} per step) run by {@link FlowRun}; null = the steps run in
 *                     a line, as every job did before graphs (and the state then reads and writes as it did)
 */
public record JobSnapshot(String jobId, String workflowName, List<StepDefinition> steps, Instant jobDeadline,
                          long stepGraceMs, String replyTopic, List<StepFlow> flow) {

    public JobSnapshot {
        steps = steps == null ? List.of() : List.copyOf(steps);
        flow = flow == null ? null : List.copyOf(flow);
    }

    public JobSnapshot(String jobId, String workflowName, List<StepDefinition> steps, Instant jobDeadline,
                       long stepGraceMs, String replyTopic) {
        this(jobId, workflowName, steps, jobDeadline, stepGraceMs, replyTopic, null);
    }

    /** Whether this job runs a workflow graph rather than a line of steps. */
    boolean graph() {
        return flow != null;
    }

    static JobSnapshot of(JobRequest request, Duration stepGrace) {
        return new JobSnapshot(request.jobId(), request.workflowName(), request.steps(), request.deadline(),
                stepGrace.toMillis(), request.replyTopic(), validFlow(request));
    }

    /** A job known only by its id: cancelled before its request reached the orchestrator. */
    static JobSnapshot unseen(String jobId) {
        return new JobSnapshot(jobId, null, List.of(), null, 0, null);
    }

    /** The request's flow when it has one entry per step (a request that does not is run as a line). */
    private static List<StepFlow> validFlow(JobRequest request) {
        List<StepFlow> flow = request.flow();
        return flow == null || request.steps() == null || flow.size() != request.steps().size() ? null : flow;
    }

    JobSnapshot withoutSteps() {
        return new JobSnapshot(jobId, workflowName, List.of(), jobDeadline, stepGraceMs, replyTopic, null);
    }
}
