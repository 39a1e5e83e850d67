package ai.mule.gateway.agents;

import java.time.Instant;
import java.util.UUID;

public record Agent(UUID id, String name, String description, UUID providerId, String modelId, String systemPrompt,
                    Instant createdAt, Instant updatedAt) {
}
