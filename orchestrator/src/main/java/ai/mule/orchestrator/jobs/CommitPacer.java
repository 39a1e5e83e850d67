package ai.mule.orchestrator.jobs;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Spaces the commits that the processor requests when jobs end. A commit stalls the stream thread for a
 * transaction's round trip (a few milliseconds on a quiet machine, tens when the broker is short of CPU); one per
 * ended job would, when many jobs end each second, leave the thread committing more than processing. So a job that
 * ends within {@link #GAP} of the last request is committed at its processor's next timer tick instead
 * ({@code mule.orchestrator.timer-interval}), together with every job that ended meanwhile; and while the thread is
 * behind its input (by more than the commit interval), no commit is requested at all: the commit interval commits
 * the ended jobs with everything else, and the thread spends its time catching up rather than committing. One pacer
 * serves the processors of all tasks: a requested commit commits every task of the stream thread.
 */
final class CommitPacer {

    /**
     * At most 50 requested commits a second. A held-back commit waits for the next timer tick, which an idle stream
     * thread runs after its poll (an idle poll lasts at most the timer interval, see OrchestratorStreamsConfig).
     * Longer gaps hold back more of the commits of sequential sync calls (20-40 ms apart here): with 40 ms a lone
     * client's sync calls took 132 ms p50, their answers waiting for the commit interval; with 5 ms, 8 clients' took
     * 120 ms against 90.
     */
    static final Duration GAP = Duration.ofMillis(20);

    private final Clock clock;
    private final long behindMs;
    private final AtomicLong lastRequestMs = new AtomicLong(Long.MIN_VALUE / 2);
    private volatile long inputLagMs;

    /**
     * @param behind how old the record being processed may be (now minus its timestamp) for a commit to be
     *               requested: the commit interval. A record that waited longer means work queues up in front of the
     *               stream thread, and a requested commit would cost it more than the interval it saves a waiter: a
     *               steady 100 jobs/s on a busy 2-core machine took 36 ms a commit, requested commits kept the thread
     *               committing about half the time, and steps waited seconds (issue 14). A record's timestamp is its
     *               producer's clock, so hosts whose clocks are further apart than this only lose the early commits
     *               (the commit interval still commits)
     */
    CommitPacer(Clock clock, Duration behind) {
        this.clock = clock;
        this.behindMs = behind.toMillis();
    }

    /** Notes how long the record now being processed waited since it was produced (its timestamp). */
    void processing(long recordTimestampMs) {
        inputLagMs = clock.millis() - recordTimestampMs;
    }

    /** Whether a commit may be requested now; if it may, it counts as requested. */
    boolean mayRequest() {
        if (inputLagMs > behindMs) {
            return false;
        }
        long now = clock.millis();
        long last = lastRequestMs.get();
        return now - last >= GAP.toMillis() && lastRequestMs.compareAndSet(last, now);
    }
}
