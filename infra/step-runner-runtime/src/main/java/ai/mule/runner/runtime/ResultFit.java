package ai.mule.runner.runtime;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import java.util.List;
import java.util.Optional;

/**
 * Keeps a step result within the limits before it is sent: a step output past {@code max-step-output-bytes}
 * or {@code max-json-depth} fails the step ({@code limit_exceeded}, the limit named), and so does a result that
 * would not fit in one record ({@code max-record-bytes}) even after its stdout and stderr are cut to excerpts.
 * Checked here, where the output enters the pipeline, so that no later hop meets a record it cannot carry.
 */
final class ResultFit {

    static final int EXCERPT_CHARS = 16 * 1024;
    private static final String WHAT = "the step result";

    /**
     * A result as it is sent: the result and its record value, the bytes measured against the limits. Sending those
     * bytes, rather than writing the result again, serializes each result once (it was twice, about 2% of the WASM
     * runner's CPU under a steady load, issue 14), and what is sent is exactly what was measured.
     */
    record Fitted(StepResult result, byte[] value) {
    }

    private ResultFit() {
    }

    static Fitted fit(StepCommand command, StepResult result, Limits limits) {
        if (result.success()) {
            Optional<Limits.Violation> output = limits.checkStepOutput(result.output());
            if (output.isPresent()) {
                return failed(command, result, output.get().message(), result.stdout(), result.stderr(), limits);
            }
        }
        byte[] value = value(result);
        if (limits.checkRecordSize(WHAT, value.length).isEmpty()) {
            return new Fitted(result, value);
        }
        String stdout = excerpt(result.stdout());
        String stderr = excerpt(result.stderr());
        StepResult trimmed = new StepResult(result.version(), result.jobId(), result.stepIndex(), result.attempt(),
                result.success(), result.output(), result.error(), stdout, stderr, result.durationMicros(),
                result.finishedAt(), result.failureKind(), result.usage());
        byte[] trimmedValue = value(trimmed);
        Optional<Limits.Violation> size = limits.checkRecordSize(WHAT, trimmedValue.length);
        if (size.isEmpty()) {
            return new Fitted(trimmed, trimmedValue);
        }
        String error = result.success() ? size.get().message() : excerpt(result.error());
        FailureKind kind = result.success() ? FailureKind.LIMIT_EXCEEDED : result.failureKind();
        StepResult failed = StepResult.failed(command, kind, error, stdout, stderr, result.durationMicros(),
                result.finishedAt());
        return new Fitted(failed, value(failed));
    }

    /**
     * The record of a command that carried steps: {@code head}'s result holding those of the steps run after it, each
     * already fitted on its own, their sizes added up by the caller to stay within {@code max-record-bytes}.
     */
    static Fitted carrying(Fitted head, List<Fitted> carried) {
        StepResult result = head.result().carrying(carried.stream().map(Fitted::result).toList());
        return new Fitted(result, value(result));
    }

    private static Fitted failed(StepCommand command, StepResult result, String error, String stdout,
                                 String stderr, Limits limits) {
        StepResult failed = StepResult.failed(command, FailureKind.LIMIT_EXCEEDED, error, stdout, stderr,
                result.durationMicros(), result.finishedAt());
        return fit(command, failed, limits);
    }

    /** The record value {@code result} is sent as. */
    static byte[] value(StepResult result) {
        return Topics.STEP_RESULTS.valueSerde().serializer().serialize(Topics.STEP_RESULTS.name(), result);
    }

    static String excerpt(String text) {
        if (text == null || text.length() <= EXCERPT_CHARS) {
            return text;
        }
        return text.substring(0, EXCERPT_CHARS) + "\n... [" + (text.length() - EXCERPT_CHARS)
                + " more characters not kept]";
    }
}
