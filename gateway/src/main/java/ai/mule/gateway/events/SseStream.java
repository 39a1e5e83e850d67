package ai.mule.gateway.events;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

/**
 * One Server-Sent Events response: a {@link BoundedSubscriber} (frames bounded in bytes, written in order on the SSE
 * write pool) whose sink is the response. A comment line goes out every heartbeat interval to keep proxies from
 * closing an idle stream; {@code onHeartbeat} runs with it. A client that falls too far behind gets a last
 * {@code event: disconnected} saying why.
 */
public final class SseStream {

    private static final MediaType UTF8_TEXT = new MediaType("text", "plain", java.nio.charset.StandardCharsets.UTF_8);

    private final ResponseBodyEmitter emitter;
    private final BoundedSubscriber subscriber;
    private volatile ScheduledFuture<?> heartbeat;

    SseStream(ResponseBodyEmitter emitter, Executor executor, long maxPendingBytes) {
        this.emitter = emitter;
        this.subscriber = new BoundedSubscriber(new BoundedSubscriber.Sink() {
            @Override
            public void write(String frame) throws IOException {
                emitter.send(frame, UTF8_TEXT);
            }

            @Override
            public void end() {
                emitter.complete();
            }

            @Override
            public String farewell(String reason) {
                return frame("disconnected", null, Map.of("reason", reason));
            }
        }, executor, maxPendingBytes, EventsProperties.MAX_PENDING_BYTES);
        subscriber.onClose(() -> {
            if (heartbeat != null) {
                heartbeat.cancel(false);
            }
        });
        emitter.onCompletion(subscriber::ended);
        emitter.onTimeout(() -> {
            subscriber.ended();
            emitter.complete();
        });
        emitter.onError(e -> subscriber.ended());
    }

    public ResponseBodyEmitter emitter() {
        return emitter;
    }

    /** Sends a heartbeat comment every interval, running {@code check} first (e.g. to notice a missed end). */
    void heartbeat(ScheduledExecutorService scheduler, long intervalMillis, Runnable check) {
        heartbeat = scheduler.scheduleWithFixedDelay(() -> {
            check.run();
            send(": keep-alive\n\n");
        }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        if (subscriber.isClosed()) {
            heartbeat.cancel(false);
        }
    }

    /** Runs when the stream ends, whatever ends it. */
    public void onClose(AutoCloseable action) {
        subscriber.onClose(action);
    }

    /** Queues a frame; a client too far behind is disconnected instead (see {@link BoundedSubscriber}). */
    public void send(String event) {
        subscriber.send(event);
    }

    /** Sends these last events, then ends the response. */
    public void sendLast(List<String> events) {
        subscriber.sendLast(events);
    }

    public boolean isClosed() {
        return subscriber.isClosed();
    }

    /** A frame {@code event: <name>\nid: <id>\ndata: <json>}; name and id are left out when null. */
    public static String frame(String name, String id, Object data) {
        StringBuilder frame = new StringBuilder();
        if (name != null) {
            frame.append("event: ").append(name).append('\n');
        }
        if (id != null) {
            frame.append("id: ").append(id).append('\n');
        }
        return frame.append("data: ").append(data instanceof String text ? text : json(data)).append("\n\n").toString();
    }

    /** JSON on one line (Jackson escapes newlines inside strings), as an SSE data line needs. */
    public static String json(Object value) {
        try {
            return JsonSerde.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a value could not be written as JSON", e);
        }
    }

    /**
     * A response of {@code text/event-stream} whose frames are written as given: Spring's {@code SseEmitter} writes
     * {@code data:} without the space OpenAI's streams have ({@code data: [DONE]}).
     */
    static final class EventStreamEmitter extends ResponseBodyEmitter {

        EventStreamEmitter(long timeoutMillis) {
            super(timeoutMillis);
        }

        @Override
        protected void extendResponse(ServerHttpResponse outputMessage) {
            super.extendResponse(outputMessage);
            outputMessage.getHeaders().setContentType(MediaType.TEXT_EVENT_STREAM);
            outputMessage.getHeaders().setCacheControl("no-cache");
            // proxies such as nginx buffer responses unless told not to; a stream must arrive as it is written
            outputMessage.getHeaders().set("X-Accel-Buffering", "no");
        }
    }
}
