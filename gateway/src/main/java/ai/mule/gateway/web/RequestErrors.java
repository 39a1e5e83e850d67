package ai.mule.gateway.web;

import ai.mule.schemas.PostgresText;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.http.converter.HttpMessageNotReadableException;

/**
 * Turns a body that could not be read into a message a client can act on. Shared by the /api/v1 problem
 * details and the /v1 OpenAI errors, so both say the same thing about the same mistake.
 */
public final class RequestErrors {

    /** The input shape in Jackson's mismatch messages. */
    private static final Pattern SHAPE = Pattern.compile(
            "(?:Cannot coerce|from) (empty String|String|Integer|Floating-point|Float|Boolean|Object|Array|Null) value");
    private static final String DEPTH_SETTING = ai.mule.schemas.Limits.PREFIX + "max-json-depth";

    private RequestErrors() {
    }

    /** The status and message for an unreadable body: 413 when it was too large, 400 otherwise. */
    public static ApiException unreadable(HttpMessageNotReadableException e) {
        Throwable cause = e.getCause();
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof BodyTooLargeException tooLarge) {
                return ApiException.limitExceeded(HttpStatus.PAYLOAD_TOO_LARGE, tooLarge.getMessage(),
                        BodyTooLargeException.SETTING);
            }
            if (t instanceof StreamConstraintsException constraint) {
                // past the parser's cap (mule.limits.max-json-depth plus a few levels, see JsonLimits): the field
                // cannot be named, the parser stopped before reaching it; its own message names its internals
                return ApiException.limitExceeded(HttpStatus.BAD_REQUEST, "the request body is nested too deeply "
                        + "(values may nest at most " + limitsDepth(constraint) + " levels, "
                        + "mule.limits.max-json-depth); send flatter JSON", DEPTH_SETTING);
            }
        }
        if (cause instanceof JsonLimits.UnstorableText unstorable) {
            return ApiException.badRequest(PostgresText.problem(unstorable.text(), path(unstorable))
                    .orElse(path(unstorable) + " holds text that cannot be stored"));
        }
        if (cause instanceof UnrecognizedPropertyException unknown) {
            String known = unknown.getKnownPropertyIds() == null ? "" : "; known fields: " + unknown.getKnownPropertyIds()
                    .stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
            return ApiException.badRequest("unknown field '" + path(unknown) + "'" + known);
        }
        if (cause instanceof JsonParseException parse) {
            return ApiException.badRequest("the request body is not valid JSON: " + parse.getOriginalMessage()
                    + " (line " + parse.getLocation().getLineNr() + ", column " + parse.getLocation().getColumnNr() + ")");
        }
        if (cause instanceof MismatchedInputException mismatch) {
            String path = path(mismatch);
            if (path.isEmpty()) {
                return ApiException.badRequest("the request body must be a JSON object, e.g. {\"name\": \"example\"}");
            }
            return ApiException.badRequest(path + ": expected " + expected(mismatch.getTargetType()) + ", got "
                    + got(mismatch));
        }
        if (cause instanceof JsonMappingException mapping && !path(mapping).isEmpty()) {
            return ApiException.badRequest("field '" + path(mapping) + "' is invalid: " + mapping.getOriginalMessage());
        }
        return ApiException.badRequest("the request body is missing or is not JSON; send a JSON object with "
                + "Content-Type: application/json");
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    /**
     * What the client sent where {@code e} was thrown: the offending value's JSON type. Jackson says it only in
     * its message ("Cannot coerce String value ...", "... from Object value"), the parser being closed by now.
     */
    private static String got(MismatchedInputException e) {
        if (e instanceof InvalidFormatException format && format.getValue() != null) {
            Object value = format.getValue();
            if (value instanceof String text) {
                return text.isEmpty() ? "an empty string" : "a string";
            }
            if (value instanceof Boolean) {
                return "a boolean";
            }
            if (value instanceof Number) {
                return value instanceof Double || value instanceof Float || value instanceof java.math.BigDecimal
                        ? "a decimal number" : "a number";
            }
        }
        Matcher shape = SHAPE.matcher(String.valueOf(e.getOriginalMessage()));
        if (!shape.find()) {
            return "another JSON type";
        }
        return switch (shape.group(1)) {
            case "empty String" -> "an empty string";
            case "String" -> "a string";
            case "Integer" -> "a number";
            case "Floating-point", "Float" -> "a decimal number";
            case "Boolean" -> "a boolean";
            case "Object" -> "an object";
            case "Array" -> "an array";
            default -> "null";
        };
    }

    /** The depth limit the parser's cap was derived from (the cap minus the envelope levels). */
    private static int limitsDepth(StreamConstraintsException e) {
        return e.getProcessor() instanceof JsonParser parser
                ? parser.streamReadConstraints().getMaxNestingDepth() - JsonLimits.ENVELOPE_LEVELS
                : ai.mule.schemas.Limits.DEFAULTS.maxJsonDepth();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another JSON type";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean (true or false)";
        }
        if (type == Integer.class || type == Long.class || type == Short.class || type == int.class
                || type == long.class || type == short.class || type == java.math.BigInteger.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        if (type.isEnum() || type == java.util.UUID.class) {
            return "a string";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "a JSON object";
    }
}
