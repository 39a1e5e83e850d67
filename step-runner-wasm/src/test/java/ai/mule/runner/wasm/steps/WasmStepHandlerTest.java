package ai.mule.runner.wasm.steps;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.runner.runtime.CancelSignal;
import ai.mule.runner.wasm.execution.StepFailure.Reason;
import ai.mule.runner.wasm.execution.WasmLimits;
import ai.mule.runner.wasm.execution.WasmStepExecutor;
import ai.mule.runner.wasm.modules.CompiledModuleCache;
import ai.mule.runner.wasm.modules.ModuleCompiler;
import ai.mule.runner.wasm.modules.ModuleUnavailableException;
import ai.mule.schemas.AgentStep;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.WasmStep;
import ai.mule.testkit.WasmFixtures;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WasmStepHandlerTest {

    private static final byte[] GREET = WasmFixtures.wasm("greet.wasm");
    private static final String GREET_SHA = WasmFixtures.sha256(GREET);
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private final WasmStepExecutor executor = new WasmStepExecutor(new WasmLimits(Duration.ofSeconds(5), 64, 65_536, 65_536));
    private final Map<String, byte[]> stored = Map.of(GREET_SHA, GREET);
    private final WasmStepHandler handler = new WasmStepHandler(new CompiledModuleCache(sha -> {
        byte[] bytes = stored.get(sha);
        if (bytes == null) {
            throw new ModuleUnavailableException(Reason.MODULE_NOT_FOUND, "no module with sha256 " + sha + " is stored");
        }
        return bytes;
    }, new ModuleCompiler(false), 4), executor, Clock.fixed(NOW, ZoneOffset.UTC));

    @AfterEach
    void close() {
        executor.close();
    }

    @Test
    void runsTheModuleAndReportsItsOutput() {
        StepCommand command = command(new WasmStep(2, "ws-1", "m-1", "greet", GREET_SHA,
                JsonSerde.mapper().createObjectNode().put("greeting", "Hola")));

        StepResult result = handler.handle(command, signal());

        assertThat(result.success()).isTrue();
        assertThat(result.output()).isEqualTo(TextNode.valueOf("Hola, Mule!"));
        assertThat(result.jobId()).isEqualTo("job-7");
        assertThat(result.stepIndex()).isEqualTo(1);
        assertThat(result.attempt()).isEqualTo(2);
        assertThat(result.stdout()).contains("Hola, Mule!");
        assertThat(result.finishedAt()).isEqualTo(NOW);
        assertThat(result.durationMicros()).isPositive();
    }

    @Test
    void failsTheStepWhenTheModuleIsNotStored() {
        String missing = "0".repeat(64);

        StepResult result = handler.handle(command(new WasmStep(1, null, "m-2", "ghost", missing, null)), signal());

        assertThat(result.success()).isFalse();
        assertThat(result.error()).isEqualTo("module 'ghost': no module with sha256 " + missing + " is stored");
        assertThat(result.failureKind()).isEqualTo(ai.mule.schemas.FailureKind.INVALID_INPUT);
        assertThat(result.durationMicros()).isZero();
    }

    @Test
    void failsACommandThatIsNotAWasmStep() {
        StepDefinition agent = JsonSerde.mapper().convertValue(Map.of("type", "agent", "step_order", 1, "agent_id", "a"),
                StepDefinition.class);
        assertThat(agent).isInstanceOf(AgentStep.class);

        StepResult result = handler.handle(command(agent), signal());

        assertThat(result.success()).isFalse();
        assertThat(result.error()).contains("carries no WASM step");
    }

    @Test
    void refusesAMountWhenTheRunnerHasNoMountRoot() {
        StepResult result = handler.handle(command(new WasmStep(1, null, "m-1", "greet", GREET_SHA,
                JsonSerde.mapper().createObjectNode().set("mount", JsonSerde.mapper().createObjectNode()
                        .put("host", "x").put("guest", "/data")))), signal());

        assertThat(result.failureKind()).isEqualTo(ai.mule.schemas.FailureKind.INVALID_INPUT);
        assertThat(result.error()).contains("this runner has no mount root");
    }

    @Test
    void stopsTheRunWhenTheSignalIsCancelled() throws Exception {
        StepCommand command = command(new WasmStep(1, null, "m-1", "greet", GREET_SHA, null));
        CancelSignal cancel = signal();
        cancel.cancel();

        StepResult result = handler.handle(command, cancel);

        assertThat(result.failureKind()).isEqualTo(ai.mule.schemas.FailureKind.CANCELLED);
        assertThat(result.error()).isEqualTo("module 'greet' was stopped: its job was cancelled");
    }

    private static CancelSignal signal() {
        return CancelSignal.startingNow(Duration.ofSeconds(5), Clock.systemUTC());
    }

    private static StepCommand command(StepDefinition step) {
        return StepCommand.of("job-7", 1, 2, step, JsonSerde.mapper().createObjectNode().put("prompt", "Mule"), NOW,
                null);
    }
}
