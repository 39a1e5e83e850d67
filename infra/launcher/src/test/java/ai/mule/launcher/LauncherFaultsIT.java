package ai.mule.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.localkafka.FreePorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./mule up} as a user runs it, a process of its own, meeting the faults that used to leave processes behind:
 * a port another program holds, a broker that halts the launcher's JVM (its log directory deleted while it runs), a
 * stop while it still starts. Each time the user is told why, and no PostgreSQL or service of the stack is left
 * running. And a stop stops things in order: the services before what they use.
 */
class LauncherFaultsIT {

    private static final Path REPO = Path.of(System.getProperty("mule.repo", "../..")).toAbsolutePath().normalize();

    @Test
    void aTakenPortIsNamedAndNothingIsStarted(@TempDir Path home) throws Exception {
        Map<String, Integer> ports = ports();
        try (ServerSocket taken = new ServerSocket()) {
            int controllerPort = ports.get("MULE_KAFKA_CONTROLLER_PORT");
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), controllerPort));
            Launched up = Launched.up(home, ports);
            try {
                assertThat(up.process.waitFor(60, TimeUnit.SECONDS)).as("./mule up exited").isTrue();
                assertThat(up.process.exitValue()).isEqualTo(1);
                String output = up.output();
                assertThat(output).contains("port " + controllerPort + " (MULE_KAFKA_CONTROLLER_PORT; for ./mule"
                        + " bench MULE_BENCH_KAFKA_CONTROLLER_PORT) on 127.0.0.1 is in use, so the stack cannot start");
                assertThat(output).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception");
                assertThat(home.resolve("postgres")).as("PostgreSQL was never started").doesNotExist();
            } finally {
                up.kill(home);
            }
        }
    }

    /**
     * A second {@code ./mule bench} started while one runs (the side-by-side script after a bench that had not yet
     * stopped, say) used to delete the running bench's data directory before its start-up failed: the first bench's
     * broker then lost its log directory and halted.
     */
    @Test
    void aBenchWhosePortsAreTakenLeavesTheDataOfTheBenchHoldingThemAlone() throws Exception {
        Path benchHome = REPO.resolve(".mule-bench");
        boolean existed = Files.exists(benchHome);
        Path marker = Files.createDirectories(benchHome).resolve("LauncherFaultsIT-" + ProcessHandle.current().pid());
        Files.writeString(marker, "the running bench's data");
        Map<String, Integer> ports = Map.of("MULE_BENCH_HTTP_PORT", FreePorts.next(), "MULE_BENCH_KAFKA_PORT",
                FreePorts.next(), "MULE_BENCH_KAFKA_CONTROLLER_PORT", FreePorts.next(), "MULE_BENCH_PG_PORT",
                FreePorts.next());
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.get("MULE_BENCH_PG_PORT")));
            Launched bench = Launched.start("bench", benchHome, ports);
            try {
                assertThat(bench.process.waitFor(60, TimeUnit.SECONDS)).as("./mule bench exited").isTrue();
                assertThat(bench.process.exitValue()).isEqualTo(1);
                assertThat(bench.output()).contains("port " + ports.get("MULE_BENCH_PG_PORT") + " (MULE_PG_PORT; for"
                        + " ./mule bench MULE_BENCH_PG_PORT) on 127.0.0.1 is in use");
                assertThat(marker).as("the running bench's data").hasContent("the running bench's data");
            } finally {
                bench.process.destroyForcibly(); // never its home's PostgreSQL: that would be the running bench's
            }
        } finally {
            Files.deleteIfExists(marker);
            if (!existed) {
                Launcher.deleteRecursively(benchHome);
            }
        }
    }

    @Test
    void aBrokerThatHaltsTheLauncherTakesTheServicesAndPostgresqlWithIt(@TempDir Path home) throws Exception {
        Launched up = Launched.up(home, ports());
        List<ProcessHandle> services = List.of();
        try {
            up.awaitLine("mule: Ctrl-C stops everything.", Duration.ofMinutes(4));
            services = services(up);
            assertThat(services).as("the four services").hasSize(4);
            ProcessHandle postgres = postgres(home).orElseThrow();

            Launcher.deleteRecursively(home.resolve("kafka")); // the broker's next checkpoint fails: it halts

            assertThat(up.process.waitFor(2, TimeUnit.MINUTES)).as("the launcher halted").isTrue();
            assertThat(up.output()).contains("the Kafka broker is halting this process; stopping the services and"
                    + " PostgreSQL first").contains("mule: stopped; data kept in " + home);
            for (ProcessHandle service : services) {
                assertThat(service.isAlive()).as("service %s left running", service.info().commandLine()).isFalse();
            }
            // pg_ctl stop returns once the server removed its lock file, a moment before the server itself is gone
            assertThat(ended(postgres)).as("PostgreSQL left running").isTrue();
        } finally {
            services.forEach(ProcessHandle::destroyForcibly); // no longer the launcher's children once it has ended
            up.kill(home);
        }
    }

    /**
     * A kill (SIGTERM) or Ctrl-C stops the services first, while Kafka and PostgreSQL still serve them, then Kafka,
     * then PostgreSQL. zonky's own shutdown hook used to stop PostgreSQL the moment the launcher was told to stop,
     * while the services still drained their work into it: the gateway's outbox relay met closed connections, and a
     * request in flight could fail.
     */
    @Test
    void aStopTakesTheServicesFirstAndPostgresqlLast(@TempDir Path home) throws Exception {
        Launched up = Launched.up(home, ports());
        try {
            up.awaitLine("mule: Ctrl-C stops everything.", Duration.ofMinutes(4));
            List<ProcessHandle> services = services(up);
            ProcessHandle postgres = postgres(home).orElseThrow();
            // a new user reads every warning of a fresh start and wonders what to do about it
            assertThat(warnings(home)).as("warnings in the services' logs of a fresh start").isEmpty();
            Map<Long, Boolean> postgresUpWhenServiceEnded = new ConcurrentHashMap<>();
            List<CompletableFuture<Void>> servicesEnded = services.stream().map(service -> service.onExit()
                    .thenRun(() -> postgresUpWhenServiceEnded.put(service.pid(), postgres.isAlive()))).toList();

            up.terminate();

            assertThat(up.process.waitFor(2, TimeUnit.MINUTES)).as("the launcher stopped").isTrue();
            CompletableFuture.allOf(servicesEnded.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(postgresUpWhenServiceEnded).as("PostgreSQL still up as each service ended")
                    .hasSize(4).doesNotContainValue(false);
            assertThat(ended(postgres)).as("PostgreSQL left running").isTrue();
            assertThat(up.output()).contains("mule: stopping ...", "mule: stopped; data kept in " + home);
        } finally {
            up.kill(home);
        }
    }

    /** A stop while the stack still starts leaves nothing running either: no service, no PostgreSQL. */
    @Test
    void aStopDuringStartUpLeavesNothingRunning(@TempDir Path home) throws Exception {
        Launched up = Launched.up(home, ports());
        Set<ProcessHandle> services = new HashSet<>();
        try {
            up.awaitLine("mule: starting gateway", Duration.ofMinutes(2));
            ProcessHandle postgres = postgres(home).orElseThrow();

            up.terminate();
            // the services it starts meanwhile too: once the launcher has ended they are no longer its children
            while (up.process.isAlive()) {
                services.addAll(services(up));
                Thread.sleep(20);
            }

            assertThat(services).as("services started").isNotEmpty();
            for (ProcessHandle service : services) {
                assertThat(ended(service)).as("service %s left running", service.info().commandLine()).isTrue();
            }
            assertThat(ended(postgres)).as("PostgreSQL left running").isTrue();
            assertThat(up.output()).contains("mule: stopping ...", "mule: stopped; data kept in " + home);
        } finally {
            services.forEach(ProcessHandle::destroyForcibly);
            up.kill(home);
        }
    }

    /** The launcher's service processes (its children running a service jar), as they are now. */
    private static List<ProcessHandle> services(Launched launched) {
        return ProcessHandle.of(launched.process.pid()).stream().flatMap(ProcessHandle::children)
                .filter(child -> child.info().commandLine().orElse("").contains("/target/mule-")).toList();
    }

    /** The WARN and ERROR lines of the services' logs (Spring Boot's format: the level after the timestamp). */
    private static List<String> warnings(Path home) throws IOException {
        List<String> warnings = new ArrayList<>();
        for (String service : List.of("gateway", "orchestrator", "step-runner-wasm", "step-runner-agent")) {
            for (String line : Files.readAllLines(home.resolve("logs").resolve(service + ".log"))) {
                // Streams warns of a state directory under the OS's temp directory, as this test's home (and a
                // repository cloned there) is: true, and not what this looks for
                if (line.matches("\\S+\\s+(WARN|ERROR) .*") && !line.contains("Using an OS temp directory")) {
                    warnings.add(service + ": " + line);
                }
            }
        }
        return warnings;
    }

    private static boolean ended(ProcessHandle process) throws InterruptedException {
        try {
            process.onExit().get(10, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** The four ports of a stack, each free now. */
    private static Map<String, Integer> ports() throws IOException {
        return Map.of("MULE_HTTP_PORT", FreePorts.next(), "MULE_KAFKA_PORT", FreePorts.next(),
                "MULE_KAFKA_CONTROLLER_PORT", FreePorts.next(), "MULE_PG_PORT", FreePorts.next());
    }

    /** The stack's PostgreSQL server, by the pid its data directory's lock file names. */
    private static Optional<ProcessHandle> postgres(Path home) throws IOException {
        Path pidFile = home.resolve("postgres/postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(Files.readAllLines(pidFile).get(0).trim()));
    }

    /** {@code ./mule up}'s launcher JVM, started as the {@code mule} script starts it, its output collected. */
    private record Launched(Process process, List<String> lines, Thread reader) {

        static Launched up(Path home, Map<String, Integer> ports) throws IOException {
            return start("up", home, ports);
        }

        /** {@code command} ({@code up} or {@code bench}); {@code ./mule bench} ignores {@code home}. */
        static Launched start(String command, Path home, Map<String, Integer> ports) throws IOException {
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dmule.repo=" + REPO, "-jar",
                    REPO.resolve("infra/launcher/target/mule-launcher.jar").toString(), command)
                    .redirectErrorStream(true);
            builder.environment().put("MULE_HOME", home.toString());
            ports.forEach((name, port) -> builder.environment().put(name, String.valueOf(port)));
            Process process = builder.start();
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "launcher-output");
            reader.setDaemon(true);
            reader.start();
            return new Launched(process, lines, reader);
        }

        /** Waits for a line that starts with {@code line}. */
        void awaitLine(String line, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (lines.stream().noneMatch(printed -> printed.startsWith(line))) {
                assertThat(process.isAlive()).as("./mule up is running; it said:%n%s", output()).isTrue();
                assertThat(System.nanoTime()).as("'%s' within %s; it said:%n%s", line, timeout, output())
                        .isLessThan(deadline);
                Thread.sleep(200);
            }
        }

        /** SIGTERM, as kill does (Ctrl-C's SIGINT is handled alike); not Process.destroy, which closes its output. */
        void terminate() {
            ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
        }

        /** What it printed so far; once it has ended, all of it. */
        String output() throws InterruptedException {
            if (!process.isAlive()) {
                reader.join(5_000);
            }
            return String.join("\n", lines);
        }

        /** Whatever a failed test left: the launcher, its services and the PostgreSQL server. */
        void kill(Path home) throws IOException {
            ProcessHandle.of(process.pid()).ifPresent(launcher -> launcher.descendants()
                    .forEach(ProcessHandle::destroyForcibly));
            process.destroyForcibly();
            postgres(home).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
