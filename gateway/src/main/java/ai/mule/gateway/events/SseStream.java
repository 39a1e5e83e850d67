package ai.mule.gateway.events;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

/**
 * One Server-Sent Events response. Writes happen one at a time, in the order they were asked for, on a pool
 * thread: the Kafka listener thread only queues them, so a slow client never holds up anyone else's events.
 * A comment line goes out every heartbeat interval to keep proxies from closing an idle stream; {@code onHeartbeat}
 * runs with it. Whatever ends the stream (the last write, the client leaving, the timeout, the client falling
 * {@code maxPending} frames behind) runs the close actions.
 */
public final class SseStream {

    private static final Logger log = LoggerFactory.getLogger(SseStream.class);
    private static final MediaType UTF8_TEXT = new MediaType("text", "plain", java.nio.charset.StandardCharsets.UTF_8);

    private final ResponseBodyEmitter emitter;
    private final Executor executor;
    private final Queue<String> pending = new ConcurrentLinkedQueue<>();
    /** The size of {@code pending} (a ConcurrentLinkedQueue counts itself by walking every element). */
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final int maxPending;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<AutoCloseable> onClose = new ArrayList<>();
    private volatile boolean completeWhenDrained;
    private ScheduledFuture<?> heartbeat;

    SseStream(ResponseBodyEmitter emitter, Executor executor, int maxPending) {
        this.emitter = emitter;
        this.executor = executor;
        this.maxPending = maxPending;
        emitter.onCompletion(this::closed);
        emitter.onTimeout(() -> {
            closed();
            emitter.complete();
        });
        emitter.onError(e -> closed());
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
    }

    /** Runs when the stream ends, whatever ends it. */
    public synchronized void onClose(AutoCloseable action) {
        if (closed.get()) {
            closeQuietly(action);
        } else {
            onClose.add(action);
        }
    }

    /**
     * Queues a frame. A client so slow that {@code maxPending} frames already wait for it is dropped instead: its
     * stream ends (the close actions unsubscribe it) and the caller, often the Kafka listener's thread, moves on.
     */
    public void send(String event) {
        if (closed.get() || completeWhenDrained) {
            return;
        }
        if (pendingCount.get() >= maxPending) {
            overflowed();
            return;
        }
        enqueue(event);
        drain();
    }

    /** Sends these last events, then ends the response. */
    public void sendLast(List<String> events) {
        if (closed.get() || completeWhenDrained) {
            return;
        }
        events.forEach(this::enqueue);
        completeWhenDrained = true;
        drain();
    }

    public boolean isClosed() {
        return closed.get() || completeWhenDrained;
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

    private void enqueue(String frame) {
        pendingCount.incrementAndGet();
        pending.add(frame);
    }

    private void overflowed() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        log.warn("dropping an event stream whose client fell {} frames behind", maxPending);
        clearPending();
        runCloseActions();
        // on a pool thread: completing waits for a write that may be stuck on the slow client
        executor.execute(emitter::complete);
    }

    private void clearPending() {
        while (pending.poll() != null) {
            pendingCount.decrementAndGet();
        }
    }

    private void drain() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        executor.execute(() -> {
            try {
                String next;
                while ((next = pending.poll()) != null) {
                    pendingCount.decrementAndGet();
                    try {
                        emitter.send(next, UTF8_TEXT);
                    } catch (IOException | IllegalStateException e) {
                        // the client went away: nothing more to send
                        clearPending();
                        closed();
                        return;
                    }
                }
                if (completeWhenDrained && closed.compareAndSet(false, true)) {
                    emitter.complete();
                    runCloseActions();
                }
            } finally {
                draining.set(false);
            }
            if (!pending.isEmpty()) {
                drain();
            }
        });
    }

    private void closed() {
        if (closed.compareAndSet(false, true)) {
            runCloseActions();
        }
    }

    private synchronized void runCloseActions() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        onClose.forEach(SseStream::closeQuietly);
        onClose.clear();
    }

    private static void closeQuietly(AutoCloseable action) {
        try {
            action.close();
        } catch (Exception e) {
            // closing a subscription cannot fail in a way the client could be told about
        }
    }
}
