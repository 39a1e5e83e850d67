package ai.mule.runner.runtime;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
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

    private ResultFit() {
    }

    static StepResult fit(StepCommand command, StepResult result, Limits limits) {
        if (result.success()) {
            Optional<Limits.Violation> output = limits.checkStepOutput(result.output());
            if (output.isPresent()) {
                return failed(command, result, output.get().message(), result.stdout(), result.stderr(), limits);
            }
        }
        if (limits.checkRecordSize(WHAT, size(result)).isEmpty()) {
            return result;
        }
        String stdout = excerpt(result.stdout());
        String stderr = excerpt(result.stderr());
        StepResult trimmed = new StepResult(result.version(), result.jobId(), result.stepIndex(), result.attempt(),
                result.success(), result.output(), result.error(), stdout, stderr, result.durationMicros(),
                result.finishedAt(), result.failureKind(), result.usage());
        Optional<Limits.Violation> size = limits.checkRecordSize(WHAT, size(trimmed));
        if (size.isEmpty()) {
            return trimmed;
        }
        String error = result.success() ? size.get().message() : excerpt(result.error());
        FailureKind kind = result.success() ? FailureKind.LIMIT_EXCEEDED : result.failureKind();
        return StepResult.failed(command, kind, error, stdout, stderr, result.durationMicros(), result.finishedAt());
    }

    private static StepResult failed(StepCommand command, StepResult result, String error, String stdout,
                                     String stderr, Limits limits) {
        StepResult failed = StepResult.failed(command, FailureKind.LIMIT_EXCEEDED, error, stdout, stderr,
                result.durationMicros(), result.finishedAt());
        return fit(command, failed, limits);
    }

    static int size(StepResult result) {
        return Topics.STEP_RESULTS.valueSerde().serializer().serialize(Topics.STEP_RESULTS.name(), result).length;
    }

    static String excerpt(String text) {
        if (text == null || text.length() <= EXCERPT_CHARS) {
            return text;
        }
        return text.substring(0, EXCERPT_CHARS) + "\n... [" + (text.length() - EXCERPT_CHARS)
                + " more characters not kept]";
    }
}
