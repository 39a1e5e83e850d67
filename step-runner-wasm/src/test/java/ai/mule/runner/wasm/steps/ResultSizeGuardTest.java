package ai.mule.runner.wasm.steps;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.WasmStep;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ResultSizeGuardTest {

    private static final int LIMIT = 300_000;
    private static final StepCommand COMMAND = StepCommand.of("job-1", 0, 1,
            new WasmStep(1, null, "m", "big", "a".repeat(64), null), JsonSerde.mapper().createObjectNode(), Instant.now());
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void leavesAResultThatFitsAlone() {
        StepResult result = StepResult.succeeded(COMMAND, TextNode.valueOf("hi"), "{\"message\":\"hi\"}", "", 12, NOW);

        assertThat(ResultSizeGuard.fit(COMMAND, result, LIMIT)).isSameAs(result);
    }

    @Test
    void cutsStdoutAndStderrToExcerptsToKeepTheOutput() {
        String text = "y".repeat(200_000);
        StepResult result = StepResult.succeeded(COMMAND, TextNode.valueOf(text), "{\"message\":\"" + text + "\"}",
                "e".repeat(100_000), 12, NOW);

        StepResult fitted = ResultSizeGuard.fit(COMMAND, result, LIMIT);

        assertThat(fitted.success()).isTrue();
        assertThat(fitted.output()).isEqualTo(TextNode.valueOf(text));
        assertThat(fitted.stdout()).startsWith("{\"message\":\"yyy").contains("more characters not kept");
        assertThat(fitted.stderr()).hasSizeLessThan(17_000);
        assertThat(ResultSizeGuard.size(fitted)).isLessThanOrEqualTo(LIMIT);
        assertThat(fitted.durationMicros()).isEqualTo(12);
    }

    @Test
    void failsTheStepWhenTheOutputAloneIsTooLarge() {
        String text = "z".repeat(400_000);
        StepResult result = StepResult.succeeded(COMMAND, TextNode.valueOf(text), text, "", 12, NOW);

        StepResult fitted = ResultSizeGuard.fit(COMMAND, result, LIMIT);

        assertThat(fitted.success()).isFalse();
        assertThat(fitted.output()).isNull();
        assertThat(fitted.error()).isEqualTo("the step output is too large to publish: the result would exceed 300000 bytes");
        assertThat(ResultSizeGuard.size(fitted)).isLessThanOrEqualTo(LIMIT);
    }
}
