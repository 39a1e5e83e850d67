package ai.mule.schemas;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An agent step: the agent's model, system prompt and provider endpoint. The provider's API key is not
 * here on purpose (secrets never travel in Kafka); the runner looks it up by {@code providerId}.
 */
public record AgentStep(int stepOrder, String workflowStepId, String agentId, String agentName, String providerId,
                        String apiBaseUrl, String model, String systemPrompt, JsonNode config, StepPolicy policy)
        implements StepDefinition {

    public AgentStep {
        policy = policy == null ? StepPolicy.AGENT_DEFAULT : policy;
    }

    public AgentStep(int stepOrder, String workflowStepId, String agentId, String agentName, String providerId,
                     String apiBaseUrl, String model, String systemPrompt, JsonNode config) {
        this(stepOrder, workflowStepId, agentId, agentName, providerId, apiBaseUrl, model, systemPrompt, config,
                StepPolicy.AGENT_DEFAULT);
    }

    @Override
    public Topic<String, StepCommand> commandTopic() {
        return Topics.STEPS_AGENT;
    }
}
