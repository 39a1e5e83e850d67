package ai.mule.runner.runtime;

import ai.mule.kafka.ConsumerLagGauge;
import ai.mule.schemas.AgentStep;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.WasmStep;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.apache.kafka.clients.consumer.Consumer;

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

    /** Registers the lag gauge of this consumer ({@link ConsumerLagGauge}). */
    void watchLag(Consumer<?, ?> consumer, String group) {
        ConsumerLagGauge.register(registry, group, consumer::metrics);
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
