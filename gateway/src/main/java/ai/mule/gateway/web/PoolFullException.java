package ai.mule.gateway.web;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;

/**
 * A bounded pool ({@link BoundedPool}) had no thread and no queue place left for a task: the request is answered 503
 * with {@code Retry-After}, in OpenAI's shape under {@code /v1} and as a problem detail elsewhere.
 */
public class PoolFullException extends RejectedExecutionException {

    private final Duration retryAfter;

    PoolFullException(String message, Duration retryAfter) {
        super(message, null);
        this.retryAfter = retryAfter;
    }

    /** Whole seconds, at least 1, as {@code Retry-After} takes them. */
    public String retryAfterSeconds() {
        return Long.toString(Math.max(1, retryAfter.toSeconds()));
    }
}
