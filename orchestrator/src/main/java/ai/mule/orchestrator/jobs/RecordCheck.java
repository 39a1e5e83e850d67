package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Measures every record a {@link Transition.Applied} would write, as the sinks and the state store will write it (the
 * same mapper, the same objects), before anything is forwarded. A record the producer would refuse (over
 * {@code max.request.size}) or that cannot be written at all (nested past Jackson's 1000 levels) must never reach
 * the exactly-once transaction: the transaction would abort and the same input replay forever, stalling every job
 * on the partition. Measuring writes each record; {@link WrittenJson} keeps the bytes for the sinks and the store.
 */
final class RecordCheck {

    private final Limits limits;
    private final WrittenJson written;

    RecordCheck(Limits limits, WrittenJson written) {
        this.limits = limits;
        this.written = written;
    }

    /** Where the records measured are kept written, for the sinks and the store, until the transition is done. */
    WrittenJson written() {
        return written;
    }

    /**
     * The first record of {@code transition} that would not fit, as a violation that names it and the limit; first of
     * all a for-each step with more items than {@link Limits#maxForEachItems}, as each of its items' results would
     * rewrite a state that holds them all.
     */
    Optional<Limits.Violation> firstTooLarge(String jobId, Transition.Applied transition) {
        Optional<Limits.Violation> items = tooManyItems(transition.state());
        if (items.isPresent()) {
            return items;
        }
        int keyBytes = jobId.getBytes(StandardCharsets.UTF_8).length;
        for (StepCommand command : transition.commands()) {
            Optional<Limits.Violation> violation = check("the step command of step " + command.step().stepOrder()
                    + " (attempt " + command.attempt() + ")", keyBytes, command);
            if (violation.isPresent()) {
                return violation;
            }
        }
        for (JobEvent event : transition.events()) {
            Optional<Limits.Violation> violation = check("the " + event.getClass().getSimpleName() + " event",
                    keyBytes, event);
            if (violation.isPresent()) {
                return violation;
            }
        }
        for (Transition.Reply reply : transition.replies()) {
            Optional<Limits.Violation> violation = check("the reply to " + reply.topic(), keyBytes, reply.event());
            if (violation.isPresent()) {
                return violation;
            }
        }
        for (JobControl control : transition.controls()) {
            Optional<Limits.Violation> violation = check("the control message", keyBytes, control);
            if (violation.isPresent()) {
                return violation;
            }
        }
        for (var child : transition.children()) {
            Optional<Limits.Violation> violation = check("the child job request of step "
                    + (child.parent().stepIndex() + 1), keyBytes, child);
            if (violation.isPresent()) {
                return violation;
            }
        }
        for (var result : transition.parentResults()) {
            Optional<Limits.Violation> violation = check("the result for the parent job", keyBytes, result);
            if (violation.isPresent()) {
                return violation;
            }
        }
        return check("the job's state (its workflow snapshot and current step input)", keyBytes,
                transition.state());
    }

    private Optional<Limits.Violation> tooManyItems(JobState state) {
        List<StepState> nodes = state.progress() == null ? null : state.progress().nodes();
        if (nodes == null) {
            return Optional.empty();
        }
        for (int i = 0; i < nodes.size(); i++) {
            List<StepState.ItemState> items = nodes.get(i).items();
            if (items != null) {
                Optional<Limits.Violation> violation = limits.checkForEachItems(
                        state.snapshot().flow().get(i).name(), items.size());
                if (violation.isPresent()) {
                    return violation;
                }
            }
        }
        return Optional.empty();
    }

    private Optional<Limits.Violation> check(String what, int keyBytes, Object value) {
        long bytes;
        try {
            bytes = keyBytes + (long) written.write(value).length;
        } catch (IllegalArgumentException e) {
            // e.g. nested deeper than Jackson writes (1000 levels): it could never be sent
            String reason = e.getCause() instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
            return Optional.of(new Limits.Violation(Limits.PREFIX + "max-json-depth",
                    what + " cannot be written as JSON (" + reason + "); values may nest at most "
                            + limits.maxJsonDepth() + " levels (" + Limits.PREFIX + "max-json-depth)"));
        }
        return limits.checkRecordSize(what, (int) Math.min(Integer.MAX_VALUE, bytes));
    }
}
