package ai.mule.orchestrator.jobs;

import java.util.Iterator;
import java.util.LinkedHashMap;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The {@code jobs} store, with the running jobs' states this processor last wrote kept in memory: each of a job's
 * steps reads the state its previous step wrote, and reading it back from the store (RocksDB, then Jackson's
 * unwrapping of {@link JobState}'s two parts) was 5% of the orchestrator's CPU at a steady 100 jobs/s (issue 14).
 * <p>
 * The store is what counts: every write goes to it, in the task's transaction. The copy holds the states written
 * through this class, at most {@link #MAX_KEPT_JSON_BYTES} of them by their JSON's size, the least recently used
 * dropped first; a finished job's state is not kept, as only a late or duplicate message reads it (and the store
 * holds only its {@link JobState#asEnded}). Like
 * {@link DueTimers}, an instance lives as long as one initialisation of the processor: Streams initialises it again
 * after restoring the store (a revived task after an aborted transaction, a task taken over), so a state never
 * outlives the write that made it.
 */
final class JobStates {

    /**
     * Of JSON. A state read back is a tree, which takes more heap than its JSON: two to three times for text, and
     * about thirty times for JSON as compact as a list of empty objects ({@code [{},{},...]}), which any job's input
     * may be. So this budget holds at most about 60 MiB of the orchestrator's heap (512 MiB under {@code ./mule up}),
     * whatever the jobs send; it still keeps hundreds of typical running jobs of a few KiB each.
     */
    static final long MAX_KEPT_JSON_BYTES = 2L * 1024 * 1024;

    private final KeyValueStore<String, JobState> store;
    private final WrittenJson written;
    /** Least recently used first. */
    private final LinkedHashMap<String, Kept> recent = new LinkedHashMap<>(256, 0.75f, true);
    private long keptJsonBytes;

    JobStates(KeyValueStore<String, JobState> store, WrittenJson written) {
        this.store = store;
        this.written = written;
    }

    JobState get(String jobId) {
        Kept kept = recent.get(jobId);
        return kept != null ? kept.state() : store.get(jobId);
    }

    /**
     * Stores {@code state} (a finished job's {@link JobState#asEnded}); kept in memory too if the job still runs and
     * its JSON was written by this thread.
     */
    void put(JobState state) {
        drop(state.jobId());
        if (state.status().terminal()) {
            store.put(state.jobId(), state.asEnded());
            return;
        }
        store.put(state.jobId(), state);
        byte[] json = written.written(state);
        if (json != null && json.length <= MAX_KEPT_JSON_BYTES) {
            keep(new Kept(state, json.length));
        }
    }

    void delete(String jobId) {
        store.delete(jobId);
        drop(jobId);
    }

    /** How many states are kept in memory. */
    int kept() {
        return recent.size();
    }

    private void keep(Kept kept) {
        recent.put(kept.state().jobId(), kept);
        keptJsonBytes += kept.jsonBytes();
        Iterator<Kept> eldest = recent.values().iterator();
        while (keptJsonBytes > MAX_KEPT_JSON_BYTES) {
            keptJsonBytes -= eldest.next().jsonBytes();
            eldest.remove();
        }
    }

    private void drop(String jobId) {
        Kept dropped = recent.remove(jobId);
        if (dropped != null) {
            keptJsonBytes -= dropped.jsonBytes();
        }
    }

    private record Kept(JobState state, int jsonBytes) {
    }
}
