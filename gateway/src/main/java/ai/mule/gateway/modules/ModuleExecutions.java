package ai.mule.gateway.modules;

import ai.mule.gateway.events.JobWaiters;
import ai.mule.gateway.events.MissedEnds;
import ai.mule.gateway.jobs.Job;
import ai.mule.gateway.jobs.JobPlan;
import ai.mule.gateway.jobs.JobPlanner;
import ai.mule.gateway.jobs.JobRepository;
import ai.mule.gateway.jobs.JobService;
import ai.mule.gateway.jobs.StepCall;
import ai.mule.gateway.jobs.JobStep;
import ai.mule.gateway.settings.Settings;
import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.Ids;
import ai.mule.gateway.web.Json;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Runs one module directly, as a one-step job through the whole pipeline (untrusted code never runs in the
 * gateway): the job is accepted and recorded like any other, and the caller gets its end, waited for without
 * holding a servlet thread, up to {@code timeout_workflow_seconds}.
 */
@Service
public class ModuleExecutions {

    private final JobPlanner planner;
    private final JobService jobs;
    private final JobRepository jobRows;
    private final JobWaiters waiters;
    private final MissedEnds missedEnds;
    private final WasmModuleRepository modules;
    private final Settings settings;
    private final Executor executor;

    ModuleExecutions(JobPlanner planner, JobService jobs, JobRepository jobRows, JobWaiters waiters,
                     MissedEnds missedEnds, WasmModuleRepository modules, Settings settings,
                     @Qualifier("answerPool") Executor executor) {
        this.planner = planner;
        this.jobs = jobs;
        this.jobRows = jobRows;
        this.waiters = waiters;
        this.missedEnds = missedEnds;
        this.modules = modules;
        this.settings = settings;
        this.executor = executor;
    }

    /** The module named by id or by name, or a 404. */
    public UUID moduleId(String idOrName, String field) {
        if (idOrName == null || idOrName.isBlank()) {
            throw ApiException.badRequest(field + " is required: the id or the name of a WASM module");
        }
        UUID id = Ids.parseOrNull(idOrName.strip());
        Optional<UUID> found = id != null && modules.exists(id) ? Optional.of(id) : modules.idNamed(idOrName.strip());
        return found.orElseThrow(() -> ApiException.notFound("no WASM module with id or name '" + idOrName + "'"));
    }

    /**
     * Accepts the run as a job and completes when it ends. A non-object input is given to the module as
     * {@code {"prompt": input}}, as the runner does for any step input. The module's stdout and stderr come from
     * the job's step event, which reaches the waiter (same partition) before the terminal one. {@code call} is what
     * the calling step says ({@link StepCall}: an agent's {@code wasm_module} tool runs its module one call deeper
     * than its own job, so that a module that starts the agent's workflow again cannot start it at depth 0).
     */
    public CompletableFuture<ModuleRun> run(UUID moduleId, JsonNode input, StepCall call) {
        JobPlan plan = planner.module(moduleId)
                .orElseThrow(() -> ApiException.notFound("no WASM module with id '" + moduleId + "'"))
                .calledBy(call);
        ObjectNode jobInput = input == null || input.isNull() || input.isMissingNode() ? Json.emptyObject()
                : input.isObject() ? (ObjectNode) input : Json.emptyObject().set("prompt", input);
        UUID jobId = UUID.randomUUID();
        String id = jobId.toString();
        AtomicReference<Streams> streams = new AtomicReference<>(Streams.NONE);
        CompletableFuture<JobEvent> end = waiters.register(id, event -> Streams.of(event).ifPresent(streams::set));
        try {
            jobs.accept(jobId, plan, jobInput, "", JobService.SOURCE_API);
        } catch (RuntimeException e) {
            waiters.cancel(id);
            throw e;
        }
        Duration timeout = settings.workflowTimeout();
        return JobWaiters.answer(end, timeout, event -> answer(jobId, event, streams.get()),
                () -> answerWithoutEvent(jobId, timeout), executor);
    }

    /** The run's outcome from its job's terminal event. */
    private ModuleRun answer(UUID jobId, JobEvent event, Streams streams) {
        if (event instanceof JobEvent.JobCompleted completed) {
            return new ModuleRun(jobId, JobStatus.COMPLETED.wire(), true, stepOutput(completed.output()), null,
                    streams.stdout(), streams.stderr());
        }
        if (event instanceof JobEvent.JobFailed failed) {
            return new ModuleRun(jobId, JobStatus.FAILED.wire(), false, null, failed.error(), streams.stdout(),
                    streams.stderr());
        }
        if (event instanceof JobEvent.JobCancelled cancelled) {
            return new ModuleRun(jobId, JobStatus.CANCELLED.wire(), false, null, "the job was cancelled"
                    + (cancelled.reason() == null ? "" : ": " + cancelled.reason()), streams.stdout(),
                    streams.stderr());
        }
        throw new IllegalStateException("a waiter of job " + jobId + " was given " + event.getClass().getSimpleName()
                + ", not a terminal event");
    }

    /** No event in time: the status writer may have recorded the end all the same (one read, no polling). */
    private ModuleRun answerWithoutEvent(UUID jobId, Duration timeout) {
        Job job = missedEnds.afterWait(jobId).orElse(null);
        if (job != null && JobStatus.fromWire(job.status()).terminal()) {
            boolean completed = JobStatus.fromWire(job.status()) == JobStatus.COMPLETED;
            List<JobStep> steps = jobRows.steps(jobId);
            Streams recorded = steps.isEmpty() ? Streams.NONE
                    : new Streams(steps.get(0).stdout(), steps.get(0).stderr());
            return new ModuleRun(jobId, job.status(), completed, completed ? stepOutput(job.outputData()) : null,
                    completed ? null : job.errorMessage(), recorded.stdout(), recorded.stderr());
        }
        throw new ApiException(HttpStatus.GATEWAY_TIMEOUT, "job " + jobId + " did not finish within "
                + timeout.toSeconds() + " s (setting timeout_workflow_seconds); it may still complete: follow it at "
                + "GET /api/v1/jobs/" + jobId);
    }

    /** What the module wrote, from the job's (only) step's completed or failed event. */
    private record Streams(String stdout, String stderr) {

        static final Streams NONE = new Streams(null, null);

        static Optional<Streams> of(JobEvent event) {
            if (event instanceof JobEvent.StepCompleted completed) {
                return Optional.of(new Streams(completed.stdout(), completed.stderr()));
            }
            if (event instanceof JobEvent.StepFailed failed) {
                return Optional.of(new Streams(failed.stdout(), failed.stderr()));
            }
            return Optional.empty();
        }
    }

    /** The job output is {@code {"prompt": <the module's output>}}: the caller wants the module's output. */
    private static JsonNode stepOutput(JsonNode jobOutput) {
        if (jobOutput != null && jobOutput.isObject() && jobOutput.has("prompt")) {
            return jobOutput.get("prompt");
        }
        return jobOutput;
    }
}
