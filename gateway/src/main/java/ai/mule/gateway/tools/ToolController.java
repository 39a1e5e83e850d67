package ai.mule.gateway.tools;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.DataResponse;
import ai.mule.gateway.web.Ids;
import ai.mule.gateway.web.PageResponse;
import ai.mule.gateway.web.Paging;
import ai.mule.gateway.web.RequestLimits;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.validation.Valid;
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

/** Standalone tools (Mule v2's {@code /api/v1/tools}); agents refer to them with {@code POST /agents/{id}/tools {tool_id}}. */
@RestController
@RequestMapping("/api/v1/tools")
class ToolController {

    private final ToolRepository tools;
    private final RequestLimits limits;

    ToolController(ToolRepository tools, RequestLimits limits) {
        this.tools = tools;
        this.limits = limits;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    DataResponse<Tool> create(@Valid @RequestBody NewTool body) {
        ObjectNode call = callConfig(body);
        return DataResponse.of(tools.insert(body.name(), description(body), body.metadata(), call));
    }

    @GetMapping
    PageResponse<Tool> list(@RequestParam(required = false) Integer page,
                            @RequestParam(name = "page_size", required = false) Integer pageSize) {
        Paging paging = Paging.of(page, pageSize);
        return PageResponse.of(tools.list(paging), paging, tools.count());
    }

    @GetMapping("/{id}")
    DataResponse<Tool> get(@PathVariable String id) {
        return DataResponse.of(tools.find(id(id)).orElseThrow(() -> notFound(id)));
    }

    /** Jobs already accepted keep the tool as it was; the next job of an agent that refers to it gets the new one. */
    @PutMapping("/{id}")
    DataResponse<Tool> update(@PathVariable String id, @Valid @RequestBody NewTool body) {
        UUID toolId = id(id);
        ObjectNode call = callConfig(body);
        return DataResponse.of(tools.update(toolId, body.name(), description(body), body.metadata(), call)
                .orElseThrow(() -> notFound(id)));
    }

    /** Deleting a tool detaches it from every agent. */
    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String id) {
        if (!tools.delete(id(id))) {
            throw notFound(id);
        }
    }

    private ObjectNode callConfig(NewTool body) {
        // the metadata travels in the snapshot of every job of an agent that refers to it: a step config's limits apply
        if (body.metadata() != null) {
            limits.requireConfig("metadata", body.metadata());
        }
        return ToolMetadata.callConfig(body.name(), body.metadata())
                .map(call -> call.has("description") || description(body).isBlank() ? call
                        : call.put("description", description(body)))
                .orElse(null);
    }

    private static String description(NewTool body) {
        return Objects.requireNonNullElse(body.description(), "");
    }

    private static UUID id(String id) {
        return Ids.fromPath(id, "tool");
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("no tool with id '" + id + "'");
    }
}
