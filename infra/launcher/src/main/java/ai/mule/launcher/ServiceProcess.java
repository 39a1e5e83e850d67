package ai.mule.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One Mule service running as its own JVM from its executable jar, logging to the stack's logs folder. */
final class ServiceProcess implements AutoCloseable {

    /** Small heaps and the serial collector: five JVMs share two cores here. */
    private static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC");

    private final String name;
    private final Path jar;
    private final Path log;
    private Process process;

    ServiceProcess(String name, Path jar, Path log) {
        this.name = name;
        this.jar = jar;
        this.log = log;
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    void start(Map<String, String> environment) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build first with `mvn -DskipTests package`");
        }
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String extra = System.getenv("MULE_JAVA_OPTS");
        command.addAll(extra == null || extra.isBlank() ? DEFAULT_JVM_OPTIONS : List.of(extra.trim().split("\\s+")));
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
    }

    boolean alive() {
        return process != null && process.isAlive();
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

    /** SIGTERM first, so that Spring shuts down gracefully and Kafka clients leave their groups. */
    @Override
    public void close() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }
}
