package ai.mule.runner.wasm.execution;

import ai.mule.schemas.Limits;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 *   <li>stdout that is not one JSON value is the output as a string (trimmed); empty stdout is {@code ""};</li>
 *   <li>an output nested deeper than {@code mule.limits.max-json-depth} fails the step ({@code limit_exceeded}):
 *       it is not text, and no later hop could carry it.</li>
 * </ul>
 * Thread-safe and immutable.
 */
public final class ModuleOutput {

    private final Limits limits;
    private final ObjectReader reader;

    /** Reads stdout under {@link Limits#DEFAULTS}. */
    public ModuleOutput() {
        this(Limits.DEFAULTS);
    }

    /** @param limits where {@code maxJsonDepth} comes from ({@code mule.limits.max-json-depth}) */
    public ModuleOutput(Limits limits) {
        this.limits = limits;
        // the parser itself refuses to go deeper than the limit (plus the {"message": ...} around an output): a
        // hostile stdout is never built as a tree
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(limits.maxJsonDepth() + 1).build())
                .build();
        // trailing text after a JSON value ("{} and more") means the stdout is not JSON, so it stays text
        this.reader = new ObjectMapper(factory).reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** The step output, or why the step fails: the failure the module reported, or a limit its stdout broke. */
    public record Reading(JsonNode output, StepFailure failure) {

        public boolean failed() {
            return failure != null;
        }
    }

    public Reading read(String stdout) {
        String text = stdout.strip();
        if (text.isEmpty()) {
            return new Reading(TextNode.valueOf(""), null);
        }
        JsonNode value;
        try {
            value = reader.readTree(text);
        } catch (StreamConstraintsException e) {
            // not "plain text": JSON the pipeline cannot carry must fail its step, never travel as a string
            return new Reading(null, StepFailure.of(StepFailure.Reason.OUTPUT_LIMIT, tooDeep(e)));
        } catch (JsonProcessingException e) {
            return new Reading(TextNode.valueOf(text), null);
        }
        if (value == null) {
            return new Reading(TextNode.valueOf(text), null);
        }
        JsonNode success = value.get("success");
        if (value.isObject() && success != null && success.isBoolean() && !success.booleanValue()) {
            return new Reading(null, StepFailure.of(StepFailure.Reason.MODULE_REPORTED_FAILURE, reason(value)));
        }
        JsonNode output = value.isObject() && value.has("message") ? value.get("message") : value;
        if (Limits.depthOf(output, limits.maxJsonDepth()) > limits.maxJsonDepth()) {
            return new Reading(null, StepFailure.of(StepFailure.Reason.OUTPUT_LIMIT, tooDeep()));
        }
        return new Reading(output, null);
    }

    private String tooDeep(StreamConstraintsException e) {
        if (e.getOriginalMessage() != null && e.getOriginalMessage().contains("nesting depth")) {
            return tooDeep();
        }
        return "the module's stdout is JSON beyond what the runner reads: " + e.getOriginalMessage();
    }

    private String tooDeep() {
        return "the module's output is JSON nested deeper than the limit of " + limits.maxJsonDepth() + " levels ("
                + Limits.PREFIX + "max-json-depth); flatten it or print it as a string";
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
