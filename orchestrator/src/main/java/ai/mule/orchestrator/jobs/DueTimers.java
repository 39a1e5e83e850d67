package ai.mule.orchestrator.jobs;

import java.time.Instant;
import java.util.ArrayList;
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
 * steps over every deleted timer RocksDB has not compacted away yet, and each step's deadline is put when the step
 * starts and deleted when it ends: at a steady 100 jobs/s, the scan every {@code timer-interval} of every task took
 * 16% of the stream thread (issue 14). The copy costs one entry per running job.
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

    /**
     * The timers of {@code store}, which it reads once. The store holds {@link FinishedJobs}' entries too, after every
     * timer: those are not read.
     */
    DueTimers(KeyValueStore<String, String> store) {
        this.store = store;
        try (KeyValueIterator<String, String> all = store.range(null, LAST_KEY)) {
            all.forEachRemaining(timer -> sorted.put(timer.key, timer.value));
        }
    }

    /** How many timers there are: one per job that waits for a time. */
    int size() {
        return sorted.size();
    }

    void put(String key, String jobId) {
        store.put(key, jobId);
        sorted.put(key, jobId);
    }

    void delete(String key) {
        store.delete(key);
        sorted.remove(key);
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
