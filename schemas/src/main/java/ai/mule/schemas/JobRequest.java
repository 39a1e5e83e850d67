package ai.mule.schemas;

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
 */
public record JobRequest(int version, String jobId, String workflowId, String workflowName, List<StepDefinition> steps,
                         JsonNode input, Instant acceptedAt) {

    public static JobRequest of(String jobId, String workflowId, String workflowName, List<StepDefinition> steps,
                                JsonNode input, Instant acceptedAt) {
        return new JobRequest(Topics.SCHEMA_VERSION, jobId, workflowId, workflowName, List.copyOf(steps), input, acceptedAt);
    }
}
