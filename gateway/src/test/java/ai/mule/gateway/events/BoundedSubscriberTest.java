package ai.mule.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A client that reads nothing, played by a writer pool that never gets to run: what is queued for it only piles up,
 * up to its byte bound.
 */
class BoundedSubscriberTest {

    private final List<Runnable> writerTasks = new ArrayList<>();
    private final List<String> written = new ArrayList<>();
    private final AtomicInteger ends = new AtomicInteger();
    private final AtomicInteger closeActions = new AtomicInteger();

    private final BoundedSubscriber.Sink sink = new BoundedSubscriber.Sink() {
        @Override
        public void write(String frame) throws IOException {
            written.add(frame);
        }

        @Override
        public void end() {
            ends.incrementAndGet();
        }

        @Override
        public String farewell(String reason) {
            return "bye: " + reason;
        }
    };

    @Test
    void aClientThatFallsItsByteBoundBehindIsDisconnectedWithAFarewellAndUnsubscribedAtOnce() {
        BoundedSubscriber subscriber = new BoundedSubscriber(sink, writerTasks::add, 1000, "the.setting");
        subscriber.onClose(closeActions::incrementAndGet);

        subscriber.send("x".repeat(600));
        subscriber.send("y".repeat(300));
        assertThat(subscriber.isClosed()).isFalse();
        assertThat(subscriber.pendingBytes()).isEqualTo(900);

        subscriber.send("z".repeat(200)); // would be 1,100 bytes waiting: disconnected instead
        assertThat(subscriber.isClosed()).isTrue();
        assertThat(closeActions).as("unsubscribed at once, before any write").hasValue(1);
        assertThat(subscriber.pendingBytes()).as("the waiting frames are let go").isLessThan(200);

        subscriber.send("w".repeat(100));
        writerTasks.forEach(Runnable::run);
        assertThat(written).hasSize(1);
        assertThat(written.get(0)).startsWith("bye: the client fell 1000 bytes behind (the.setting)");
        assertThat(ends).hasValue(1);
        assertThat(closeActions).hasValue(1);
    }

    @Test
    void countsBytesAsUtf8() {
        assertThat(BoundedSubscriber.bytes("a")).isEqualTo(1);
        assertThat(BoundedSubscriber.bytes("é")).isEqualTo(2);
        assertThat(BoundedSubscriber.bytes("€")).isEqualTo(3);
        assertThat(BoundedSubscriber.bytes("😀")).isEqualTo(4);
        BoundedSubscriber subscriber = new BoundedSubscriber(sink, writerTasks::add, 8, "s");
        subscriber.send("€€€"); // 9 bytes in 3 chars
        assertThat(subscriber.isClosed()).isTrue();
    }

    @Test
    void writesInOrderAndEndsAfterTheLastFrames() {
        BoundedSubscriber subscriber = new BoundedSubscriber(sink, Runnable::run, 1000, "s");
        subscriber.onClose(closeActions::incrementAndGet);
        subscriber.send("a");
        subscriber.sendLast(List.of("b", "c"));
        subscriber.send("d");
        assertThat(written).containsExactly("a", "b", "c");
        assertThat(ends).hasValue(1);
        assertThat(closeActions).hasValue(1);
        assertThat(subscriber.pendingBytes()).isZero();
    }

    @Test
    void aFullWritePoolEndsTheSubscriberInsteadOfQueueingForIt() {
        BoundedSubscriber subscriber = new BoundedSubscriber(sink, task -> {
            throw new RejectedExecutionException("full");
        }, 1000, "s");
        subscriber.onClose(closeActions::incrementAndGet);
        subscriber.send("a");
        assertThat(subscriber.isClosed()).isTrue();
        assertThat(closeActions).hasValue(1);
        assertThat(ends).hasValue(1);
        assertThat(subscriber.pendingBytes()).isZero();
    }
}
