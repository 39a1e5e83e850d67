package ai.mule.gateway.agentcall;

import java.util.UUID;

/**
 * An agent ready to be called directly: its provider's protocol, endpoint and opened key, its model, and its system
 * prompt with its skills appended. Lives only for one call; never serialised, never logged with its key.
 */
public record CallableAgent(String name, UUID providerId, String providerKind, String baseUrl, String apiKey, String model,
                            String systemPrompt, Double temperature, Integer maxTokens) {

    @Override
    public String toString() {
        return "CallableAgent[" + name + ", " + providerKind + " " + baseUrl + ", model " + model + "]";
    }
}
