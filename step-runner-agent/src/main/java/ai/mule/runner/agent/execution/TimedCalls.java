package ai.mule.runner.agent.execution;

import ai.mule.runner.runtime.CancelSignal;
import ai.mule.schemas.FailureKind;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs a step's provider and tool calls one after the other within the time the step has left, and stops them
 * when its job is cancelled. Before a call: a cancelled job or no time left ends the step ({@code cancelled},
 * {@code timeout}) and no call is made. During one: the runtime's cancel and this class's timer both interrupt
 * the calling thread, which aborts the blocking HTTP exchange (the JDK client cancels its request); the
 * interrupted call's own error is then replaced by the reason it was stopped. So the model calls share the
 * step's timeout: each gets at most the time that remains (its client timeout, the provider timeout, can only
 * cut it shorter).
 */
final class TimedCalls {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "agent-call-timer");
        thread.setDaemon(true);
        return thread;
    });

    <T> T call(CancelSignal cancel, Duration stepTimeout, Supplier<T> call) {
        stopIfOver(cancel, stepTimeout, false);
        Expiry expiry = new Expiry(Thread.currentThread());
        ScheduledFuture<?> timeout = timer.schedule(expiry::fire, cancel.remaining().toNanos(), TimeUnit.NANOSECONDS);
        try {
            T result = call.get();
            stopIfOver(cancel, stepTimeout, expiry.expired());
            return result;
        } catch (RuntimeException e) {
            stopIfOver(cancel, stepTimeout, expiry.expired());
            if (Thread.currentThread().isInterrupted()) {
                // the runner is stopping; this outcome is not reported, the step runs again elsewhere
                throw new AgentStepFailure(FailureKind.RUNNER_LOST, "interrupted: the agent runner is stopping");
            }
            throw e;
        } finally {
            timeout.cancel(false);
            expiry.disarm();
        }
    }

    private static void stopIfOver(CancelSignal cancel, Duration stepTimeout, boolean expired) {
        if (cancel.isCancelled()) {
            throw cancelled();
        }
        if (expired || cancel.remaining().isZero()) {
            throw new AgentStepFailure(FailureKind.TIMEOUT, "the step did not finish within its timeout of "
                    + stepTimeout.toMillis() + " ms (step policy timeout_ms)");
        }
    }

    static AgentStepFailure cancelled() {
        return new AgentStepFailure(FailureKind.CANCELLED, "the agent step was stopped: its job was cancelled");
    }

    /** The timer of one call: interrupts its thread once, unless the call ended first. */
    private static final class Expiry {

        private final Thread caller;
        private boolean done;
        private boolean expired;

        Expiry(Thread caller) {
            this.caller = caller;
        }

        synchronized void fire() {
            if (!done) {
                expired = true;
                caller.interrupt();
            }
        }

        synchronized boolean expired() {
            return expired;
        }

        /** Called by the caller's thread when the call is over: the timer's interrupt does not outlive it. */
        void disarm() {
            boolean clear;
            synchronized (this) {
                done = true;
                clear = expired;
            }
            if (clear) {
                Thread.interrupted();
            }
        }
    }
}
