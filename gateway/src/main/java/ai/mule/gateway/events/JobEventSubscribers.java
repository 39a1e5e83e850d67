package ai.mule.gateway.events;

import ai.mule.schemas.JobEvent;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Who follows which job's events as they happen (SSE streams): by job id, or every job's (the dashboard's Jobs list).
 * The events listener hands every event of a followed job to its subscribers on the listener's own thread, so a
 * subscriber must return at once (hand the event to another thread to write it to a client).
 */
@Component
public class JobEventSubscribers {

    private static final Logger log = LoggerFactory.getLogger(JobEventSubscribers.class);

    private final ConcurrentMap<String, Set<Consumer<JobEvent>>> byJob = new ConcurrentHashMap<>();
    private final Set<Consumer<JobEvent>> allJobs = new CopyOnWriteArraySet<>();

    /** Follows a job's events from now on; close the returned handle to stop. */
    public AutoCloseable subscribe(String jobId, Consumer<JobEvent> subscriber) {
        byJob.computeIfAbsent(jobId, id -> new CopyOnWriteArraySet<>()).add(subscriber);
        return () -> byJob.computeIfPresent(jobId, (id, set) -> {
            set.remove(subscriber);
            return set.isEmpty() ? null : set;
        });
    }

    /** Follows every job's events from now on, each job's in order; close the returned handle to stop. */
    public AutoCloseable subscribeAll(Consumer<JobEvent> subscriber) {
        allJobs.add(subscriber);
        return () -> allJobs.remove(subscriber);
    }

    public boolean isFollowed(String jobId) {
        return !allJobs.isEmpty() || byJob.containsKey(jobId);
    }

    void publish(JobEvent event) {
        Set<Consumer<JobEvent>> subscribers = byJob.get(event.jobId());
        if (subscribers != null) {
            subscribers.forEach(subscriber -> hand(subscriber, event));
        }
        allJobs.forEach(subscriber -> hand(subscriber, event));
    }

    private static void hand(Consumer<JobEvent> subscriber, JobEvent event) {
        try {
            subscriber.accept(event);
        } catch (RuntimeException e) {
            log.warn("a subscriber of job {} failed on event {}: {}", event.jobId(), event.seq(), e.toString());
        }
    }
}
