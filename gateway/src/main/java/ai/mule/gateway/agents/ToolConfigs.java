package ai.mule.gateway.agents;

import ai.mule.gateway.web.ApiException;
import ai.mule.schemas.AgentTool;
import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;

/**
 * What an agent tool's {@code config} means. A config with a {@code type} is a tool the agent may call:
 * <ul>
 *   <li>{@code {"type": "http_fetch", "allowed_hosts": ["api.example.com"]}}: GET a URL on those hosts;</li>
 *   <li>{@code {"type": "call_workflow", "workflow": "<name>"}}: run a workflow and get its output;</li>
 *   <li>{@code {"type": "call_agent", "agent": "<name>"}}: ask another agent;</li>
 *   <li>{@code {"type": "wasm_module", "module_id": "<id>"}}: run a WASM module (description and input schema from
 *       the module's config {@code tool: {description, input_schema}}).</li>
 * </ul>
 * Each may add {@code description}. A config without {@code type} is kept as data, as Mule v2 did, and not offered.
 */
public final class ToolConfigs {

    /** OpenAI's rule for function names, which every provider kind accepts. */
    private static final String FUNCTION_NAME = "[A-Za-z0-9_-]{1,64}";

    private ToolConfigs() {
    }

    static void validate(String name, ObjectNode config) {
        validate(name, config, "config");
    }

    /** Validates a tool config that sits in the request at {@code field} (its messages name that path). */
    public static void validate(String name, ObjectNode config, String field) {
        JsonNode type = config.get("type");
        if (type == null || type.isNull()) {
            return;
        }
        AgentTool.Kind kind = kind(type, field);
        if (!name.matches(FUNCTION_NAME)) {
            throw ApiException.badRequest("name: a tool the model calls needs a name of 1 to 64 letters, digits, '_' or "
                    + "'-' (no dots)");
        }
        if (config.has("description") && !config.get("description").isTextual()) {
            throw ApiException.badRequest(field + ".description must be a string");
        }
        switch (kind) {
            case HTTP_FETCH -> {
                JsonNode hosts = config.get("allowed_hosts");
                if (hosts == null || !hosts.isArray() || hosts.isEmpty()) {
                    throw ApiException.badRequest(field + ".allowed_hosts is required for http_fetch: a non-empty array of "
                            + "host names, e.g. [\"api.example.com\"]");
                }
                for (JsonNode host : hosts) {
                    if (!host.isTextual() || !host.asText().matches("[A-Za-z0-9.-]{1,253}")) {
                        throw ApiException.badRequest(field + ".allowed_hosts must hold host names such as api.example.com");
                    }
                }
            }
            case CALL_WORKFLOW -> requireName(config, "workflow", field);
            case CALL_AGENT -> requireName(config, "agent", field);
            case WASM_MODULE -> {
                JsonNode id = config.get("module_id");
                try {
                    UUID.fromString(id == null ? "" : id.asText());
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest(field + ".module_id is required for wasm_module: the id of a module from "
                            + "GET /api/v1/wasm-modules");
                }
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    static AgentTool.Kind kind(JsonNode type) {
        return kind(type, "config");
    }

    private static AgentTool.Kind kind(JsonNode type, String field) {
        try {
            return AgentTool.Kind.fromWire(type.asText());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field + ".type must be one of http_fetch, call_workflow, call_agent, wasm_module");
        }
    }

    /** The arguments the model is asked for, for each built-in kind. */
    static JsonNode inputSchema(AgentTool.Kind kind) {
        ObjectNode schema = JsonSerde.mapper().createObjectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        if (kind == AgentTool.Kind.HTTP_FETCH) {
            properties.putObject("url").put("type", "string").put("description", "the http(s) URL to fetch");
            schema.putArray("required").add("url");
        } else {
            properties.putObject("prompt").put("type", "string").put("description", "the input text");
            schema.putArray("required").add("prompt");
        }
        return schema;
    }

    static String defaultDescription(AgentTool.Kind kind, JsonNode config) {
        return switch (kind) {
            case HTTP_FETCH -> "Fetches a web resource by URL (allowed hosts: " + config.path("allowed_hosts") + ")";
            case CALL_WORKFLOW -> "Runs the workflow " + config.path("workflow").asText() + " on a prompt and returns its output";
            case CALL_AGENT -> "Asks the agent " + config.path("agent").asText() + " and returns its answer";
            case WASM_MODULE -> "Runs a WebAssembly module";
        };
    }

    private static void requireName(ObjectNode config, String name, String field) {
        JsonNode value = config.get(name);
        if (value == null || !value.isTextual() || !value.asText().matches("(?!\\.+$)[A-Za-z0-9._-]{1,100}")) {
            throw ApiException.badRequest(field + "." + name + " is required: the name of the " + name + " to call");
        }
    }
}
