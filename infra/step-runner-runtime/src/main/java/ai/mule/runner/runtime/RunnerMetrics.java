package ai.mule.runner.runtime;

import ai.mule.kafka.ConsumerLagGauge;
import ai.mule.schemas.AgentStep;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.WasmStep;
import io.micrometer.core.instrument.Counter;
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
 *       of fetches; no admin round trip);</li>
 *   <li>{@code mule_job_cancels_received_total{runner}}: the cancels the runner's job control listener has read
 *       from {@code mule.jobs.control}, whether or not a step of the job was running here (every runner reads
 *       every cancel). A count that stays flat while jobs are being cancelled means cancels do not reach it.</li>
 * </ul>
 */
final class RunnerMetrics {

    static final String STEP_DURATION = "mule.step.duration";
    static final String CANCELS_RECEIVED = "mule.job.cancels.received";

    private final MeterRegistry registry;
    private final String runner;
    private final Counter cancelsReceived;

    RunnerMetrics(MeterRegistry registry, String runner) {
        this.registry = registry == null ? new SimpleMeterRegistry() : registry;
        this.runner = runner;
        this.cancelsReceived = Counter.builder(CANCELS_RECEIVED)
                .description("Cancels this runner's job control listener read from mule.jobs.control")
                .tag("runner", runner)
                .register(this.registry);
    }

    void cancelReceived() {
        cancelsReceived.increment();
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
