package ai.mule.gateway.tools;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.Json;
import ai.mule.gateway.web.Paging;
import ai.mule.gateway.web.Timestamps;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class ToolRepository {

    private static final String COLUMNS = "id, name, description, metadata, created_at, updated_at";

    private final JdbcClient jdbc;

    ToolRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Tool insert(String name, String description, JsonNode metadata, ObjectNode callConfig) {
        UUID id = UUID.randomUUID();
        Instant now = Timestamps.now();
        try {
            jdbc.sql("INSERT INTO tools (id, name, description, metadata, call_config, created_at, updated_at) "
                            + "VALUES (?, ?, ?, CAST(? AS JSONB), CAST(? AS JSONB), ?, ?)")
                    .params(id, name, description, Json.write(metadata), callConfig == null ? null : Json.write(callConfig),
                            Timestamps.param(now), Timestamps.param(now))
                    .update();
        } catch (DuplicateKeyException e) {
            throw nameTaken(name);
        }
        return new Tool(id, name, description, metadata, now, now);
    }

    Optional<Tool> update(UUID id, String name, String description, JsonNode metadata, ObjectNode callConfig) {
        try {
            return jdbc.sql("UPDATE tools SET name = ?, description = ?, metadata = CAST(? AS JSONB), "
                            + "call_config = CAST(? AS JSONB), updated_at = ? WHERE id = ? RETURNING " + COLUMNS)
                    .params(name, description, Json.write(metadata), callConfig == null ? null : Json.write(callConfig),
                            Timestamps.param(Timestamps.now()), id)
                    .query(ToolRepository::map).optional();
        } catch (DuplicateKeyException e) {
            throw nameTaken(name);
        }
    }

    boolean delete(UUID id) {
        return jdbc.sql("DELETE FROM tools WHERE id = ?").param(id).update() > 0;
    }

    public Optional<Tool> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM tools WHERE id = ?").param(id).query(ToolRepository::map).optional();
    }

    List<Tool> list(Paging paging) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM tools ORDER BY name LIMIT ? OFFSET ?")
                .params(paging.pageSize(), paging.offset()).query(ToolRepository::map).list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM tools").query(Long.class).single();
    }

    /** The standalone tools an agent refers to, in name order. */
    public List<Tool> ofAgent(UUID agentId) {
        return jdbc.sql("SELECT t.id, t.name, t.description, t.metadata, t.created_at, t.updated_at FROM agent_tool_refs r "
                        + "JOIN tools t ON t.id = r.tool_id WHERE r.agent_id = ? ORDER BY t.name")
                .param(agentId).query(ToolRepository::map).list();
    }

    /** Makes the agent refer to the tool; false if it already did. */
    public boolean attach(UUID agentId, UUID toolId) {
        return jdbc.sql("INSERT INTO agent_tool_refs (agent_id, tool_id, attached_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                .params(agentId, toolId, Timestamps.param(Timestamps.now())).update() > 0;
    }

    public boolean detach(UUID agentId, UUID toolId) {
        return jdbc.sql("DELETE FROM agent_tool_refs WHERE agent_id = ? AND tool_id = ?").params(agentId, toolId).update() > 0;
    }

    private static ApiException nameTaken(String name) {
        return ApiException.conflict("a tool named '" + name + "' already exists; choose another name");
    }

    private static Tool map(ResultSet rs, int n) throws SQLException {
        return new Tool(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("description"),
                Json.column(rs, "metadata"), Timestamps.column(rs, "created_at"), Timestamps.column(rs, "updated_at"));
    }
}
