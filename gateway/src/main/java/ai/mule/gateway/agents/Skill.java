package ai.mule.gateway.agents;

import java.time.Instant;
import java.util.UUID;

/** A named instruction document; attached to agents, it is appended to their system prompt. */
public record Skill(UUID id, String name, String description, String content, Instant createdAt, Instant updatedAt) {
}
