package ai.mule.gateway.jobs;

import ai.mule.gateway.agents.AgentSnapshots;
import ai.mule.gateway.orchestration.StepPolicyFields;
import ai.mule.gateway.web.Json;
import ai.mule.schemas.AgentStep;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.WasmStep;
import ai.mule.schemas.WorkflowStep;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Takes the snapshot a job runs on, in one query per job: the workflow, its steps in order, and for each step
 * the module (name, sha256, config) or the agent and its provider endpoint. The provider's API key is not read:
 * secrets never travel in Kafka, the agent runner looks the key up itself.
 */
@Component
public class JobPlanner {

    private static final String WORKFLOW_SNAPSHOT = """
            SELECT w.id AS workflow_id, w.name AS workflow_name,
                   s.id AS step_id, s.step_order, s.step_type, s.config AS step_config,
                   s.max_attempts, s.initial_backoff_ms, s.backoff_multiplier, s.max_backoff_ms, s.timeout_ms,
                   s.retry_step_failures, s.name, s.depends_on, s.join_policy, s.when_condition, s.for_each, s.fallback,
                   m.id AS module_id, m.name AS module_name, m.sha256, m.config AS module_config,
                   a.id AS agent_id, a.name AS agent_name, a.model_id, a.system_prompt,
                   p.id AS provider_id, p.api_base_url, cw.name AS child_workflow_name
            FROM workflows w
            LEFT JOIN workflow_steps s ON s.workflow_id = w.id
            LEFT JOIN workflows cw ON s.step_type = 'workflow' AND cw.id::text = s.config->>'workflow_id'
            LEFT JOIN wasm_modules m ON m.id = s.wasm_module_id
            LEFT JOIN agents a ON a.id = s.agent_id
            LEFT JOIN providers p ON p.id = a.provider_id
            WHERE %s
            ORDER BY s.step_order
            """;
    private static final String AGENT_SNAPSHOT = """
            SELECT a.id AS agent_id, a.name AS agent_name, a.model_id, a.system_prompt,
                   p.id AS provider_id, p.api_base_url
            FROM agents a JOIN providers p ON p.id = a.provider_id
            WHERE %s
            """;

    private final JdbcClient jdbc;
    private final AgentSnapshots agentSnapshots;
    private final FlowPlanner flows;

    JobPlanner(JdbcClient jdbc, AgentSnapshots agentSnapshots) {
        this.jdbc = jdbc;
        this.agentSnapshots = agentSnapshots;
        this.flows = new FlowPlanner(this);
    }

    public Optional<JobPlan> workflow(UUID id) {
        return workflow("w.id = ?", id);
    }

    public Optional<JobPlan> workflowNamed(String name) {
        return workflow("w.name = ?", name);
    }

    /** One WASM module run as a one-step job (Mule v2 runs a module id given as the workflow id). */
    public Optional<JobPlan> module(UUID id) {
        return jdbc.sql("SELECT id, name, sha256, config FROM wasm_modules WHERE id = ?")
                .param(id)
                .query((rs, n) -> {
                    UUID moduleId = rs.getObject("id", UUID.class);
                    String name = rs.getString("name");
                    StepDefinition step = new WasmStep(1, null, moduleId.toString(), name, rs.getString("sha256").trim(),
                            Json.column(rs, "config"));
                    return new JobPlan(null, moduleId, null, name, List.of(step));
                })
                .optional();
    }

    /** One agent answering directly, as a one-step job ({@code agent/<name>} chat completions). */
    public Optional<JobPlan> agentNamed(String name) {
        return agent("a.name = ?", name);
    }

    public Optional<JobPlan> agent(UUID id) {
        return agent("a.id = ?", id);
    }

    private Optional<JobPlan> agent(String condition, Object value) {
        return jdbc.sql(AGENT_SNAPSHOT.formatted(condition))
                .param(value)
                .query((rs, n) -> {
                    AgentStep step = agentStep(rs, 1, null, Json.emptyObject());
                    return new JobPlan(null, null, UUID.fromString(step.agentId()), step.agentName(), List.of(step));
                })
                .optional()
                // provider kind, sampling settings, skills and tools of the agent (issue 6)
                .map(plan -> new JobPlan(null, null, plan.agentId(), plan.workflowName(),
                        agentSnapshots.complete(plan.steps())));
    }

