package ai.mule.gateway.ws;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/**
 * Serves {@code /ws} through Spring's dispatcher, so the API key filter checks the handshake like any request
 * (a browser cannot set a header on a WebSocket: {@code ?api_key=} is accepted there). Same origin only, as Mule v2's UI
 * is served by the same host.
 */
@Configuration
@EnableWebSocket
class WebSocketConfig implements WebSocketConfigurer {

    private final JobUpdatesSocket socket;

    WebSocketConfig(JobUpdatesSocket socket) {
        this.socket = socket;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(socket, "/ws");
    }
}
