package ai.mule.runner.agent.commands;

import java.util.Iterator;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The offsets of one assigned partition whose steps are running. Steps finish out of order (a slow
 * provider holds one, a fast one passes it), so the offset that may be committed is the oldest one still
 * running: everything before it has its result acknowledged by Kafka. Committing later would lose the
 * running step if this process died; committing earlier only repeats work, which the orchestrator drops.
 *
 * <p>The consumer thread dispatches and commits; worker threads complete.
 */
final class PartitionProgress {

    private final ConcurrentSkipListSet<Long> running = new ConcurrentSkipListSet<>();
    /** The offset after the newest dispatched record; -1 until the first. Consumer thread only. */
    private long next = -1;
    /** The offset last asked to be committed (or known committed). Consumer thread only. */
    private long requested = -1;

    void dispatched(long offset) {
        if (next < 0) {
            // fetching starts at the committed position: committing it again would change nothing
            requested = offset;
        }
        running.add(offset);
        next = offset + 1;
    }

    /** The step of this record has its result acknowledged (or the record was skipped). */
    void completed(long offset) {
        running.remove(offset);
    }

    /** The offset to commit if it has moved since the last request: the oldest running, else the next. */
    OptionalLong toCommit() {
        if (next < 0) {
            return OptionalLong.empty();
        }
        // a worker may complete a step meanwhile: this can only make the answer older, never too new
        Iterator<Long> oldest = running.iterator();
        long offset = oldest.hasNext() ? oldest.next() : next;
        if (offset <= requested) {
            return OptionalLong.empty();
        }
        requested = offset;
        return OptionalLong.of(offset);
    }

    /** A commit of {@code offset} failed: ask again on the next round. */
    void commitFailed(long offset) {
        if (requested == offset) {
            requested = -1;
        }
    }

    int running() {
        return running.size();
    }
}
