package ai.mule.runner.wasm.execution;

import static ai.mule.runner.wasm.execution.WasmStepExecutorTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.NullNode;
import org.junit.jupiter.api.Test;

class ModuleInputTest {

    @Test
    void inputFieldsReplaceConfigFieldsWhole() {
        assertThat(ModuleInput.merge(json("{\"greeting\":\"Hi\",\"prompt\":\"c\",\"opts\":{\"a\":1,\"b\":2}}"),
                json("{\"prompt\":\"i\",\"opts\":{\"a\":9}}")))
                .isEqualTo(json("{\"greeting\":\"Hi\",\"prompt\":\"i\",\"opts\":{\"a\":9}}"));
    }

    @Test
    void withoutConfigTheInputIsTheStdin() {
        assertThat(ModuleInput.merge(null, json("{\"prompt\":\"x\"}"))).isEqualTo(json("{\"prompt\":\"x\"}"));
        assertThat(ModuleInput.merge(NullNode.getInstance(), json("{\"prompt\":\"x\"}"))).isEqualTo(json("{\"prompt\":\"x\"}"));
    }

    @Test
    void withoutInputTheConfigIsTheStdin() {
        assertThat(ModuleInput.merge(json("{\"greeting\":\"Hi\"}"), null)).isEqualTo(json("{\"greeting\":\"Hi\"}"));
        assertThat(ModuleInput.merge(null, NullNode.getInstance())).isEqualTo(json("{}"));
    }

    @Test
    void aNonObjectInputBecomesThePrompt() {
        assertThat(ModuleInput.merge(json("{\"prompt\":\"c\",\"k\":1}"), json("\"text\""))).isEqualTo(json("{\"prompt\":\"text\",\"k\":1}"));
        assertThat(ModuleInput.merge(null, json("[1,2]"))).isEqualTo(json("{\"prompt\":[1,2]}"));
        assertThat(ModuleInput.merge(null, json("42"))).isEqualTo(json("{\"prompt\":42}"));
    }

    @Test
    void refusesAConfigThatIsNotAnObject() {
        assertThatThrownBy(() -> ModuleInput.merge(json("\"text\""), json("{}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("module config must be a JSON object, not STRING");
    }

    @Test
    void leavesTheConfigUntouched() {
        var config = json("{\"prompt\":\"c\"}");

        ModuleInput.merge(config, json("{\"prompt\":\"i\"}"));

        assertThat(config).isEqualTo(json("{\"prompt\":\"c\"}"));
    }
}
