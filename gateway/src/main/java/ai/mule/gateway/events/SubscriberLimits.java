package ai.mule.gateway.events;

import ai.mule.gateway.web.ApiException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * How many event subscribers (SSE streams, and any other transport of the same events) may be open: in total
 * ({@code mule.events.max-subscribers}) and per caller ({@code mule.events.max-subscribers-per-key}). A subscriber
 * holds a permit from {@link #admit} until it ends; past a cap the caller is refused (429 for its own cap, 503 for
 * the total), with {@code Retry-After}.
 */
@Component
public class SubscriberLimits {

    private static final long RETRY_AFTER_SECONDS = 5;

    private final int maxTotal;
    private final int maxPerCaller;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentMap<String, AtomicInteger> byCaller = new ConcurrentHashMap<>();

    SubscriberLimits(EventsProperties properties) {
        this.maxTotal = properties.maxSubscribers();
        this.maxPerCaller = properties.maxSubscribersPerKey();
    }

    /**
     * A permit for one more subscriber of {@code caller} (see {@code ai.mule.gateway.security.Callers}); close it when
     * the subscriber ends (closing twice is harmless).
     *
     * @throws ApiException 429 when the caller has its most, 503 when the gateway has
     */
    public AutoCloseable admit(String caller) {
        AtomicInteger mine = byCaller.computeIfAbsent(caller, c -> new AtomicInteger());
        if (mine.incrementAndGet() > maxPerCaller) {
            release(caller, mine);
            // without API keys the caller is the client's address
            String who = caller.startsWith("address:") ? "this client address" : "this API key";
            throw ApiException.tryLater(HttpStatus.TOO_MANY_REQUESTS, who + " already has " + maxPerCaller
                    + " event streams open (mule.events.max-subscribers-per-key); close one, or follow every job on "
                    + "one stream (GET /api/v1/jobs/events)", RETRY_AFTER_SECONDS);
        }
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            release(caller, mine);
            throw ApiException.tryLater(HttpStatus.SERVICE_UNAVAILABLE, "the gateway already serves " + maxTotal
                    + " event streams (mule.events.max-subscribers); retry later", RETRY_AFTER_SECONDS);
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                total.decrementAndGet();
                release(caller, mine);
            }
        };
    }

    /** Subscribers open now. */
    public int open() {
        return total.get();
    }

    private void release(String caller, AtomicInteger count) {
        if (count.decrementAndGet() <= 0) {
            byCaller.remove(caller, count);
        }
    }
}
