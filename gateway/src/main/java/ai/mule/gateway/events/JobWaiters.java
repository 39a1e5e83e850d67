package ai.mule.gateway.events;

import ai.mule.schemas.JobEvent;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Callers waiting for a job to end, by job id. A waiter is registered before its job is written, so an
 * event that arrives a microsecond after the commit still finds it; it is removed when it completes or
 * times out, so abandoned waits do not pile up.
 */
@Component
public class JobWaiters {

    private static final Logger log = LoggerFactory.getLogger(JobWaiters.class);

    private final ConcurrentMap<String, Waiter> waiting = new ConcurrentHashMap<>();

    private record Waiter(CompletableFuture<JobEvent> end, Consumer<JobEvent> onEvent) {
    }

    /** A future completed with the job's terminal event (completed, failed or cancelled). */
    public CompletableFuture<JobEvent> register(String jobId) {
        return register(jobId, event -> { });
    }

    /**
     * Like {@link #register(String)}, and hands {@code onEvent} every event of the job before its terminal one,
     * in order, on the listener's thread (the step events that carry a module's stdout and stderr): whatever it
     * recorded is visible to whoever continues from the returned future.
     */
    public CompletableFuture<JobEvent> register(String jobId, Consumer<JobEvent> onEvent) {
        CompletableFuture<JobEvent> future = new CompletableFuture<>();
        Waiter waiter = new Waiter(future, onEvent);
        if (waiting.putIfAbsent(jobId, waiter) != null) {
            throw new IllegalStateException("job " + jobId + " already has a waiter");
        }
        future.whenComplete((event, error) -> waiting.remove(jobId, waiter));
        return future;
    }

    /**
     * A synchronous call's answer once its job's {@code end} comes: {@code onEnd} of the terminal event, run on the
     * thread that delivers it (the events listener, which has already decoded it: building the answer costs less
     * than a hand-off to a pool, and a lone client had its answer 0.7 ms sooner without it, p50 over six alternated
     * bench pairs, issue 14), so {@code onEnd} must not block. When {@code timeout} passes first, {@code onTimeout}
     * runs on {@code pool}: it reads the database, where the end may have been recorded while its event was missed.
     */
    public static <T> CompletableFuture<T> answer(CompletableFuture<JobEvent> end, Duration timeout,
                                                  Function<JobEvent, T> onEnd, Supplier<T> onTimeout, Executor pool) {
        return end.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS).thenCompose(event -> event != null
                ? CompletableFuture.completedFuture(onEnd.apply(event))
                : CompletableFuture.supplyAsync(onTimeout, pool));
    }

    /** Gives up waiting, e.g. because the job could not be written after all. */
    public void cancel(String jobId) {
        Waiter waiter = waiting.get(jobId);
        if (waiter != null) {
            waiter.end().cancel(false);
        }
    }

    public boolean isWaiting(String jobId) {
        return waiting.containsKey(jobId);
    }

    /** Hands an event to its job's waiter, if anyone waits for that job: a terminal one ends the wait. */
    void deliver(JobEvent event) {
        Waiter waiter = waiting.get(event.jobId());
        if (waiter == null) {
            return;
        }
        if (event.terminal()) {
            waiter.end().complete(event);
            return;
        }
        try {
            waiter.onEvent().accept(event);
        } catch (RuntimeException e) {
            log.warn("a waiter of job {} failed on {}: {}", event.jobId(), event.getClass().getSimpleName(),
                    e.toString());
        }
    }

    int size() {
        return waiting.size();
    }
}
