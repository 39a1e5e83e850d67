package ai.mule.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A job asked for over Kafka ({@code mule.jobs.ingress}) by an integration, with no HTTP involved. The gateway
 * turns a valid one into a job exactly as {@code POST /api/v1/jobs} would (source {@code kafka}); an invalid one
 * goes to {@code mule.jobs.ingress.dlq} with the reason in the {@link Topics#DLQ_REASON_HEADER} header.
 *
 * @param workflow       the workflow's name (required)
 * @param input          the job's input, a JSON object such as {@code {"prompt": "..."}}; null = {@code {}}
 * @param idempotencyKey the same key never makes two jobs (1..255 visible ASCII characters); null = the record's
 *                       own position on the topic, so that a redelivered record never makes a second job either
 * @param replyTopic     a topic that receives the job's terminal event (a {@code mule.jobs.events} event); optional
 * @param parent         set only by the orchestrator for a sub-workflow step: the job becomes that step's child (its
 *                       id {@link ParentStep#childJobId}, its key {@link ParentStep#idempotencyKey})
 * @param workflowId     the workflow's id, which wins over {@code workflow} when given (a sub-workflow names its child
 *                       by id, so renaming the child does not break the parent)
 * @param callDepth      set only by the orchestrator, with {@code parent}: the parent job's
 *                       {@link JobRequest#callDepth}, which its child keeps (a sub-workflow step is no tool call);
 *                       absent when 0
 */
public record JobIngressRequest(Integer version, String workflow, JsonNode input, String idempotencyKey,
                                String replyTopic, ParentStep parent, String workflowId,
                                @JsonInclude(JsonInclude.Include.NON_DEFAULT) int callDepth) {

    public JobIngressRequest(Integer version, String workflow, JsonNode input, String idempotencyKey,
                             String replyTopic, ParentStep parent, String workflowId) {
        this(version, workflow, input, idempotencyKey, replyTopic, parent, workflowId, 0);
    }

    public JobIngressRequest(Integer version, String workflow, JsonNode input, String idempotencyKey,
                             String replyTopic) {
        this(version, workflow, input, idempotencyKey, replyTopic, null, null);
    }

    public static JobIngressRequest of(String workflow, JsonNode input, String idempotencyKey, String replyTopic) {
        return new JobIngressRequest(Topics.SCHEMA_VERSION, workflow, input, idempotencyKey, replyTopic);
    }

    /** The request for the child job of a sub-workflow step of a job a client started (call depth 0). */
    public static JobIngressRequest child(WorkflowStep step, JsonNode input, ParentStep parent) {
        return child(step, input, parent, 0);
    }

    /** The request for the child job of a sub-workflow step of a job at {@code callDepth}, which the child keeps. */
    public static JobIngressRequest child(WorkflowStep step, JsonNode input, ParentStep parent, int callDepth) {
        return new JobIngressRequest(Topics.SCHEMA_VERSION, step.workflowName(), input, parent.idempotencyKey(), null,
                parent, step.workflowId(), callDepth);
    }
}
