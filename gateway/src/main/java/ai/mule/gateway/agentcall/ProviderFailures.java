package ai.mule.gateway.agentcall;

import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.exception.HttpException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * Turns what langchain4j throws into an {@link AgentCallFailure}: the provider's status and message, or that it
 * could not be reached in time. langchain4j wraps the HTTP failure in its own types, so the cause chain is searched.
 */
final class ProviderFailures {

    private static final int MAX_DETAIL = 300;

    private ProviderFailures() {
    }

    static AgentCallFailure of(Throwable failure, CallableAgent agent, Duration timeout) {
        if (failure instanceof AgentCallFailure known) {
            return known;
        }
        String where = "provider at " + agent.baseUrl();
        HttpException http = find(failure, HttpException.class);
        if (http != null) {
            int status = http.statusCode();
            String said = detail(http.getMessage());
            String suffix = said.isEmpty() ? "" : ": " + said;
            if (status == 429) {
                return new AgentCallFailure(AgentCallFailure.Kind.RATE_LIMITED,
                        where + " is rate limiting (HTTP 429)" + suffix);
            }
            if (status >= 500) {
                return new AgentCallFailure(AgentCallFailure.Kind.UNAVAILABLE, where + " failed (HTTP " + status + ")" + suffix);
            }
            return new AgentCallFailure(AgentCallFailure.Kind.REJECTED,
                    where + " rejected the request (HTTP " + status + ")" + suffix);
        }
        if (find(failure, dev.langchain4j.exception.TimeoutException.class) != null
                || find(failure, HttpTimeoutException.class) != null) {
            return new AgentCallFailure(AgentCallFailure.Kind.TIMEOUT, where + " did not answer within "
                    + timeout.toSeconds() + " s");
        }
        if (find(failure, ConnectException.class) != null) {
            return new AgentCallFailure(AgentCallFailure.Kind.UNAVAILABLE, "cannot connect to " + where);
        }
        return new AgentCallFailure(AgentCallFailure.Kind.UNAVAILABLE, "the call to " + where + " failed: "
                + failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + detail(failure.getMessage())));
    }

    /** OpenAI's {@code {"error": {"message": ...}}} when the body has it, else the body, shortened. */
    static String detail(String body) {
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

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
