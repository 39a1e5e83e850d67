package ai.mule.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * An agent step: the agent's model, system prompt (with its skills appended) and provider endpoint. The provider's
 * API key is not here on purpose (secrets never travel in Kafka); the runner looks it up by {@code providerId}.
 *
 * @param providerKind how to talk to the provider: {@code openai} (any OpenAI-compatible endpoint; the default when
 *                     null), {@code ollama}, {@code anthropic}, {@code gemini}
 * @param temperature  sampling temperature, or null for the provider's default
 * @param maxTokens    most tokens the reply may have, or null for the provider's default
 * @param maxToolCalls most tool calls in one run of the step (setting {@code max_tool_calls}); null: the runner's default
 * @param tools        the tools the agent may call; empty for none
 */
public record AgentStep(int stepOrder, String workflowStepId, String agentId, String agentName, String providerId,
                        String apiBaseUrl, String model, String systemPrompt, JsonNode config, StepPolicy policy,
                        String providerKind, Double temperature, Integer maxTokens, Integer maxToolCalls,
                        List<AgentTool> tools)
        implements StepDefinition {

    public static final String KIND_OPENAI = "openai";

    public AgentStep {
        policy = policy == null ? StepPolicy.AGENT_DEFAULT : policy;
        tools = tools == null ? List.of() : List.copyOf(tools);
    }

    public AgentStep(int stepOrder, String workflowStepId, String agentId, String agentName, String providerId,
                     String apiBaseUrl, String model, String systemPrompt, JsonNode config, StepPolicy policy) {
        this(stepOrder, workflowStepId, agentId, agentName, providerId, apiBaseUrl, model, systemPrompt, config, policy,
                null, null, null, null, List.of());
    }

    public AgentStep(int stepOrder, String workflowStepId, String agentId, String agentName, String providerId,
                     String apiBaseUrl, String model, String systemPrompt, JsonNode config) {
        this(stepOrder, workflowStepId, agentId, agentName, providerId, apiBaseUrl, model, systemPrompt, config,
                StepPolicy.AGENT_DEFAULT);
    }

    /** The provider kind, {@code openai} when the snapshot names none (older gateways). */
    public String providerKindOrDefault() {
        return providerKind == null || providerKind.isBlank() ? KIND_OPENAI : providerKind;
    }

    /** The same step with another policy (the gateway resolves it per workflow step). */
    public AgentStep withPolicy(StepPolicy newPolicy) {
        return new AgentStep(stepOrder, workflowStepId, agentId, agentName, providerId, apiBaseUrl, model, systemPrompt,
                config, newPolicy, providerKind, temperature, maxTokens, maxToolCalls, tools);
    }

    @Override
    public Topic<String, StepCommand> commandTopic() {
        return Topics.STEPS_AGENT;
    }
}
