package ai.mule.runner.runtime;

import ai.mule.schemas.AgentStep;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.WasmStep;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * What a step runner measures, in Prometheus' terms:
 * <ul>
 *   <li>{@code mule_step_duration_seconds{runner, step_type, outcome}}: how long the handler ran a step
 *       ({@code outcome} completed or failed; why a step failed is counted once, by the orchestrator, as
 *       {@code mule_step_failures_total});</li>
 *   <li>{@code mule_consumer_lag_records{group}}: the most records the group's step command consumer was behind
 *       on any partition, from the consumer's own {@code records-lag-max} (Kafka keeps it over its last ~minute
 *       of fetches; no admin round trip).</li>
 * </ul>
 */
final class RunnerMetrics {

    static final String STEP_DURATION = "mule.step.duration";
    static final String CONSUMER_LAG = "mule.consumer.lag";

    private final MeterRegistry registry;
    private final String runner;

    RunnerMetrics(MeterRegistry registry, String runner) {
        this.registry = registry == null ? new SimpleMeterRegistry() : registry;
        this.runner = runner;
    }

    void stepRan(StepCommand command, StepResult result, long nanos) {
        Timer.builder(STEP_DURATION)
                .description("How long a runner's handler ran one step")
                .tags("runner", runner, "step_type", stepType(command),
                        "outcome", result.success() ? "completed" : "failed")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    /** Registers the lag gauge of this consumer; the gauge reads the consumer's metrics, which are thread safe. */
    void watchLag(Consumer<?, ?> consumer, String group) {
        Gauge.builder(CONSUMER_LAG, consumer, RunnerMetrics::recordsLagMax)
                .description("The most records the consumer group was behind on one partition lately")
                .baseUnit("records")
                .tags("group", group)
                .strongReference(true)
                .register(registry);
    }

    /** Kafka's client-level {@code records-lag-max} (not a per-partition one); 0 before the first fetch. */
    static double recordsLagMax(Consumer<?, ?> consumer) {
        return recordsLagMax(consumer.metrics());
    }

    static double recordsLagMax(Map<MetricName, ? extends Metric> metrics) {
        double max = 0;
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
            MetricName name = entry.getKey();
            if (name.name().equals("records-lag-max") && name.group().equals("consumer-fetch-manager-metrics")
                    && !name.tags().containsKey("topic") && !name.tags().containsKey("partition")
                    && entry.getValue().metricValue() instanceof Double value && !value.isNaN()
                    && !value.isInfinite()) {
                max = Math.max(max, value);
            }
        }
        return max;
    }

    static String stepType(StepCommand command) {
        if (command.step() instanceof WasmStep) {
            return "wasm_module";
        }
        if (command.step() instanceof AgentStep) {
            return "agent";
        }
        return "unknown";
    }
}
