package ai.mule.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CPU time the local stack's processes have used, as the OS counts it: each service's JVM, PostgreSQL (its
 * postmaster and the backends under it) and the launcher's own JVM, which holds the Kafka broker and the bench's
 * clients. {@code ./mule bench} divides a phase's CPU by the jobs it ran: a cost per job, which moves far less with
 * how busy the machine is than latency does (back-to-back runs of the same code here differed by 30% in latency, by
 * about 10% in CPU per job), so a change's effect shows in a run or two. A backend that exits within a phase takes
 * its CPU with it; the services' pooled connections stay.
 */
final class StackCpu {

    static final String LAUNCHER = "broker+bench";
    static final String POSTGRES = "postgres";

    private final LocalStack stack;

    StackCpu(LocalStack stack) {
        this.stack = stack;
    }

    /** CPU used so far, per process group, in the order the bench prints them. */
    Map<String, Duration> used() {
        Map<String, Duration> used = new LinkedHashMap<>();
        for (ServiceStatus service : stack.statuses()) {
            used.put(service.name(), ProcessHandle.of(service.pid()).map(StackCpu::cpu).orElse(Duration.ZERO));
        }
        used.put(POSTGRES, postmaster().map(p -> p.children().map(StackCpu::cpu).reduce(cpu(p), Duration::plus))
                .orElse(Duration.ZERO));
        used.put(LAUNCHER, cpu(ProcessHandle.current()));
        return used;
    }

    /** What each group used between two readings of {@link #used}. */
    static Map<String, Duration> between(Map<String, Duration> before, Map<String, Duration> after) {
        Map<String, Duration> spent = new LinkedHashMap<>();
        after.forEach((group, total) -> spent.put(group, total.minus(before.getOrDefault(group, Duration.ZERO))));
        return spent;
    }

    /** "14.2 ms: gateway 3.1, orchestrator 3.0, ..." per unit of work, or why it is unknown. */
    static String perUnit(Map<String, Duration> spent, int units) {
        double total = spent.values().stream().mapToLong(Duration::toNanos).sum() / 1e6 / units;
        if (total <= 0) {
            return "unknown (the OS gave no CPU times)";
        }
        List<String> groups = spent.entrySet().stream()
                .map(e -> String.format("%s %.1f", e.getKey(), e.getValue().toNanos() / 1e6 / units))
                .toList();
        return String.format("%.1f ms: ", total) + String.join(", ", groups);
    }

    private Optional<ProcessHandle> postmaster() {
        // the postmaster's pid is the first line of postmaster.pid; pg_ctl started it, so it is not our child
        Path pidFile = stack.config().home().resolve("postgres").resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile);
            return lines.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Duration cpu(ProcessHandle process) {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }
}
