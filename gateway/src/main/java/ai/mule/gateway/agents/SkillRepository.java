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
class SkillRepository {

    private static final String COLUMNS = "id, name, description, content, created_at, updated_at";

    private final JdbcClient jdbc;

    SkillRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Skill insert(NewSkill s) {
        UUID id = UUID.randomUUID();
        Instant now = Timestamps.now();
        String description = s.description() == null ? "" : s.description();
        try {
            jdbc.sql("INSERT INTO skills (id, name, description, content, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
                    .params(id, s.name(), description, s.content(), Timestamps.param(now), Timestamps.param(now))
                    .update();
        } catch (DuplicateKeyException e) {
            throw nameTaken(s.name());
        }
        return new Skill(id, s.name(), description, s.content(), now, now);
    }

    Optional<Skill> update(UUID id, NewSkill s) {
        try {
            return jdbc.sql("UPDATE skills SET name = ?, description = ?, content = ?, updated_at = ? WHERE id = ? "
                            + "RETURNING " + COLUMNS)
                    .params(s.name(), s.description() == null ? "" : s.description(), s.content(),
                            Timestamps.param(Timestamps.now()), id)
                    .query(SkillRepository::map).optional();
        } catch (DuplicateKeyException e) {
            throw nameTaken(s.name());
        }
    }

    boolean delete(UUID id) {
        return jdbc.sql("DELETE FROM skills WHERE id = ?").param(id).update() > 0;
    }

    Optional<Skill> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM skills WHERE id = ?").param(id).query(SkillRepository::map).optional();
    }

    List<Skill> list(Paging paging) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM skills ORDER BY name LIMIT ? OFFSET ?")
                .params(paging.pageSize(), paging.offset()).query(SkillRepository::map).list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM skills").query(Long.class).single();
    }

    /** An agent's skills in the order they are appended to its system prompt. */
    List<Skill> ofAgent(UUID agentId) {
        return jdbc.sql("SELECT s.id, s.name, s.description, s.content, s.created_at, s.updated_at FROM agent_skills x "
                        + "JOIN skills s ON s.id = x.skill_id WHERE x.agent_id = ? ORDER BY x.attached_at, s.name")
                .param(agentId).query(SkillRepository::map).list();
    }

    /** Attaches a skill; false if it already was. */
    boolean attach(UUID agentId, UUID skillId) {
        return jdbc.sql("INSERT INTO agent_skills (agent_id, skill_id, attached_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                .params(agentId, skillId, Timestamps.param(Timestamps.now())).update() > 0;
    }

    boolean detach(UUID agentId, UUID skillId) {
        return jdbc.sql("DELETE FROM agent_skills WHERE agent_id = ? AND skill_id = ?").params(agentId, skillId).update() > 0;
    }

    private static ApiException nameTaken(String name) {
        return ApiException.conflict("a skill named '" + name + "' already exists; choose another name");
    }

    private static Skill map(ResultSet rs, int n) throws SQLException {
        return new Skill(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("description"),
                rs.getString("content"), Timestamps.column(rs, "created_at"), Timestamps.column(rs, "updated_at"));
    }
}
