package ai.mule.gateway.workflows;

import ai.mule.gateway.agents.AgentRepository;
import ai.mule.gateway.jobs.JobPlanner;
import ai.mule.gateway.modules.WasmModuleRepository;
import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.DataResponse;
import ai.mule.gateway.web.Ids;
import ai.mule.gateway.web.Json;
import ai.mule.gateway.web.PageResponse;
import ai.mule.gateway.web.Paging;
import ai.mule.gateway.web.RequestLimits;
import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.validation.Valid;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionTemplate;
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
@RequestMapping("/api/v1/workflows")
class WorkflowController {

    static final String WASM_MODULE = "wasm_module";
    static final String AGENT = "agent";
    static final String WORKFLOW = "workflow";

    private final WorkflowRepository workflows;
    private final WorkflowStepRepository steps;
    private final WasmModuleRepository modules;
    private final AgentRepository agents;
    private final RequestLimits limits;
    private final JobPlanner planner;
    private final TransactionTemplate transactions;

    WorkflowController(WorkflowRepository workflows, WorkflowStepRepository steps, WasmModuleRepository modules,
                       AgentRepository agents, RequestLimits limits, JobPlanner planner,
                       TransactionTemplate transactions) {
        this.workflows = workflows;
        this.steps = steps;
        this.modules = modules;
        this.agents = agents;
        this.limits = limits;
        this.planner = planner;
        this.transactions = transactions;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    DataResponse<Workflow> create(@Valid @RequestBody NewWorkflow body) {
        return DataResponse.of(workflows.insert(body.name(), Objects.requireNonNullElse(body.description(), ""),
                Boolean.TRUE.equals(body.isAsync())));
    }

    @GetMapping
    PageResponse<Workflow> list(@RequestParam(required = false) Integer page,
                                @RequestParam(name = "page_size", required = false) Integer pageSize) {
        Paging paging = Paging.of(page, pageSize);
        return PageResponse.of(workflows.list(paging), paging, workflows.count());
    }

    @GetMapping("/{id}")
    DataResponse<Workflow> get(@PathVariable String id) {
        return DataResponse.of(workflow(id));
    }

    @GetMapping("/{id}/steps")
    PageResponse<WorkflowStep> listSteps(@PathVariable String id) {
        return PageResponse.all(steps.list(workflow(id).id()));
    }

    @PutMapping("/{id}")
    DataResponse<Workflow> update(@PathVariable String id, @Valid @RequestBody NewWorkflow body) {
        return DataResponse.of(workflows.update(Ids.fromPath(id, "workflow"), body.name(),
                        Objects.requireNonNullElse(body.description(), ""), Boolean.TRUE.equals(body.isAsync()))
                .orElseThrow(() -> notFound(id)));
    }

    /** Deletes the workflow and its steps; jobs already accepted keep running on their snapshot. */
    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String id) {
        if (!workflows.delete(Ids.fromPath(id, "workflow"))) {
            throw notFound(id);
        }
    }

    @PostMapping("/{id}/steps")
    @ResponseStatus(HttpStatus.CREATED)
    DataResponse<WorkflowStep> addStep(@PathVariable String id, @RequestBody NewWorkflowStep body) {
        UUID workflowId = workflow(id).id();
        StepTarget target = target(body);
        StepGraphFields graph = graphFields(body);
        return DataResponse.of(savedIfSnapshotFits(workflowId, () -> steps.insert(workflowId, body.stepOrder(),
                target.type(), target.agentId(), target.wasmModuleId(), target.config(), body.policy(), graph)));
    }

    /** Replaces a step (same fields as adding one); without step_order the step keeps its place. */
    @PutMapping("/{id}/steps/{stepId}")
    DataResponse<WorkflowStep> updateStep(@PathVariable String id, @PathVariable String stepId,
                                          @RequestBody NewWorkflowStep body) {
        UUID workflowId = workflow(id).id();
        UUID step = Ids.fromPath(stepId, "workflow step");
        StepTarget target = target(body);
        StepGraphFields graph = graphFields(body);
        return DataResponse.of(savedIfSnapshotFits(workflowId, () -> steps.update(workflowId, step, body.stepOrder(),
                        target.type(), target.agentId(), target.wasmModuleId(), target.config(), body.policy(), graph)
                .orElseThrow(() -> stepNotFound(id, stepId))));
    }

