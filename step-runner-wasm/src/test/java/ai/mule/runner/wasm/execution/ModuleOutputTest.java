package ai.mule.runner.wasm.execution;

import static ai.mule.runner.wasm.execution.WasmStepExecutorTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

class ModuleOutputTest {

    @Test
    void theMessageFieldIsTheOutput() {
        ModuleOutput.Reading reading = ModuleOutput.read("{\"message\":\"hi\",\"extra\":1}\n");

        assertThat(reading.failed()).isFalse();
        assertThat(reading.output()).isEqualTo(TextNode.valueOf("hi"));
    }

    @Test
    void aStructuredMessageStaysStructured() {
        assertThat(ModuleOutput.read("{\"message\":{\"items\":[1,2]}}").output()).isEqualTo(json("{\"items\":[1,2]}"));
    }

    @Test
    void anObjectWithoutMessageIsTheOutputWhole() {
        assertThat(ModuleOutput.read("{\"result\":42,\"success\":true}").output())
                .isEqualTo(json("{\"result\":42,\"success\":true}"));
    }

    @Test
    void otherJsonValuesAreTheOutput() {
        assertThat(ModuleOutput.read("[1,2,3]").output()).isEqualTo(json("[1,2,3]"));
        assertThat(ModuleOutput.read(" 42 ").output()).isEqualTo(json("42"));
        assertThat(ModuleOutput.read("\"quoted\"").output()).isEqualTo(TextNode.valueOf("quoted"));
    }

    @Test
    void textThatIsNotOneJsonValueIsKeptAsText() {
        assertThat(ModuleOutput.read("hello world\n").output()).isEqualTo(TextNode.valueOf("hello world"));
        assertThat(ModuleOutput.read("{\"message\":\"a\"} trailing").output())
                .isEqualTo(TextNode.valueOf("{\"message\":\"a\"} trailing"));
        assertThat(ModuleOutput.read("{\"a\":1}\n{\"b\":2}").output()).isEqualTo(TextNode.valueOf("{\"a\":1}\n{\"b\":2}"));
        assertThat(ModuleOutput.read("").output()).isEqualTo(TextNode.valueOf(""));
    }

    @Test
    void successFalseFailsWithTheMessageOrTheError() {
        assertThat(ModuleOutput.read("{\"success\":false,\"message\":\"bad input\"}").error()).isEqualTo("bad input");
        assertThat(ModuleOutput.read("{\"success\":false,\"error\":\"boom\"}").error()).isEqualTo("boom");
        assertThat(ModuleOutput.read("{\"success\":false,\"message\":\"\",\"error\":{\"code\":7}}").error())
                .isEqualTo("{\"code\":7}");
        assertThat(ModuleOutput.read("{\"success\":false}").error()).contains("without a message");
    }

    @Test
    void onlyTheBooleanFalseFails() {
        assertThat(ModuleOutput.read("{\"success\":\"false\",\"message\":\"m\"}").failed()).isFalse();
    }
}
