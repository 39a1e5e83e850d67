package ai.mule.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A client that reads nothing, played by a writer pool that never gets to run: what is queued for it only piles up.
 */
class SseStreamTest {

    private final List<Runnable> writerTasks = new ArrayList<>();
    private final AtomicInteger closeActions = new AtomicInteger();

    @Test
    void aClientThatFallsTooFarBehindIsDroppedAndUnsubscribed() {
        SseStream stream = new SseStream(new SseStream.EventStreamEmitter(60_000), writerTasks::add, 2);
        stream.onClose(closeActions::incrementAndGet);

        stream.send("event: a\ndata: {}\n\n");
        stream.send("event: b\ndata: {}\n\n");
        assertThat(stream.isClosed()).isFalse();

        stream.send("event: c\ndata: {}\n\n"); // a third frame would not fit: the stream is dropped instead
        assertThat(stream.isClosed()).isTrue();
        assertThat(closeActions).hasValue(1);
        // ending the response is left to the writer pool: the caller (the Kafka listener) never waits on the client
        assertThat(writerTasks).hasSize(2);

        stream.send("event: d\ndata: {}\n\n");
        assertThat(writerTasks).hasSize(2);
        assertThat(closeActions).hasValue(1);
    }

    @Test
    void anUnboundedStreamKeepsEverything() {
        SseStream stream = new SseStream(new SseStream.EventStreamEmitter(60_000), writerTasks::add, Integer.MAX_VALUE);
        stream.onClose(closeActions::incrementAndGet);
        for (int i = 0; i < 10_000; i++) {
            stream.send("data: " + i + "\n\n");
        }
        assertThat(stream.isClosed()).isFalse();
        assertThat(closeActions).hasValue(0);
    }
}
