package ai.mule.gateway.agents;

import ai.mule.gateway.agentcall.CallableAgents;
import ai.mule.gateway.web.Json;
import ai.mule.schemas.AgentStep;
import ai.mule.schemas.AgentTool;
import ai.mule.schemas.StepDefinition;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Completes an agent step of a job's snapshot with what issue 6 added to agents: the provider's kind, temperature and
 * max tokens, the skills appended to the system prompt, the tools with their schemas, and the {@code max_tool_calls}
 * setting. Everything the runner needs, fixed when the job is accepted; still no secret.
 */
@Component
public class AgentSnapshots {

    private static final int DEFAULT_MAX_TOOL_CALLS = 10;

    private final JdbcClient jdbc;
    private final SkillRepository skills;

    AgentSnapshots(JdbcClient jdbc, SkillRepository skills) {
        this.jdbc = jdbc;
        this.skills = skills;
    }

    /** The steps with each agent step completed; WASM steps unchanged (and no query for a WASM-only job). */
    public List<StepDefinition> complete(List<StepDefinition> steps) {
        if (steps.stream().noneMatch(s -> s instanceof AgentStep)) {
            return steps;
        }
        Integer maxToolCalls = maxToolCalls();
        List<StepDefinition> completed = new ArrayList<>(steps.size());
        for (StepDefinition step : steps) {
            completed.add(step instanceof AgentStep agent ? complete(agent, maxToolCalls) : step);
        }
        return completed;
    }

    private AgentStep complete(AgentStep step, Integer maxToolCalls) {
        UUID agentId = UUID.fromString(step.agentId());
        Optional<Extra> extra = jdbc.sql("SELECT p.kind, a.temperature, a.max_tokens FROM agents a "
                        + "JOIN providers p ON p.id = a.provider_id WHERE a.id = ?")
                .param(agentId)
                .query((rs, n) -> new Extra(rs.getString("kind"), (Double) rs.getObject("temperature"),
                        (Integer) rs.getObject("max_tokens")))
                .optional();
        if (extra.isEmpty()) {
            return step;
        }
        String prompt = CallableAgents.withSkills(step.systemPrompt(), skills.ofAgent(agentId).stream()
                .map(s -> new CallableAgents.Skill(s.name(), s.content())).toList());
        return new AgentStep(step.stepOrder(), step.workflowStepId(), step.agentId(), step.agentName(), step.providerId(),
                step.apiBaseUrl(), step.model(), prompt, step.config(), step.policy(), extra.get().kind(),
                extra.get().temperature(), extra.get().maxTokens(), maxToolCalls, tools(agentId));
    }

    /**
     * The agent's typed tools in name order: its own and the standalone tools it refers to (a tool of its own wins a
     * name both have); a WASM module tool whose module is gone is left out.
     */
    List<AgentTool> tools(UUID agentId) {
        List<Row> rows = jdbc.sql("SELECT t.name, t.config, m.description AS module_description, m.config AS module_config, "
                        + "m.id AS module_id FROM ("
                        + "SELECT name, config, 0 AS rank FROM agent_tools WHERE agent_id = ? AND config->>'type' IS NOT NULL "
                        + "UNION ALL SELECT s.name, s.call_config, 1 FROM agent_tool_refs r JOIN tools s ON s.id = r.tool_id "
                        + "WHERE r.agent_id = ? AND s.call_config IS NOT NULL) t LEFT JOIN wasm_modules m "
                        + "ON t.config->>'type' = 'wasm_module' AND m.id::text = t.config->>'module_id' "
                        + "ORDER BY t.name, t.rank")
                .params(agentId, agentId)
                .query((rs, n) -> new Row(rs.getString("name"), Json.column(rs, "config"),
                        rs.getString("module_description"), Json.column(rs, "module_config"),
                        rs.getObject("module_id", UUID.class)))
                .list();
        List<AgentTool> tools = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Row row : rows) {
            if (!names.add(row.name())) {
                continue;
            }
            AgentTool.Kind kind = ToolConfigs.kind(row.config().get("type"));
            JsonNode schema = ToolConfigs.inputSchema(kind);
            String description = row.config().path("description").asText(null);
            if (kind == AgentTool.Kind.WASM_MODULE) {
                if (row.moduleId() == null) {
                    continue;
                }
                JsonNode tool = row.moduleConfig() == null ? null : row.moduleConfig().get("tool");
                if (tool != null && tool.path("input_schema").isObject()) {
                    schema = tool.get("input_schema");
                }
                if (description == null && tool != null && tool.path("description").isTextual()) {
                    description = tool.get("description").asText();
                }
                if (description == null && row.moduleDescription() != null && !row.moduleDescription().isBlank()) {
                    description = row.moduleDescription();
                }
            }
            tools.add(new AgentTool(row.name(), kind, description == null
                    ? ToolConfigs.defaultDescription(kind, row.config()) : description, schema, row.config()));
        }
        return tools;
    }

    private Integer maxToolCalls() {
        return jdbc.sql("SELECT value FROM settings WHERE key = 'max_tool_calls'").query(String.class).optional()
                .map(value -> {
                    try {
                        return Integer.parseInt(value.trim());
                    } catch (NumberFormatException e) {
                        return DEFAULT_MAX_TOOL_CALLS;
                    }
                })
                .orElse(DEFAULT_MAX_TOOL_CALLS);
    }

    private record Extra(String kind, Double temperature, Integer maxTokens) {
    }

    private record Row(String name, JsonNode config, String moduleDescription, JsonNode moduleConfig, UUID moduleId) {
    }
}
