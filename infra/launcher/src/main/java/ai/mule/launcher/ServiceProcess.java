package ai.mule.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Mule service running as its own JVM from its executable jar, logging to the stack's logs folder. It can be
 * started again after it died ({@link Supervisor} does that), and counts how often it was.
 */
final class ServiceProcess {

    private final String name;
    private final Path jar;
    private final Path log;
    private final ServiceJvm jvm;
    private Map<String, String> environment = Map.of();
    private volatile Process process;
    private volatile Instant startedAt;
    private volatile int restarts;
    private volatile Integer lastExitCode;

    ServiceProcess(String name, Path jar, Path log, ServiceJvm jvm) {
        this.name = name;
        this.jar = jar;
        this.log = log;
        this.jvm = jvm;
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    void start(Map<String, String> environment) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new StackStartFailed(jar + " is missing: build first with `mvn -DskipTests package`");
        }
        this.environment = Map.copyOf(environment);
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm.options());
        String flightRecordings = System.getenv("MULE_JFR_DIR");
        if (flightRecordings != null && !flightRecordings.isBlank()) {
            // a profile of each service, written when it exits (./mule bench stops the stack at its end)
            Path recording = Path.of(flightRecordings.trim()).toAbsolutePath().resolve(name + ".jfr");
            Files.createDirectories(recording.getParent());
            command.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + recording);
        }
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(this.environment);
        process = builder.start();
        startedAt = Instant.now();
    }

    /** Starts the service again, with the environment it was first started with, after it died. */
    void restart() throws IOException {
        Process dead = process;
        if (dead != null && dead.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        restarts++;
        start(environment);
    }

    boolean alive() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /** The exit code of the process that last ended, once it has ended (else null). */
    Integer exitCode() {
        Process current = process;
        if (current != null && !current.isAlive()) {
            lastExitCode = current.exitValue();
        }
        return lastExitCode;
    }

    /** What {@code ./mule status} shows of this service. */
    ServiceStatus status() {
        Process current = process;
        return new ServiceStatus(name, current == null ? 0 : current.pid(), startedAt, restarts, exitCode(),
                log.toString());
    }

    /** The last lines of the service's log, to show why it did not come up. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /**
     * Sends SIGTERM, so that Spring shuts down gracefully and Kafka clients leave their groups, and returns:
     * {@link #close(Duration)} waits for it (several services then stop side by side).
     */
    void terminate() {
        Process current = process;
        if (current != null) {
            current.destroy();
        }
    }

    /** Waits up to {@code grace} for the process to end after {@link #terminate}, then SIGKILLs it. */
    void close(Duration grace) throws InterruptedException {
        Process current = process;
        if (current == null) {
            return;
        }
        if (!current.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            current.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }
}
