package ai.mule.orchestrator.jobs;

import ai.mule.schemas.StepStarted;
import java.time.Instant;

/**
 * A runner reports that it has started an attempt ({@code mule.steps.started}): it does so only when the command
 * waited in its queue so long that the run could end past the command's deadline. Time spent queued is not a lost
 * runner, so the job now waits for the result until the start plus the step's timeout (with those of the steps its
 * command carries) plus the grace, and its timer moves with it. A report about another step or attempt (stale), or
 * one that would not move the deadline later (a duplicate), changes nothing.
 */
public record RunnerStarted(StepStarted started) implements JobCommand {

    @Override
    public String jobId() {
        return started.jobId();
    }

    /** When the result of an attempt that started late is due: its start plus the step's timeout plus the grace. */
    static Instant deadlineAfter(StepStarted started, Instant now, long timeoutMs, long graceMs) {
        // a runner's clock ahead of ours must not buy the step more time than it can have used: a start is at the
        // latest when its report arrives
        Instant startedAt = started.startedAt() == null || started.startedAt().isAfter(now) ? now : started.startedAt();
        return startedAt.plusMillis(timeoutMs + graceMs);
    }

    @Override
    public Transition apply(JobState job, Instant now) {
        if (job == null || job.status().terminal()) {
            return Transition.ignored("the job is gone or has ended");
        }
        if (job.graph()) {
            return FlowRun.runnerStarted(job, started, now);
        }
        JobProgress progress = job.progress();
        if (!job.waitsFor(started.stepIndex(), started.attempt())) {
            return Transition.ignored("step " + started.stepIndex() + " attempt " + started.attempt()
                    + " started, but the job waits for step " + progress.stepIndex() + " attempt "
                    + progress.attempt() + (job.waitsForRetry() ? " to be sent at " + progress.retryAt() : ""));
        }
        Instant deadline = deadlineAfter(started, now, job.commandTimeoutMs(), job.snapshot().stepGraceMs());
        if (progress.stepDeadline() != null && !deadline.isAfter(progress.stepDeadline())) {
            return Transition.ignored("the step's deadline " + progress.stepDeadline() + " is already as late");
        }
        return Changes.after(job, now).into(job.awaitedUntil(deadline));
    }
}
