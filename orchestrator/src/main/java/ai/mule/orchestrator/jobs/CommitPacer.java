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
     * At most 20 requested commits a second: with 20 ms (50 a second) the orchestrator spent a third more CPU under
     * a steady 100 jobs/s in {@code ./mule bench}, and the 2-core machine could no longer keep up.
     */
    static final Duration GAP = Duration.ofMillis(50);

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
