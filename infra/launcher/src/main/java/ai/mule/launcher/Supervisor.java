package ai.mule.launcher;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the stack's services running: a service process that dies is started again after a backoff that doubles
 * with each quick death (1 s up to 30 s) and starts over once the service stayed up for a minute. Every death and
 * restart is said through {@link LocalStack.Progress} (so it shows in {@code ./mule up}'s output) and written to
 * the status file that {@code ./mule status} reads.
 */
final class Supervisor implements AutoCloseable {

    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    static final Duration STABLE_AFTER = Duration.ofMinutes(1);
    private static final Duration CHECK_EVERY = Duration.ofMillis(250);

    private final List<ServiceProcess> services;
    private final LocalStack.Progress progress;
    private final StatusFile statusFile;
    private final Map<String, Duration> backoff = new HashMap<>();
    private final Map<String, Instant> restartAt = new HashMap<>();
    private final Thread thread;
    private volatile boolean stopping;

    Supervisor(List<ServiceProcess> services, LocalStack.Progress progress, StatusFile statusFile) {
        this.services = services;
        this.progress = progress;
        this.statusFile = statusFile;
        this.thread = new Thread(this::watch, "mule-supervisor");
        thread.setDaemon(true);
    }

    void start() {
        statusFile.write(services);
        thread.start();
    }

    private void watch() {
        while (!stopping) {
            Instant now = Instant.now();
            for (ServiceProcess service : services) {
                if (!stopping) {
                    check(service, now);
                }
            }
            try {
                Thread.sleep(CHECK_EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void check(ServiceProcess service, Instant now) {
        if (service.alive()) {
            ServiceStatus status = service.status();
            if (status.startedAt() != null && status.startedAt().plus(STABLE_AFTER).isBefore(now)) {
                backoff.remove(service.name());
            }
            return;
        }
        Instant due = restartAt.get(service.name());
        if (due == null) {
            Duration wait = backoff.getOrDefault(service.name(), FIRST_BACKOFF);
            restartAt.put(service.name(), now.plus(wait));
            backoff.put(service.name(), min(wait.multipliedBy(2), MAX_BACKOFF));
            progress.say(service.name() + " exited with code " + service.exitCode() + "; restarting in "
                    + wait.toMillis() / 1000.0 + " s (log: " + service.log() + ")");
            statusFile.write(services);
            return;
        }
        if (now.isBefore(due)) {
            return;
        }
        restartAt.remove(service.name());
        try {
            service.restart();
            progress.say(service.name() + " restarted (pid " + service.status().pid() + ", restart #"
                    + service.status().restarts() + ")");
        } catch (Exception e) {
            progress.say(service.name() + " could not be restarted: " + e.getMessage());
        }
        statusFile.write(services);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Stops watching, so that the services can be stopped without being started again. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        thread.interrupt();
        thread.join(Duration.ofSeconds(5).toMillis());
    }
}
