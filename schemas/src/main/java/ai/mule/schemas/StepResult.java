package ai.mule.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

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
 * @param carried        the results of the command's {@link StepCommand#following} steps that ran, in order: the
 *                       runner ran each after the one before succeeded, and stopped at the first that failed (whose
 *                       failure is the last entry) or when the next one's result might not fit in this record. Left
 *                       out when empty
 */
public record StepResult(int version, String jobId, int stepIndex, int attempt, boolean success, JsonNode output,
                         String error, String stdout, String stderr, long durationMicros, Instant finishedAt,
                         FailureKind failureKind, TokenUsage usage,
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) List<StepResult> carried) {

    public StepResult {
        carried = carried == null ? List.of() : List.copyOf(carried);
    }

    public StepResult(int version, String jobId, int stepIndex, int attempt, boolean success, JsonNode output,
                      String error, String stdout, String stderr, long durationMicros, Instant finishedAt,
                      FailureKind failureKind, TokenUsage usage) {
        this(version, jobId, stepIndex, attempt, success, output, error, stdout, stderr, durationMicros, finishedAt,
                failureKind, usage, List.of());
    }

    /** This result carrying the results of the steps its runner ran after it ({@link #carried}). */
    public StepResult carrying(List<StepResult> results) {
        return new StepResult(version, jobId, stepIndex, attempt, success, output, error, stdout, stderr,
                durationMicros, finishedAt, failureKind, usage, results);
    }

    /** A success; {@code usage} is null for WASM steps and when an agent's provider reported none. */
    public static StepResult succeeded(StepCommand command, JsonNode output, String stdout, String stderr,
                                       long durationMicros, Instant finishedAt, TokenUsage usage) {
        return new StepResult(Topics.SCHEMA_VERSION, command.jobId(), command.stepIndex(), command.attempt(), true,
                output, null, stdout, stderr, durationMicros, finishedAt, null, usage);
    }

    public static StepResult failed(StepCommand command, FailureKind kind, String error, String stdout, String stderr,
                                    long durationMicros, Instant finishedAt) {
        return new StepResult(Topics.SCHEMA_VERSION, command.jobId(), command.stepIndex(), command.attempt(), false,
                null, error, stdout, stderr, durationMicros, finishedAt, kind, null);
    }
}
