package ai.mule.gateway.agents;

import java.time.Instant;
import java.util.UUID;

/**
 * An agent: its provider and model, system prompt, and sampling settings ({@code temperature}, {@code max_tokens};
 * null = the provider's default). Skills and tools are attached separately ({@code /{id}/skills}, {@code /{id}/tools}).
 */
public record Agent(UUID id, String name, String description, UUID providerId, String modelId, String systemPrompt,
                    Double temperature, Integer maxTokens, Instant createdAt, Instant updatedAt) {
}
