package ai.mule.gateway.workflows;

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
public class WorkflowRepository {

    private static final String COLUMNS = "id, name, description, is_async, created_at, updated_at";

    private final JdbcClient jdbc;

    WorkflowRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Workflow insert(String name, String description, boolean isAsync) {
        UUID id = UUID.randomUUID();
        Instant now = Timestamps.now();
        try {
            jdbc.sql("INSERT INTO workflows (id, name, description, is_async, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
                    .params(id, name, description, isAsync, Timestamps.param(now), Timestamps.param(now))
                    .update();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("a workflow named '" + name + "' already exists; choose another name");
        }
        return new Workflow(id, name, description, isAsync, now, now);
    }

    /** Replaces name, description and is_async; empty if there is no such workflow. */
    Optional<Workflow> update(UUID id, String name, String description, boolean isAsync) {
        try {
            return jdbc.sql("UPDATE workflows SET name = ?, description = ?, is_async = ?, updated_at = ? WHERE id = ? "
                            + "RETURNING " + COLUMNS)
                    .params(name, description, isAsync, Timestamps.param(Timestamps.now()), id)
                    .query(WorkflowRepository::map).optional();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("a workflow named '" + name + "' already exists; choose another name");
        }
    }

    /** Deletes a workflow and its steps; its jobs stay readable (they keep the workflow's name). */
    boolean delete(UUID id) {
        return jdbc.sql("DELETE FROM workflows WHERE id = ?").param(id).update() > 0;
    }

    public Optional<Workflow> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM workflows WHERE id = ?").param(id).query(WorkflowRepository::map)
                .optional();
    }


    List<Workflow> list(Paging paging) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM workflows ORDER BY name LIMIT ? OFFSET ?")
                .params(paging.pageSize(), paging.offset())
                .query(WorkflowRepository::map)
                .list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM workflows").query(Long.class).single();
    }

    private static Workflow map(ResultSet rs, int n) throws SQLException {
        return new Workflow(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("description"),
                rs.getBoolean("is_async"), Timestamps.column(rs, "created_at"), Timestamps.column(rs, "updated_at"));
    }
}
