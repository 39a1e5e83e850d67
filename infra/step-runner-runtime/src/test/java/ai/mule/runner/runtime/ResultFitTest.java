package ai.mule.runner.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.WasmStep;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ResultFitTest {

    private static final int RECORD_LIMIT = 300_000;
    private static final Limits LIMITS = new Limits(RECORD_LIMIT, 64, 256 * 1024, 128 * 1024, 256 * 1024, 512 * 1024);
    private static final StepCommand COMMAND = StepCommand.of("job-1", 0, 1,
            new WasmStep(1, null, "m", "big", "a".repeat(64), null), JsonSerde.mapper().createObjectNode(),
            Instant.now(), null);
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void leavesAResultThatFitsAlone() {
        StepResult result = StepResult.succeeded(COMMAND, TextNode.valueOf("hi"), "{\"message\":\"hi\"}", "", 12, NOW,
                null);

        ResultFit.Fitted fitted = ResultFit.fit(COMMAND, result, LIMITS);

        assertThat(fitted.result()).isSameAs(result);
        assertThat(fitted.value()).isEqualTo(ResultFit.value(result));
    }

    @Test
    void cutsStdoutAndStderrToExcerptsToKeepTheOutput() {
        String text = "y".repeat(200_000);
        StepResult result = StepResult.succeeded(COMMAND, TextNode.valueOf(text), "{\"message\":\"" + text + "\"}",
                "e".repeat(100_000), 12, NOW, null);

        ResultFit.Fitted sent = ResultFit.fit(COMMAND, result, LIMITS);
        StepResult fitted = sent.result();

        assertThat(fitted.success()).isTrue();
        assertThat(fitted.output()).isEqualTo(TextNode.valueOf(text));
        assertThat(fitted.stdout()).startsWith("{\"message\":\"yyy").contains("more characters not kept");
        assertThat(fitted.stderr()).hasSizeLessThan(17_000);
        assertThat(ResultFit.value(fitted).length).isLessThanOrEqualTo(RECORD_LIMIT);
        assertThat(fitted.durationMicros()).isEqualTo(12);
        // the bytes measured are the bytes sent: those of the trimmed result
        assertThat(sent.value()).isEqualTo(ResultFit.value(fitted));
    }

    @Test
    void failsTheStepWhenTheResultCannotFitOneRecord() {
        String text = "z".repeat(400_000);
        StepResult result = StepResult.succeeded(COMMAND, TextNode.valueOf(text), text, "", 12, NOW, null);

        StepResult fitted = ResultFit.fit(COMMAND, result, LIMITS).result();

        assertThat(fitted.success()).isFalse();
        assertThat(fitted.output()).isNull();
        assertThat(fitted.failureKind()).isEqualTo(FailureKind.LIMIT_EXCEEDED);
        assertThat(fitted.error()).contains("mule.limits.max-record-bytes");
        assertThat(ResultFit.value(fitted).length).isLessThanOrEqualTo(RECORD_LIMIT);
    }

    @Test
    void failsTheStepWhenItsOutputIsOverTheStepOutputLimit() {
        Limits roomy = new Limits(10_000_000, 64, 256 * 1024, 128 * 1024, 256 * 1024, 512 * 1024);
        StepResult result = StepResult.succeeded(COMMAND, TextNode.valueOf("o".repeat(700_000)), null, null, 12, NOW,
                null);

        StepResult fitted = ResultFit.fit(COMMAND, result, roomy).result();

        assertThat(fitted.failureKind()).isEqualTo(FailureKind.LIMIT_EXCEEDED);
        assertThat(fitted.error()).contains("mule.limits.max-step-output-bytes");
    }

    @Test
    void failsTheStepWhenItsOutputNestsTooDeep() {
        JsonNode deep = JsonSerde.mapper().createArrayNode();
        ArrayNode inner = (ArrayNode) deep;
        for (int i = 0; i < 998; i++) {
            inner = inner.addArray();
        }
        StepResult result = StepResult.succeeded(COMMAND, deep, null, null, 12, NOW, null);

        StepResult fitted = ResultFit.fit(COMMAND, result, LIMITS).result();

        assertThat(fitted.failureKind()).isEqualTo(FailureKind.LIMIT_EXCEEDED);
        assertThat(fitted.error()).contains("mule.limits.max-json-depth");
    }
}
