package ai.mule.orchestrator;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.schemas.TokenUsage;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** Step results as runners report them, for tests: an object mother. Built in one place from the full record. */
public final class Results {

    private Results() {
    }

    public static StepResult succeeded(StepCommand command, JsonNode output, String stdout, String stderr,
                                       long durationMicros, Instant at) {
        return succeeded(command, output, stdout, stderr, durationMicros, at, null);
    }

    /** Success with the tokens an agent step's provider reported. */
    public static StepResult succeeded(StepCommand command, JsonNode output, String stdout, String stderr,
                                       long durationMicros, Instant at, TokenUsage usage) {
        return new StepResult(Topics.SCHEMA_VERSION, command.jobId(), command.stepIndex(), command.attempt(), true,
                output, null, stdout, stderr, durationMicros, at, null, usage);
    }

    public static StepResult failed(StepCommand command, FailureKind kind, String error, String stdout,
                                    String stderr, long durationMicros, Instant at) {
        return new StepResult(Topics.SCHEMA_VERSION, command.jobId(), command.stepIndex(), command.attempt(), false,
                null, error, stdout, stderr, durationMicros, at, kind, null);
    }

    /** A success for a step and attempt named by hand: one the job may not be waiting for (stale, early, orphan). */
    public static StepResult succeededFor(String jobId, int stepIndex, int attempt, JsonNode output) {
        return new StepResult(Topics.SCHEMA_VERSION, jobId, stepIndex, attempt, true, output, null, null, null, 5,
                null, null, null);
    }
}
