package ai.mule.orchestrator.jobs;

import java.time.Clock;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * Decides when the processor asks Streams to commit. Two kinds of commit:
 * <ul>
 *   <li><b>At the end of a job someone waits for</b>, right after its record. A commit stalls the stream thread for
 *   a transaction's round trip (a few milliseconds on a quiet machine, tens when the broker is short of CPU); one per
 *   ended job would, when many jobs end each second, leave the thread committing more than processing. So a job that
 *   ends within {@link #GAP} of the last request is committed at its processor's next timer tick instead
 *   ({@code mule.orchestrator.timer-interval}), together with every job that ended meanwhile; and while the thread is
 *   behind its input (by more than the commit interval), no such commit is requested at all. Holding a commit back
 *   only pays when other jobs may end before the tick and share it: a job that ends while no other job of the stream
 *   thread runs is committed at once, gap or not. That is a client calling one job after another: its 2-step calls
 *   (to {@code ./mule up}, a client that sends each as soon as it has the last answer) ended 15-19 ms after the last
 *   commit and waited for the tick, 35-36 ms p50 a call, against 15-19 ms without the gap (issue 14).</li>
 *   <li><b>The commit interval</b>: at a timer tick, when the thread has done work that no commit covers yet and its
 *   last commit request is a commit interval old. Streams' own interval commit is only a far fallback
 *   (OrchestratorStreamsConfig): it runs every interval whatever was requested in between, so a lone sync client's
 *   jobs, each committed at its end, paid for a second transaction every 100 ms on top (1.4 transactions per call,
 *   each some nine broker requests: issue 14). Counted from the last request, the interval commits only what no job's
 *   end committed.</li>
 * </ul>
 * One pacer serves the processors of all tasks; a requested commit commits every task of the stream thread, so what
 * is left uncommitted and when the thread last requested are kept per stream thread.
 */
final class CommitPacer {

    /**
     * At most 50 requested commits a second. A held-back commit waits for the next timer tick, which an idle stream
     * thread runs after its poll (an idle poll lasts at most the timer interval, see OrchestratorStreamsConfig).
     * Longer gaps hold back more of the commits of sequential sync calls (20-40 ms apart here): with 40 ms a lone
     * client's sync calls took 132 ms p50, their answers waiting for the commit interval; with 5 ms, 8 clients' took
     * 120 ms against 90. Shorter gaps only add commits: 8 clients are short of CPU, not held back by the gap (with
     * 10 ms, in a warm bench, they carried 241-281 workflows/s against 271-368, with 0.3-0.4 transactions per call
     * against 0.2).
     */
    static final Duration GAP = Duration.ofMillis(20);

    private final Clock clock;
    private final long intervalMs;
    private final AtomicLong lastRequestMs = new AtomicLong(Long.MIN_VALUE / 2);
    private volatile long inputLagMs;
    private final ThreadLocal<StreamThreadCommits> thread;

    /**
     * @param commitInterval how often work that no job's end committed is committed ({@link #intervalDue}); also how
     *               old the record being processed may be (now minus its timestamp) for a job's end to request a
     *               commit. A record that waited longer means work queues up in front of the stream thread, and a
     *               requested commit would cost it more than the interval it saves a waiter: a steady 100 jobs/s on a
     *               busy 2-core machine took 36 ms a commit, requested commits kept the thread committing about half
     *               the time, and steps waited seconds (issue 14). A record's timestamp is its producer's clock, so
     *               hosts whose clocks are further apart than this only lose the early commits (the interval still
     *               commits)
     */
    CommitPacer(Clock clock, Duration commitInterval) {
        this.clock = clock;
        this.intervalMs = commitInterval.toMillis();
        // as Streams counts its interval: from when the thread starts running
        this.thread = ThreadLocal.withInitial(() -> new StreamThreadCommits(clock.millis()));
    }

    /** Notes how long the record now being processed waited since it was produced (its timestamp). */
    void processing(long recordTimestampMs) {
        inputLagMs = clock.millis() - recordTimestampMs;
    }

    /**
     * Counts, for the calling stream thread, the jobs {@code processor} runs ({@code runningJobs}: those waiting for
     * a result or a time), until {@link #untrack}. Called when the processor is initialised, on its stream thread.
     */
    void track(Object processor, IntSupplier runningJobs) {
        thread.get().processors.put(processor, runningJobs);
    }

    /** Stops counting the jobs of {@code processor} (closed, or its task moved to another thread). */
    void untrack(Object processor) {
        thread.get().processors.remove(processor);
    }

    /**
     * Whether a commit may be requested now; if it may, it counts as requested. It may when the thread keeps up with
     * its input and either the last request is {@link #GAP} old or no other job of the calling stream thread runs
     * (the one ending has left its processor's count already).
     */
    boolean mayRequest() {
        if (inputLagMs > intervalMs) {
            return false;
        }
        StreamThreadCommits commits = thread.get();
        long now = clock.millis();
        long last = lastRequestMs.get();
        if ((now - last >= GAP.toMillis() || commits.noJobRuns()) && lastRequestMs.compareAndSet(last, now)) {
            commits.requested(now);
            return true;
        }
        return false;
    }

    /**
     * Notes that the calling stream thread did something a commit must cover: wrote state, events or commands, or
     * consumed a record (its offset).
     */
    void worked() {
        thread.get().uncommitted = true;
    }

    /**
     * Whether the calling stream thread should commit now for the interval: it has work no commit covers and its last
     * request is at least the commit interval old. If so, it counts as requested, for {@link #GAP} too.
     */
    boolean intervalDue() {
        StreamThreadCommits commits = thread.get();
        long now = clock.millis();
        if (!commits.uncommitted || now - commits.lastRequestMs < intervalMs) {
            return false;
        }
        commits.requested(now);
        lastRequestMs.set(now);
        return true;
    }

    /** What one stream thread has left uncommitted, when it last requested a commit, and the jobs it runs. */
    private static final class StreamThreadCommits {

        private boolean uncommitted;
        private long lastRequestMs;
        private final Map<Object, IntSupplier> processors = new IdentityHashMap<>();

        StreamThreadCommits(long startedMs) {
            this.lastRequestMs = startedMs;
        }

        boolean noJobRuns() {
            for (IntSupplier runningJobs : processors.values()) {
                if (runningJobs.getAsInt() > 0) {
                    return false;
                }
            }
            return true;
        }

        void requested(long nowMs) {
            // the commit runs after the current record or punctuation, so it covers everything written until now
            uncommitted = false;
            lastRequestMs = nowMs;
        }
    }
}
