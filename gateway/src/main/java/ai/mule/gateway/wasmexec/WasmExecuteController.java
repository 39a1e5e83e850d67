package ai.mule.gateway.wasmexec;

import ai.mule.gateway.jobs.StepCall;
import ai.mule.gateway.modules.ModuleExecutions;
import ai.mule.gateway.modules.ModuleRun;
import ai.mule.gateway.web.DataResponse;
import ai.mule.schemas.JobRequest;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/wasm/execute {"module": id-or-name, "input": {...}}}: runs a module once, as a one-step
 * job through the pipeline, and answers {@code {"data": {job_id, status, success, output, error}}}. Errors
 * are problem details, as under {@code /api/v1}.
 */
@RestController
class WasmExecuteController {

    private final ModuleExecutions executions;

    WasmExecuteController(ModuleExecutions executions) {
        this.executions = executions;
    }

    @PostMapping(path = "/v1/wasm/execute", consumes = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<DataResponse<ModuleRun>> execute(@RequestBody ExecuteRequest body,
                                                       @RequestHeader(name = JobRequest.CALL_DEPTH_HEADER,
                                                               required = false) String depth,
                                                       @RequestHeader(name = JobRequest.STARTED_BY_HEADER,
                                                               required = false) String startedBy) {
        StepCall call = StepCall.from(depth, startedBy);
        return executions.run(executions.moduleId(body.module(), "module"), body.input(), call)
                .thenApply(DataResponse::of);
    }

    record ExecuteRequest(String module, JsonNode input) {
    }
}
