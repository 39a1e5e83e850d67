package ai.mule.gateway.kafka;

import java.time.Duration;
import org.springframework.context.SmartLifecycle;

/**
 * The one thread of a gateway component that works against Kafka in a loop (the outbox relay, the job events
 * listener, the ingress consumer), started and stopped with the Spring context. Stopping clears the running flag,
 * wakes the thread out of whatever it blocks on (a poll, a wait) and joins it for at most {@code stopTimeout}, so
 * shutdown never hangs on a broker that does not answer.
 */
public abstract class BackgroundLoop implements SmartLifecycle {

    private final String threadName;
    private final Duration stopTimeout;
    private volatile boolean running;
    private Thread thread;

    protected BackgroundLoop(String threadName, Duration stopTimeout) {
        this.threadName = threadName;
        this.stopTimeout = stopTimeout;
    }

    /** The loop; it returns once {@link #isRunning()} turns false. */
    protected abstract void loop();

    /** Makes a blocked {@link #loop()} return promptly, e.g. {@code consumer.wakeup()}. */
    protected abstract void wakeForStop();

    /** Whether this component runs at all (configuration may switch it off). */
    protected boolean enabled() {
        return true;
    }

    /** Opens what the loop needs, on the starting thread. */
    protected void beforeStart() {
    }

    /** Runs on the starting thread once the loop's thread is started, e.g. to wait until it is ready. */
    protected void afterStart() {
    }

    /** Closes what {@link #beforeStart()} opened, once the loop's thread has ended (or the join timed out). */
    protected void afterStop() {
    }

    @Override
    public final synchronized void start() {
        if (running || !enabled()) {
            return;
        }
        beforeStart();
        running = true;
        thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
        thread.start();
        afterStart();
    }

    @Override
    public final void stop() {
        Thread t;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            t = thread;
        }
        wakeForStop();
        try {
            t.join(stopTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        afterStop();
    }

    @Override
    public final boolean isRunning() {
        return running;
    }

    /** Ends the loop from inside it (e.g. when its thread is interrupted). */
    protected final void halt() {
        running = false;
    }
}
