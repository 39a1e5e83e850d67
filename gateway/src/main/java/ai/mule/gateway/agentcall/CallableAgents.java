package ai.mule.gateway.agentcall;

import ai.mule.gateway.secrets.ProviderSecrets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Reads an agent with its provider (key opened) and skills, for a direct call. */
@Component
public class CallableAgents {

    private static final String AGENT = """
            SELECT a.id, a.name, a.model_id, a.system_prompt, a.temperature, a.max_tokens,
                   p.id AS provider_id, p.kind, p.api_base_url, p.api_key
            FROM agents a JOIN providers p ON p.id = a.provider_id
            WHERE a.name = ?
            """;
    private static final String SKILLS = """
            SELECT s.name, s.content FROM agent_skills x JOIN skills s ON s.id = x.skill_id
            WHERE x.agent_id = ? ORDER BY x.attached_at, s.name
            """;

    private final JdbcClient jdbc;
    private final ProviderSecrets secrets;

    CallableAgents(JdbcClient jdbc, ProviderSecrets secrets) {
        this.jdbc = jdbc;
        this.secrets = secrets;
    }

    /**
     * The agent named so, if any. Its skills are read once its row has been read, not from inside the row's mapper:
     * a query run within another holds two of the pool's connections at once, and ten direct calls arriving together
     * each held one and waited for a second until the pool's timeout.
     */
    public Optional<CallableAgent> named(String name) {
        return jdbc.sql(AGENT).param(name).query((rs, n) -> {
            UUID providerId = rs.getObject("provider_id", UUID.class);
            Double temperature = (Double) rs.getObject("temperature");
            Integer maxTokens = (Integer) rs.getObject("max_tokens");
            String apiKey = secrets.open(rs.getString("api_key"), providerId);
            return new Found(rs.getObject("id", UUID.class), new CallableAgent(rs.getString("name"), providerId,
                    rs.getString("kind"), rs.getString("api_base_url"), apiKey, rs.getString("model_id"),
                    rs.getString("system_prompt"), temperature, maxTokens));
        }).optional().map(found -> found.withSkills(skills(found.agentId())));
    }

    /** An agent as its row has it: the system prompt without its skills yet. */
    private record Found(UUID agentId, CallableAgent agent) {

        CallableAgent withSkills(List<Skill> skills) {
            return new CallableAgent(agent.name(), agent.providerId(), agent.providerKind(), agent.baseUrl(),
                    agent.apiKey(), agent.model(), CallableAgents.withSkills(agent.systemPrompt(), skills),
                    agent.temperature(), agent.maxTokens());
        }
    }

    private List<Skill> skills(UUID agentId) {
        return jdbc.sql(SKILLS).param(agentId).query((rs, n) -> new Skill(rs.getString("name"), rs.getString("content")))
                .list();
    }

    /**
     * The system prompt with each skill appended under its name, as the job snapshot builds it too: the agent reads
     * its skills as part of its instructions.
     */
    public static String withSkills(String systemPrompt, List<Skill> skills) {
        StringBuilder prompt = new StringBuilder(systemPrompt == null ? "" : systemPrompt);
        for (Skill skill : skills) {
            if (prompt.length() > 0) {
                prompt.append("\n\n");
            }
            prompt.append("## Skill: ").append(skill.name()).append("\n\n").append(skill.content());
        }
        return prompt.toString();
    }

    /** A named instruction document attached to an agent. */
    public record Skill(String name, String content) {
    }
}
