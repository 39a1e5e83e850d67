package ai.mule.orchestrator.jobs;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.Topics;
import java.time.Instant;

/**
 * The time a job waited for has come ({@link JobState#wakeAt}); issued by the processor's wall-clock punctuator,
 * never read from a topic. In order of precedence:
 * <ol>
 *   <li>the job's deadline passed: the running step (if any) fails with {@code timeout}, the job fails, and the
 *   runners are told to stop the step ({@code mule.jobs.control});</li>
 *   <li>a retry's backoff is over: the next attempt is sent;</li>
 *   <li>the running attempt's deadline passed with no result: its runner counts as lost
 *   ({@code runner_lost}, transient), so the attempt is retried or the step fails.</li>
 * </ol>
 * A wake-up that finds nothing due changes nothing: the job moved on since its timer was set, which may be early
 * ({@link DueTimers}), and the processor indexes it again at its wake time.
 */
public record WakeUp(String jobId) implements JobCommand {

    @Override
    public Transition apply(JobState job, Instant now) {
        if (job == null || job.status().terminal()) {
            return Transition.ignored("the job is gone or has ended");
        }
        if (job.graph()) {
            return FlowRun.wakeUp(job, now);
        }
        JobProgress progress = job.progress();
        if (JobState.due(job.snapshot().jobDeadline(), now)) {
            return jobTimedOut(job, now);
        }
        if (job.waitsForRetry()) {
            if (!JobState.due(progress.retryAt(), now)) {
                return Transition.ignored("its retry is due at " + progress.retryAt());
            }
            JobState running = job.running(progress.stepInput(), now);
            return Changes.after(job, now).startStep(running).into(running);
        }
        if (JobState.due(progress.stepDeadline(), now)) {
            long waitedMs = job.commandTimeoutMs() + job.snapshot().stepGraceMs();
            String timeouts = job.following().isEmpty() ? "the step's timeout" : "the timeouts of the step and of the "
                    + job.following().size() + " its command carried";
            return Changes.attemptFailed(job, now, FailureKind.RUNNER_LOST, "no result within " + waitedMs
                    + " ms (" + timeouts + ", plus grace): its runner was lost or is stuck", 0, StepStreams.NONE);
        }
        return Transition.ignored("nothing is due yet");
    }

    private Transition jobTimedOut(JobState job, Instant now) {
        String error = "the job timed out: it had not ended by its deadline " + job.snapshot().jobDeadline();
        Changes changes = Changes.after(job, now);
        if (!job.waitsForRetry()) {
            changes.emit((seq, at) -> new JobEvent.StepFailed(Topics.SCHEMA_VERSION, jobId, seq, at,
                    Changes.stepRef(job), error, 0, FailureKind.TIMEOUT, null, null));
            changes.control(JobControl.cancel(jobId, error, now));
        }
        return changes
                .emit((seq, at) -> new JobEvent.JobFailed(Topics.SCHEMA_VERSION, jobId, seq, at, error))
                .into(job.finished(JobStatus.FAILED, now));
    }
}
