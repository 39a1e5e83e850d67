package ai.mule.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CPU time the JIT compiler threads of some JVMs have used ({@code C1 CompilerThre...} and
 * {@code C2 CompilerThre...}), as Linux counts it per thread in {@code /proc}. {@code ./mule bench} warms up until
 * these threads have little left to do, so that it measures the code the JIT has settled on and not the JIT at work.
 *
 * <p>A JVM stops compiler threads it no longer needs, and their CPU leaves {@code /proc} with them; so each thread's
 * last reading is kept, and what this reports only grows.
 */
final class CompilerThreads {

    /** The kernel's unit for a thread's CPU in {@code /proc/<pid>/task/<tid>/stat}: USER_HZ, 100 on Linux. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final Path proc;

    /** Each compiler thread's ticks when last read, by "pid/tid", including threads that have ended since. */
    private final Map<String, Long> ticksByThread = new HashMap<>();

    /** Reads this machine's {@code /proc}. */
    CompilerThreads() {
        this(Path.of("/proc"));
    }

    /** Reads a {@code /proc} laid out as Linux's is: {@code <pid>/task/<tid>/comm} and {@code stat}. */
    CompilerThreads(Path proc) {
        this.proc = proc;
    }

    /** Whether this OS says what a thread has used (Linux's {@code /proc}). */
    boolean available() {
        return Files.isDirectory(proc);
    }

    /**
     * What the compiler threads of these processes have used so far, ended threads included (as last read); empty
     * where the OS does not say (not Linux).
     */
    synchronized Optional<Duration> cpu(Collection<Long> pids) {
        if (!available()) {
            return Optional.empty();
        }
        for (long pid : pids) {
            readCompilerThreads(pid);
        }
        long ticks = ticksByThread.values().stream().mapToLong(Long::longValue).sum();
        return Optional.of(Duration.ofNanos(ticks * NANOS_PER_TICK));
    }

    private void readCompilerThreads(long pid) {
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(proc.resolve(Long.toString(pid)).resolve("task"))) {
            for (Path thread : threads) {
                compilerTicksOf(thread).ifPresent(ticks -> ticksByThread.merge(pid + "/" + thread.getFileName(), ticks, Math::max));
            }
        } catch (IOException e) {
            // the process has exited: it compiles no more, and what its threads used was kept when last read
        }
    }

    private static Optional<Long> compilerTicksOf(Path thread) {
        try {
            if (!Files.readString(thread.resolve("comm")).contains("CompilerThre")) {
                return Optional.empty();
            }
            return Optional.of(userAndSystemTicks(Files.readString(thread.resolve("stat"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // the thread ended between the listing and the read
        }
    }

    /**
     * utime + stime of a {@code stat} line: its 14th and 15th fields. The 2nd, the thread's name in parentheses, may
     * hold spaces, so fields are counted from the last ')'.
     */
    static long userAndSystemTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
