package ai.mule.runner.wasm.execution;

import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a module reads on stdin (Mule v2's contract): its config merged with the step input, input wins.
 * <ul>
 *   <li>The merge is shallow, as Mule v2's map merge: a top-level input field replaces the config field of
 *       the same name whole.</li>
 *   <li>An absent or null config counts as {@code {}}; a config that is not an object is refused.</li>
 *   <li>An absent or null input adds nothing: the module reads its config alone.</li>
 *   <li>An input that is not an object (a string, number, boolean or array, e.g. a job submitted straight
 *       from a Kafka integration) is merged as {@code {"prompt": input}}: the shape every step after the
 *       first receives, and the field Mule modules read.</li>
 * </ul>
 */
public final class ModuleInput {

    private ModuleInput() {
    }

    /** The merged object, or an {@link IllegalArgumentException} saying why the config cannot be used. */
    public static ObjectNode merge(JsonNode config, JsonNode input) {
        ObjectNode merged = JsonSerde.mapper().createObjectNode();
        if (config != null && !config.isNull() && !config.isMissingNode()) {
            if (!config.isObject()) {
                throw new IllegalArgumentException("module config must be a JSON object, not " + config.getNodeType());
            }
            merged.setAll((ObjectNode) config);
        }
        if (input == null || input.isNull() || input.isMissingNode()) {
            return merged;
        }
        if (input.isObject()) {
            merged.setAll((ObjectNode) input);
        } else {
            merged.set("prompt", input);
        }
        return merged;
    }

    static byte[] stdin(JsonNode config, JsonNode input) {
        try {
            return JsonSerde.mapper().writeValueAsBytes(merge(config, input));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }
}
