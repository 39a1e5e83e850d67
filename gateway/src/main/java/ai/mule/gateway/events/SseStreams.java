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

    /** A new stream; {@code check} runs at every heartbeat (pass {@code () -> {}} for none). */
    public SseStream open(Runnable check) {
        SseStream stream = new SseStream(new SseStream.EventStreamEmitter(properties.streamTimeout().toMillis()), executor);
        stream.heartbeat(scheduler, properties.heartbeatInterval().toMillis(), check);
        return stream;
    }

    @Override
    public void destroy() {
        scheduler.shutdownNow();
    }
}
