package ai.mule.runner.runtime;

import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.Topic;
import java.time.Duration;
import java.util.Objects;

/**
 * What a runner kind tells the runtime besides its handler.
 *
 * @param commands      the step topic the runner consumes ({@code Topics.STEPS_WASM}, {@code Topics.STEPS_AGENT})
 * @param groupId       its consumer group; the gateway's readiness looks for live members of it
 * @param concurrency   steps run at once (worker threads); commands beyond wait in Kafka, their partitions paused
 * @param shutdownGrace how long running steps may finish when the runner stops or partitions move away; steps
 *                      still running then are interrupted and left uncommitted (they run again elsewhere)
 * @param kafka         the Kafka clients' settings
 * @param limits        record size and step output limits ({@code Limits.from(environment::getProperty)})
 */
public record RunnerSettings(Topic<String, StepCommand> commands, String groupId, int concurrency,
                             Duration shutdownGrace, KafkaClients kafka, Limits limits) {

    public RunnerSettings {
        Objects.requireNonNull(commands, "commands");
        Objects.requireNonNull(kafka, "kafka");
        limits = limits == null ? Limits.DEFAULTS : limits;
        if (groupId == null || groupId.isBlank()) {
            throw new IllegalArgumentException("a step runner needs a consumer group id");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("a step runner's concurrency must be at least 1, not " + concurrency);
        }
        if (shutdownGrace == null || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("a step runner's shutdown grace must be zero or more, not "
                    + shutdownGrace);
        }
    }
}
