package ai.mule.schemas;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An agent step: the agent's model, system prompt and provider endpoint. The provider's API key is not
 * here on purpose (secrets never travel in Kafka); the runner looks it up by {@code providerId}.
 */
public record AgentStep(int stepOrder, String workflowStepId, String agentId, String agentName, String providerId,
                        String apiBaseUrl, String model, String systemPrompt, JsonNode config) implements StepDefinition {

    @Override
    public Topic<String, StepCommand> commandTopic() {
        return Topics.STEPS_AGENT;
    }
}
