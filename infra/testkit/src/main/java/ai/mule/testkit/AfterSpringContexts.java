package ai.mule.testkit;

import org.springframework.boot.SpringApplication;

/**
 * Runs a test server's stop when the JVM exits, after Spring Boot has closed every application context it started.
 * A JVM runs its shutdown hooks side by side: PostgreSQL, stopped in a hook of its own (zonky's, and ours), and the
 * broker's directory, deleted in one of Kafka's test kit, went away while Spring's hook was still closing the cached
 * test contexts one by one; each context's connection pool, outbox relay and ingress consumer then waited seconds on
 * servers that were gone, and Surefire killed the gateway's fork 30 s after its last test, in every CI run. Spring
 * Boot's one shutdown hook closes its contexts first and runs these actions after them, the last added first (in a
 * JVM with no Spring context, at once).
 */
final class AfterSpringContexts {

    private AfterSpringContexts() {
    }

    static void atExit(Runnable stop) {
        SpringApplication.getShutdownHandlers().add(stop);
    }
}
