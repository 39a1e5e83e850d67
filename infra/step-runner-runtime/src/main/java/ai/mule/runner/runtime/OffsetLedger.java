package ai.mule.runner.runtime;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets may be committed, when commands finish out of order on a pool of workers. Per partition
 * it holds the dispatched offsets in order; an offset is done once its result was acknowledged by the
 * broker (or the record was skipped as unreadable). The committable position is just past the longest
 * done prefix, so a commit never passes a command whose result is not yet safely published
 * (at-least-once). Offsets need not be contiguous: transaction markers take offsets too.
 * <p>
 * Used by the consumer thread only.
 */
final class OffsetLedger {

    private final Map<TopicPartition, TreeMap<Long, Boolean>> dispatched = new HashMap<>();
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private final Set<TopicPartition> unsent = new HashSet<>();

    void dispatched(TopicPartition partition, long offset) {
        dispatched.computeIfAbsent(partition, p -> new TreeMap<>()).put(offset, false);
    }

    /** Marks an offset done; an offset of a partition no longer held is ignored. */
    void done(TopicPartition partition, long offset) {
        TreeMap<Long, Boolean> offsets = dispatched.get(partition);
        if (offsets != null) {
            offsets.replace(offset, true);
        }
    }

    /** The partitions whose committable position moved since they were last handed out, with that position. */
    Map<TopicPartition, OffsetAndMetadata> advance() {
        settle();
        Map<TopicPartition, OffsetAndMetadata> moved = new HashMap<>();
        unsent.forEach(partition -> moved.put(partition, new OffsetAndMetadata(positions.get(partition))));
        unsent.clear();
        return moved;
    }

    /** The committable positions of these partitions (for a final, synchronous commit). */
    Map<TopicPartition, OffsetAndMetadata> positions(Collection<TopicPartition> partitions) {
        settle();
        Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
        for (TopicPartition partition : partitions) {
            Long position = positions.get(partition);
            if (position != null) {
                result.put(partition, new OffsetAndMetadata(position));
            }
            unsent.remove(partition);
        }
        return result;
    }

    /** Moves each partition's position past its done prefix; a partition that moved is remembered until sent. */
    private void settle() {
        dispatched.forEach((partition, offsets) -> {
            Long next = null;
            while (!offsets.isEmpty() && offsets.firstEntry().getValue()) {
                next = offsets.pollFirstEntry().getKey() + 1;
            }
            if (next != null) {
                positions.put(partition, next);
                unsent.add(partition);
            }
        });
    }

    /** Whether any of these partitions has a dispatched command whose result is not acknowledged. */
    boolean inFlight(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            TreeMap<Long, Boolean> offsets = dispatched.get(partition);
            if (offsets != null && offsets.containsValue(false)) {
                return true;
            }
        }
        return false;
    }

    Collection<TopicPartition> partitions() {
        return dispatched.keySet();
    }

    /** Drops partitions this consumer no longer owns. */
    void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            dispatched.remove(partition);
            positions.remove(partition);
            unsent.remove(partition);
        }
    }
}
