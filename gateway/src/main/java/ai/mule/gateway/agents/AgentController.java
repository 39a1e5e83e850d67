package ai.mule.gateway.agents;

import ai.mule.gateway.providers.ProviderRepository;
import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.DataResponse;
import ai.mule.gateway.web.Ids;
import ai.mule.gateway.web.PageResponse;
import ai.mule.gateway.web.Paging;
import jakarta.validation.Valid;
import java.util.Objects;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/agents")
class AgentController {

    private final AgentRepository agents;
    private final ProviderRepository providers;

    AgentController(AgentRepository agents, ProviderRepository providers) {
        this.agents = agents;
        this.providers = providers;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    DataResponse<Agent> create(@Valid @RequestBody NewAgent body) {
        UUID providerId = Ids.fromBody(body.providerId(), "provider_id");
        if (!providers.exists(providerId)) {
            throw ApiException.unprocessable("provider_id '" + providerId + "' names no provider; create one with "
                    + "POST /api/v1/providers or pick one from GET /api/v1/providers");
        }
        return DataResponse.of(agents.insert(body.name(), Objects.requireNonNullElse(body.description(), ""),
                providerId, body.modelId(), Objects.requireNonNullElse(body.systemPrompt(), "")));
    }

    @GetMapping
    PageResponse<Agent> list(@RequestParam(required = false) Integer page,
                             @RequestParam(name = "page_size", required = false) Integer pageSize) {
        Paging paging = Paging.of(page, pageSize);
        return PageResponse.of(agents.list(paging), paging, agents.count());
    }

    @GetMapping("/{id}")
    DataResponse<Agent> get(@PathVariable String id) {
        return DataResponse.of(agents.find(Ids.fromPath(id, "agent"))
                .orElseThrow(() -> ApiException.notFound("no agent with id '" + id + "'")));
    }
}
