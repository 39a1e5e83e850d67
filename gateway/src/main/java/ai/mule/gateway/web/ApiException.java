package ai.mule.gateway.web;

import org.springframework.http.HttpStatus;

/**
 * A request the gateway refuses, with the HTTP status that says why and a message that says what is wrong
 * and how to fix it. The exception handlers turn it into a problem detail (/api/v1) or an OpenAI error (/v1).
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String limit;
    private final String retryAfter;

    public ApiException(HttpStatus status, String message) {
        this(status, message, null, null);
    }

    private ApiException(HttpStatus status, String message, String limit, String retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.limit = limit;
        this.retryAfter = retryAfter;
    }

    /** Seconds the caller should wait before trying again ({@code Retry-After}), or null. */
    public String retryAfter() {
        return retryAfter;
    }

    /** Refused for now (429, 503): the answer carries {@code Retry-After: seconds}. */
    public static ApiException tryLater(HttpStatus status, String message, long seconds) {
        return new ApiException(status, message, null, Long.toString(Math.max(1, seconds)));
    }

    public HttpStatus status() {
        return status;
    }

    /** The {@code mule.limits.*} setting the request broke, or null when it broke no configured limit. */
    public String limit() {
        return limit;
    }

    /**
     * A value over one of the {@link ai.mule.schemas.Limits}: 413 when it is too large, 400 when it nests too
     * deeply (see {@link RequestLimits} for why). The message names the value, the limit and its setting.
     */
    public static ApiException limitExceeded(HttpStatus status, String message, String setting) {
        return new ApiException(status, message, setting, null);
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
