package ai.mule.runner.agent.execution;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Remembers each provider's key for a short time, so a burst of steps of one provider costs one database read and
 * one decryption, while a key changed in the dashboard still applies within {@code ttl}. Unknown providers and
 * failed lookups are not remembered: the next step asks again.
 */
public class CachingProviderCredentials implements ProviderCredentials {

    private final ProviderCredentials source;
    private final long ttlNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public CachingProviderCredentials(ProviderCredentials source, Duration ttl) {
        this(source, ttl, System::nanoTime);
    }

    CachingProviderCredentials(ProviderCredentials source, Duration ttl, LongSupplier nanoTime) {
        this.source = source;
        this.ttlNanos = ttl.toNanos();
        this.nanoTime = nanoTime;
    }

    @Override
    public Optional<String> apiKey(String providerId) {
        long now = nanoTime.getAsLong();
        Entry hit = entries.get(providerId);
        if (hit != null && now - hit.readAt() < ttlNanos) {
            return hit.key();
        }
        Optional<String> key = source.apiKey(providerId);
        if (ttlNanos > 0) {
            entries.put(providerId, new Entry(key, now));
        }
        return key;
    }

    private record Entry(Optional<String> key, long readAt) {
        @Override
        public String toString() {
            return "Entry[readAt=" + readAt + "]";
        }
    }
}