    /**
     * Saves a step and keeps it only if the workflow's snapshot (every step with its module's or agent's part, as a
     * job would carry it) still fits {@code mule.limits.max-snapshot-bytes}: measured inside the transaction that
     * wrote the step, which rolls back when it does not, so the step that makes a workflow too big is refused
     * (413) rather than every job of the workflow later. The workflow's graph is checked in the same transaction
     * ({@link WorkflowGraph#check}: unique names, known dependencies, no cycle), with the workflow row locked so
     * that two saves cannot each pass alone and fail together.
     */
    private WorkflowStep savedIfSnapshotFits(UUID workflowId, Supplier<WorkflowStep> save) {
        return transactions.execute(status -> {
            steps.lockWorkflow(workflowId);
            WorkflowStep saved = save.get();
            WorkflowGraph.check(steps.list(workflowId));
            steps.subWorkflowCycle(workflowId).ifPresent(cycle -> {
                throw ApiException.unprocessable("sub-workflow steps would start each other without end: "
                        + String.join(" -> ", cycle) + "; a workflow may not run itself, directly or through others");
            });
            planner.workflow(workflowId).ifPresent(plan -> limits.requireSnapshot("with this step, workflow '"
                    + plan.workflowName() + "'", plan.snapshotBytes(), HttpStatus.PAYLOAD_TOO_LARGE,
                    "make this step's config smaller, or split the workflow"));
            return saved;
        });
    }

    @DeleteMapping("/{id}/steps/{stepId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteStep(@PathVariable String id, @PathVariable String stepId) {
        UUID workflowId = workflow(id).id();
        UUID step = Ids.fromPath(stepId, "workflow step");
        transactions.executeWithoutResult(status -> {
            steps.lockWorkflow(workflowId);
            if (!steps.delete(workflowId, step)) {
                throw stepNotFound(id, stepId);
            }
            // a step others depend on by name cannot go: the check names the dependent step
            WorkflowGraph.check(steps.list(workflowId));
        });
    }

