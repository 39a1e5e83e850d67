package ai.mule.gateway.events;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client that follows events, whatever carries them (an SSE response, a WebSocket session): the frames waiting
 * for it are bounded in BYTES, so a client that stops reading holds at most {@code maxPendingBytes} of the gateway's
 * memory, whatever the size of the events (a job's output may be 768 KB). Frames are written one at a time, in the
 * order they were queued, on a pool thread: whoever queues them (often the Kafka listener's thread) returns at once.
 *
 * <p>A client that falls {@code maxPendingBytes} behind is disconnected: its waiting frames are dropped, the close
 * actions run at once (it stops receiving events), and the {@link Sink#farewell} frame saying why is the last thing
 * written before the sink ends. Whatever ends it (its last frame, the client leaving, an error, a full write pool)
 * runs the close actions exactly once.
 */
public final class BoundedSubscriber {

    private static final Logger log = LoggerFactory.getLogger(BoundedSubscriber.class);

    /** Where the frames go. Called on a pool thread, one call at a time. */
    public interface Sink {

        /** Writes one frame; an exception means the client is gone. */
        void write(String frame) throws IOException;

        /** Ends the client's connection (after the last frame). */
        void end();

        /** The last frame for a client disconnected for {@code reason} (in {@code mule.*} terms). */
        String farewell(String reason);
    }

    private final Sink sink;
    private final Executor executor;
    private final long maxPendingBytes;
    private final String bytesSetting;
    private final Queue<String> pending = new ConcurrentLinkedQueue<>();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<AutoCloseable> onClose = new ArrayList<>();
    private volatile boolean ending;

    /**
     * @param maxPendingBytes how many bytes (UTF-8) may wait for this client
     * @param bytesSetting    the property that sets it, named in the farewell
     */
    public BoundedSubscriber(Sink sink, Executor executor, long maxPendingBytes, String bytesSetting) {
        this.sink = sink;
        this.executor = executor;
        this.maxPendingBytes = maxPendingBytes;
        this.bytesSetting = bytesSetting;
    }

    /** Runs when the subscriber ends, whatever ends it (at once if it has ended). */
    public void onClose(AutoCloseable action) {
        synchronized (onClose) {
            if (!closed.get()) {
                onClose.add(action);
                return;
            }
        }
        closeQuietly(action);
    }

    /** Queues a frame, or disconnects the client when it would put it past its byte bound. */
    public void send(String frame) {
        if (isClosed()) {
            return;
        }
        long bytes = bytes(frame);
        if (pendingBytes.addAndGet(bytes) > maxPendingBytes) {
            pendingBytes.addAndGet(-bytes);
            disconnect("the client fell " + maxPendingBytes + " bytes behind (" + bytesSetting + "); reconnect and "
                    + "read faster, or reload");
            return;
        }
        pending.add(frame);
        drain();
    }

    /** Queues these last frames, then ends the connection. */
    public void sendLast(List<String> frames) {
        if (isClosed()) {
            return;
        }
        frames.forEach(frame -> {
            pendingBytes.addAndGet(bytes(frame));
            pending.add(frame);
        });
        ending = true;
        drain();
    }

    /** Disconnects the client now: the waiting frames are dropped and a farewell saying {@code reason} is sent. */
    public void disconnect(String reason) {
        if (isClosed()) {
            return;
        }
        ending = true;
        log.warn("disconnecting an event subscriber: {}", reason);
        clearPending();
        pending.add(sink.farewell(reason));
        runCloseActions();
        drain();
    }

    /** Whether no more frames are taken (it ended, or its last frames are queued). */
    public boolean isClosed() {
        return closed.get() || ending;
    }

    /** Bytes waiting for the client now. */
    public long pendingBytes() {
        return pendingBytes.get();
    }

    /** The client went away (its connection ended): stop at once. */
    public void ended() {
        clearPending();
        runCloseActions();
    }

    private void drain() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(this::writeWaiting);
        } catch (RejectedExecutionException e) {
            // the write pool is full: this client cannot be served now; it reconnects later
            draining.set(false);
            clearPending();
            runCloseActions();
            sink.end();
        }
    }

    private void writeWaiting() {
        try {
            String next;
            while ((next = pending.poll()) != null) {
                pendingBytes.addAndGet(-bytes(next));
                try {
                    sink.write(next);
                } catch (IOException | RuntimeException e) {
                    // the client went away: nothing more to send
                    ended();
                    return;
                }
            }
            if (ending && pending.isEmpty()) {
                runCloseActions();
                sink.end();
                return;
            }
        } finally {
            draining.set(false);
        }
        if (!pending.isEmpty()) {
            drain();
        }
    }

    private void clearPending() {
        String dropped;
        while ((dropped = pending.poll()) != null) {
            pendingBytes.addAndGet(-bytes(dropped));
        }
    }

    private void runCloseActions() {
        List<AutoCloseable> actions;
        synchronized (onClose) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            actions = new ArrayList<>(onClose);
            onClose.clear();
        }
        actions.forEach(BoundedSubscriber::closeQuietly);
    }

    /** A frame's size in UTF-8 without encoding it. */
    static long bytes(String frame) {
        long bytes = frame.length();
        for (int i = 0; i < frame.length(); i++) {
            char c = frame.charAt(i);
            if (c >= 0x80) {
                bytes += c >= 0x800 && !Character.isSurrogate(c) ? 2 : 1;
            }
        }
        return bytes;
    }

    private static void closeQuietly(AutoCloseable action) {
        try {
            action.close();
        } catch (Exception e) {
            // closing a subscription cannot fail in a way the client could be told about
        }
    }
}
