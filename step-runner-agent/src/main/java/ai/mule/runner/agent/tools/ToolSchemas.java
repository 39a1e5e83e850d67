package ai.mule.runner.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.ArrayList;
import java.util.List;

/**
 * A tool's input schema, given as JSON Schema in its config, in langchain4j's types (which each provider client writes
 * in its own format). The subset tools need: objects, arrays, strings, numbers, integers, booleans, enums, with
 * descriptions and {@code required}.
 */
final class ToolSchemas {

    private static final int MAX_DEPTH = 16;

    private ToolSchemas() {
    }

    static JsonObjectSchema object(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            return JsonObjectSchema.builder().build();
        }
        return objectSchema(schema, 0);
    }

    private static JsonObjectSchema objectSchema(JsonNode schema, int depth) {
        JsonObjectSchema.Builder builder = JsonObjectSchema.builder();
        if (schema.path("description").isTextual()) {
            builder.description(schema.get("description").asText());
        }
        schema.path("properties").fields().forEachRemaining(p -> builder.addProperty(p.getKey(), element(p.getValue(), depth + 1)));
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        if (!required.isEmpty()) {
            builder.required(required);
        }
        return builder.build();
    }

    private static JsonSchemaElement element(JsonNode schema, int depth) {
        String description = schema.path("description").isTextual() ? schema.get("description").asText() : null;
        if (depth > MAX_DEPTH) {
            return JsonStringSchema.builder().description(description).build();
        }
        if (schema.path("enum").isArray()) {
            List<String> values = new ArrayList<>();
            schema.get("enum").forEach(v -> values.add(v.asText()));
            return JsonEnumSchema.builder().enumValues(values).description(description).build();
        }
        String type = schema.path("type").asText("string");
        switch (type) {
            case "object":
                return objectSchema(schema, depth);
            case "array":
                return JsonArraySchema.builder().description(description)
                        .items(element(schema.path("items").isObject() ? schema.get("items")
                                : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), depth + 1))
                        .build();
            case "integer":
                return JsonIntegerSchema.builder().description(description).build();
            case "number":
                return JsonNumberSchema.builder().description(description).build();
            case "boolean":
                return JsonBooleanSchema.builder().description(description).build();
            default:
                return JsonStringSchema.builder().description(description).build();
        }
    }
}
