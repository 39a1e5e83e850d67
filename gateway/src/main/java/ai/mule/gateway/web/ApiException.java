package ai.mule.gateway.web;

import org.springframework.http.HttpStatus;

/**
 * A request the gateway refuses, with the HTTP status that says why and a message that says what is wrong
 * and how to fix it. The exception handlers turn it into a problem detail (/api/v1) or an OpenAI error (/v1).
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;

    public ApiException(HttpStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public HttpStatus status() {
        return status;
    }

    /** An id in the path that names nothing (a malformed id names nothing too). */
    public static ApiException notFound(String message) {
        return new ApiException(HttpStatus.NOT_FOUND, message);
    }

    /** The request itself is malformed: a missing field, a value of the wrong type or format. */
    public static ApiException badRequest(String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, message);
    }

    /** Well-formed, but it cannot be done: it refers to something that does not exist, or bytes are not WASM. */
    public static ApiException unprocessable(String message) {
        return new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, message);
    }

    /** It clashes with what is stored: a name already taken, a step order already used. */
    public static ApiException conflict(String message) {
        return new ApiException(HttpStatus.CONFLICT, message);
    }
}
