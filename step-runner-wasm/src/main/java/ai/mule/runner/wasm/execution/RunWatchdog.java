package ai.mule.runner.wasm.execution;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Enforces wall-clock time limits by interrupting the thread that runs a module, which then unwinds with a
 * ChicoryInterruptedException: compiled code checks the interrupt flag at every call and backward jump
 * (Chicory's compiler emits the checks); the interpreter checks it at calls and {@code br} by itself, and at
 * every other branch through {@link InterpreterInterrupts}, which each run installs. So every loop stops,
 * in the interpreter and in compiled code alike; a host function stops when it returns (Mule's own have
 * timeouts). One timer thread (a daemon) serves every run, so a run costs no extra thread hop.
 */
final class RunWatchdog implements AutoCloseable {

    private final ScheduledThreadPoolExecutor timer;

    RunWatchdog() {
        timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "wasm-run-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        // most runs end long before their deadline: drop their timers at once rather than at expiry
        timer.setRemoveOnCancelPolicy(true);
    }

    /** Starts the clock for a run on the calling thread. */
    Deadline arm(Duration timeout) {
        Deadline deadline = new Deadline(Thread.currentThread());
        deadline.timer = timer.schedule(deadline::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
        return deadline;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    static final class Deadline {

        private final Thread runner;
        private ScheduledFuture<?> timer;
        private boolean finished;
        private boolean expired;
        private boolean cancelled;

        private Deadline(Thread runner) {
            this.runner = runner;
        }

        private synchronized void expire() {
            if (!finished) {
                expired = true;
                runner.interrupt();
            }
        }

        /** Stops the run now (its job was cancelled): the same interrupt as a timeout, told apart after. */
        synchronized void cancel() {
            if (!finished && !expired) {
                cancelled = true;
                runner.interrupt();
            }
        }

        synchronized boolean cancelled() {
            return cancelled;
        }

        /**
         * Stops the clock; called by the run's thread when the run ends. If the deadline fired, the
         * interrupt it sent is cleared so that the thread can run the next step; an interrupt from
         * anyone else (a pool shutting down) is left in place.
         */
        void disarm() {
            boolean fired;
            synchronized (this) {
                finished = true;
                fired = expired || cancelled;
            }
            timer.cancel(false);
            if (fired) {
                Thread.interrupted();
            }
        }

        synchronized boolean expired() {
            return expired;
        }
    }
}
