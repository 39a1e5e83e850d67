package ai.mule.runner.wasm.execution;

/**
 * Lets another thread stop one run: the job's cancel arrives on the control listener's thread while the
 * module runs on a worker. Cancelling before the run starts makes the run end as soon as it starts.
 */
public final class CancelSignal {

    private Runnable action;
    private boolean cancelled;

    public synchronized void cancel() {
        if (!cancelled) {
            cancelled = true;
            if (action != null) {
                action.run();
            }
        }
    }

    public synchronized boolean cancelled() {
        return cancelled;
    }

    /** What cancelling does while the run is going; runs at once if the signal was already given. */
    synchronized void whileRunning(Runnable stop) {
        action = stop;
        if (cancelled) {
            stop.run();
        }
    }

    synchronized void runEnded() {
        action = null;
    }
}
