package ai.mule.gateway.agents;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * A tool of an agent: its own (name and config, Mule v2's per-agent tools) or a standalone tool it refers to
 * ({@code toolId} set, {@code config} the tool's metadata).
 */
public record AgentTool(UUID agentId, String name, JsonNode config, Instant createdAt, UUID toolId) {

    AgentTool(UUID agentId, String name, JsonNode config, Instant createdAt) {
        this(agentId, name, config, createdAt, null);
    }
}
