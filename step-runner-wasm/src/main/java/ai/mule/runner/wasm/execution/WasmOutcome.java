package ai.mule.runner.wasm.execution;

import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * How one run ended: the step output, or why it failed; with what the module wrote to stdout and stderr
 * (up to their caps) and how long it ran.
 *
 * @param durationMicros time spent instantiating and running the module and reading its output; not the
 *                       time spent fetching or compiling it
 */
public record WasmOutcome(JsonNode output, StepFailure failure, String stdout, String stderr, long durationMicros) {

    static WasmOutcome succeeded(JsonNode output, String stdout, String stderr, long durationMicros) {
        return new WasmOutcome(output, null, stdout, stderr, durationMicros);
    }

    static WasmOutcome failed(StepFailure failure, String stdout, String stderr, long durationMicros) {
        return new WasmOutcome(null, failure, stdout, stderr, durationMicros);
    }

    public boolean succeeded() {
        return failure == null;
    }

    public StepResult toStepResult(StepCommand command, Instant finishedAt) {
        return succeeded()
                ? StepResult.succeeded(command, output, stdout, stderr, durationMicros, finishedAt, null)
                : StepResult.failed(command, failure.reason().kind(), failure.message(), stdout, stderr, durationMicros, finishedAt);
    }
}
