package ai.mule.gateway.web;

import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;

/** JSON values as the API takes them (objects only where Mule v2 expects a map) and as JSONB columns hold them. */
public final class Json {

    private static final ObjectMapper MAPPER = JsonSerde.mapper();

    private Json() {
    }

    public static ObjectNode emptyObject() {
        return MAPPER.createObjectNode();
    }

    /** A field that must be a JSON object; absent or null means {@code {}}. */
    public static ObjectNode objectOrEmpty(JsonNode value, String field) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return emptyObject();
        }
        if (value instanceof ObjectNode object) {
            return object;
        }
        throw ApiException.badRequest(field + " must be a JSON object such as {\"prompt\": \"hello\"}, got "
                + describe(value));
    }

    /** A form field that must hold a JSON object as text; blank means {@code {}}. */
    public static ObjectNode objectFromText(String text, String field) {
        if (text == null || text.isBlank()) {
            return emptyObject();
        }
        JsonNode parsed;
        try {
            parsed = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(field + " is not valid JSON (" + e.getOriginalMessage()
                    + "); send a JSON object such as {\"greeting\": \"hi\"}");
        }
        return objectOrEmpty(parsed, field);
    }

    public static String write(JsonNode value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    /** Reads a JSONB column; SQL NULL stays null. */
    public static JsonNode column(ResultSet rs, String column) throws SQLException {
        String text = rs.getString(column);
        if (text == null) {
            return null;
        }
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SQLException("column " + column + " does not hold JSON", e);
        }
    }

    static String describe(JsonNode value) {
        if (value.isArray()) {
            return "an array";
        }
        if (value.isTextual()) {
            return "a string";
        }
        if (value.isNumber()) {
            return "a number";
        }
        if (value.isBoolean()) {
            return "a boolean";
        }
        return value.getNodeType().name().toLowerCase();
    }
}
