package ai.mule.gateway.tools;

import ai.mule.gateway.agents.ToolConfigs;
import ai.mule.gateway.web.ApiException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * Mule v2's rules for a tool's {@code metadata} ({@code internal/validation ValidateTool}): an object whose
 * {@code tool_type} is one of http, database, memory, filesystem; {@code config} optional, an object. On top, what an
 * agent step can call: a {@code config} with a {@code type} is an agent tool config (see {@link ToolConfigs}) and is
 * checked as one; an {@code http} tool whose config gives {@code allowed_hosts} is an {@code http_fetch}. Anything
 * else is kept as data, as Mule v2 kept it, and not offered to the model.
 */
final class ToolMetadata {

    static final List<String> TOOL_TYPES = List.of("http", "database", "memory", "filesystem");

    private ToolMetadata() {
    }

    /** Validates the metadata; answers the config an agent step gets, or empty when the tool is data only. */
    static Optional<ObjectNode> callConfig(String name, JsonNode metadata) {
        if (metadata == null || metadata.isNull()) {
            throw ApiException.badRequest("metadata is required: an object such as {\"tool_type\": \"http\", "
                    + "\"config\": {\"allowed_hosts\": [\"api.example.com\"]}}");
        }
        if (!metadata.isObject()) {
            throw ApiException.badRequest("metadata must be an object with a tool_type");
        }
        JsonNode type = metadata.get("tool_type");
        if (type == null || !type.isTextual() || type.asText().isBlank()) {
            throw ApiException.badRequest("metadata.tool_type is required: one of " + String.join(", ", TOOL_TYPES));
        }
        if (!TOOL_TYPES.contains(type.asText())) {
            throw ApiException.badRequest("metadata.tool_type must be one of " + String.join(", ", TOOL_TYPES));
        }
        JsonNode config = metadata.get("config");
        if (config == null || config.isNull()) {
            return Optional.empty();
        }
        if (!config.isObject()) {
            throw ApiException.badRequest("metadata.config must be an object");
        }
        ObjectNode call = ((ObjectNode) config).deepCopy();
        if (!call.has("type") && type.asText().equals("http") && call.has("allowed_hosts")) {
            call.put("type", "http_fetch");
        }
        if (!call.hasNonNull("type")) {
            return Optional.empty();
        }
        ToolConfigs.validate(name, call, "metadata.config");
        return Optional.of(call);
    }
}
