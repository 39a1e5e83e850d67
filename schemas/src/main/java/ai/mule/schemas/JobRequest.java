package ai.mule.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A job the gateway accepted ({@code mule.jobs.requests}), carrying the snapshot of its workflow's steps
 * so that the orchestrator never reads definitions from PostgreSQL and edits never touch a running job.
 *
 * @param workflowId   the workflow's id, or null for a job that runs one WASM module directly
 * @param workflowName the workflow's name (or the module's name for a direct run), for display
 * @param steps        the steps in the order they run; never empty
 * @param input        the job's input, e.g. {@code {"prompt": "..."}}
 * @param deadline     when the whole job must have ended (from {@code timeout_job_seconds}); null = no job limit
 *                     (each step still has its own timeout)
 * @param replyTopic   a topic that receives the job's terminal event as well (Kafka ingress); null = none
 * @param flow         the workflow graph: one {@link StepFlow} per step, in the order of {@code steps}; null = the
 *                     steps run in a line (every workflow that uses no graph field, and requests from older gateways)
 * @param parent       the step of another job this job runs for (a sub-workflow); null for a job of its own
 * @param awaited      a caller waits for this job's end as it happens (a synchronous call to the gateway): the
 *                     orchestrator commits the job's end at once rather than with its next regular commit. Absent
 *                     (false) for jobs whose callers come back later, and in requests from older gateways
 * @param callDepth    how many workflow calls from steps this job is nested in: 0 for a job a client started,
 *                     the calling job's depth + 1 for one an agent's {@code call_workflow} tool or a module's
 *                     {@code trigger_workflow_or_agent} started (sent as {@link #CALL_DEPTH_HEADER}), the parent's
 *                     depth for a sub-workflow's child. The orchestrator passes it on in every {@link StepCommand},
 *                     so the next such call can say its own depth; the gateway refuses a job past {@link Limits#maxCallDepth}. Absent (0) when 0, so
 *                     such requests read and write as before
 */
public record JobRequest(int version, String jobId, String workflowId, String workflowName, List<StepDefinition> steps,
                         JsonNode input, Instant acceptedAt, Instant deadline, String replyTopic, List<StepFlow> flow,
                         ParentStep parent, @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean awaited,
                         @JsonInclude(JsonInclude.Include.NON_DEFAULT) int callDepth) {

    /**
     * The HTTP header an agent runner's tool call to the gateway carries: the depth of the job it would start (the
     * running step's {@link StepCommand#callDepth} + 1).
     */
    public static final String CALL_DEPTH_HEADER = "Mule-Call-Depth";

    /**
     * The HTTP header of the same calls naming the job the calling step runs for: the gateway counts the job it
     * starts under that job's first job ({@link Limits#maxDescendantJobs}). See {@link StepCaller}.
     */
    public static final String STARTED_BY_HEADER = "Mule-Started-By";

    public JobRequest(int version, String jobId, String workflowId, String workflowName, List<StepDefinition> steps,
                      JsonNode input, Instant acceptedAt, Instant deadline, String replyTopic, List<StepFlow> flow,
                      ParentStep parent, boolean awaited) {
        this(version, jobId, workflowId, workflowName, steps, input, acceptedAt, deadline, replyTopic, flow, parent,
                awaited, 0);
    }

    public JobRequest(int version, String jobId, String workflowId, String workflowName, List<StepDefinition> steps,
                      JsonNode input, Instant acceptedAt, Instant deadline, String replyTopic, List<StepFlow> flow,
                      ParentStep parent) {
        this(version, jobId, workflowId, workflowName, steps, input, acceptedAt, deadline, replyTopic, flow, parent,
                false);
    }

    public JobRequest(int version, String jobId, String workflowId, String workflowName, List<StepDefinition> steps,
                      JsonNode input, Instant acceptedAt, Instant deadline, String replyTopic, List<StepFlow> flow) {
        this(version, jobId, workflowId, workflowName, steps, input, acceptedAt, deadline, replyTopic, flow, null);
    }

    public JobRequest(int version, String jobId, String workflowId, String workflowName, List<StepDefinition> steps,
                      JsonNode input, Instant acceptedAt, Instant deadline, String replyTopic) {
        this(version, jobId, workflowId, workflowName, steps, input, acceptedAt, deadline, replyTopic, null, null);
    }

    public JobRequest(int version, String jobId, String workflowId, String workflowName, List<StepDefinition> steps,
                      JsonNode input, Instant acceptedAt) {
        this(version, jobId, workflowId, workflowName, steps, input, acceptedAt, null, null);
    }

    public static JobRequest of(String jobId, String workflowId, String workflowName, List<StepDefinition> steps,
                                JsonNode input, Instant acceptedAt) {
        return new JobRequest(Topics.SCHEMA_VERSION, jobId, workflowId, workflowName, List.copyOf(steps), input, acceptedAt);
    }

    /** This request with a job deadline and a reply topic (either may be null). */
    public JobRequest with(Instant deadline, String replyTopic) {
        return new JobRequest(version, jobId, workflowId, workflowName, steps, input, acceptedAt, deadline, replyTopic,
                flow, parent, awaited, callDepth);
    }

    /** This request running its steps as the graph {@code graph} (null: in a line). */
    public JobRequest withFlow(List<StepFlow> graph) {
        return new JobRequest(version, jobId, workflowId, workflowName, steps, input, acceptedAt, deadline, replyTopic,
                graph, parent, awaited, callDepth);
    }

    /** This request as the child job of {@code step} (null: a job of its own). */
    public JobRequest withParent(ParentStep step) {
        return new JobRequest(version, jobId, workflowId, workflowName, steps, input, acceptedAt, deadline, replyTopic,
                flow, step, awaited, callDepth);
    }

    /** This request with a caller waiting for its end as it happens ({@code awaited}). */
    public JobRequest awaitedByCaller() {
        return new JobRequest(version, jobId, workflowId, workflowName, steps, input, acceptedAt, deadline, replyTopic,
                flow, parent, true, callDepth);
    }

    /** This request at {@code depth} workflow calls from steps ({@link #callDepth}). */
    public JobRequest atCallDepth(int depth) {
        return new JobRequest(version, jobId, workflowId, workflowName, steps, input, acceptedAt, deadline, replyTopic,
                flow, parent, awaited, depth);
    }
}
