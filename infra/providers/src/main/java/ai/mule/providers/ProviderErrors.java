package ai.mule.providers;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.exception.ContentFilteredException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;

/**
 * The one mapping of provider failures, for the gateway and the agent runner alike. Turns what langchain4j throws into a sentence a user can act on: which provider status came back and
 * what the provider said, or that it could not be reached in time. langchain4j wraps the HTTP failure
 * ({@link HttpException}, carrying the status and the response body) in its own exception types, so
 * the cause chain is searched rather than the top exception's type.
 */
public final class ProviderErrors {

    /** Provider error bodies can be whole HTML pages; a step error should stay readable. */
    private static final int MAX_DETAIL = 300;

    private ProviderErrors() {
    }

    /**
     * What went wrong, as one failure: a {@link ProviderFailure} already in the cause chain (no key, unknown kind)
     * as it is, else the kind and description below.
     */
    public static ProviderFailure of(Throwable failure, String baseUrl, Duration timeout) {
        ProviderFailure known = find(failure, ProviderFailure.class);
        if (known != null) {
            return known;
        }
        return new ProviderFailure(kind(failure), describe(failure, baseUrl, timeout));
    }

    /**
     * The failure's kind for the orchestrator's retry decision: a 429 is {@code PROVIDER_RATE_LIMITED}, a 5xx or an
     * unreachable provider {@code PROVIDER_UNAVAILABLE} (both retried), no answer in time {@code TIMEOUT}, any other
     * 4xx {@code PROVIDER_REJECTED} (not retried: the same request would be refused again).
     */
    public static FailureKind kind(Throwable failure) {
        HttpException http = find(failure, HttpException.class);
        if (http != null) {
            int status = http.statusCode();
            if (status == 429) {
                return FailureKind.PROVIDER_RATE_LIMITED;
            }
            return status >= 500 ? FailureKind.PROVIDER_UNAVAILABLE : FailureKind.PROVIDER_REJECTED;
        }
        if (find(failure, TimeoutException.class) != null || find(failure, HttpTimeoutException.class) != null) {
            return FailureKind.TIMEOUT;
        }
        if (find(failure, ContentFilteredException.class) != null) {
            return FailureKind.PROVIDER_REJECTED;
        }
        return FailureKind.PROVIDER_UNAVAILABLE;
    }

    public static String describe(Throwable failure, String baseUrl, Duration timeout) {
        HttpException http = find(failure, HttpException.class);
        if (http != null) {
            return describeStatus(http.statusCode(), detail(http.getMessage()), baseUrl);
        }
        if (find(failure, TimeoutException.class) != null || find(failure, HttpTimeoutException.class) != null) {
            return "provider at " + baseUrl + " did not answer within " + seconds(timeout);
        }
        if (find(failure, ConnectException.class) != null) {
            return "cannot connect to provider at " + baseUrl + ": connection refused";
        }
        if (find(failure, UnresolvedAddressException.class) != null || find(failure, UnknownHostException.class) != null) {
            return "cannot resolve the host of provider " + baseUrl;
        }
        ContentFilteredException filtered = find(failure, ContentFilteredException.class);
        if (filtered != null) {
            return "provider refused to answer: " + detail(filtered.getMessage());
        }
        IOException io = find(failure, IOException.class);
        Throwable shown = io != null ? io : failure;
        return "provider call to " + baseUrl + " failed: " + shown.getClass().getSimpleName()
                + (shown.getMessage() == null ? "" : ": " + detail(shown.getMessage()));
    }

    private static String describeStatus(int status, String detail, String baseUrl) {
        String said = detail.isEmpty() ? "" : ": " + detail;
        if (status == 401 || status == 403) {
            return "provider rejected the API key (HTTP " + status + ")" + said;
        }
        if (status == 404) {
            return "provider answered HTTP 404, unknown model or wrong base URL " + baseUrl + said;
        }
        if (status == 429) {
            return "provider rate limit or quota exceeded (HTTP 429)" + said;
        }
        if (status >= 500) {
            return "provider failed (HTTP " + status + ")" + said;
        }
        return "provider rejected the request (HTTP " + status + ")" + said;
    }

    /** OpenAI's {@code {"error": {"message": ...}}} when the body has it, else the body, shortened. */
    private static String detail(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String text = body.strip();
        if (text.startsWith("{")) {
            try {
                JsonNode root = JsonSerde.mapper().readTree(text);
                JsonNode error = root.path("error");
                JsonNode message = error.isTextual() ? error : error.path("message");
                if (message.isTextual() && !message.textValue().isBlank()) {
                    text = message.textValue().strip();
                }
            } catch (IOException e) {
                // not JSON after all: show it as text
            }
        }
        return text.length() <= MAX_DETAIL ? text : text.substring(0, MAX_DETAIL) + "...";
    }

    private static String seconds(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        Throwable t = failure;
        // bounded: a cause chain can loop
        for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
