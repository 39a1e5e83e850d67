package ai.mule.runner.wasm.steps;

import ai.mule.runner.wasm.execution.CancelSignal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The runs going on per job, so that a cancel from {@code mule.jobs.control} can stop them, and the jobs
 * cancelled lately, so that a command of a cancelled job that is still waiting in Kafka or in the
 * backlog ends at once instead of running.
 */
public final class CancelledJobs {

    private static final int REMEMBERED = 10_000;

    private final Map<String, Set<CancelSignal>> running = new HashMap<>();
    private final Map<String, Boolean> cancelled = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** A signal for a run of this job about to start; already given if the job was cancelled. */
    synchronized CancelSignal track(String jobId) {
        CancelSignal signal = new CancelSignal();
        if (cancelled.containsKey(jobId)) {
            signal.cancel();
        }
        running.computeIfAbsent(jobId, id -> new HashSet<>()).add(signal);
        return signal;
    }

    synchronized void untrack(String jobId, CancelSignal signal) {
        Set<CancelSignal> signals = running.get(jobId);
        if (signals != null && signals.remove(signal) && signals.isEmpty()) {
            running.remove(jobId);
        }
    }

    /** Stops the job's running steps and remembers it; answers how many runs were stopped. */
    public synchronized int cancel(String jobId) {
        cancelled.put(jobId, Boolean.TRUE);
        Set<CancelSignal> signals = running.getOrDefault(jobId, Set.of());
        signals.forEach(CancelSignal::cancel);
        return signals.size();
    }

    public synchronized boolean isCancelled(String jobId) {
        return cancelled.containsKey(jobId);
    }
}
