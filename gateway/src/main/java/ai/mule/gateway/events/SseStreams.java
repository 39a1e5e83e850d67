package ai.mule.gateway.events;

import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/** Opens {@link SseStream}s with the configured lifetime and heartbeat. */
@Component
public class SseStreams implements DisposableBean {

    private final EventsProperties properties;
    private final Executor executor;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mule-sse-heartbeat");
        t.setDaemon(true);
        return t;
    });

    SseStreams(EventsProperties properties, @Qualifier("applicationTaskExecutor") Executor executor) {
        this.properties = properties;
        this.executor = executor;
    }

    /**
     * A new stream; {@code check} runs at every heartbeat (pass {@code () -> {}} for none). What it queues is bounded by
     * what it is about (one job's events, one answer), so a slow client is simply waited for.
     */
    public SseStream open(Runnable check) {
        return open(check, Integer.MAX_VALUE);
    }

    /**
     * A new stream that is dropped when its client falls {@code maxPending} frames behind: for streams fed without
     * end (every job's events), where waiting for a slow client would mean holding everything for it.
     */
    public SseStream open(Runnable check, int maxPending) {
        SseStream stream = new SseStream(new SseStream.EventStreamEmitter(properties.streamTimeout().toMillis()), executor,
                maxPending);
        stream.heartbeat(scheduler, properties.heartbeatInterval().toMillis(), check);
        return stream;
    }

    @Override
    public void destroy() {
        scheduler.shutdownNow();
    }
}
