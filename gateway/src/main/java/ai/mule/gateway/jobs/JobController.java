package ai.mule.gateway.jobs;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.DataResponse;
import ai.mule.gateway.web.Ids;
import ai.mule.gateway.web.Json;
import ai.mule.gateway.web.PageResponse;
import ai.mule.gateway.web.Paging;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JobStatus;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/jobs")
class JobController {


    private final JobService service;
    private final JobPlanner planner;
    private final JobRepository jobs;
    private final JobList list;

    JobController(JobService service, JobPlanner planner, JobRepository jobs, JobList list) {
        this.service = service;
        this.planner = planner;
        this.jobs = jobs;
        this.list = list;
    }

    /**
     * Accepts a job at once (201 with the queued job); running it is the orchestrator's business. With an
     * {@code Idempotency-Key} header, a repeated request answers 200 with the job the first one created
     * ({@code Idempotent-Replayed: true}) and starts nothing. {@code Mule-Call-Depth} and {@code Mule-Started-By}
     * are sent by the WASM runner when a module's host function starts a workflow ({@link StepCall}): the job is one
     * call deeper than the module's and counted under its first job, and refused past
     * {@code mule.limits.max-call-depth} or {@code mule.limits.max-descendant-jobs}.
     */
    @PostMapping
    ResponseEntity<DataResponse<Job>> create(@RequestBody NewJob body,
                                             @RequestHeader(name = "Idempotency-Key", required = false) String key,
                                             @RequestHeader(name = JobRequest.CALL_DEPTH_HEADER, required = false)
                                             String depth,
                                             @RequestHeader(name = JobRequest.STARTED_BY_HEADER, required = false)
                                             String startedBy) {
        String idempotencyKey = JobService.idempotencyKey(key);
        StepCall call = StepCall.from(depth, startedBy);
        long targets = Stream.of(body.workflowId(), body.wasmModuleId(), body.agentId())
                .filter(v -> v != null && !v.isBlank()).count();
        if (targets == 0) {
            throw ApiException.badRequest("workflow_id or wasm_module_id is required: the id of the workflow (or of "
                    + "the WASM module, or agent_id) to run");
        }
        if (targets > 1) {
            throw ApiException.badRequest("give only one of workflow_id, wasm_module_id and agent_id");
        }
        ObjectNode input = Json.objectOrEmpty(body.inputData(), "input_data");
        String workingDirectory = WorkingDirectory.require(body.workingDirectory());
        JobService.Accepted accepted = service.acceptOnce(UUID.randomUUID(),
                plan(body).inDirectory(workingDirectory).calledBy(call), input, workingDirectory,
                JobService.SOURCE_API, idempotencyKey);
        if (accepted.replayed()) {
            return ResponseEntity.ok().header("Idempotent-Replayed", "true").body(DataResponse.of(accepted.job()));
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(DataResponse.of(accepted.job()));
    }

    @GetMapping
    PageResponse<Job> list(@RequestParam(required = false) Integer page,
                           @RequestParam(name = "page_size", required = false) Integer pageSize,
                           @RequestParam(required = false) String status,
                           @RequestParam(name = "workflow_name", required = false) String workflowName,
                           @RequestParam(required = false) String search) {
        Paging paging = Paging.of(page, pageSize);
        return list.page(JobList.Filter.of(status(status), workflowName, search), paging);
    }

    @GetMapping("/{id}")
    DataResponse<JobWithChildren> get(@PathVariable String id) {
        Job job = job(id);
        return DataResponse.of(new JobWithChildren(job, jobs.children(job.id())));
    }

    @GetMapping("/{id}/steps")
    PageResponse<JobStep> steps(@PathVariable String id) {
        return PageResponse.all(jobs.steps(job(id).id()));
    }

    /**
     * Mule v2's cancel, made a request: 202 with the job as it stands (queued or running), 409 once its row shows it
     * ended. Whether it ends cancelled is the orchestrator's decision ({@link JobService#requestCancel}).
     */
    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.ACCEPTED)
    DataResponse<Job> cancel(@PathVariable String id) {
        return DataResponse.of(service.requestCancel(Ids.fromPath(id, "job")));
    }

    private JobPlan plan(NewJob body) {
        if (body.workflowId() != null && !body.workflowId().isBlank()) {
            UUID id = Ids.fromBody(body.workflowId(), "workflow_id");
            // Mule v2's UI sends a WASM module's id as workflow_id to run the module alone.
            return planner.workflow(id).or(() -> planner.module(id))
                    .orElseThrow(() -> ApiException.unprocessable("workflow_id '" + id + "' names no workflow and no "
                            + "WASM module; pick one from GET /api/v1/workflows"));
        }
        if (body.wasmModuleId() != null && !body.wasmModuleId().isBlank()) {
            UUID id = Ids.fromBody(body.wasmModuleId(), "wasm_module_id");
            return planner.module(id).orElseThrow(() -> ApiException.unprocessable("wasm_module_id '" + id
                    + "' names no WASM module; pick one from GET /api/v1/wasm-modules"));
        }
        UUID id = Ids.fromBody(body.agentId(), "agent_id");
        return planner.agent(id).orElseThrow(() -> ApiException.unprocessable("agent_id '" + id
                + "' names no agent; pick one from GET /api/v1/agents"));
    }

    private Job job(String id) {
        return jobs.find(Ids.fromPath(id, "job")).orElseThrow(() -> ApiException.notFound("no job with id '" + id + "'"));
    }

    private static JobStatus status(String status) {
        if (status == null || status.isEmpty()) {
            return null;
        }
        try {
            return JobStatus.fromWire(status);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("status must be one of " + Arrays.stream(JobStatus.values())
                    .map(JobStatus::wire).collect(Collectors.joining(", ")) + ", got '" + status + "'");
        }
    }
}
