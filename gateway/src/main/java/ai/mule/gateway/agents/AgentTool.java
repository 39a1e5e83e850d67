package ai.mule.gateway.agents;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/** A tool attached to an agent (Mule v2's agent tools), stored as data: its name and config. */
public record AgentTool(UUID agentId, String name, JsonNode config, Instant createdAt) {
}
