package ai.mule.gateway.agents;

import ai.mule.gateway.providers.ProviderRepository;
import ai.mule.gateway.tools.Tool;
import ai.mule.gateway.tools.ToolRepository;
import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.DataResponse;
import ai.mule.gateway.web.Ids;
import ai.mule.gateway.web.Json;
import ai.mule.gateway.web.PageResponse;
import ai.mule.gateway.web.Paging;
import ai.mule.gateway.web.RequestLimits;
import ai.mule.gateway.web.ResourceNames;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.validation.Valid;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/agents")
class AgentController {

    private final AgentRepository agents;
    private final AgentToolRepository tools;
    private final ProviderRepository providers;
    private final SkillRepository skills;
    private final ToolRepository standaloneTools;
    private final RequestLimits limits;

    AgentController(AgentRepository agents, AgentToolRepository tools, ProviderRepository providers,
                    SkillRepository skills, ToolRepository standaloneTools, RequestLimits limits) {
        this.standaloneTools = standaloneTools;
        this.agents = agents;
        this.tools = tools;
        this.providers = providers;
        this.skills = skills;
        this.limits = limits;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    DataResponse<Agent> create(@Valid @RequestBody NewAgent body) {
        return DataResponse.of(agents.insert(body.name(), Objects.requireNonNullElse(body.description(), ""),
                existingProvider(body.providerId()), body.modelId(), Objects.requireNonNullElse(body.systemPrompt(), ""),
                body.temperature(), body.maxTokens()));
    }

    @GetMapping
    PageResponse<Agent> list(@RequestParam(required = false) Integer page,
                             @RequestParam(name = "page_size", required = false) Integer pageSize) {
        Paging paging = Paging.of(page, pageSize);
        return PageResponse.of(agents.list(paging), paging, agents.count());
    }

    @GetMapping("/{id}")
    DataResponse<Agent> get(@PathVariable String id) {
        return DataResponse.of(agent(id));
    }

    @PutMapping("/{id}")
    DataResponse<Agent> update(@PathVariable String id, @Valid @RequestBody NewAgent body) {
        UUID agentId = id(id);
        UUID providerId = existingProvider(body.providerId());
        return DataResponse.of(agents.update(agentId, body.name(), Objects.requireNonNullElse(body.description(), ""),
                        providerId, body.modelId(), Objects.requireNonNullElse(body.systemPrompt(), ""),
                        body.temperature(), body.maxTokens())
                .orElseThrow(() -> notFound(id)));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String id) {
        if (!agents.delete(id(id))) {
            throw notFound(id);
        }
    }

    /** The agent's own tools, then the standalone tools it refers to. */
    @GetMapping("/{id}/tools")
    PageResponse<AgentTool> tools(@PathVariable String id) {
        UUID agentId = agent(id).id();
        List<AgentTool> all = new ArrayList<>(tools.list(agentId));
        standaloneTools.ofAgent(agentId).forEach(t -> all.add(new AgentTool(agentId, t.name(), t.metadata(),
                t.createdAt(), t.id())));
        return PageResponse.all(all);
    }

    /**
     * Attaches a tool: by name with its config, stored for the agent; or, with {@code tool_id} as Mule v2's UI sends
     * it, a reference to a standalone tool, resolved into the snapshot of each job the agent runs in.
     */
    @PostMapping("/{id}/tools")
    @ResponseStatus(HttpStatus.CREATED)
    DataResponse<AgentTool> attachTool(@PathVariable String id, @Valid @RequestBody NewAgentTool body) {
        if (body.toolId() != null) {
            return DataResponse.of(attachStandalone(agent(id).id(), body));
        }
        ResourceNames.require(body.name(), "name");
        ObjectNode config = Json.objectOrEmpty(body.config(), "config");
        // a tool's config travels in the snapshot of every job that runs the agent: a step config's limits apply
        limits.requireConfig("config", config);
        ToolConfigs.validate(body.name(), config);
        return DataResponse.of(tools.attach(agent(id).id(), body.name(), config));
    }

    /** The agent's skills, in the order they are appended to its system prompt. */
    @GetMapping("/{id}/skills")
    PageResponse<Skill> skills(@PathVariable String id) {
        return PageResponse.all(skills.ofAgent(agent(id).id()));
    }

    /** Attaches a skill ({@code {"skill_id": ...}}); attaching it again changes nothing. */
    @PostMapping("/{id}/skills")
    @ResponseStatus(HttpStatus.CREATED)
    DataResponse<Skill> attachSkill(@PathVariable String id, @Valid @RequestBody AttachSkill body) {
        UUID agentId = agent(id).id();
        UUID skillId = Ids.fromBody(body.skillId(), "skill_id");
        Skill skill = skills.find(skillId).orElseThrow(() -> ApiException.unprocessable("skill_id '" + skillId
                + "' names no skill; create one with POST /api/v1/skills"));
        skills.attach(agentId, skillId);
        return DataResponse.of(skill);
    }

    /**
     * Mule v2's UI: {@code PUT {"skill_ids": [...]}} attaches each (those attached already stay, as in v2), so an
     * empty list attaches nothing and answers the skills as they are; {@code DELETE /{id}/skills/{skill_id}} detaches.
     */
    @PutMapping("/{id}/skills")
    PageResponse<Skill> attachSkills(@PathVariable String id, @RequestBody AttachSkills body) {
        UUID agentId = agent(id).id();
        if (body.skillIds() == null) {
            throw ApiException.badRequest("skill_ids is missing: send the ids of skills from GET /api/v1/skills to "
                    + "attach (DELETE /api/v1/agents/{id}/skills/{skill_id} detaches one)");
        }
        for (String value : body.skillIds()) {
            UUID skillId = Ids.fromBody(value, "skill_ids");
            skills.find(skillId).orElseThrow(() -> ApiException.unprocessable("skill_ids: '" + skillId
                    + "' names no skill; create one with POST /api/v1/skills"));
            skills.attach(agentId, skillId);
        }
        return PageResponse.all(skills.ofAgent(agentId));
    }

    record AttachSkills(List<String> skillIds) {
    }

    @DeleteMapping("/{id}/skills/{skillId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void detachSkill(@PathVariable String id, @PathVariable String skillId) {
        UUID agentId = agent(id).id();
        if (!skills.detach(agentId, Ids.fromPath(skillId, "skill"))) {
            throw ApiException.notFound("agent '" + id + "' has no skill with id '" + skillId + "'");
        }
    }

    /** Detaches the agent's own tool of that name, or the standalone tool of that id (Mule v2's {@code {toolId}}). */
    @DeleteMapping("/{id}/tools/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void detachTool(@PathVariable String id, @PathVariable String name) {
        UUID agentId = agent(id).id();
        UUID toolId = Ids.parseOrNull(name);
        if (toolId != null && standaloneTools.detach(agentId, toolId)) {
            return;
        }
        if (!ResourceNames.isValid(name) || !tools.detach(agentId, name)) {
            throw ApiException.notFound("agent '" + id + "' has no tool named '" + name + "'");
        }
    }

    private AgentTool attachStandalone(UUID agentId, NewAgentTool body) {
        if (body.name() != null || body.config() != null) {
            throw ApiException.badRequest("tool_id: send either tool_id (a standalone tool) or name and config (a tool "
                    + "of the agent's own), not both");
        }
        UUID toolId = Ids.fromBody(body.toolId(), "tool_id");
        Tool tool = standaloneTools.find(toolId).orElseThrow(() -> ApiException.unprocessable("tool_id '" + toolId
                + "' names no tool; create one with POST /api/v1/tools"));
        if (tools.list(agentId).stream().anyMatch(own -> own.name().equals(tool.name()))) {
            throw ApiException.conflict("the agent already has a tool of its own named '" + tool.name()
                    + "'; detach it first or rename the standalone tool");
        }
        standaloneTools.attach(agentId, toolId);
        return new AgentTool(agentId, tool.name(), tool.metadata(), tool.createdAt(), tool.id());
    }

    private UUID existingProvider(String value) {
        UUID providerId = Ids.fromBody(value, "provider_id");
        if (!providers.exists(providerId)) {
            throw ApiException.unprocessable("provider_id '" + providerId + "' names no provider; create one with "
                    + "POST /api/v1/providers or pick one from GET /api/v1/providers");
        }
        return providerId;
    }

    private Agent agent(String id) {
        return agents.find(id(id)).orElseThrow(() -> notFound(id));
    }

    private static UUID id(String id) {
        return Ids.fromPath(id, "agent");
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("no agent with id '" + id + "'");
    }
}
