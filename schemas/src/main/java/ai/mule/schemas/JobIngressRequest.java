package ai.mule.schemas;

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
 */
public record JobIngressRequest(Integer version, String workflow, JsonNode input, String idempotencyKey,
                                String replyTopic) {

    public static JobIngressRequest of(String workflow, JsonNode input, String idempotencyKey, String replyTopic) {
        return new JobIngressRequest(Topics.SCHEMA_VERSION, workflow, input, idempotencyKey, replyTopic);
    }
}
