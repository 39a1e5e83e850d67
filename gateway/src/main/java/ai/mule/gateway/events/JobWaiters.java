package ai.mule.gateway.events;

import ai.mule.schemas.JobEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.springframework.stereotype.Component;

/**
 * Callers waiting for a job to end, by job id. A waiter is registered before its job is written, so an
 * event that arrives a microsecond after the commit still finds it; it is removed when it completes or
 * times out, so abandoned waits do not pile up.
 */
@Component
public class JobWaiters {

    private final ConcurrentMap<String, CompletableFuture<JobEvent>> waiting = new ConcurrentHashMap<>();

    /** A future completed with the job's terminal event (completed, failed or cancelled). */
    public CompletableFuture<JobEvent> register(String jobId) {
        CompletableFuture<JobEvent> future = new CompletableFuture<>();
        if (waiting.putIfAbsent(jobId, future) != null) {
            throw new IllegalStateException("job " + jobId + " already has a waiter");
        }
        future.whenComplete((event, error) -> waiting.remove(jobId, future));
        return future;
    }

    /** Gives up waiting, e.g. because the job could not be written after all. */
    public void cancel(String jobId) {
        CompletableFuture<JobEvent> future = waiting.get(jobId);
        if (future != null) {
            future.cancel(false);
        }
    }

    public boolean isWaiting(String jobId) {
        return waiting.containsKey(jobId);
    }

    /** Hands a terminal event to its waiter, if anyone waits for that job. */
    void complete(JobEvent event) {
        CompletableFuture<JobEvent> future = waiting.get(event.jobId());
        if (future != null) {
            future.complete(event);
        }
    }

    int size() {
        return waiting.size();
    }
}
