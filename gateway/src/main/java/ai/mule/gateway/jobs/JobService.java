package ai.mule.gateway.jobs;

import ai.mule.gateway.orchestration.JobDeadlines;
import ai.mule.gateway.metrics.JobMetrics;
import ai.mule.gateway.outbox.MessageTooLargeException;
import ai.mule.gateway.outbox.Outbox;
import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.RequestLimits;
import ai.mule.gateway.web.Timestamps;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.ParentStep;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.Topics;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Accepts jobs: the {@code jobs} row (status queued) and the outbox row carrying its {@link JobRequest} are
 * written in one transaction, so a job exists exactly when its request will reach Kafka. Accepting never
 * waits for Kafka; the outbox relay publishes right after the commit. Cancels are recorded the same way, as a
 * message in the outbox: the gateway creates a job's row and never writes its status.
 */
@Service
public class JobService {

    public static final String SOURCE_API = "api";
    public static final String SOURCE_CHAT = "chat";

    public static final String SOURCE_KAFKA = "kafka";
    public static final String SOURCE_SCHEDULE = "schedule";
    /** The child job of a sub-workflow step. */
    public static final String SOURCE_WORKFLOW = "workflow";

    /** The reason a cancel through the API carries; the job's {@code error_message} once it is cancelled. */
    static final String CANCEL_REASON = "cancelled through the API";

    private final JobRepository jobs;
    private final Outbox outbox;
    private final JobDeadlines deadlines;
    private final RequestLimits limits;
    private final JobMetrics metrics;

    JobService(JobRepository jobs, Outbox outbox, JobDeadlines deadlines, RequestLimits limits, JobMetrics metrics) {
        this.jobs = jobs;
        this.outbox = outbox;
        this.deadlines = deadlines;
        this.limits = limits;
        this.metrics = metrics;
    }

    /**
     * Writes a queued job for this plan, for a caller that waits for its end (a synchronous call). The caller
     * chooses the id, so that it can register a waiter for the job's end before the job exists; the request says
     * the job is awaited, so the orchestrator commits its end at once rather than with its next regular commit.
     */
    @Transactional
    public Job accept(UUID jobId, JobPlan plan, ObjectNode input, String workingDirectory, String source) {
        return insert(jobId, plan, input, workingDirectory, source, null, true);
    }

    private Job insert(UUID jobId, JobPlan plan, ObjectNode input, String workingDirectory, String source,
                       String replyTopic, boolean awaited) {
        admit(plan, input);
        UUID root = rootOf(plan);
        Instant now = Timestamps.now();
        Job job = jobs.insertQueued(jobId, plan, input, workingDirectory, source, now, root);
        countUnder(root);
        publish(jobId, plan, input, now, replyTopic, awaited);
        metrics.accepted(source);
        return job;
    }

    /**
     * Writes a queued job a schedule starts for one of its slots, the way {@link #accept} writes any job; it must
     * run in the scheduler's transaction that records the slot as fired, so the slot and its job commit together.
     */
    @Transactional
    public Job acceptScheduled(UUID jobId, JobPlan plan, ObjectNode input, UUID scheduleId, Instant slot) {
        admit(plan, input);
        Instant now = Timestamps.now();
        Job job = jobs.insertQueued(jobId, plan, input, "", SOURCE_SCHEDULE, now, scheduleId, slot, null);
        publish(jobId, plan, input, now, null, false);
        metrics.accepted(SOURCE_SCHEDULE);
        return job;
    }

    /**
     * Whether this job may enter the pipeline, decided before anything is written: every path that accepts a job
     * (the API, chat completions, module runs, Kafka ingress) comes through here. A job an agent's tool asks for
     * must not nest deeper than the call depth limit (a workflow whose agent calls it again would otherwise start
     * jobs without end). The input must fit the job input limits and hold storable text; the snapshot, as the
     * planner took it now, must fit the snapshot limit (saving a step already refuses a workflow that would not; a
     * module or agent that grew since is caught here).
     */
    private void admit(JobPlan plan, ObjectNode input) {
        plan.requireSteps();
        limits.requireCallDepth(plan.callDepth());
        limits.requireJobInput(input);
        limits.requireSnapshot("workflow '" + plan.workflowName() + "'", plan.snapshotBytes(),
                HttpStatus.UNPROCESSABLE_ENTITY, "shrink the configs of its steps, modules or agents");
    }

