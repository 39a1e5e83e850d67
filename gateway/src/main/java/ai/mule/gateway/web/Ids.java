package ai.mule.gateway.web;

import java.util.UUID;

/** Parses the UUIDs that name every stored object. */
public final class Ids {

    private Ids() {
    }

    /** An id taken from a URL path: a malformed one names nothing, so it is a 404 like an unknown one. */
    public static UUID fromPath(String value, String what) {
        UUID id = parseOrNull(value);
        if (id == null) {
            throw ApiException.notFound("no " + what + " with id '" + value + "'");
        }
        return id;
    }

    /** An id given in a request body: malformed is a bad request. */
    public static UUID fromBody(String value, String field) {
        UUID id = parseOrNull(value);
        if (id == null) {
            throw ApiException.badRequest(field + " must be a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e, got '"
                    + value + "'");
        }
        return id;
    }

    public static UUID parseOrNull(String value) {
        if (value == null || value.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
