package ai.mule.orchestrator.jobs;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Spaces the commits that the processor requests when jobs end. A commit stalls the stream thread for a
 * transaction's round trip (a few milliseconds); one per ended job would, when many jobs end each second, leave
 * the thread committing more than processing. So a job that ends within {@link #GAP} of the last request is
 * committed at its processor's next timer tick instead ({@code mule.orchestrator.timer-interval}), together with
 * every job that ended meanwhile. One pacer serves the processors of all tasks: a requested commit commits every
 * task of the stream thread.
 */
final class CommitPacer {

    /**
     * At most 50 requested commits a second. Longer gaps hold back the commits of sequential sync calls (about 40 ms
     * apart here): a held-back commit waits for the next timer tick, which an idle stream thread runs only after its
     * poll (up to the commit interval), and CommitLatencyIT then sees read_committed trail by the whole interval.
     * Under a steady 100 jobs/s these commits cost the orchestrator noticeable CPU (issue 14 weighs that).
     */
    static final Duration GAP = Duration.ofMillis(20);

    private final Clock clock;
    private final AtomicLong lastRequestMs = new AtomicLong(Long.MIN_VALUE / 2);

    CommitPacer(Clock clock) {
        this.clock = clock;
    }

    /** Whether a commit may be requested now; if it may, it counts as requested. */
    boolean mayRequest() {
        long now = clock.millis();
        long last = lastRequestMs.get();
        return now - last >= GAP.toMillis() && lastRequestMs.compareAndSet(last, now);
    }
}
