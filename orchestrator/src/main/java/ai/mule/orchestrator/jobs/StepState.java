package ai.mule.orchestrator.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * Where one step of a graph job is ({@link FlowRun}). A step is {@code PENDING} until its dependencies are done,
 * then {@code RUNNING} an attempt (its result awaited until {@code deadline}) or {@code RETRYING} (the next attempt
 * sent at {@code retryAt}), and ends {@code SUCCEEDED} (with its output), {@code FAILED} (with its error, kept only
 * when a {@code wait_all} join takes it) or {@code SKIPPED} (its condition was false, or all it depended on was
 * skipped). Results are matched on {@code attempt}: any other attempt's result is stale.
 *
 * @param attempt       the attempt whose result counts (or that is sent at {@code retryAt}); attempts of the
 *                      fallback continue the step's numbering
 * @param input         the input every attempt of the step (and its fallback) is sent with
 * @param fallbackAfter null while the step's own definition runs; once its fallback runs, the last attempt of the
 *                      step itself (so the fallback's own attempt count is {@code attempt - fallbackAfter})
 */
public record StepState(Phase phase, int attempt, Instant deadline, Instant retryAt, JsonNode input, JsonNode output,
                        JsonNode error, Integer fallbackAfter) {

    public enum Phase {
        PENDING, RUNNING, RETRYING, SUCCEEDED, FAILED, SKIPPED;

        boolean done() {
            return this == SUCCEEDED || this == FAILED || this == SKIPPED;
        }

        boolean active() {
            return this == RUNNING || this == RETRYING;
        }
    }

    static final StepState PENDING = new StepState(Phase.PENDING, 0, null, null, null, null, null, null);

    static StepState skipped() {
        return new StepState(Phase.SKIPPED, 0, null, null, null, null, null, null);
    }

    StepState running(int nextAttempt, JsonNode withInput, Instant until) {
        return new StepState(Phase.RUNNING, nextAttempt, until, null, withInput, null, null, fallbackAfter);
    }

    StepState retryingAt(Instant at) {
        return new StepState(Phase.RETRYING, attempt + 1, null, at, input, null, null, fallbackAfter);
    }

    /** The step's own attempts are over; the fallback's first attempt is the next one. */
    StepState toFallback() {
        return new StepState(phase, attempt, deadline, retryAt, input, null, null, attempt);
    }

    StepState succeeded(JsonNode result) {
        return new StepState(Phase.SUCCEEDED, attempt, null, null, null, result, null, fallbackAfter);
    }

    StepState failed(JsonNode why) {
        return new StepState(Phase.FAILED, attempt, null, null, null, null, why, fallbackAfter);
    }

    StepState awaitedUntil(Instant until) {
        return new StepState(phase, attempt, until, retryAt, input, output, error, fallbackAfter);
    }

    boolean runsFallback() {
        return fallbackAfter != null;
    }

    /** The attempt number as the step's current definition (its own, or its fallback's) counts it. */
    int ownAttempt() {
        return fallbackAfter == null ? attempt : attempt - fallbackAfter;
    }

    /** The next time this step is due (a retry, a lost attempt); null when none. */
    Instant dueAt() {
        return phase == Phase.RETRYING ? retryAt : phase == Phase.RUNNING ? deadline : null;
    }

    /** Only what a finished job needs to answer questions about its steps: no inputs or outputs. */
    StepState withoutData() {
        return new StepState(phase, attempt, null, null, null, null, null, fallbackAfter);
    }
}
