package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobRequest;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.ParentStep;
import ai.mule.schemas.StepFlow;
import ai.mule.schemas.WorkflowStep;
import ai.mule.tracing.TraceContext;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * @param parent       the sub-workflow step this job is the child of: its end is reported there as a step result;
 *                     null for a job of its own
 * @param trace        the W3C trace context of the job's trace, kept from the record that started it (the
 *                     orchestrator's span applying it, or with tracing off the context that record came with), so
 *                     that a wake-up of the job's timers, which has no record, continues the job's trace; null when
 *                     that record had none (and in states written before it was kept: their JSON reads unchanged)
 * @param awaited      a caller of the gateway waits for the job's end as it happens ({@link JobRequest#awaited});
 *                     left out of the JSON when false, so states written before it read and write unchanged
 * @param callDepth    how many workflow calls through agent tools the job is nested in ({@link JobRequest#callDepth}),
 *                     passed on in its step commands and to its sub-workflows' children; left out of the JSON when 0,
 *                     so states written before it read as 0 and write unchanged
 * @param stepsPerCommand how many steps of a line one step command may hold: the step sent and the WASM steps right
 *                     after it ({@link JobState#following}), run by one runner one after another. Taken from
 *                     {@code mule.orchestrator.steps-per-command} when the job starts; left out of the JSON when 0,
 *                     and 0 or 1 means one step per command, as in states written before it
 */
public record JobSnapshot(String jobId, String workflowName, List<StepDefinition> steps, Instant jobDeadline,
                          long stepGraceMs, String replyTopic, List<StepFlow> flow, ParentStep parent,
                          TraceContext trace, @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean awaited,
                          @JsonInclude(JsonInclude.Include.NON_DEFAULT) int callDepth,
                          @JsonInclude(JsonInclude.Include.NON_DEFAULT) int stepsPerCommand) {

    public JobSnapshot {
        steps = steps == null ? List.of() : List.copyOf(steps);
        flow = flow == null ? null : List.copyOf(flow);
    }

    public JobSnapshot(String jobId, String workflowName, List<StepDefinition> steps, Instant jobDeadline,
                       long stepGraceMs, String replyTopic) {
        this(jobId, workflowName, steps, jobDeadline, stepGraceMs, replyTopic, null, null, null, false, 0, 0);
    }

    /**
     * Whether someone reads the job's end as it happens: a caller of the gateway waiting for it, the reader of its
     * reply topic, or its parent job (whose step the child's end completes). Their readers read committed records
     * only, so the orchestrator commits such a job's end at once; any other job's end is committed with the next
     * regular commit, which keeps a busy stream thread processing rather than committing (issue 14).
     */
    boolean endAwaited() {
        return awaited || replyTopic != null || parent != null;
    }

    /** Whether this job runs a workflow graph rather than a line of steps. */
    boolean graph() {
        return flow != null;
    }

    static JobSnapshot of(JobRequest request, Duration stepGrace, int stepsPerCommand) {
        return new JobSnapshot(request.jobId(), request.workflowName(), request.steps(), request.deadline(),
                stepGrace.toMillis(), request.replyTopic(), validFlow(request), request.parent(), null,
                request.awaited(), request.callDepth(), stepsPerCommand);
    }

    /** A job known only by its id: cancelled before its request reached the orchestrator. */
    static JobSnapshot unseen(String jobId) {
        return new JobSnapshot(jobId, null, List.of(), null, 0, null);
    }

    /**
     * The request's flow when it has one entry per step (a request that does not is run as a line). Steps in a line
     * that include a sub-workflow are run as the equivalent graph, as only {@link FlowRun} starts child jobs.
     */
    private static List<StepFlow> validFlow(JobRequest request) {
        List<StepFlow> flow = request.flow();
        List<StepDefinition> steps = request.steps() == null ? List.of() : request.steps();
        if (flow != null && flow.size() == steps.size()) {
            return flow;
        }
        if (steps.stream().noneMatch(WorkflowStep.class::isInstance)) {
            return null;
        }
        List<StepFlow> line = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            line.add(new StepFlow("step_" + steps.get(i).stepOrder(), i == 0 ? List.of() : List.of(i - 1), null, null,
                    null, null));
        }
        return line;
    }

    JobSnapshot withoutSteps() {
        return new JobSnapshot(jobId, workflowName, List.of(), jobDeadline, stepGraceMs, replyTopic, null, parent,
                trace, awaited, callDepth, stepsPerCommand);
    }

    JobSnapshot tracedBy(TraceContext context) {
        return new JobSnapshot(jobId, workflowName, steps, jobDeadline, stepGraceMs, replyTopic, flow, parent, context,
                awaited, callDepth, stepsPerCommand);
    }
}