    /**
     * The first job of the line of the job that started this one ({@link JobPlan#starter}), which it is counted under;
     * null for a job no step started.
     */
    private UUID rootOf(JobPlan plan) {
        UUID starter = plan.starter();
        if (starter == null) {
            return null;
        }
        return jobs.rootOf(starter).orElseThrow(() -> ApiException.unprocessable("the job that starts this one ("
                + starter + ", " + JobRequest.STARTED_BY_HEADER + ") does not exist"));
    }

    /**
     * Counts a job a step started under its root, in the job's own transaction: one past
     * {@code mule.limits.max-descendant-jobs} is refused (422) and rolls back with its row, so nothing is written and
     * nothing counted. A replayed idempotent request inserts nothing and is not counted.
     */
    private void countUnder(UUID root) {
        if (root != null) {
            limits.requireDescendantJobs(root.toString(), jobs.countDescendant(root));
        }
    }

    private void publish(UUID jobId, JobPlan plan, ObjectNode input, Instant now, String replyTopic, boolean awaited) {
        String workflowId = plan.workflowId() == null ? null : plan.workflowId().toString();
        // the job's deadline (timeout_job_seconds) and reply topic travel with it: the orchestrator reads no settings
        JobRequest request = JobRequest.of(jobId.toString(), workflowId, plan.workflowName(), plan.steps(), input, now)
                .with(deadlines.deadlineFor(now), replyTopic)
                .withFlow(plan.flow())
                .withParent(plan.parent())
                .atCallDepth(plan.callDepth());
        if (awaited) {
            request = request.awaitedByCaller();
        }
        try {
            outbox.append(Topics.JOB_REQUESTS, jobId.toString(), request);
        } catch (MessageTooLargeException e) {
            // thrown inside the transaction: the jobs row rolls back with it. With the default limits this cannot
            // happen (input and snapshot are checked first and fit a record together); raised limits may not fit.
            throw ApiException.limitExceeded(HttpStatus.PAYLOAD_TOO_LARGE, "the job would be " + e.size()
                    + " bytes on Kafka, over the limit of " + e.limit() + " bytes (mule.limits.max-record-bytes); "
                    + "pass large inputs by reference (e.g. a URL) instead", "mule.limits.max-record-bytes");
        }
    }

    /**
     * Accepts a job once per idempotency key: the first request writes it, any later one with the same key gets
     * that same job back ({@link Accepted#replayed()}) and writes nothing. A key reused for another target is a
     * conflict. Without a key it is written as {@link #accept} writes one, but not awaited: the caller comes back
     * for the job's end later.
     */
    @Transactional
    public Accepted acceptOnce(UUID jobId, JobPlan plan, ObjectNode input, String workingDirectory, String source,
                               String idempotencyKey) {
        return acceptOnce(jobId, plan, input, workingDirectory, source, idempotencyKey, null);
    }

