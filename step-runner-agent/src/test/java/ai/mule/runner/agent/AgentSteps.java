package ai.mule.runner.agent;

import ai.mule.runner.runtime.CancelSignal;
import ai.mule.runner.runtime.StepHandler;
import ai.mule.schemas.AgentStep;
import ai.mule.schemas.StepResult;
import java.time.Clock;
import java.time.Duration;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/** Agent steps and their commands, as the orchestrator sends them. */
public final class AgentSteps {

    public static final String MODEL = "gpt-test";

    private AgentSteps() {
    }

    public static AgentStep agent(String providerId, String baseUrl, String systemPrompt) {
        return new AgentStep(1, UUID.randomUUID().toString(), UUID.randomUUID().toString(), "helper", providerId,
                baseUrl, MODEL, systemPrompt, JsonSerde.mapper().createObjectNode());
    }

    public static StepCommand command(String jobId, AgentStep step, JsonNode input) {
        return StepCommand.of(jobId, 0, 1, step, input, Instant.now(), null);
    }

    /** Runs the command as the runtime would: with a cancel signal whose deadline is the step's timeout from now. */
    public static StepResult run(StepHandler handler, StepCommand command) {
        return handler.handle(command, signal(command));
    }

    public static CancelSignal signal(StepCommand command) {
        long timeoutMs = command.step() == null ? 120_000 : command.step().policy().timeoutMs();
        return CancelSignal.startingNow(Duration.ofMillis(timeoutMs), Clock.systemUTC());
    }

    /** Mule v2's step input: {@code {"prompt": text}}. */
    public static JsonNode prompt(String text) {
        return JsonSerde.mapper().createObjectNode().put("prompt", text);
    }

    public static JsonNode json(String text) {
        try {
            return JsonSerde.mapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
