package ai.mule.expressions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON values to CEL's Java values and back (maps, lists, int64, double, string, bool, null). */
final class CelJson {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private CelJson() {
    }

    static Object fromJson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return com.google.protobuf.NullValue.NULL_VALUE;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                map.put(field.getKey(), fromJson(field.getValue()));
            }
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(element -> list.add(fromJson(element)));
            return list;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return node.asText();
    }

    static JsonNode toJson(Object value) {
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = JSON.objectNode();
            map.forEach((key, element) -> object.set(String.valueOf(key), toJson(element)));
            return object;
        }
        if (value instanceof List<?> list) {
            ArrayNode array = JSON.arrayNode(list.size());
            list.forEach(element -> array.add(toJson(element)));
            return array;
        }
        if (value instanceof Long l) {
            // as Jackson reads them: an int when it fits, so values compare equal to parsed JSON
            return l == l.intValue() ? JSON.numberNode(l.intValue()) : JSON.numberNode(l);
        }
        if (value instanceof Double d) {
            return JSON.numberNode(d);
        }
        if (value instanceof Boolean b) {
            return JSON.booleanNode(b);
        }
        if (value instanceof String s) {
            return JSON.textNode(s);
        }
        if (value instanceof ByteString bytes) {
            return JSON.binaryNode(bytes.toByteArray());
        }
        return value == null || value instanceof com.google.protobuf.NullValue ? JSON.nullNode()
                : JSON.textNode(String.valueOf(value));
    }
}
