package ai.mule.runner.agent.execution;

import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Mule v2's rule for what an agent is asked: the input's {@code prompt} when it is a string (the
 * previous step's output arrives as {@code {"prompt": output}}), otherwise the whole input as JSON text.
 */
final class AgentPrompt {

    private AgentPrompt() {
    }

    static String userMessage(JsonNode input) {
        if (input == null || input.isMissingNode()) {
            throw new AgentStepFailure("step command has no input");
        }
        JsonNode prompt = input.get("prompt");
        if (prompt != null && prompt.isTextual()) {
            return prompt.textValue();
        }
        try {
            return JsonSerde.mapper().writeValueAsString(input);
        } catch (JsonProcessingException e) {
            throw new AgentStepFailure("cannot write the step input as JSON: " + e.getOriginalMessage());
        }
    }
}
