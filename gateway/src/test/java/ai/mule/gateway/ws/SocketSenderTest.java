package ai.mule.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

/** One socket's writer: in order, off the caller's thread, and a client that stops reading is closed at the bound. */
class SocketSenderTest {

    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<String> written = new CopyOnWriteArrayList<>();
    private final AtomicReference<CloseStatus> closed = new AtomicReference<>();
    private final CountDownLatch stalled = new CountDownLatch(1);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void writesEveryFrameInOrder() throws Exception {
        SocketSender sender = new SocketSender(session(false), executor, 1_000_000);

        for (int i = 0; i < 1000; i++) {
            sender.send("frame " + i);
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (written.size() < 1000 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(written).hasSize(1000);
        assertThat(written.get(0)).isEqualTo("frame 0");
        assertThat(written.get(999)).isEqualTo("frame 999");
        assertThat(closed.get()).isNull();
    }

    @Test
    void aClientThatStopsReadingIsClosedOnceItFallsTheBoundBehindAndTheCallerNeverWaits() {
        SocketSender sender = new SocketSender(session(true), executor, 10_000);

        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            sender.send("x".repeat(100));
        }
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(millis).as("send only queues").isLessThan(1_000);
        assertThat(closed.get()).isNotNull();
        assertThat(closed.get().getCode()).isEqualTo(CloseStatus.POLICY_VIOLATION.getCode());
        assertThat(closed.get().getReason()).contains("mule.ws.max-buffered");
        stalled.countDown();
    }

    /** A session whose writes succeed at once, or block until the test ends (a client that stopped reading). */
    private WebSocketSession session(boolean stall) {
        return (WebSocketSession) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {WebSocketSession.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isOpen" -> closed.get() == null;
                    case "getId" -> "s1";
                    case "sendMessage" -> {
                        if (stall) {
                            stalled.await(30, TimeUnit.SECONDS);
                        }
                        written.add(((TextMessage) args[0]).getPayload());
                        yield null;
                    }
                    case "close" -> {
                        closed.compareAndSet(null, args == null ? CloseStatus.NORMAL : (CloseStatus) args[0]);
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
    }
}
