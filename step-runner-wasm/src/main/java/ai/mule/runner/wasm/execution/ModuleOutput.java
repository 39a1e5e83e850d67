package ai.mule.runner.wasm.execution;

import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * How a module's stdout becomes the step output (Mule v2's contract):
 * <ul>
 *   <li>stdout is read as one JSON value, ignoring surrounding whitespace;</li>
 *   <li>an object with {@code "success": false} fails the step, with its {@code message} (or else its
 *       {@code error}) field as the reason;</li>
 *   <li>otherwise an object's {@code message} field is the output, and an object without one is the output
 *       whole, as is any other JSON value;</li>
 *   <li>stdout that is not one JSON value is the output as a string (trimmed); empty stdout is {@code ""}.</li>
 * </ul>
 */
public final class ModuleOutput {

    // trailing text after a JSON value ("{} and more") means the stdout is not JSON, so it stays text
    private static final ObjectReader READER = JsonSerde.mapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ModuleOutput() {
    }

    /** The step output, or the failure the module reported. */
    public record Reading(JsonNode output, String error) {

        public boolean failed() {
            return error != null;
        }
    }

    public static Reading read(String stdout) {
        String text = stdout.strip();
        if (text.isEmpty()) {
            return new Reading(TextNode.valueOf(""), null);
        }
        JsonNode value;
        try {
            value = READER.readTree(text);
        } catch (JsonProcessingException e) {
            return new Reading(TextNode.valueOf(text), null);
        }
        if (value == null || !value.isObject()) {
            return new Reading(value == null ? TextNode.valueOf(text) : value, null);
        }
        JsonNode success = value.get("success");
        if (success != null && success.isBoolean() && !success.booleanValue()) {
            return new Reading(null, reason(value));
        }
        return new Reading(value.has("message") ? value.get("message") : value, null);
    }

    private static String reason(JsonNode failure) {
        for (String field : new String[] {"message", "error"}) {
            JsonNode value = failure.get(field);
            if (value != null && !value.isNull() && !(value.isTextual() && value.textValue().isBlank())) {
                return value.isTextual() ? value.textValue() : value.toString();
            }
        }
        return "the module reported \"success\": false without a message";
    }
}
