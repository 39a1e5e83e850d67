package ai.mule.runner.runtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * One run's link to the outside while it goes on: whether its job was cancelled ({@code mule.jobs.control}
 * arrives on another thread), and how much of the step's timeout is left.
 * <p>
 * Cancelling interrupts the thread that runs the step, which stops blocking I/O (an HTTP call) and
 * {@code sleep}/{@code wait}; a handler that stops its work some other way registers that with
 * {@link #onCancel}, which then replaces the interrupt. Either way a handler should look at
 * {@link #isCancelled()} between units of work (tool calls, retries) and answer {@code cancelled}.
 */
public final class CancelSignal {

    private final Instant deadline;
    private final Clock clock;
    private Thread runner;
    private Runnable action;
    private boolean cancelled;
    private boolean interrupted;

    /** A signal for a run that must end by {@code deadline} (its start plus the step's timeout). */
    public CancelSignal(Instant deadline, Clock clock) {
        this.deadline = deadline;
        this.clock = clock;
    }

    /** A signal for a run starting now with this much time; cancelling it interrupts no thread until one runs it. */
    public static CancelSignal startingNow(Duration timeout, Clock clock) {
        return new CancelSignal(clock.instant().plus(timeout), clock);
    }

    /** A signal for a run starting now on the calling thread, which cancelling interrupts. */
    public static CancelSignal onThisThread(Duration timeout, Clock clock) {
        CancelSignal signal = startingNow(timeout, clock);
        signal.runsOn(Thread.currentThread());
        return signal;
    }

    public synchronized boolean isCancelled() {
        return cancelled;
    }

    /**
     * What cancelling does instead of interrupting the running thread; runs at once if the signal was already
     * given. Called from the cancelling thread: keep it short and non-blocking.
     */
    public synchronized void onCancel(Runnable stop) {
        action = stop;
        if (cancelled) {
            stop.run();
        }
    }

    /** When the step must be over: its start plus its policy's {@code timeout_ms}. */
    public Instant deadline() {
        return deadline;
    }

    /** Time left before {@link #deadline()}; zero when it has passed. */
    public Duration remaining() {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * Runs {@code wait}, in which this step waits for other steps of Mule (an agent tool running a workflow through
     * the gateway), with the step's place among the runner's concurrent steps given back meanwhile: the steps it
     * waits for may need this runner, and would never start if every place were held by steps waiting on them.
     * Call it on the thread that runs the step; cancelling still interrupts that thread.
     */
    public <T> T whileWaitingForOtherSteps(Supplier<T> wait) {
        return WorkerPool.givenBackWhile(wait);
    }

    /** Stops the run: the registered action, else an interrupt of the thread running it (if it still runs). */
    public synchronized void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        if (action != null) {
            action.run();
        } else if (runner != null) {
            interrupted = true;
            runner.interrupt();
        }
    }

    /** The calling thread runs the step from now. */
    synchronized void runsOn(Thread thread) {
        runner = thread;
        if (cancelled && action == null) {
            interrupted = true;
            thread.interrupt();
        }
    }

    /** The run is over (called by the thread that ran it): no interrupt of ours outlives it. */
    void ended() {
        boolean clear;
        synchronized (this) {
            runner = null;
            clear = interrupted;
        }
        if (clear) {
            Thread.interrupted();
        }
    }
}
