package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.Topics;
import java.time.Instant;

/**
 * A request to cancel a job ({@code mule.jobs.control}). A running job is cancelled at once: the result of its
 * running step, when it comes, is dropped. A finished job stays as it is.
 */
public record CancelJob(JobControl control) implements JobCommand {

    @Override
    public String jobId() {
        return control.jobId();
    }

    @Override
    public Transition apply(JobState job, Instant now) {
        String reason = control.reason() == null || control.reason().isBlank() ? "cancelled" : control.reason();
        if (job == null) {
            // The cancel overtook the job's request (they travel on different topics). Remember the job as
            // cancelled so that its request, when it arrives, is ignored instead of run.
            JobState cancelled = JobState.cancelledUnseen(jobId(), now);
            return Changes.after(cancelled, now)
                    .emit((seq, at) -> new JobEvent.JobCancelled(Topics.SCHEMA_VERSION, jobId(), seq, at, reason))
                    .into(cancelled);
        }
        if (job.status().terminal()) {
            return Transition.ignored("the job is already " + job.status().wire());
        }
        Changes changes = Changes.after(job, now);
        if (job.graph()) {
            // cancelling the parent cancels its running sub-workflows' child jobs
            FlowRun.cancelChildren(job, changes, "cancelled: " + reason, now);
        }
        return changes
                .emit((seq, at) -> new JobEvent.JobCancelled(Topics.SCHEMA_VERSION, jobId(), seq, at, reason))
                .into(job.finished(JobStatus.CANCELLED, now));
    }
}