    private Optional<JobPlan> workflow(String condition, Object value) {
        List<Row> rows = jdbc.sql(WORKFLOW_SNAPSHOT.formatted(condition))
                .param(value)
                .query(JobPlanner::row)
                .list();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        List<StepDefinition> steps = new ArrayList<>();
        List<FlowPlanner.Graph> graph = new ArrayList<>();
        for (Row row : rows) {
            if (row.step() != null) {
                steps.add(row.step());
                graph.add(row.graph());
            }
        }
        Row first = rows.get(0);
        // provider kind, sampling settings, skills and tools of each agent step (issue 6)
        return Optional.of(new JobPlan(first.workflowId(), null, null, first.workflowName(),
                agentSnapshots.complete(steps), flows.flow(steps, graph)));
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        UUID workflowId = rs.getObject("workflow_id", UUID.class);
        String workflowName = rs.getString("workflow_name");
        UUID stepId = rs.getObject("step_id", UUID.class);
        if (stepId == null) {
            return new Row(workflowId, workflowName, null, null);
        }
        int order = rs.getInt("step_order");
        ObjectNode stepConfig = objectOrEmpty(Json.column(rs, "step_config"));
        StepDefinition step;
        String stepType = rs.getString("step_type");
        // the step's own retry/timeout settings over its type's defaults, fixed in the snapshot
        StepPolicy policy = StepPolicyFields.read(rs).resolve(StepPolicyFields.defaultsFor(stepType));
        if ("workflow".equals(stepType)) {
            // a sub-workflow: its child job takes the child workflow's snapshot when it starts
            step = new WorkflowStep(order, stepId.toString(), stepConfig.path("workflow_id").asText(),
                    rs.getString("child_workflow_name"), stepConfig, policy);
        } else if ("wasm_module".equals(stepType)) {
            // The module's own config with the step's config over it: one workflow can use a module with
            // different settings per step, and a step without config behaves as Mule v2's did.
            ObjectNode config = objectOrEmpty(Json.column(rs, "module_config")).deepCopy();
            config.setAll(stepConfig);
            step = new WasmStep(order, stepId.toString(), rs.getObject("module_id", UUID.class).toString(),
                    rs.getString("module_name"), rs.getString("sha256").trim(), config, policy);
        } else {
            AgentStep agent = agentStep(rs, order, stepId.toString(), stepConfig);
            step = new AgentStep(agent.stepOrder(), agent.workflowStepId(), agent.agentId(), agent.agentName(),
                    agent.providerId(), agent.apiBaseUrl(), agent.model(), agent.systemPrompt(), agent.config(), policy);
        }
        return new Row(workflowId, workflowName, step, FlowPlanner.Graph.read(rs, order));
    }

    /** A WASM module as a step of a snapshot, its config over the module's own (a fallback's target). */
    Optional<StepDefinition> moduleStep(UUID moduleId, int order, String workflowStepId, ObjectNode stepConfig,
                                        StepPolicy policy) {
        return jdbc.sql("SELECT id, name, sha256, config FROM wasm_modules WHERE id = ?")
                .param(moduleId)
                .query((rs, n) -> {
                    ObjectNode config = objectOrEmpty(Json.column(rs, "config")).deepCopy();
                    config.setAll(stepConfig);
                    return (StepDefinition) new WasmStep(order, workflowStepId, moduleId.toString(), rs.getString("name"),
                            rs.getString("sha256").trim(), config, policy);
                })
                .optional();
    }

    /** An agent as a step of a snapshot, completed like any agent step (a fallback's target). */
    Optional<StepDefinition> agentStep(UUID agentId, int order, String workflowStepId, ObjectNode config,
                                       StepPolicy policy) {
        return jdbc.sql(AGENT_SNAPSHOT.formatted("a.id = ?"))
                .param(agentId)
                .query((rs, n) -> (StepDefinition) agentStep(rs, order, workflowStepId, config).withPolicy(policy))
                .optional()
                .map(step -> agentSnapshots.complete(List.of(step)).get(0));
    }

    private static AgentStep agentStep(ResultSet rs, int order, String workflowStepId, JsonNode config)
            throws SQLException {
        return new AgentStep(order, workflowStepId, rs.getObject("agent_id", UUID.class).toString(),
                rs.getString("agent_name"), rs.getObject("provider_id", UUID.class).toString(),
                rs.getString("api_base_url"), rs.getString("model_id"), rs.getString("system_prompt"), config);
    }

    private static ObjectNode objectOrEmpty(JsonNode node) {
        return node instanceof ObjectNode object ? object : Json.emptyObject();
    }

    private record Row(UUID workflowId, String workflowName, StepDefinition step, FlowPlanner.Graph graph) {
    }
}
