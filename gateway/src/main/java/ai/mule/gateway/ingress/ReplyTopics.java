package ai.mule.gateway.ingress;

import ai.mule.gateway.kafka.KafkaClients;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * Knows which topics exist, so that an ingress request naming a reply topic that does not exist is rejected at
 * once: the orchestrator could not deliver its reply, and a send to a missing topic blocks a producer. The list
 * is cached; a topic created a moment ago is looked up again before a request is refused.
 */
final class ReplyTopics implements AutoCloseable {

    private final Admin admin;
    private final long ttlNanos;
    private volatile Set<String> known = Set.of();
    private volatile long loadedAt;

    ReplyTopics(KafkaClients clients, Duration ttl) {
        this.admin = clients.admin(Duration.ofSeconds(5));
        this.ttlNanos = ttl.toNanos();
    }

    boolean exists(String topic) {
        if (System.nanoTime() - loadedAt > ttlNanos || !known.contains(topic)) {
            reload();
        }
        return known.contains(topic);
    }

    private void reload() {
        try {
            known = admin.listTopics().names().get(5, TimeUnit.SECONDS);
            loadedAt = System.nanoTime();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot list Kafka topics to check a reply topic", e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
