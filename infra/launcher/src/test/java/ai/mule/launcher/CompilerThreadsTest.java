package ai.mule.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code ./mule bench}'s warm-up reads: the CPU of a JVM's JIT compiler threads. */
class CompilerThreadsTest {

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

        Duration before = CompilerThreads.cpu(self).orElseThrow();
        long sum = 0;
        for (int round = 0; round < 200 && CompilerThreads.cpu(self).orElseThrow().compareTo(before) <= 0; round++) {
            sum += busyWork(round); // new code to compile until the compilers' CPU shows it
        }

        assertThat(before).isPositive(); // starting JUnit alone compiled plenty
        assertThat(CompilerThreads.cpu(self).orElseThrow()).isGreaterThan(before);
        assertThat(sum).isNotZero();
    }

    @Test
    void aProcessThatIsGoneAddsNothing() {
        assumeThat(Files.isDirectory(Path.of("/proc/self/task"))).as("Linux /proc").isTrue();

        assertThat(CompilerThreads.cpu(List.of(Long.MAX_VALUE))).contains(Duration.ZERO);
    }

    private static long busyWork(int seed) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append(Integer.toHexString(i * 31 + seed));
        }
        return text.toString().chars().filter(Character::isDigit).count();
    }
}
