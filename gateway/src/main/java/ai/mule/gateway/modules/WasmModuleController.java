package ai.mule.gateway.modules;

import ai.mule.gateway.jobs.StepCall;
import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.DataResponse;
import ai.mule.gateway.web.Ids;
import ai.mule.gateway.web.Json;
import ai.mule.gateway.web.RequestLimits;
import ai.mule.gateway.web.PageResponse;
import ai.mule.gateway.web.Paging;
import ai.mule.gateway.web.ResourceNames;
import ai.mule.schemas.JobRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@RestController
@RequestMapping("/api/v1/wasm-modules")
class WasmModuleController {

    private static final int MAX_DESCRIPTION = 10_000;

    private final WasmModuleRepository modules;
    private final ModuleExecutions executions;
    private final ModuleUploads uploads;
    private final RequestLimits limits;

    WasmModuleController(WasmModuleRepository modules, ModuleExecutions executions, ModuleUploads uploads,
                         RequestLimits limits) {
        this.modules = modules;
        this.executions = executions;
        this.uploads = uploads;
        this.limits = limits;
    }

    /** Runs the module once, as a one-step job, and answers how it ended: {@code {"data": run}}. */
    @PostMapping(path = "/{id}/execute", consumes = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<DataResponse<ModuleRun>> execute(@PathVariable String id,
                                                       @RequestBody(required = false) ExecuteRequest body,
                                                       @RequestHeader(name = JobRequest.CALL_DEPTH_HEADER,
                                                               required = false) String depth,
                                                       @RequestHeader(name = JobRequest.STARTED_BY_HEADER,
                                                               required = false) String startedBy) {
        UUID moduleId = Ids.fromPath(id, "WASM module");
        StepCall call = StepCall.from(depth, startedBy);
        if (!modules.exists(moduleId)) {
            throw ApiException.notFound("no WASM module with id '" + id + "'");
        }
        return executions.run(moduleId, body == null ? null : body.input(), call).thenApply(DataResponse::of);
    }

    /** Mule v2's module test: {@code {module_id, input}} answered with {@code {output, success, error}} (and the job id). */
    @PostMapping(path = "/test", consumes = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<ModuleRun> test(@RequestBody TestRequest body,
                                      @RequestHeader(name = JobRequest.CALL_DEPTH_HEADER, required = false)
                                      String depth,
                                      @RequestHeader(name = JobRequest.STARTED_BY_HEADER, required = false)
                                      String startedBy) {
        StepCall call = StepCall.from(depth, startedBy);
        UUID moduleId = executions.moduleId(body.moduleId(), "module_id");
        return executions.run(moduleId, body.input(), call);
    }

    record ExecuteRequest(JsonNode input) {
    }

    record TestRequest(String moduleId, JsonNode input) {
    }

    /**
     * Mule v2's multipart upload: {@code name}, {@code description}, {@code config} (JSON text), {@code module_data}.
     * The module is validated and stored as a stream (see {@link ModuleUploads}); one larger than
     * {@code mule.limits.max-module-size} is answered 413 before it reaches here.
     */
    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    DataResponse<WasmModule> create(@RequestParam(required = false) String name,
                                    @RequestParam(required = false) String description,
                                    @RequestParam(required = false) String config,
                                    @RequestPart(name = "module_data", required = false) MultipartFile moduleData) {
        ResourceNames.require(name, "name");
        String desc = Objects.requireNonNullElse(description, "");
        if (desc.length() > MAX_DESCRIPTION) {
            throw ApiException.badRequest("description must be at most " + MAX_DESCRIPTION + " characters");
        }
        ObjectNode parsedConfig = Json.objectFromText(config, "config");
        limits.requireConfig("config", parsedConfig);
        if (moduleData == null || moduleData.isEmpty()) {
            throw ApiException.badRequest("module_data is required: attach the compiled .wasm file as the multipart "
                    + "part 'module_data'");
        }
        WasmBinaryValidator.Checked checked = uploads.check(moduleData);
        return DataResponse.of(modules.insert(name, desc, parsedConfig, moduleData, checked));
    }

    @GetMapping
    PageResponse<WasmModule> list(@RequestParam(required = false) Integer page,
                                  @RequestParam(name = "page_size", required = false) Integer pageSize) {
        Paging paging = Paging.of(page, pageSize);
        return PageResponse.of(modules.list(paging), paging, modules.count());
    }

    @GetMapping("/{id}")
    DataResponse<WasmModule> get(@PathVariable String id,
                                 @RequestParam(name = "include_data", defaultValue = "false") boolean includeData) {
        return DataResponse.of(modules.find(Ids.fromPath(id, "WASM module"), includeData)
                .orElseThrow(() -> ApiException.notFound("no WASM module with id '" + id + "'")));
    }
}
