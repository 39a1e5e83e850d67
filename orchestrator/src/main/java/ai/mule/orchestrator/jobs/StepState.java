package ai.mule.orchestrator.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

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
 * @param items         a running for-each step's items, one state each (see {@link ItemState}); null otherwise.
 *                      Each dispatch of an item takes the step's next attempt number ({@code attempt} counts them),
 *                      so a result is matched to its item and attempt by {@code (stepIndex, attempt)} alone
 */
public record StepState(Phase phase, int attempt, Instant deadline, Instant retryAt, JsonNode input, JsonNode output,
                        JsonNode error, Integer fallbackAfter, List<ItemState> items) {

    public StepState {
        items = items == null ? null : List.copyOf(items);
    }

    /**
     * One item of a for-each step.
     *
     * @param attempt the step attempt number its running dispatch was sent with (0 before the first)
     * @param tries   how many times it was sent, for its retry policy
     * @param value   the item (its input); dropped once it is done
     * @param output  its output, or {@code {"error": ...}} for a failed item a {@code collect} step keeps
     */
    public record ItemState(Phase phase, int attempt, int tries, Instant deadline, Instant retryAt, JsonNode value,
                            JsonNode output) {

        static ItemState pending(JsonNode value) {
            return new ItemState(Phase.PENDING, 0, 0, null, null, value, null);
        }

        ItemState running(int withAttempt, Instant until) {
            return new ItemState(Phase.RUNNING, withAttempt, tries + 1, until, null, value, null);
        }

        ItemState retryingAt(Instant at) {
            return new ItemState(Phase.RETRYING, attempt, tries, null, at, value, null);
        }

        ItemState done(Phase result, JsonNode out) {
            return new ItemState(result, attempt, tries, null, null, null, out);
        }

        ItemState awaitedUntil(Instant until) {
            return new ItemState(phase, attempt, tries, until, retryAt, value, output);
        }

        Instant dueAt() {
            return phase == Phase.RETRYING ? retryAt : phase == Phase.RUNNING ? deadline : null;
        }
    }

    public enum Phase {
        PENDING, RUNNING, RETRYING, SUCCEEDED, FAILED, SKIPPED;

        boolean done() {
            return this == SUCCEEDED || this == FAILED || this == SKIPPED;
        }

        boolean active() {
            return this == RUNNING || this == RETRYING;
        }
    }

    static final StepState PENDING = new StepState(Phase.PENDING, 0, null, null, null, null, null, null, null);

    static StepState skipped() {
        return new StepState(Phase.SKIPPED, 0, null, null, null, null, null, null, null);
    }

    StepState running(int nextAttempt, JsonNode withInput, Instant until) {
        return new StepState(Phase.RUNNING, nextAttempt, until, null, withInput, null, null, fallbackAfter, null);
    }

    /** A for-each step starting: its items pending, none sent yet. */
    StepState forEach(JsonNode withInput, List<ItemState> pending) {
        return new StepState(Phase.RUNNING, 0, null, null, withInput, null, null, null, pending);
    }

    /** A for-each step with its items' new states; {@code lastAttempt} is the last attempt number sent. */
    StepState withItems(int lastAttempt, List<ItemState> next) {
        return new StepState(phase, lastAttempt, null, null, input, null, null, fallbackAfter, next);
    }

    StepState retryingAt(Instant at) {
        return new StepState(Phase.RETRYING, attempt + 1, null, at, input, null, null, fallbackAfter, null);
    }

    /** The step's own attempts are over; the fallback's first attempt is the next one. */
    StepState toFallback() {
        return new StepState(phase, attempt, deadline, retryAt, input, null, null, attempt, null);
    }

    StepState succeeded(JsonNode result) {
        return new StepState(Phase.SUCCEEDED, attempt, null, null, null, result, null, fallbackAfter, null);
    }

    StepState failed(JsonNode why) {
        return new StepState(Phase.FAILED, attempt, null, null, null, null, why, fallbackAfter, null);
    }

    StepState awaitedUntil(Instant until) {
        return new StepState(phase, attempt, until, retryAt, input, output, error, fallbackAfter, items);
    }

    boolean forEach() {
        return items != null;
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
        if (items != null) {
            Instant earliest = null;
            for (ItemState item : items) {
                Instant due = item.dueAt();
                if (due != null && (earliest == null || due.isBefore(earliest))) {
                    earliest = due;
                }
            }
            return earliest;
        }
        return phase == Phase.RETRYING ? retryAt : phase == Phase.RUNNING ? deadline : null;
    }

    /** Only what a finished job needs to answer questions about its steps: no inputs or outputs. */
    StepState withoutData() {
        return new StepState(phase, attempt, null, null, null, null, null, fallbackAfter, null);
    }
}
