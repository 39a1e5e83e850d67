package ai.mule.runner.wasm.execution;

import static ai.mule.runner.wasm.execution.WasmStepExecutorTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.Limits;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

class ModuleOutputTest {

    private static final ModuleOutput OUTPUT = new ModuleOutput();

    @Test
    void theMessageFieldIsTheOutput() {
        ModuleOutput.Reading reading = OUTPUT.read("{\"message\":\"hi\",\"extra\":1}\n");

        assertThat(reading.failed()).isFalse();
        assertThat(reading.output()).isEqualTo(TextNode.valueOf("hi"));
    }

    @Test
    void aStructuredMessageStaysStructured() {
        assertThat(OUTPUT.read("{\"message\":{\"items\":[1,2]}}").output()).isEqualTo(json("{\"items\":[1,2]}"));
    }

    @Test
    void anObjectWithoutMessageIsTheOutputWhole() {
        assertThat(OUTPUT.read("{\"result\":42,\"success\":true}").output())
                .isEqualTo(json("{\"result\":42,\"success\":true}"));
    }

    @Test
    void otherJsonValuesAreTheOutput() {
        assertThat(OUTPUT.read("[1,2,3]").output()).isEqualTo(json("[1,2,3]"));
        assertThat(OUTPUT.read(" 42 ").output()).isEqualTo(json("42"));
        assertThat(OUTPUT.read("\"quoted\"").output()).isEqualTo(TextNode.valueOf("quoted"));
    }

    @Test
    void textThatIsNotOneJsonValueIsKeptAsText() {
        assertThat(OUTPUT.read("hello world\n").output()).isEqualTo(TextNode.valueOf("hello world"));
        assertThat(OUTPUT.read("{\"message\":\"a\"} trailing").output())
                .isEqualTo(TextNode.valueOf("{\"message\":\"a\"} trailing"));
        assertThat(OUTPUT.read("{\"a\":1}\n{\"b\":2}").output()).isEqualTo(TextNode.valueOf("{\"a\":1}\n{\"b\":2}"));
        assertThat(OUTPUT.read("").output()).isEqualTo(TextNode.valueOf(""));
    }

    @Test
    void successFalseFailsWithTheMessageOrTheError() {
        assertThat(OUTPUT.read("{\"success\":false,\"message\":\"bad input\"}").failure().message()).isEqualTo("bad input");
        assertThat(OUTPUT.read("{\"success\":false,\"error\":\"boom\"}").failure().message()).isEqualTo("boom");
        assertThat(OUTPUT.read("{\"success\":false,\"message\":\"\",\"error\":{\"code\":7}}").failure().message())
                .isEqualTo("{\"code\":7}");
        assertThat(OUTPUT.read("{\"success\":false}").failure().message()).contains("without a message");
    }

    @Test
    void onlyTheBooleanFalseFails() {
        assertThat(OUTPUT.read("{\"success\":\"false\",\"message\":\"m\"}").failed()).isFalse();
    }

    @Test
    void anOutputDeeperThanTheLimitFailsTheStepNamingTheSetting() {
        ModuleOutput output = new ModuleOutput(new Limits(1_000_000, 8, 1024, 1024, 1024, 1024));

        ModuleOutput.Reading atLimit = output.read("{\"message\":" + "[".repeat(8) + "]".repeat(8) + "}");
        ModuleOutput.Reading pastLimit = output.read("{\"message\":" + "[".repeat(9) + "]".repeat(9) + "}");
        ModuleOutput.Reading wholeObjectPastLimit = output.read("{\"a\":" + "[".repeat(8) + "]".repeat(8) + "}");

        assertThat(atLimit.failed()).isFalse();
        assertThat(Limits.depthOf(atLimit.output(), 100)).isEqualTo(8);
        assertThat(pastLimit.output()).isNull();
        assertThat(pastLimit.failure().reason()).isEqualTo(StepFailure.Reason.OUTPUT_LIMIT);
        assertThat(pastLimit.failure().reason().kind()).isEqualTo(FailureKind.LIMIT_EXCEEDED);
        assertThat(pastLimit.failure().message()).isEqualTo("the module's output is JSON nested deeper than the limit "
                + "of 8 levels (mule.limits.max-json-depth); flatten it or print it as a string");
        assertThat(wholeObjectPastLimit.failure().reason()).isEqualTo(StepFailure.Reason.OUTPUT_LIMIT);
    }

    @Test
    void jsonTooDeepForJacksonItselfIsNotTakenForText() {
        // deeper than Jackson's own default (1000 levels): before, its StreamConstraintsException made this "text"
        String deep = "[".repeat(5_000) + "]".repeat(5_000);

        ModuleOutput.Reading reading = OUTPUT.read(deep);

        assertThat(reading.output()).isNull();
        assertThat(reading.failure().reason()).isEqualTo(StepFailure.Reason.OUTPUT_LIMIT);
        assertThat(reading.failure().message()).contains("deeper than the limit of 64 levels (mule.limits.max-json-depth)");
        // the default limit itself: 64 levels pass, 65 fail
        assertThat(OUTPUT.read("[".repeat(64) + "]".repeat(64)).failed()).isFalse();
        assertThat(OUTPUT.read("[".repeat(65) + "]".repeat(65)).failed()).isTrue();
    }
}
