package ai.mule.runner.runtime;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The runs going on per job, so that a cancel from {@code mule.jobs.control} can stop them, and the jobs
 * cancelled lately, so that a command of a cancelled job still waiting in Kafka ends at once instead of running.
 */
final class RunningSteps {

    private static final int REMEMBERED = 10_000;

    private final Clock clock;
    private final Map<String, Set<CancelSignal>> running = new HashMap<>();
    private final Map<String, Boolean> cancelled = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    RunningSteps(Clock clock) {
        this.clock = clock;
    }

    /** A signal for a run of this job starting now on the calling thread; already given if the job was cancelled. */
    synchronized CancelSignal start(String jobId, Duration timeout) {
        CancelSignal signal = CancelSignal.onThisThread(timeout, clock);
        if (cancelled.containsKey(jobId)) {
            signal.cancel();
        }
        running.computeIfAbsent(jobId, id -> new HashSet<>()).add(signal);
        return signal;
    }

    void end(String jobId, CancelSignal signal) {
        synchronized (this) {
            Set<CancelSignal> signals = running.get(jobId);
            if (signals != null && signals.remove(signal) && signals.isEmpty()) {
                running.remove(jobId);
            }
        }
        signal.ended();
    }

    /** Stops the job's running steps and remembers it; answers how many runs were stopped. */
    synchronized int cancel(String jobId) {
        cancelled.put(jobId, Boolean.TRUE);
        Set<CancelSignal> signals = running.getOrDefault(jobId, Set.of());
        signals.forEach(CancelSignal::cancel);
        return signals.size();
    }

    synchronized boolean isCancelled(String jobId) {
        return cancelled.containsKey(jobId);
    }
}
