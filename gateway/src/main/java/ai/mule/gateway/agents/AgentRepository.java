package ai.mule.gateway.agents;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.Paging;
import ai.mule.gateway.web.Timestamps;
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
public class AgentRepository {

    private static final String COLUMNS = "id, name, description, provider_id, model_id, system_prompt, temperature, max_tokens, created_at, updated_at";

    private final JdbcClient jdbc;

    AgentRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Agent insert(String name, String description, UUID providerId, String modelId, String systemPrompt,
                 Double temperature, Integer maxTokens) {
        UUID id = UUID.randomUUID();
        Instant now = Timestamps.now();
        try {
            jdbc.sql("INSERT INTO agents (id, name, description, provider_id, model_id, system_prompt, temperature, "
                            + "max_tokens, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(id, name, description, providerId, modelId, systemPrompt, temperature, maxTokens,
                            Timestamps.param(now), Timestamps.param(now))
                    .update();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("an agent named '" + name + "' already exists; choose another name");
        }
        return new Agent(id, name, description, providerId, modelId, systemPrompt, temperature, maxTokens, now, now);
    }

    /** Replaces an agent's fields; empty if there is no such agent. */
    Optional<Agent> update(UUID id, String name, String description, UUID providerId, String modelId, String systemPrompt,
                           Double temperature, Integer maxTokens) {
        try {
            return jdbc.sql("UPDATE agents SET name = ?, description = ?, provider_id = ?, model_id = ?, system_prompt = ?, "
                            + "temperature = ?, max_tokens = ?, updated_at = ? WHERE id = ? RETURNING " + COLUMNS)
                    .params(name, description, providerId, modelId, systemPrompt, temperature, maxTokens,
                            Timestamps.param(Timestamps.now()), id)
                    .query(AgentRepository::map).optional();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("an agent named '" + name + "' already exists; choose another name");
        }
    }

    /** Deletes an agent no workflow step uses; false if there was none. Its tools go with it. */
    boolean delete(UUID id) {
        List<String> users = jdbc.sql("SELECT DISTINCT w.name FROM workflow_steps s JOIN workflows w ON w.id = s.workflow_id "
                        + "WHERE s.agent_id = ? ORDER BY w.name LIMIT 5")
                .param(id).query(String.class).list();
        if (!users.isEmpty()) {
            throw ApiException.conflict("the agent is a step of workflows " + String.join(", ", users)
                    + "; remove those steps first");
        }
        return jdbc.sql("DELETE FROM agents WHERE id = ?").param(id).update() > 0;
    }

    public Optional<Agent> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM agents WHERE id = ?").param(id).query(AgentRepository::map).optional();
    }


    List<Agent> list(Paging paging) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM agents ORDER BY name LIMIT ? OFFSET ?")
                .params(paging.pageSize(), paging.offset())
                .query(AgentRepository::map)
                .list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM agents").query(Long.class).single();
    }

    private static Agent map(ResultSet rs, int n) throws SQLException {
        return new Agent(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("description"),
                rs.getObject("provider_id", UUID.class), rs.getString("model_id"), rs.getString("system_prompt"),
                (Double) rs.getObject("temperature"), (Integer) rs.getObject("max_tokens"),
                Timestamps.column(rs, "created_at"), Timestamps.column(rs, "updated_at"));
    }
}
