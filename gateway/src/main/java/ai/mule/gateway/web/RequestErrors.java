package ai.mule.gateway.web;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.http.converter.HttpMessageNotReadableException;

/**
 * Turns a body that could not be read into a message a client can act on. Shared by the /api/v1 problem
 * details and the /v1 OpenAI errors, so both say the same thing about the same mistake.
 */
public final class RequestErrors {

    private RequestErrors() {
    }

    /** The status and message for an unreadable body: 413 when it was too large, 400 otherwise. */
    public static ApiException unreadable(HttpMessageNotReadableException e) {
        Throwable cause = e.getCause();
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof BodyTooLargeException tooLarge) {
                return new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, tooLarge.getMessage());
            }
            if (t instanceof StreamConstraintsException constraint) {
                return ApiException.badRequest("the request body is nested too deeply (at most "
                        + JsonLimits.MAX_NESTING_DEPTH + " levels of objects and arrays): " + constraint.getOriginalMessage());
            }
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
            return ApiException.badRequest("field '" + path + "' has the wrong type: expected "
                    + expected(mismatch.getTargetType()));
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

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another JSON type";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean (true or false)";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
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
