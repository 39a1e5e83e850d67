package ai.mule.gateway.agents;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.Json;
import ai.mule.gateway.web.Timestamps;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class AgentToolRepository {

    private final JdbcClient jdbc;

    AgentToolRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<AgentTool> list(UUID agentId) {
        return jdbc.sql("SELECT agent_id, name, config, created_at FROM agent_tools WHERE agent_id = ? ORDER BY name")
                .param(agentId)
                .query((rs, n) -> new AgentTool(rs.getObject("agent_id", UUID.class), rs.getString("name"),
                        Json.column(rs, "config"), Timestamps.column(rs, "created_at")))
                .list();
    }

    AgentTool attach(UUID agentId, String name, ObjectNode config) {
        Instant now = Timestamps.now();
        try {
            jdbc.sql("INSERT INTO agent_tools (agent_id, name, config, created_at) VALUES (?, ?, CAST(? AS JSONB), ?)")
                    .params(agentId, name, Json.write(config), Timestamps.param(now))
                    .update();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("the agent already has a tool named '" + name + "'; detach it first to change it");
        }
        return new AgentTool(agentId, name, config, now);
    }

    boolean detach(UUID agentId, String name) {
        return jdbc.sql("DELETE FROM agent_tools WHERE agent_id = ? AND name = ?").params(agentId, name).update() > 0;
    }
}
