package ai.mule.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-job cost lines of {@code ./mule bench}: CPU per process group and broker requests by kind. */
class BenchCostsTest {

    @Test
    void cpuPerJobIsTheSpanBetweenTwoReadingsDividedByTheJobs() {
        Map<String, Duration> before = new LinkedHashMap<>();
        before.put("gateway", Duration.ofMillis(1_000));
        before.put(StackCpu.POSTGRES, Duration.ofMillis(500));
        Map<String, Duration> after = new LinkedHashMap<>();
        after.put("gateway", Duration.ofMillis(1_300));
        after.put(StackCpu.POSTGRES, Duration.ofMillis(600));

        assertThat(StackCpu.perUnit(StackCpu.between(before, after), 100))
                .isEqualTo("4.0 ms: gateway 3.0, postgres 1.0");
    }

    @Test
    void noCpuTimesIsSaidSo() {
        assertThat(StackCpu.perUnit(Map.of("gateway", Duration.ZERO), 10)).startsWith("unknown");
    }

    @Test
    void brokerRequestsPerJobAreTheMostFrequentFirstAndLeaveOutKindsNotMade() {
        Map<String, Long> before = Map.of("Produce", 100L, "FetchConsumer", 50L, "EndTxn", 7L);
        Map<String, Long> after = Map.of("Produce", 130L, "FetchConsumer", 90L, "EndTxn", 7L, "AddOffsetsToTxn", 10L);

        assertThat(BrokerRequests.perUnit(before, after, 10))
                .isEqualTo("8.0: FetchConsumer 4.0, Produce 3.0, AddOffsetsToTxn 1.0");
    }

    @Test
    void noBrokerInThisJvmIsSaidSo() {
        assertThat(BrokerRequests.handled()).isEmpty();
        assertThat(BrokerRequests.perUnit(Map.of(), BrokerRequests.handled(), 10)).startsWith("unknown");
    }
}
