package ai.mule.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * The CPU time the JIT compiler threads of some JVMs have used ({@code C1 CompilerThre...} and
 * {@code C2 CompilerThre...}), as Linux counts it per thread in {@code /proc}. {@code ./mule bench} warms up until
 * these threads have little left to do, so that it measures the code the JIT has settled on and not the JIT at work.
 */
final class CompilerThreads {

    /** The kernel's unit for a thread's CPU in {@code /proc/<pid>/task/<tid>/stat}: USER_HZ, 100 on Linux. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final Path PROC = Path.of("/proc");

    private CompilerThreads() {
    }

    /** Whether this OS says what a thread has used (Linux's {@code /proc}). */
    static boolean available() {
        return Files.isDirectory(PROC.resolve("self").resolve("task"));
    }

    /** What the compiler threads of these processes have used so far; empty where the OS does not say (not Linux). */
    static Optional<Duration> cpu(Collection<Long> pids) {
        if (!available()) {
            return Optional.empty();
        }
        long ticks = 0;
        for (long pid : pids) {
            ticks += compilerTicks(PROC.resolve(Long.toString(pid)).resolve("task"));
        }
        return Optional.of(Duration.ofNanos(ticks * NANOS_PER_TICK));
    }

    private static long compilerTicks(Path tasks) {
        long ticks = 0;
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
            for (Path thread : threads) {
                ticks += compilerTicksOf(thread);
            }
        } catch (IOException e) {
            // the process has exited: it compiles no more
        }
        return ticks;
    }

    private static long compilerTicksOf(Path thread) {
        try {
            if (!Files.readString(thread.resolve("comm")).contains("CompilerThre")) {
                return 0;
            }
            return userAndSystemTicks(Files.readString(thread.resolve("stat")));
        } catch (IOException | RuntimeException e) {
            return 0; // the thread has ended (a JVM stops idle compiler threads)
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
