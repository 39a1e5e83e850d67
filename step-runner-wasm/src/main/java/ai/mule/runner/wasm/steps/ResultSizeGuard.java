package ai.mule.runner.wasm.steps;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;

/**
 * Keeps a step result within one Kafka message. Stdout and stderr may each be up to their caps (1 MiB by
 * default) and the output is usually a copy of part of stdout, so a big result would exceed the broker's
 * message size (1 MiB by default) and never be delivered. First stdout and stderr are cut to excerpts;
 * if the output alone is still too large, the step fails with an error saying so.
 */
final class ResultSizeGuard {

    static final int EXCERPT_CHARS = 16 * 1024;

    private ResultSizeGuard() {
    }

    static StepResult fit(StepCommand command, StepResult result, int maxBytes) {
        if (size(result) <= maxBytes) {
            return result;
        }
        String stdout = excerpt(result.stdout());
        String stderr = excerpt(result.stderr());
        StepResult trimmed = result.success()
                ? StepResult.succeeded(command, result.output(), stdout, stderr, result.durationMicros(), result.finishedAt())
                : StepResult.failed(command, result.failureKind(), result.error(), stdout, stderr, result.durationMicros(), result.finishedAt());
        if (size(trimmed) <= maxBytes) {
            return trimmed;
        }
        String error = result.success()
                ? "the step output is too large to publish: the result would exceed " + maxBytes + " bytes"
                : excerpt(result.error());
        FailureKind kind = result.success() ? FailureKind.LIMIT_EXCEEDED : result.failureKind();
        return StepResult.failed(command, kind, error, stdout, stderr, result.durationMicros(), result.finishedAt());
    }

    static int size(StepResult result) {
        return Topics.STEP_RESULTS.valueSerde().serializer().serialize(Topics.STEP_RESULTS.name(), result).length;
    }

    static String excerpt(String text) {
        if (text == null || text.length() <= EXCERPT_CHARS) {
            return text;
        }
        return text.substring(0, EXCERPT_CHARS) + "\n... [" + (text.length() - EXCERPT_CHARS) + " more characters not kept]";
    }
}
