package ai.mule.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * What a runner reports for one {@link StepCommand} ({@code mule.steps.results}).
 *
 * @param output         the step output (Mule v2: a WASM module's {@code message}, its whole stdout
 *                       object, or its stdout text; an agent's reply); null when the step failed
 * @param error          why the step failed, readable by a user; null on success
 * @param stdout         a WASM module's stdout (capped), null for agents
 * @param stderr         a WASM module's stderr (capped), null for agents
 * @param durationMicros how long the runner spent executing the step, excluding queueing
 * @param failureKind    why the step failed, for the retry decision; null on success (and from old runners)
 * @param usage          tokens the provider reported for an agent step; null when none were reported
 */
public record StepResult(int version, String jobId, int stepIndex, int attempt, boolean success, JsonNode output,
                         String error, String stdout, String stderr, long durationMicros, Instant finishedAt,
                         FailureKind failureKind, TokenUsage usage) {

    public StepResult(int version, String jobId, int stepIndex, int attempt, boolean success, JsonNode output,
                      String error, String stdout, String stderr, long durationMicros, Instant finishedAt) {
        this(version, jobId, stepIndex, attempt, success, output, error, stdout, stderr, durationMicros, finishedAt,
                null, null);
    }

    public static StepResult succeeded(StepCommand command, JsonNode output, String stdout, String stderr,
                                       long durationMicros, Instant finishedAt) {
        return succeeded(command, output, stdout, stderr, durationMicros, finishedAt, null);
    }

    public static StepResult succeeded(StepCommand command, JsonNode output, String stdout, String stderr,
                                       long durationMicros, Instant finishedAt, TokenUsage usage) {
        return new StepResult(Topics.SCHEMA_VERSION, command.jobId(), command.stepIndex(), command.attempt(), true,
                output, null, stdout, stderr, durationMicros, finishedAt, null, usage);
    }

    /** A failure of unstated kind: treated as not transient. Prefer the overload that names the kind. */
    public static StepResult failed(StepCommand command, String error, String stdout, String stderr,
                                    long durationMicros, Instant finishedAt) {
        return failed(command, FailureKind.INTERNAL, error, stdout, stderr, durationMicros, finishedAt);
    }

    public static StepResult failed(StepCommand command, FailureKind kind, String error, String stdout, String stderr,
                                    long durationMicros, Instant finishedAt) {
        return new StepResult(Topics.SCHEMA_VERSION, command.jobId(), command.stepIndex(), command.attempt(), false,
                null, error, stdout, stderr, durationMicros, finishedAt, kind, null);
    }
}