    /** Mule v2's reorder: {@code {"step_ids": [...]}} lists every step once, in the new order (orders become 1..n). */
    @PostMapping("/{id}/steps/reorder")
    PageResponse<WorkflowStep> reorder(@PathVariable String id, @RequestBody StepOrder body) {
        UUID workflowId = workflow(id).id();
        if (body.stepIds() == null) {
            throw ApiException.badRequest("step_ids is required: the ids of all the workflow's steps in their new order");
        }
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < body.stepIds().size(); i++) {
            ids.add(Ids.fromBody(body.stepIds().get(i), "step_ids[" + i + "]"));
        }
        // a new order changes default names (step_<order>) and the linear default dependencies: checked again
        return PageResponse.all(transactions.execute(status -> {
            List<WorkflowStep> reordered = steps.reorder(workflowId, ids);
            WorkflowGraph.check(reordered);
            return reordered;
        }));
    }

    record StepOrder(List<String> stepIds) {
    }

    /** What a step runs, checked: its kind, the one id that kind needs (which must exist), and its config. */
    private record StepTarget(String type, UUID agentId, UUID wasmModuleId, ObjectNode config) {
    }

    /**
     * The step's graph fields, each checked ({@link WorkflowGraph#fields}), and its fallback: a step of its own
     * (type, module or agent, config, policy fields) checked like any step, with none of the graph fields.
     */
    private StepGraphFields graphFields(NewWorkflowStep body) {
        StepGraphFields fields = WorkflowGraph.fields(body);
        if (body.fallback() == null || body.fallback().isNull()) {
            return fields;
        }
        String step = body.name() != null ? "step '" + body.name() + "'" : "the step";
        if (!(body.fallback() instanceof ObjectNode fallback)) {
            throw ApiException.badRequest(step + ": fallback must be an object such as {\"type\": \"agent\", "
                    + "\"agent_id\": \"...\"}");
        }
        fallback.fieldNames().forEachRemaining(field -> {
            if (!FALLBACK_FIELDS.contains(field)) {
                throw ApiException.badRequest(step + ": a fallback has no field '" + field + "'; it takes type, "
                        + "wasm_module_id or agent_id, config and the policy fields (max_attempts ... "
                        + "retry_step_failures), and runs with the step's input, name and place");
            }
        });
        NewWorkflowStep alternative;
        try {
            alternative = JsonSerde.mapper().treeToValue(fallback, NewWorkflowStep.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw ApiException.badRequest(step + ": its fallback cannot be read: " + e.getMessage());
        }
        if (WORKFLOW.equals(alternative.stepType())) {
            throw ApiException.badRequest(step + ": a fallback is a 'wasm_module' or 'agent' step (another model or "
                    + "module for the same input); make the step itself a sub-workflow instead");
        }
        try {
            StepTarget target = target(alternative);
            alternative.policy();
            ObjectNode stored = fallback.deepCopy();
            stored.remove("step_type");
            stored.put("type", target.type());
            stored.set("config", target.config());
            return new StepGraphFields(fields.name(), fields.dependsOn(), fields.joinPolicy(), fields.when(),
                    fields.forEach(), stored);
        } catch (ApiException e) {
            throw new ApiException(e.status(), step + ": fallback: " + e.getMessage());
        }
    }

    private static final Set<String> FALLBACK_FIELDS = Set.of("type", "step_type", "wasm_module_id", "agent_id",
            "config", "max_attempts", "initial_backoff_ms", "backoff_multiplier", "max_backoff_ms", "timeout_ms",
            "retry_step_failures");

    private StepTarget target(NewWorkflowStep body) {
        String type = body.stepType();
        if (type == null || type.isBlank()) {
            throw ApiException.badRequest("step_type (or type) is required: 'wasm_module' or 'agent'");
        }
        if (body.stepOrder() != null && body.stepOrder() < 0) {
            throw ApiException.badRequest("step_order must be 0 or more, got " + body.stepOrder()
                    + "; leave it out to append the step");
        }
        ObjectNode config = Json.objectOrEmpty(body.config(), "config");
        limits.requireConfig("config", config);
        if (WASM_MODULE.equals(type)) {
            UUID moduleId = requiredId(body.wasmModuleId(), "wasm_module_id", type);
            forbidden(body.agentId(), "agent_id", type);
            if (!modules.exists(moduleId)) {
                throw ApiException.unprocessable("wasm_module_id '" + moduleId + "' names no WASM module; upload one "
                        + "with POST /api/v1/wasm-modules or pick one from GET /api/v1/wasm-modules");
            }
            return new StepTarget(type, null, moduleId, config);
        }
        if (AGENT.equals(type)) {
            UUID agentId = requiredId(body.agentId(), "agent_id", type);
            forbidden(body.wasmModuleId(), "wasm_module_id", type);
            if (agents.find(agentId).isEmpty()) {
                throw ApiException.unprocessable("agent_id '" + agentId + "' names no agent; create one with "
                        + "POST /api/v1/agents or pick one from GET /api/v1/agents");
            }
            return new StepTarget(type, agentId, null, config);
        }
        if (WORKFLOW.equals(type)) {
            forbidden(body.agentId(), "agent_id", type);
            forbidden(body.wasmModuleId(), "wasm_module_id", type);
            JsonNode child = config.get("workflow_id");
            if (child == null || !child.isTextual()) {
                throw ApiException.badRequest("a step of type 'workflow' names its sub-workflow in config: "
                        + "{\"workflow_id\": \"<id>\"}");
            }
            UUID childId = Ids.fromBody(child.asText(), "config.workflow_id");
            if (workflows.find(childId).isEmpty()) {
                throw ApiException.unprocessable("config.workflow_id '" + childId + "' names no workflow; pick one from "
                        + "GET /api/v1/workflows");
            }
            return new StepTarget(type, null, null, config);
        }
        throw ApiException.badRequest("step_type must be 'wasm_module' or 'agent' (or 'workflow' for a sub-workflow), "
                + "got '" + type + "'");
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("no workflow with id '" + id + "'");
    }

    private static ApiException stepNotFound(String id, String stepId) {
        return ApiException.notFound("workflow '" + id + "' has no step with id '" + stepId + "'");
    }

    private Workflow workflow(String id) {
        return workflows.find(Ids.fromPath(id, "workflow"))
                .orElseThrow(() -> notFound(id));
    }

    private static UUID requiredId(String value, String field, String type) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(field + " is required for a step of type '" + type + "'");
        }
        return Ids.fromBody(value, field);
    }

    private static void forbidden(String value, String field, String type) {
        if (value != null && !value.isBlank()) {
            throw ApiException.badRequest(field + " does not belong to a step of type '" + type + "'; leave it out");
        }
    }
}
