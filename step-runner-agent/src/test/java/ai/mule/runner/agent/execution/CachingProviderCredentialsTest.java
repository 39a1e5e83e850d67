package ai.mule.runner.agent.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CachingProviderCredentialsTest {

    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger reads = new AtomicInteger();
    private volatile String stored = "sk-1";
    private final ProviderCredentials source = id -> {
        reads.incrementAndGet();
        if (id.equals("missing")) {
            throw new UnknownProviderException(id);
        }
        return Optional.of(stored);
    };
    private final CachingProviderCredentials cache = new CachingProviderCredentials(source, Duration.ofSeconds(10), now::get);

    @Test
    void aKeyIsReusedWithinTheTtlAndReadAgainAfter() {
        assertThat(cache.apiKey("p")).contains("sk-1");
        stored = "sk-2";
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertThat(cache.apiKey("p")).as("still cached").contains("sk-1");
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(cache.apiKey("p")).as("a changed key applies after the TTL").contains("sk-2");
        assertThat(reads.get()).isEqualTo(2);
    }

    @Test
    void anUnknownProviderIsAskedForEveryTime() {
        assertThatThrownBy(() -> cache.apiKey("missing")).isInstanceOf(UnknownProviderException.class);
        assertThatThrownBy(() -> cache.apiKey("missing")).isInstanceOf(UnknownProviderException.class);
        assertThat(reads.get()).isEqualTo(2);
    }
}
