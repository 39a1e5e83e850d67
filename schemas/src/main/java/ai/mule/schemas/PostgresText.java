package ai.mule.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Text that PostgreSQL can store. Kafka and JSON carry any string, but PostgreSQL refuses two things that valid
 * JSON and any model can produce: the NUL character (U+0000) in {@code text} and {@code jsonb}, and an unpaired
 * UTF-16 surrogate ({@code "\ud800"}) in {@code jsonb}.
 * <p>
 * The choice, made here once: where Mule <em>accepts</em> data from a caller (the API, Kafka ingress), such text
 * is refused with an error naming where it is ({@link #problem}); where a step <em>produced</em> it (a module's
 * stdout, a model's reply), the pipeline carries it unchanged and the job status writer stores it with each such
 * character replaced by U+FFFD (the Unicode replacement character), so the job still completes and its row says
 * where the text was not storable.
 */
public final class PostgresText {

    public static final char REPLACEMENT = '\uFFFD';

    private PostgresText() {
    }

    /** {@code text} with every NUL and unpaired surrogate replaced by U+FFFD; the same instance when it had none. */
    public static String storable(String text) {
        if (text == null || firstBadIndex(text) < 0) {
            return text;
        }
        StringBuilder clean = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                clean.append(c).append(text.charAt(++i));
            } else if (c == 0 || Character.isSurrogate(c)) {
                clean.append(REPLACEMENT);
            } else {
                clean.append(c);
            }
        }
        return clean.toString();
    }

    /** {@code value} with every string (and object key) made {@link #storable(String)}; the same instance when clean. */
    public static JsonNode storable(JsonNode value) {
        if (value == null || problem(value).isEmpty()) {
            return value;
        }
        return copyStorable(value);
    }

    /**
     * Where {@code value} holds text PostgreSQL refuses, as a JSON path and what is there (e.g.
     * {@code $.messages[0].content holds a NUL character (U+0000)}); empty when it holds none.
     */
    public static Optional<String> problem(JsonNode value) {
        return problem(value, "$");
    }

    /** Like {@link #problem(JsonNode)} for one string, named {@code what}. */
    public static Optional<String> problem(String text, String what) {
        int bad = text == null ? -1 : firstBadIndex(text);
        if (bad < 0) {
            return Optional.empty();
        }
        String kind = text.charAt(bad) == 0 ? "a NUL character (U+0000)"
                : "an unpaired UTF-16 surrogate (\\u" + Integer.toHexString(text.charAt(bad)) + ")";
        return Optional.of(what + " holds " + kind + " at position " + bad
                + ", which cannot be stored; remove it or encode the data (e.g. base64)");
    }

    private static Optional<String> problem(JsonNode value, String path) {
        // recursive: a value's depth is capped where it enters (Limits), and Jackson reads no deeper than 1000 levels
        if (value.isTextual()) {
            return problem(value.textValue(), path);
        }
        if (value.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                String fieldPath = path + "." + field.getKey();
                Optional<String> key = problem(field.getKey(), "the key of " + fieldPath);
                if (key.isPresent()) {
                    return key;
                }
                Optional<String> inner = problem(field.getValue(), fieldPath);
                if (inner.isPresent()) {
                    return inner;
                }
            }
        } else if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                Optional<String> inner = problem(value.get(i), path + "[" + i + "]");
                if (inner.isPresent()) {
                    return inner;
                }
            }
        }
        return Optional.empty();
    }

    private static JsonNode copyStorable(JsonNode value) {
        if (value.isTextual()) {
            return TextNode.valueOf(storable(value.textValue()));
        }
        if (value.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            value.fields().forEachRemaining(f -> copy.set(storable(f.getKey()), copyStorable(f.getValue())));
            return copy;
        }
        if (value.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode(value.size());
            value.forEach(item -> copy.add(copyStorable(item)));
            return copy;
        }
        return value;
    }

    private static int firstBadIndex(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return i;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
