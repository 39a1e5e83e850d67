package ai.mule.launcher;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Latency samples in nanoseconds, safe to add to from many threads, summarised as percentiles. */
final class Latencies {

    private final List<Long> samples = Collections.synchronizedList(new ArrayList<>());

    void add(long nanos) {
        samples.add(nanos);
    }

    int count() {
        return samples.size();
    }

    /** The p-th percentile (nearest rank) in milliseconds. */
    double percentileMillis(double p) {
        List<Long> sorted;
        synchronized (samples) {
            sorted = new ArrayList<>(samples);
        }
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1))) / 1_000_000.0;
    }

    String summary() {
        return String.format("n=%d  p50 %.1f ms  p99 %.1f ms  max %.1f ms", count(), percentileMillis(50),
                percentileMillis(99), percentileMillis(100));
    }
}
