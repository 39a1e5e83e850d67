package ai.mule.gateway.ws;

import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * Writes one socket's frames in order, one at a time, on a pool thread; the caller only queues. A client that lets
 * more than {@code maxPendingBytes} wait is closed (1008, with the reason) rather than held for: it reconnects and
 * reloads, as a dropped SSE client does.
 */
final class SocketSender {

    private final WebSocketSession session;
    private final Executor executor;
    private final long maxPendingBytes;
    private final Queue<String> pending = new ConcurrentLinkedQueue<>();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicBoolean draining = new AtomicBoolean();

    SocketSender(WebSocketSession session, Executor executor, long maxPendingBytes) {
        this.session = session;
        this.executor = executor;
        this.maxPendingBytes = maxPendingBytes;
    }

    void send(String text) {
        if (!session.isOpen()) {
            return;
        }
        // a Java char is at most 3 bytes of UTF-8: an upper bound without encoding twice
        long bytes = 3L * text.length();
        if (pendingBytes.addAndGet(bytes) > maxPendingBytes) {
            pendingBytes.addAndGet(-bytes);
            close(CloseStatus.POLICY_VIOLATION.withReason("the client fell more than " + maxPendingBytes
                    + " bytes behind (mule.ws.max-buffered); reconnect and reload"));
            return;
        }
        pending.add(text);
        drain();
    }

    private void drain() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        executor.execute(() -> {
            try {
                String next;
                while ((next = pending.poll()) != null) {
                    pendingBytes.addAndGet(-3L * next.length());
                    if (session.isOpen()) {
                        session.sendMessage(new TextMessage(next));
                    }
                }
            } catch (IOException | RuntimeException e) {
                close(CloseStatus.SERVER_ERROR);
            } finally {
                draining.set(false);
            }
            if (!pending.isEmpty()) {
                drain();
            }
        });
    }

    private void close(CloseStatus status) {
        pending.clear();
        try {
            session.close(status);
        } catch (IOException e) {
            // already gone
        }
    }
}
