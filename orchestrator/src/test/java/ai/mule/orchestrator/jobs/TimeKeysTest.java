package ai.mule.orchestrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The time-ordered keys of {@code job-timers} and {@code finished-jobs}, which stores already hold. */
class TimeKeysTest {

    @Test
    void keysAreWrittenAsTheStoresAlreadyHoldThem() {
        for (Instant at : new Instant[] {Instant.EPOCH, Instant.ofEpochMilli(7), Instant.parse("2026-12-02T11:00:00Z"),
                Instant.ofEpochMilli(Long.MAX_VALUE), Instant.ofEpochMilli(-5)}) {
            long millis = Math.max(0, at.toEpochMilli());
            assertThat(JobProcessor.timeKey(at, "job-1")).isEqualTo(String.format("%019d:%s", millis, "job-1"));
            assertThat(JobProcessor.upperKey(at)).isEqualTo(String.format("%019d;", millis));
        }
    }

    @Test
    void keysSortByTimeThenJob() {
        Instant earlier = Instant.ofEpochMilli(999);
        Instant later = Instant.ofEpochMilli(1_000);
        assertThat(JobProcessor.timeKey(earlier, "z")).isLessThan(JobProcessor.timeKey(later, "a"));
        assertThat(JobProcessor.timeKey(later, "a")).isLessThan(JobProcessor.timeKey(later, "b"));
        assertThat(JobProcessor.timeKey(later, "zzz")).isLessThan(JobProcessor.upperKey(later));
        assertThat(JobProcessor.upperKey(earlier)).isLessThan(JobProcessor.timeKey(later, "a"));
    }
}
