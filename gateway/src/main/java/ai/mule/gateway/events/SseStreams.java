package ai.mule.gateway.events;

import ai.mule.gateway.security.Callers;
import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/** Opens {@link SseStream}s with the configured lifetime, heartbeat and bounds. */
@Component
public class SseStreams implements DisposableBean {

    private final EventsProperties properties;
    private final SubscriberLimits limits;
    private final Executor executor;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mule-sse-heartbeat");
        t.setDaemon(true);
        return t;
    });

    SseStreams(EventsProperties properties, SubscriberLimits limits, @Qualifier("sseWritePool") Executor executor) {
        this.properties = properties;
        this.limits = limits;
        this.executor = executor;
    }

    /**
     * A new stream for the current request's caller, bounded like every event subscriber: in the bytes waiting for
     * it ({@code mule.events.max-pending-bytes}) and by the subscriber caps ({@link SubscriberLimits}, which refuse
     * with 429 or 503). {@code check} runs at every heartbeat (pass {@code () -> {}} for none).
     */
    public SseStream open(Runnable check) {
        HttpServletRequest request = ((ServletRequestAttributes) RequestContextHolder.currentRequestAttributes())
                .getRequest();
        AutoCloseable permit = limits.admit(Callers.of(request));
        SseStream stream = new SseStream(new SseStream.EventStreamEmitter(properties.streamTimeout().toMillis()),
                executor, properties.maxPendingBytes().toBytes());
        stream.onClose(permit);
        stream.heartbeat(scheduler, properties.heartbeatInterval().toMillis(), check);
        return stream;
    }

    @Override
    public void destroy() {
        scheduler.shutdownNow();
    }
}
