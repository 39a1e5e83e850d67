package ai.mule.orchestrator.metrics;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * Counts what jobs did, from the events the job status writer has just written (the orchestrator's own account of
 * every job, read {@code read_committed}):
 * <ul>
 *   <li>{@code mule_jobs_finished_total{outcome}}: completed, failed or cancelled;</li>
 *   <li>{@code mule_step_failures_total{failure_kind}}: every failed attempt (retried or final), by why, the
 *       timeouts and lost runners the orchestrator decided included (the one place failures are counted);</li>
 *   <li>{@code mule_step_retries_total{failure_kind}}: attempts run again.</li>
 * </ul>
 * Why not counters in the topology: a Streams processor runs again when its transaction aborts, so it would count
 * twice what happened once. Why not a consumer of its own: it would read and parse every event a second time, on a
 * machine whose CPU the pipeline needs. Each instance counts its partitions and the sum is
 * the whole; an event written again after a rebalance may be counted twice: a metric, not a ledger.
 */
public final class JobEventMetrics {

    private final MeterRegistry registry;

    public JobEventMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String outcome : List.of("completed", "failed", "cancelled")) {
            finished(outcome); // present at zero, so rate() works from the first scrape
        }
    }

    /** Counts one event the status writer wrote. */
    public void count(JobEvent event) {
        if (event instanceof JobEvent.JobCompleted) {
            finished("completed").increment();
        } else if (event instanceof JobEvent.JobFailed) {
            finished("failed").increment();
        } else if (event instanceof JobEvent.JobCancelled) {
            finished("cancelled").increment();
        } else if (event instanceof JobEvent.StepRetrying retrying) {
            failures(retrying.failureKind()).increment();
            Counter.builder("mule.step.retries")
                    .description("Step attempts that failed and are run again, by why")
                    .tag("failure_kind", kind(retrying.failureKind()))
                    .register(registry).increment();
        } else if (event instanceof JobEvent.StepFailed failed) {
            failures(failed.failureKind()).increment();
        }
    }

    private Counter finished(String outcome) {
        return Counter.builder("mule.jobs.finished")
                .description("Jobs that ended, by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }

    private Counter failures(FailureKind kind) {
        return Counter.builder("mule.step.failures")
                .description("Failed step attempts, retried or final, by why")
                .tag("failure_kind", kind(kind))
                .register(registry);
    }

    private static String kind(FailureKind kind) {
        return kind == null ? "unknown" : kind.wire();
    }
}
