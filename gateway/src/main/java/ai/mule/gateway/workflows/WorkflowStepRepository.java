package ai.mule.gateway.workflows;

import ai.mule.gateway.orchestration.StepPolicyFields;
import ai.mule.gateway.web.ApiException;
import ai.mule.schemas.StepPolicy;
import ai.mule.gateway.web.Json;
import ai.mule.gateway.web.Timestamps;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

@Repository
class WorkflowStepRepository {

    private static final String COLUMNS =
            "id, workflow_id, step_order, step_type, agent_id, wasm_module_id, config, created_at, updated_at, "
                    + StepPolicyFields.COLUMNS + ", " + StepGraphFields.COLUMNS;

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
                        ObjectNode config, StepPolicyFields policy, StepGraphFields graph) {
        UUID id = UUID.randomUUID();
        Instant now = Timestamps.now();
        try {
            return jdbc.sql("""
                            INSERT INTO workflow_steps (id, workflow_id, step_order, step_type, agent_id, wasm_module_id,
                                                        config, created_at, updated_at, """ + StepPolicyFields.COLUMNS
                            + ", " + StepGraphFields.COLUMNS + """
                            )
                            VALUES (?, ?, COALESCE(CAST(? AS INTEGER),
                                        (SELECT COALESCE(MAX(step_order), 0) + 1 FROM workflow_steps WHERE workflow_id = ?)),
                                    ?, ?, ?, CAST(? AS JSONB), ?, ?, ?, ?, ?, ?, ?, ?, """ + StepGraphFields.PLACEHOLDERS
                            + ") RETURNING " + COLUMNS)
                    .params(id, workflowId, stepOrder, workflowId, stepType, agentId, wasmModuleId, Json.write(config),
                            Timestamps.param(now), Timestamps.param(now))
                    .params(policy.values())
                    .params(graph.values())
                    .query(WorkflowStepRepository::map)
                    .single();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("the workflow already has a step with step_order " + stepOrder
                    + "; choose another step_order or leave it out to append the step");
        }
    }

    /** Replaces a step's kind, target and config, and its order when one is given; empty if it is not this workflow's. */
    Optional<WorkflowStep> update(UUID workflowId, UUID stepId, Integer stepOrder, String stepType, UUID agentId,
                                  UUID wasmModuleId, ObjectNode config, StepPolicyFields policy,
                                  StepGraphFields graph) {
        try {
            return jdbc.sql("UPDATE workflow_steps SET step_order = COALESCE(CAST(? AS INTEGER), step_order), step_type = ?, "
                            + "agent_id = ?, wasm_module_id = ?, config = CAST(? AS JSONB), updated_at = ?, "
                            + StepPolicyFields.ASSIGNMENTS + ", " + StepGraphFields.ASSIGNMENTS
                            + " WHERE id = ? AND workflow_id = ? RETURNING " + COLUMNS)
                    .params(stepOrder, stepType, agentId, wasmModuleId, Json.write(config),
                            Timestamps.param(Timestamps.now()))
                    .params(policy.values())
                    .params(graph.values())
                    .params(stepId, workflowId)
                    .query(WorkflowStepRepository::map)
                    .optional();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("the workflow already has a step with step_order " + stepOrder
                    + "; choose another step_order, or use POST .../steps/reorder");
        }
    }

    /** Locks the workflow's row until the transaction ends: saves of its steps are checked one after the other. */
    void lockWorkflow(UUID workflowId) {
        jdbc.sql("SELECT id FROM workflows WHERE id = ? FOR UPDATE").param(workflowId).query(UUID.class).list();
    }

    /**
     * A chain of sub-workflow steps from {@code workflowId} back to itself (workflow names), if there is one: such a
     * workflow would start child jobs without end.
     */
    Optional<List<String>> subWorkflowCycle(UUID workflowId) {
        Map<String, List<String>> edges = new HashMap<>();
        jdbc.sql("SELECT workflow_id::text AS parent, config->>'workflow_id' AS child FROM workflow_steps "
                        + "WHERE step_type = 'workflow'")
                .query((rs, n) -> edges.computeIfAbsent(rs.getString("parent"), k -> new ArrayList<>())
                        .add(rs.getString("child")))
                .list();
        Deque<List<String>> paths = new ArrayDeque<>();
        paths.push(List.of(workflowId.toString()));
        Set<String> seen = new HashSet<>();
        while (!paths.isEmpty()) {
            List<String> path = paths.pop();
            for (String child : edges.getOrDefault(path.get(path.size() - 1), List.of())) {
                List<String> longer = new ArrayList<>(path);
                longer.add(child);
                if (child.equals(workflowId.toString())) {
                    return Optional.of(longer.stream().map(this::workflowName).toList());
                }
                if (seen.add(child)) {
                    paths.push(longer);
                }
            }
        }
        return Optional.empty();
    }

    private String workflowName(String id) {
        return jdbc.sql("SELECT name FROM workflows WHERE id::text = ?").param(id).query(String.class).optional()
                .orElse(id);
    }

    boolean delete(UUID workflowId, UUID stepId) {
        return jdbc.sql("DELETE FROM workflow_steps WHERE id = ? AND workflow_id = ?").params(stepId, workflowId).update() > 0;
    }

    /**
     * Gives the steps orders 1..n in the order of {@code stepIds}, which must name each of the workflow's steps once.
     * The workflow row is locked so two reorders do not interleave; the orders pass through negative values
     * because (workflow_id, step_order) is unique at every statement.
     */
    @Transactional
    public List<WorkflowStep> reorder(UUID workflowId, List<UUID> stepIds) {
        jdbc.sql("SELECT id FROM workflows WHERE id = ? FOR UPDATE").param(workflowId).query(UUID.class).list();
        Set<UUID> current = new HashSet<>(jdbc.sql("SELECT id FROM workflow_steps WHERE workflow_id = ?")
                .param(workflowId).query(UUID.class).list());
        Set<UUID> given = new HashSet<>(stepIds);
        if (given.size() != stepIds.size()) {
            throw ApiException.badRequest("step_ids names a step more than once");
        }
        if (!given.equals(current)) {
            throw ApiException.unprocessable("step_ids must list each of the workflow's " + current.size()
                    + " steps exactly once (GET the workflow's steps for their ids); got " + stepIds.size() + " ids"
                    + (current.containsAll(given) ? "" : ", some of which are not this workflow's steps"));
        }
        jdbc.sql("UPDATE workflow_steps SET step_order = -step_order - 1 WHERE workflow_id = ?").param(workflowId).update();
        for (int i = 0; i < stepIds.size(); i++) {
            jdbc.sql("UPDATE workflow_steps SET step_order = ?, updated_at = ? WHERE id = ?")
                    .params(i + 1, Timestamps.param(Timestamps.now()), stepIds.get(i)).update();
        }
        return list(workflowId);
    }

    private static WorkflowStep map(ResultSet rs, int n) throws SQLException {
        String type = rs.getString("step_type");
        StepPolicy policy = StepPolicyFields.read(rs).resolve(StepPolicyFields.defaultsFor(type));
        StepGraphFields graph = StepGraphFields.read(rs);
        int order = rs.getInt("step_order");
        return new WorkflowStep(rs.getObject("id", UUID.class), rs.getObject("workflow_id", UUID.class),
                rs.getInt("step_order"), type, type, rs.getObject("agent_id", UUID.class),
                rs.getObject("wasm_module_id", UUID.class), Json.column(rs, "config"),
                Timestamps.column(rs, "created_at"), Timestamps.column(rs, "updated_at"), policy.maxAttempts(),
                policy.initialBackoffMs(), policy.backoffMultiplier(), policy.maxBackoffMs(), policy.timeoutMs(),
                policy.retryStepFailures(), graph.nameOr(order), graph.dependsOn(), graph.joinPolicy(), graph.when(),
                graph.forEach(), graph.fallback());
    }
}
