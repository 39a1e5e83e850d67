package ai.mule.gateway.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;

/**
 * The one thread of a gateway component that works against Kafka in a loop (the outbox relay, the job events
 * listener, the ingress consumer), started and stopped with the Spring context. Stopping clears the running flag,
 * wakes the thread out of whatever it blocks on (a poll, a wait) and joins it for at most {@code stopTimeout}, so
 * shutdown never hangs on a broker that does not answer.
 * <p>
 * <b>Supervised.</b> Whatever ends {@link #loop()} while the component should run, any {@code Throwable} including
 * an {@code OutOfMemoryError} another request caused, the loop is started again after a backoff (1 s, doubling up
 * to 30 s, back to 1 s once it works again): a gateway that answers HTTP always has its loops, or says why not.
 * {@link #problem()} tells {@code /health} while the loop is down, while it keeps failing, or when it stopped
 * making progress ({@link #alive()} not called within {@link #stallAfter()}); the subclass adds what "working"
 * means for it ({@link #notWorking()}).
 */
public abstract class BackgroundLoop implements SmartLifecycle {

    /**
     * The phase of a loop that must run whenever the web server serves, including while it drains in-flight requests
     * at shutdown: it starts before the web server starts accepting (Spring Boot's phase
     * {@code WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 1024}) and stops only after the graceful
     * shutdown (that phase) has let every in-flight request finish. In {@code Integer.MAX_VALUE - 1000}, above both,
     * the job events listener and the outbox relay stopped first, so a sync call that was waiting when the gateway
     * was told to stop could never be answered and was cut off after the 20 s shutdown phase.
     */
    protected static final int WITH_THE_WEB_SERVER = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 2048;

    private static final Logger log = LoggerFactory.getLogger(BackgroundLoop.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** Failures within this window that make a loop "failing" even while it runs between them. */
    private static final Duration FAILURE_WINDOW = Duration.ofMinutes(1);
    private static final int FAILURES_IN_WINDOW = 3;

    private final String threadName;
    private final Duration stopTimeout;
    private final Object pause = new Object();
    private final Deque<Instant> recentFailures = new ArrayDeque<>();
    private volatile boolean running;
    /** Started and not stopped by {@link #stop()}: a loop that ends otherwise (interrupted) is reported. */
    private volatile boolean wanted;
    private Thread thread;

    private volatile Throwable lastFailure;
    private volatile Instant downSince;
    private volatile long lastAliveNanos;
    private volatile boolean aliveSinceStart;

    protected BackgroundLoop(String threadName, Duration stopTimeout) {
        this.threadName = threadName;
        this.stopTimeout = stopTimeout;
    }

    /** The loop; it returns once {@link #isRunning()} turns false. It is run again if it ends otherwise. */
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

    /**
     * How long the loop may go without calling {@link #alive()} before {@code /health} calls it stuck; null (the
     * default) when it is never expected to call it regularly.
     */
    protected Duration stallAfter() {
        return null;
    }

    /** Why the running loop does not do its work now (e.g. a consumer not positioned yet); empty when it does. */
    protected Optional<String> notWorking() {
        return Optional.empty();
    }

    /** The loop's name, as {@code /health} and the logs show it (its thread's name). */
    public final String name() {
        return threadName;
    }

    /** Called by the loop on every round that did its work: it is up (again), and not stuck. */
    protected final void alive() {
        lastAliveNanos = System.nanoTime();
        aliveSinceStart = true;
        if (downSince != null) {
            log.info("background loop {} works again after it failed ({})", threadName, describe(lastFailure));
            downSince = null;
        }
    }

    /**
     * What keeps this loop from working, for {@code /health}: down (failed and waiting to restart, or restarted
     * and not working yet), failing repeatedly, stuck, or its own reason. Empty when it works or is switched off.
     */
    public final Optional<String> problem() {
        if (!running) {
            return wanted ? Optional.of("background loop " + threadName + " has ended (" + describe(lastFailure)
                    + ") and runs no more") : Optional.empty();
        }
        Instant down = downSince;
        if (down != null) {
            return Optional.of("background loop " + threadName + " is down since " + down + " ("
                    + describe(lastFailure) + "); it is restarted with backoff");
        }
        int failures = failuresInWindow();
        if (failures >= FAILURES_IN_WINDOW) {
            return Optional.of("background loop " + threadName + " failed " + failures + " times in the last "
                    + FAILURE_WINDOW.toMinutes() + " minute (last: " + describe(lastFailure) + ")");
        }
        Duration stall = stallAfter();
        if (stall != null && aliveSinceStart && System.nanoTime() - lastAliveNanos > stall.toNanos()) {
            return Optional.of("background loop " + threadName + " made no progress for over " + stall.toSeconds()
                    + " s");
        }
        return notWorking().map(reason -> threadName + ": " + reason);
    }

    @Override
    public final synchronized void start() {
        if (running || !enabled()) {
            return;
        }
        beforeStart();
        running = true;
        wanted = true;
        lastAliveNanos = System.nanoTime();
        thread = new Thread(this::supervise, threadName);
        thread.setDaemon(true);
        thread.start();
        afterStart();
    }

    @Override
    public final void stop() {
        Thread t;
        synchronized (this) {
            if (!wanted) {
                return;
            }
            running = false;
            wanted = false;
            t = thread;
        }
        synchronized (pause) {
            pause.notifyAll();
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

    /**
     * Runs {@link #loop()} until the component stops, restarting it after any {@code Throwable}: catching an
     * {@code Error} is what keeps one request's {@code OutOfMemoryError} from silently ending the loop for good.
     */
    private void supervise() {
        Duration backoff = FIRST_BACKOFF;
        while (running) {
            aliveSinceStart = false;
            try {
                loop();
                if (running) {
                    throw new IllegalStateException("the loop returned while the component runs");
                }
            } catch (Throwable failure) {
                if (!running) {
                    return;
                }
                if (aliveSinceStart) {
                    backoff = FIRST_BACKOFF;
                }
                failed(failure, backoff);
                if (!sleep(backoff)) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private void failed(Throwable failure, Duration backoff) {
        lastFailure = failure;
        if (downSince == null) {
            downSince = Instant.now();
        }
        synchronized (recentFailures) {
            recentFailures.addLast(Instant.now());
        }
        try {
            log.error("background loop {} failed; restarting it in {} ms", threadName, backoff.toMillis(), failure);
        } catch (Throwable logFailure) {
            // short of memory even for the log line: the state above is what /health reads, the restart goes on
            lastFailure = failure;
        }
    }

    private int failuresInWindow() {
        Instant since = Instant.now().minus(FAILURE_WINDOW);
        synchronized (recentFailures) {
            while (!recentFailures.isEmpty() && recentFailures.peekFirst().isBefore(since)) {
                recentFailures.removeFirst();
            }
            return recentFailures.size();
        }
    }

    /** Waits out a backoff; false when the component stopped meanwhile. */
    private boolean sleep(Duration backoff) {
        long until = System.nanoTime() + backoff.toNanos();
        synchronized (pause) {
            try {
                for (long left = backoff.toMillis(); running && left > 0; left = (until - System.nanoTime()) / 1_000_000) {
                    pause.wait(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
        return running;
    }

    private static String describe(Throwable failure) {
        if (failure == null) {
            return "no error";
        }
        return failure.getMessage() == null ? failure.getClass().getName()
                : failure.getClass().getName() + ": " + failure.getMessage();
    }
}
