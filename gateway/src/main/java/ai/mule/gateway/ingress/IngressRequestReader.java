package ai.mule.gateway.ingress;

import ai.mule.gateway.jobs.JobService;
import ai.mule.gateway.web.ApiException;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.PostgresText;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one {@code mule.jobs.ingress} record strictly (schema {@code job-ingress.schema.json}): a JSON object with
 * a {@code workflow} name, an optional object {@code input}, an optional {@code idempotency_key} and an optional
 * {@code reply_topic}. Anything else is an {@link IngressRejected} whose message says what to fix.
 */
final class IngressRequestReader {

    /** A valid request: input never null. */
    record IngressRequest(String workflow, ObjectNode input, String idempotencyKey, String replyTopic) {
    }

    private static final Set<String> FIELDS = Set.of("version", "workflow", "input", "idempotency_key", "reply_topic");
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private IngressRequestReader() {
    }

    static IngressRequest read(byte[] value) {
        if (value == null || value.length == 0) {
            throw new IngressRejected("the record has no value; send a JSON object such as "
                    + "{\"workflow\": \"<name>\", \"input\": {\"prompt\": \"...\"}}");
        }
        JsonNode json;
        try {
            json = JsonSerde.mapper().readTree(value);
        } catch (JsonProcessingException e) {
            throw new IngressRejected("the value is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new IngressRejected("the value cannot be read: " + e.getMessage());
        }
        if (!(json instanceof ObjectNode object)) {
            throw new IngressRejected("the value must be a JSON object, got " + (json == null ? "nothing"
                    : json.getNodeType().name().toLowerCase()));
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new IngressRejected("unknown field '" + name + "'; the fields are " + String.join(", ",
                        FIELDS.stream().sorted().toList()));
            }
        }
        JsonNode workflow = object.get("workflow");
        if (workflow == null || !workflow.isTextual() || workflow.asText().isBlank()) {
            throw new IngressRejected("workflow is required: the name of the workflow to run, as a string");
        }
        PostgresText.problem(workflow.asText(), "workflow").ifPresent(problem -> {
            throw new IngressRejected(problem);
        });
        JsonNode input = object.get("input");
        ObjectNode inputObject;
        if (input == null || input.isNull()) {
            inputObject = JsonNodeFactory.instance.objectNode();
        } else if (input instanceof ObjectNode given) {
            inputObject = given;
        } else {
            throw new IngressRejected("input must be a JSON object such as {\"prompt\": \"...\"}, got "
                    + input.getNodeType().name().toLowerCase());
        }
        String key = optionalText(object, "idempotency_key");
        if (key != null) {
            try {
                JobService.idempotencyKey(key);
            } catch (ApiException e) {
                throw new IngressRejected("idempotency_key must be 1 to 255 visible ASCII characters, got "
                        + key.length() + " characters");
            }
        }
        String replyTopic = optionalText(object, "reply_topic");
        if (replyTopic != null) {
            if (!TOPIC.matcher(replyTopic).matches()) {
                throw new IngressRejected("reply_topic must be a Kafka topic name (letters, digits, '.', '_', '-'), "
                        + "got '" + replyTopic + "'");
            }
            if (replyTopic.startsWith("mule.")) {
                throw new IngressRejected("reply_topic '" + replyTopic + "' is one of Mule's own topics; name a topic "
                        + "of your integration");
            }
        }
        return new IngressRequest(workflow.asText(), inputObject, key, replyTopic);
    }

    private static String optionalText(ObjectNode object, String field) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new IngressRejected(field + " must be a string, got " + node.getNodeType().name().toLowerCase());
        }
        return node.asText();
    }

    static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
