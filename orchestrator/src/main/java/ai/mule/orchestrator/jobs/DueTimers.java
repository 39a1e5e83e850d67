package ai.mule.orchestrator.jobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The timers of the {@code job-timers} store, with a sorted copy of them in memory to find the due ones.
 * <p>
 * The store is what counts: it is written in the task's transaction, changelogged, and restored after a crash. The
 * copy only answers "which timers are due" without a RocksDB range scan. Such a scan seeks to the first key and
 * steps over every deleted timer RocksDB has not compacted away yet: at a steady 100 jobs/s, the scan every
 * {@code timer-interval} of every task took 16% of the stream thread (issue 14).
 * <p>
 * <b>A timer may be early, never late.</b> A job has at most one timer, at or before its {@link JobState#wakeAt}. A
 * job whose wake time moves later (the next step's deadline, a late start's) keeps the timer it has: if that fires,
 * {@link WakeUp} finds nothing due and the job is indexed again at its wake time then. Only a wake time earlier than
 * the timer (a retry's backoff) replaces it, and a job's end deletes it. So a job of three quick steps writes two timer
 * records (a put when it starts, a delete when it ends) instead of six: a delete and a put at each next step too
 * (issue 14). A job whose later steps run past its first step's deadline pays for that with a wake-up for nothing,
 * which writes what moving the timer at each step would have.
 * <p>
 * It is loaded from the store when the processor is initialised. Streams initialises the processor each time the
 * task starts to run, after restoring its stores (a new task, a revived one after an aborted transaction, one
 * taken over from another instance), and all writes go through this class, so the copy never drifts from the store.
 */
final class DueTimers {

    /** Sorts after every timer key: the latest time a key can hold. */
    static final String LAST_KEY = JobProcessor.upperKey(Instant.ofEpochMilli(Long.MAX_VALUE));

    private final KeyValueStore<String, String> store;
    private final TreeMap<String, String> sorted = new TreeMap<>();
    /** Each job's timer key, to find it without knowing its time. */
    private final HashMap<String, String> byJob = new HashMap<>();

    /**
     * The timers of {@code store}, which it reads once. The store holds {@link FinishedJobs}' entries too, after every
     * timer: those are not read.
     */
    DueTimers(KeyValueStore<String, String> store) {
        this.store = store;
        try (KeyValueIterator<String, String> all = store.range(null, LAST_KEY)) {
            all.forEachRemaining(timer -> {
                sorted.put(timer.key, timer.value);
                byJob.put(timer.value, timer.key);
            });
        }
    }

    /** How many timers there are: one per job that waits for a time. */
    int size() {
        return sorted.size();
    }

    /**
     * Makes sure {@code jobId} is woken at {@code at} or earlier: a timer it has at or before then stays (no write),
     * a later one is replaced.
     */
    void wakeBy(String jobId, Instant at) {
        String key = JobProcessor.timeKey(at, jobId);
        String current = byJob.get(jobId);
        if (current != null && current.compareTo(key) <= 0) {
            return;
        }
        if (current != null) {
            delete(current);
        }
        store.put(key, jobId);
        sorted.put(key, jobId);
        byJob.put(jobId, key);
    }

    /** Deletes the timer of {@code jobId}, if it has one: the job waits for no time any more. */
    void cancel(String jobId) {
        String key = byJob.get(jobId);
        if (key != null) {
            delete(key);
        }
    }

    void delete(String key) {
        store.delete(key);
        String jobId = sorted.remove(key);
        if (jobId != null) {
            byJob.remove(jobId, key);
        }
    }

    /** The first {@code max} timers whose keys sort before {@code upperKey}, in key order. */
    List<KeyValue<String, String>> before(String upperKey, int max) {
        List<KeyValue<String, String>> due = new ArrayList<>();
        for (Map.Entry<String, String> timer : sorted.headMap(upperKey).entrySet()) {
            if (due.size() == max) {
                break;
            }
            due.add(KeyValue.pair(timer.getKey(), timer.getValue()));
        }
        return due;
    }
}
