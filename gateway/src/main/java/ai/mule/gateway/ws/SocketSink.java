package ai.mule.gateway.ws;

import ai.mule.gateway.events.BoundedSubscriber;
import ai.mule.gateway.events.SseStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * A WebSocket session as the sink of a {@link BoundedSubscriber}: one text message per frame. A socket ended by the
 * gateway (its client fell too far behind, or the write pool was full) is closed with 1013, try again later, after
 * a last {@code {"type": "disconnected"}} message saying why.
 */
record SocketSink(WebSocketSession session) implements BoundedSubscriber.Sink {

    @Override
    public void write(String frame) throws IOException {
        session.sendMessage(new TextMessage(frame));
    }

    @Override
    public void end() {
        try {
            session.close(CloseStatus.SERVICE_OVERLOAD);
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public String farewell(String reason) {
        return message("disconnected", Map.of("reason", reason));
    }

    /** Mule v2's message shape: {@code {"type": ..., "data": ..., "timestamp": ...}}. */
    static String message(String type, Object data) {
        return "{\"type\":\"" + type + "\",\"data\":" + SseStream.json(data)
                + ",\"timestamp\":\"" + Instant.now() + "\"}";
    }
}
