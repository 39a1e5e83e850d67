package ai.mule.runner.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.WasmStep;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class RunnerMetricsTest {

    @Test
    void lagIsTheClientLevelRecordsLagMaxNotAPartitionsOrAnotherMetric() {
        Map<MetricName, Metric> metrics = new HashMap<>();
        put(metrics, "records-lag-max", "consumer-fetch-manager-metrics", Map.of("client-id", "c"), 7.0);
        put(metrics, "records-lag-max", "consumer-fetch-manager-metrics",
                Map.of("client-id", "c", "topic", "t", "partition", "0"), 99.0);
        put(metrics, "records-lag-max", "consumer-fetch-manager-metrics", Map.of("client-id", "d"), Double.NaN);
        put(metrics, "records-lead-min", "consumer-fetch-manager-metrics", Map.of("client-id", "c"), 50.0);

        assertThat(RunnerMetrics.recordsLagMax(metrics)).isEqualTo(7.0);
        assertThat(RunnerMetrics.recordsLagMax(Map.of())).isZero();
    }

    @Test
    void stepDurationIsTimedByRunnerStepTypeAndOutcome() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RunnerMetrics metrics = new RunnerMetrics(registry, "mule-step-runner-wasm");
        StepCommand command = StepCommand.of("job", 0, 1, new WasmStep(1, null, "m", "m", "a".repeat(64), null),
                null, Instant.now(), null);

        metrics.stepRan(command, StepResult.failed(command, FailureKind.TRAP, "trap", null, null, 0, Instant.now()),
                TimeUnit.MILLISECONDS.toNanos(30));

        assertThat(registry.get(RunnerMetrics.STEP_DURATION).tag("runner", "mule-step-runner-wasm")
                .tag("step_type", "wasm_module").tag("outcome", "failed").timer().totalTime(TimeUnit.MILLISECONDS))
                .isEqualTo(30.0);
    }

    private static void put(Map<MetricName, Metric> metrics, String name, String group, Map<String, String> tags,
                            double value) {
        MetricName metricName = new MetricName(name, group, "", tags);
        metrics.put(metricName, new Metric() {
            @Override
            public MetricName metricName() {
                return metricName;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        });
    }
}
