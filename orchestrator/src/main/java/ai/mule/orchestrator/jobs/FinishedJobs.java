package ai.mule.orchestrator.jobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Finished jobs by the time they finished, so that a punctuator forgets those past their retention without reading
 * every job.
 * <p>
 * The entries live in the {@code job-timers} store, under {@link #PREFIX}, not in a store of their own. Every store
 * writes to a changelog partition of its own, and a partition that a transaction writes for the first time must be
 * added to it before its records can be sent: a round trip to the transaction coordinator, and a second one the
 * broker makes to verify the partition. The {@code finished-jobs} store was written only at a job's end, so for a
 * lone sync client, whose call is one transaction, both round trips came between the job's end and the commit the
 * caller waits for: 1.5 more broker requests per call, and the commit's flush about 1.2 ms longer (issue 14). {@code job-timers}
 * is written when a job starts (its deadlines), so its partition is already in the transaction when the job ends.
 * <p>
 * Entries a deployment wrote to {@code finished-jobs} before are still forgotten in time: that store is read and
 * emptied here, never written again.
 */
final class FinishedJobs {

    /** Sorts after every timer key, which starts with a digit (see {@link JobProcessor#timeKey}). */
    static final String PREFIX = "finished/";

    private final KeyValueStore<String, String> index;
    private final KeyValueStore<String, String> legacy;

    /**
     * @param index  the {@code job-timers} store
     * @param legacy the {@code finished-jobs} store, which only entries written before this class held them are in
     */
    FinishedJobs(KeyValueStore<String, String> index, KeyValueStore<String, String> legacy) {
        this.index = index;
        this.legacy = legacy;
    }

    void add(Instant finishedAt, String jobId) {
        index.put(PREFIX + JobProcessor.timeKey(finishedAt, jobId), jobId);
    }

    /** Up to {@code max} entries of jobs that finished before {@code cutoff}, oldest first; values are job ids. */
    List<KeyValue<String, String>> finishedBefore(Instant cutoff, int max) {
        List<KeyValue<String, String>> entries = new ArrayList<>();
        collect(legacy, null, JobProcessor.upperKey(cutoff), max, entries);
        collect(index, PREFIX, PREFIX + JobProcessor.upperKey(cutoff), max, entries);
        return entries;
    }

    /** Removes an entry that {@link #finishedBefore} returned. */
    void remove(String key) {
        (key.startsWith(PREFIX) ? index : legacy).delete(key);
    }

    private static void collect(KeyValueStore<String, String> store, String from, String to, int max,
                                List<KeyValue<String, String>> into) {
        if (into.size() >= max) {
            return;
        }
        try (KeyValueIterator<String, String> it = store.range(from, to)) {
            while (it.hasNext() && into.size() < max) {
                into.add(it.next());
            }
        }
    }
}
