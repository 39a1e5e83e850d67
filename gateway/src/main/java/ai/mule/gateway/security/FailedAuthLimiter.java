package ai.mule.gateway.security;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Counts failed authentications per client address in fixed windows, so that guessing keys (or just sending bad
 * ones) costs the guesser, not the database: past {@code max-per-address} failures an address is refused until its
 * window ends. Bounded: only {@code tracked-addresses} addresses are remembered, the least recently failing go first.
 * Behind a reverse proxy every client has the proxy's address unless the proxy's {@code X-Forwarded-For} is trusted
 * ({@code server.forward-headers-strategy=native}).
 */
@Component
class FailedAuthLimiter {

    private final int maxFailures;
    private final long windowMillis;
    private final Map<String, Window> byAddress;

    FailedAuthLimiter(FailedAuthProperties properties) {
        this.maxFailures = properties.maxPerAddress();
        this.windowMillis = properties.window().toMillis();
        int tracked = properties.trackedAddresses();
        this.byAddress = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
                return size() > tracked;
            }
        };
    }

    private static final class Window {
        long startedAt;
        int failures;
    }

    /** Seconds until the address may try again (at least 1), or 0 when it is not limited. */
    synchronized long retryAfterSeconds(String address, long now) {
        Window window = byAddress.get(address);
        if (window == null || now - window.startedAt >= windowMillis || window.failures < maxFailures) {
            return 0;
        }
        return Math.max(1, (window.startedAt + windowMillis - now + 999) / 1000);
    }

    synchronized void failed(String address, long now) {
        Window window = byAddress.computeIfAbsent(address, a -> new Window());
        if (now - window.startedAt >= windowMillis) {
            window.startedAt = now;
            window.failures = 0;
        }
        window.failures++;
    }
}
