package ai.mule.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * {@code mule_jobs_accepted_total{source}}: jobs the gateway accepted, by where they came from ({@code api},
 * {@code chat}, {@code kafka}, {@code schedule}, {@code workflow}: the sources of {@code JobService}). Counted when
 * the transaction that wrote the job commits, so a job refused or rolled back is not counted, and a replayed
 * idempotent request is not counted again.
 */
@Component
public class JobMetrics {

    private final MeterRegistry registry;

    JobMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String source : List.of("api", "chat", "kafka")) {
            counter(source); // present at zero, so rate() works from the first scrape
        }
    }

    /** Counts an accepted job once its transaction commits (at once outside a transaction). */
    public void accepted(String source) {
        Counter counter = counter(source == null ? "unknown" : source);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    counter.increment();
                }
            });
        } else {
            counter.increment();
        }
    }

    private Counter counter(String source) {
        return Counter.builder("mule.jobs.accepted")
                .description("Jobs accepted, by source")
                .tag("source", source)
                .register(registry);
    }
}