    /** {@link #acceptOnce}, with a topic that also receives the job's terminal event (Kafka ingress). */
    @Transactional
    public Accepted acceptOnce(UUID jobId, JobPlan plan, ObjectNode input, String workingDirectory, String source,
                               String idempotencyKey, String replyTopic) {
        if (idempotencyKey == null) {
            return new Accepted(insert(jobId, plan, input, workingDirectory, source, replyTopic, false), false);
        }
        admit(plan, input);
        UUID root = rootOf(plan);
        Instant now = Timestamps.now();
        Optional<Job> inserted = jobs.insertQueuedOnce(jobId, plan, input, workingDirectory, source, now, idempotencyKey,
                root);
        if (inserted.isEmpty()) {
            Job existing = jobs.findByIdempotencyKey(idempotencyKey).orElseThrow(() -> ApiException.conflict(
                    "the job of this Idempotency-Key is being written by another request; retry in a moment"));
            if (!sameTarget(existing, plan)) {
                throw ApiException.conflict("Idempotency-Key '" + idempotencyKey + "' was already used for job "
                        + existing.id() + " of '" + existing.workflowName() + "'; use a new key for another request");
            }
            return new Accepted(existing, true);
        }
        countUnder(root);
        publish(jobId, plan, input, now, replyTopic, false);
        metrics.accepted(source);
        return new Accepted(inserted.get(), false);
    }

    /**
     * The child job of a sub-workflow step could not be made (its workflow is gone, has no steps, is over a limit):
     * the parent's step fails with why, through the outbox like any job request, rather than wait out its deadline.
     */
    @Transactional
    public void childNotStarted(ParentStep parent, String why) {
        StepResult failed = new StepResult(Topics.SCHEMA_VERSION, parent.jobId(), parent.stepIndex(), parent.attempt(),
                false, null, "the sub-workflow's job could not be started: " + why, null, null, 0, Timestamps.now(),
                FailureKind.INVALID_INPUT, null);
        outbox.append(Topics.STEP_RESULTS, parent.jobId(), failed);
    }

    /** Checks an {@code Idempotency-Key} header: absent is fine, present must be 1..255 visible ASCII characters. */
    public static String idempotencyKey(String header) {
        if (header == null) {
            return null;
        }
        String wrong = whatIsWrong(header);
        if (wrong != null) {
            throw ApiException.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is a good "
                    + "choice); " + wrong);
        }
        return header;
    }

    /** Null for a good key; else its length, or the first character that is not visible ASCII. */
    private static String whatIsWrong(String key) {
        if (key.isEmpty() || key.length() > 255) {
            return "got " + key.length() + " characters";
        }
        int at = IntStream.range(0, key.length()).filter(i -> key.charAt(i) <= 32 || key.charAt(i) >= 127)
                .findFirst().orElse(-1);
        if (at < 0) {
            return null;
        }
        char c = key.charAt(at);
        return "character " + (at + 1) + " is " + (c == ' ' ? "a space" : String.format("U+%04X", (int) c));
    }

    private static boolean sameTarget(Job job, JobPlan plan) {
        return Objects.equals(job.workflowId(), plan.workflowId()) && Objects.equals(job.wasmModuleId(), plan.wasmModuleId())
                && Objects.equals(job.agentId(), plan.agentId()) && Objects.equals(job.workflowName(), plan.workflowName());
    }

    /** A job accepted now, or found under the request's idempotency key ({@code replayed}). */
    public record Accepted(Job job, boolean replayed) {
    }

    /**
     * Records a request to cancel a job that has not ended, as far as its row tells: the {@code JobControl} goes to
     * the outbox, and nothing else is written. The orchestrator decides: a job it still runs is cancelled (its
     * {@code job_cancelled} event is recorded by the job status writer, the one writer of {@code jobs}, and the
     * runners stop the running step); a job it has already finished keeps its real outcome, even if the row did not
     * show it yet. The returned job is the row as it stands now.
     */
    @Transactional
    public Job requestCancel(UUID jobId) {
        Job job = jobs.find(jobId).orElseThrow(() -> ApiException.notFound("no job with id '" + jobId + "'"));
        if (JobStatus.fromWire(job.status()).terminal()) {
            throw ApiException.conflict("job " + jobId + " has already ended (" + job.status()
                    + "); only queued or running jobs can be cancelled");
        }
        Instant now = Timestamps.now();
        outbox.append(Topics.JOB_CONTROL, jobId.toString(), JobControl.cancel(jobId.toString(), CANCEL_REASON, now));
        return job;
    }
}
