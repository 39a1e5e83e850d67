package ai.mule.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A tool an agent may call, as snapshotted into its {@link AgentStep}: what the model is told (name, description,
 * input schema) and what the runner needs to run it ({@code config}: the host allowlist of an HTTP fetch, the
 * workflow or agent name to call, the WASM module id). Never a secret: calls go through the gateway's API.
 *
 * @param inputSchema JSON Schema of the arguments object the model must send (null: the kind's own)
 */
public record AgentTool(String name, Kind kind, String description, JsonNode inputSchema, JsonNode config) {

    /** The built-in tools and a WASM module as a tool. */
    public enum Kind {
        /** GET (or POST) a URL whose host is on the tool's allowlist. */
        HTTP_FETCH,
        /** Run a workflow by name and wait for its output. */
        CALL_WORKFLOW,
        /** Ask another agent (its direct call). */
        CALL_AGENT,
        /** Run a WASM module with the arguments as its input. */
        WASM_MODULE;

        @JsonValue
        public String wire() {
            return name().toLowerCase();
        }

        @JsonCreator
        public static Kind fromWire(String value) {
            return value == null ? null : valueOf(value.toUpperCase());
        }
    }
}
