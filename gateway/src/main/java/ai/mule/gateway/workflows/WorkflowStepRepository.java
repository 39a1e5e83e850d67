package ai.mule.gateway.workflows;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.Json;
import ai.mule.gateway.web.Timestamps;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class WorkflowStepRepository {

    private static final String COLUMNS =
            "id, workflow_id, step_order, step_type, agent_id, wasm_module_id, config, created_at, updated_at";

    private final JdbcClient jdbc;

    WorkflowStepRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<WorkflowStep> list(UUID workflowId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM workflow_steps WHERE workflow_id = ? ORDER BY step_order")
                .param(workflowId)
                .query(WorkflowStepRepository::map)
                .list();
    }

    /** Inserts a step; without a step order it goes after the last one, computed in the same statement. */
    WorkflowStep insert(UUID workflowId, Integer stepOrder, String stepType, UUID agentId, UUID wasmModuleId,
                        ObjectNode config) {
        UUID id = UUID.randomUUID();
        Instant now = Timestamps.now();
        try {
            return jdbc.sql("""
                            INSERT INTO workflow_steps (id, workflow_id, step_order, step_type, agent_id, wasm_module_id,
                                                        config, created_at, updated_at)
                            VALUES (?, ?, COALESCE(CAST(? AS INTEGER),
                                        (SELECT COALESCE(MAX(step_order), 0) + 1 FROM workflow_steps WHERE workflow_id = ?)),
                                    ?, ?, ?, CAST(? AS JSONB), ?, ?)
                            RETURNING\s""" + COLUMNS)
                    .params(id, workflowId, stepOrder, workflowId, stepType, agentId, wasmModuleId, Json.write(config),
                            Timestamps.param(now), Timestamps.param(now))
                    .query(WorkflowStepRepository::map)
                    .single();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("the workflow already has a step with step_order " + stepOrder
                    + "; choose another step_order or leave it out to append the step");
        }
    }

    private static WorkflowStep map(ResultSet rs, int n) throws SQLException {
        String type = rs.getString("step_type");
        return new WorkflowStep(rs.getObject("id", UUID.class), rs.getObject("workflow_id", UUID.class),
                rs.getInt("step_order"), type, type, rs.getObject("agent_id", UUID.class),
                rs.getObject("wasm_module_id", UUID.class), Json.column(rs, "config"),
                Timestamps.column(rs, "created_at"), Timestamps.column(rs, "updated_at"));
    }
}
