package ai.mule.gateway.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * A standalone tool (Mule v2's {@code /api/v1/tools}) that agents refer to by id. {@code metadata} is Mule v2's
 * {@code {"tool_type": ..., "config": {...}}}, returned as it was sent.
 */
public record Tool(UUID id, String name, String description, JsonNode metadata, Instant createdAt, Instant updatedAt) {
}
