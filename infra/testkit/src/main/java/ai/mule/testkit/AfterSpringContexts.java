package ai.mule.testkit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Stops the test servers when the JVM exits, after Spring Boot has closed the application contexts it cached.
 * <p>
 * A JVM starts all its shutdown hooks at once. Stopped in hooks of their own (zonky's, ours, and the one in which
 * spring-kafka-test's broker deleted its directory), PostgreSQL and the broker went away while Spring Boot's hook was
 * still closing the cached test contexts one by one: each context's connection pool, outbox relay and ingress consumer
 * then waited seconds on servers that were gone, and Surefire killed the gateway's fork 30 s after its last test, in
 * every CI run. So one hook of ours runs every stop, the last added first, once Spring Boot's hook has ended.
 * <p>
 * Spring Boot's own shutdown handlers also run after its contexts, but only in a JVM where a
 * {@code SpringApplication} ran, which adds that hook: in the test JVMs without one, PostgreSQL was never stopped.
 */
final class AfterSpringContexts {

    /** The name Spring Boot gives its shutdown hook's thread ({@code SpringApplicationShutdownHook}). */
    private static final String SPRING_HOOK = "SpringApplicationShutdownHook";
    /**
     * How long to look for Spring Boot's hook. The JVM starts every hook before it waits for any, so when the JVM
     * has one it is running by the time ours looks, or a moment later.
     */
    private static final Duration FIND_SPRING_HOOK = Duration.ofMillis(100);
    /** Within Surefire's 30 s after {@code System.exit}, so that the servers are stopped even if Spring hangs. */
    private static final Duration AWAIT_SPRING_HOOK = Duration.ofSeconds(20);

    private static final Deque<Runnable> STOPS = new ArrayDeque<>();
    private static boolean hooked;

    private AfterSpringContexts() {
    }

    static synchronized void atExit(Runnable stop) {
        if (!hooked) {
            Runtime.getRuntime().addShutdownHook(new Thread(AfterSpringContexts::stopAll, "test-servers-stop"));
            hooked = true;
        }
        STOPS.push(stop);
    }

    private static void stopAll() {
        awaitSpringHook();
        List<Runnable> stops;
        synchronized (AfterSpringContexts.class) {
            stops = new ArrayList<>(STOPS);
        }
        for (Runnable stop : stops) {
            try {
                stop.run();
            } catch (RuntimeException e) {
                System.err.println("a test server did not stop cleanly: " + e);
            }
        }
    }

    private static void awaitSpringHook() {
        long giveUp = System.nanoTime() + FIND_SPRING_HOOK.toNanos();
        try {
            while (System.nanoTime() < giveUp) {
                for (Thread thread : Thread.getAllStackTraces().keySet()) {
                    if (SPRING_HOOK.equals(thread.getName())) {
                        thread.join(AWAIT_SPRING_HOOK.toMillis());
                        return;
                    }
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
