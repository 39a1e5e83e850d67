package ai.mule.gateway.jobs;

import ai.mule.gateway.outbox.MessageTooLargeException;
import ai.mule.gateway.outbox.Outbox;
import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.Timestamps;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.Topics;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Accepts jobs: the {@code jobs} row (status queued) and the outbox row carrying its {@link JobRequest} are
 * written in one transaction, so a job exists exactly when its request will reach Kafka. Accepting never
 * waits for Kafka; the outbox relay publishes right after the commit.
 */
@Service
public class JobService {

    public static final String SOURCE_API = "api";
    public static final String SOURCE_CHAT = "chat";

    private final JobRepository jobs;
    private final Outbox outbox;

    JobService(JobRepository jobs, Outbox outbox) {
        this.jobs = jobs;
        this.outbox = outbox;
    }

    /**
     * Writes a queued job for this plan. The caller chooses the id, so that it can register a waiter for the
     * job's end before the job exists.
     */
    @Transactional
    public Job accept(UUID jobId, JobPlan plan, ObjectNode input, String workingDirectory, String source) {
        plan.requireSteps();
        Instant now = Timestamps.now();
        Job job = jobs.insertQueued(jobId, plan, input, workingDirectory, source, now);
        String workflowId = plan.workflowId() == null ? null : plan.workflowId().toString();
        JobRequest request = JobRequest.of(jobId.toString(), workflowId, plan.workflowName(), plan.steps(), input, now);
        try {
            outbox.append(Topics.JOB_REQUESTS, jobId.toString(), request);
        } catch (MessageTooLargeException e) {
            // thrown inside the transaction: the jobs row rolls back with it
            throw new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "the job would be " + e.size() + " bytes on Kafka, over "
                    + "the " + e.limit() + "-byte message limit; pass large inputs by reference (e.g. a URL) instead");
        }
        return job;
    }

    /** Asks the orchestrator to cancel a job that has not ended; it stops the job between steps. */
    @Transactional
    public Job requestCancel(UUID jobId) {
        Job job = jobs.find(jobId).orElseThrow(() -> ApiException.notFound("no job with id '" + jobId + "'"));
        if (JobStatus.fromWire(job.status()).terminal()) {
            throw ApiException.conflict("job " + jobId + " has already ended (" + job.status() + "); only queued or "
                    + "running jobs can be cancelled");
        }
        outbox.append(Topics.JOB_CONTROL, jobId.toString(),
                JobControl.cancel(jobId.toString(), "cancelled through the API", Timestamps.now()));
        return job;
    }
}
