package ai.mule.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code ./mule bench}'s warm-up reads: the CPU of a JVM's JIT compiler threads. */
class CompilerThreadsTest {

    /** Keeps the busy work's result alive, so that the JIT cannot drop the work as dead code. */
    private static volatile long sink;

    @Test
    void fieldsAreCountedFromTheNameSoANameWithSpacesAndParenthesesCannotShiftThem() {
        String stat = "4242 (C2 CompilerThre) S 1 4242 4242 0 -1 1077936192 12 0 0 0 731 58 0 0 20 0 30 0 99 0 0";
        String odd = "4242 (a (b) c) S 1 4242 4242 0 -1 1077936192 12 0 0 0 731 58 0 0 20 0 30 0 99 0 0";

        assertThat(CompilerThreads.userAndSystemTicks(stat)).isEqualTo(789);
        assertThat(CompilerThreads.userAndSystemTicks(odd)).isEqualTo(789);
    }

    @Test
    void thisJvmsCompilersHaveWorkedAndTheirCpuOnlyGrows() {
        assumeThat(Files.isDirectory(Path.of("/proc/self/task"))).as("Linux /proc").isTrue();
        List<Long> self = List.of(ProcessHandle.current().pid());
        CompilerThreads compilers = new CompilerThreads();

        Duration before = compilers.cpu(self).orElseThrow();
        Duration last = before;
        for (int round = 0; round < 200 && last.compareTo(before) <= 0; round++) {
            sink += busyWork(round); // new code to compile until the compilers' CPU shows it (they may be at it already)
            Duration now = compilers.cpu(self).orElseThrow();
            assertThat(now).isGreaterThanOrEqualTo(last);
            last = now;
        }

        assertThat(before).isPositive(); // starting JUnit alone compiled plenty
        assertThat(last).isGreaterThan(before);
    }

    @Test
    void aCompilerThreadThatEndedStillCounts(@TempDir Path proc) throws Exception {
        thread(proc, 7, 71, "C2 CompilerThre", 300);
        thread(proc, 7, 72, "C1 CompilerThre", 20);
        thread(proc, 7, 73, "GC Thread#0", 5_000);
        CompilerThreads compilers = new CompilerThreads(proc);

        assertThat(compilers.cpu(List.of(7L))).contains(Duration.ofMillis(3_200));

        thread(proc, 7, 72, "C1 CompilerThre", 25);
        Launcher.deleteRecursively(proc.resolve("7/task/71")); // the JVM stopped an idle compiler thread
        assertThat(compilers.cpu(List.of(7L))).contains(Duration.ofMillis(3_250));

        Launcher.deleteRecursively(proc.resolve("7")); // the process exited
        assertThat(compilers.cpu(List.of(7L))).contains(Duration.ofMillis(3_250));
    }

    @Test
    void aProcessThatIsGoneAddsNothing() {
        assumeThat(Files.isDirectory(Path.of("/proc/self/task"))).as("Linux /proc").isTrue();

        assertThat(new CompilerThreads().cpu(List.of(Long.MAX_VALUE))).contains(Duration.ZERO);
    }

    private static long busyWork(int seed) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append(Integer.toHexString(i * 31 + seed));
        }
        return text.toString().chars().filter(Character::isDigit).count();
    }

    /** A thread as {@code /proc/<pid>/task/<tid>} shows it, with {@code ticks} of user time and none of system time. */
    private static void thread(Path proc, long pid, long tid, String name, long ticks) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(pid + "/task/" + tid));
        Files.writeString(dir.resolve("comm"), name + "\n");
        Files.writeString(dir.resolve("stat"), tid + " (" + name + ") S 1 " + pid + " " + pid
                + " 0 -1 1077936192 12 0 0 0 " + ticks + " 0 0 0 20 0 30 0 99 0 0\n");
    }
}
