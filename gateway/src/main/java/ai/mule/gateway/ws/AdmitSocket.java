package ai.mule.gateway.ws;

import ai.mule.gateway.events.SubscriberLimits;
import ai.mule.gateway.security.Callers;
import ai.mule.gateway.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * Counts a socket against the same caps as the SSE streams ({@code mule.events.max-subscribers} and
 * {@code -per-key}) before the handshake: past a cap the upgrade is refused with 429 or 503, {@code Retry-After}
 * and the reason, as a stream would be. The permit rides in the session's attributes until the socket ends.
 */
record AdmitSocket(SubscriberLimits limits) implements HandshakeInterceptor {

    static final String PERMIT = AdmitSocket.class.getName();

    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
                                   Map<String, Object> attributes) throws Exception {
        var servletRequest = ((ServletServerHttpRequest) request).getServletRequest();
        try {
            AutoCloseable permit = limits.admit(Callers.of(servletRequest));
            attributes.put(PERMIT, permit);
            servletRequest.setAttribute(PERMIT, permit);
            return true;
        } catch (ApiException refused) {
            response.setStatusCode(refused.status());
            if (refused.retryAfter() != null) {
                response.getHeaders().set("Retry-After", refused.retryAfter());
            }
            response.getBody().write(refused.getMessage().getBytes(StandardCharsets.UTF_8));
            return false;
        }
    }

    @Override
    public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
                               Exception exception) {
        // a socket that opened returns its permit when it ends (JobUpdatesSocket); one that failed to open, here
        if (exception != null
                && ((ServletServerHttpRequest) request).getServletRequest().getAttribute(PERMIT) instanceof AutoCloseable permit) {
            try {
                permit.close();
            } catch (Exception e) {
                // closing a permit does not fail
            }
        }
    }
}
