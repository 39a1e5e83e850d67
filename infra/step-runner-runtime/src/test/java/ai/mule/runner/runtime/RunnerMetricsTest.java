package ai.mule.runner.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.WasmStep;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RunnerMetricsTest {

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

    @Test
    void cancelsReceivedAreCountedPerRunner() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RunnerMetrics metrics = new RunnerMetrics(registry, "mule-step-runner-agent");

        metrics.cancelReceived();
        metrics.cancelReceived();

        assertThat(registry.get(RunnerMetrics.CANCELS_RECEIVED).tag("runner", "mule-step-runner-agent").counter()
                .count()).isEqualTo(2.0);
    }
}
