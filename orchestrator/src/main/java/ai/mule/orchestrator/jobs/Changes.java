package ai.mule.orchestrator.jobs;

import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobIngressRequest;
import ai.mule.schemas.JobStatus;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.ParentStep;
import ai.mule.schemas.StepRef;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WorkflowStep;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects what one command does to a job. Events are numbered on from the job's last {@code seq}, so a job's
 * events count 1, 2, 3... without gaps whatever commands produced them; {@link #into} stores the last one. Every
 * step command and child job request it makes carries the job's call depth ({@link JobSnapshot#callDepth}).
 */
final class Changes {

    /** Builds one event once its seq and time are known. */
    @FunctionalInterface
    interface EventFactory {
        JobEvent create(long seq, Instant at);
    }

    private final Instant now;
    private final int callDepth;
    private long seq;
    private final List<JobEvent> events = new ArrayList<>(4);
    private final List<StepCommand> commands = new ArrayList<>(1);
    private final List<JobControl> controls = new ArrayList<>(0);
    private final List<JobIngressRequest> children = new ArrayList<>(0);

    private Changes(long lastSeq, Instant now, int callDepth) {
        this.seq = lastSeq;
        this.now = now;
        this.callDepth = callDepth;
    }

    static Changes after(JobState job, Instant now) {
        return new Changes(job.progress().lastSeq(), now, job.snapshot().callDepth());
    }

    /**
     * Starts a sub-workflow step: asks the gateway for the child job (which reports back as this step's result) and
     * says so in a {@code StepStarted} event.
     */
    Changes startChild(String jobId, StepRef ref, WorkflowStep step, JsonNode input, String stepName) {
        emit((seq, at) -> new JobEvent.StepStarted(Topics.SCHEMA_VERSION, jobId, seq, at, ref, input));
        return requestChild(step, input, new ParentStep(jobId, ref.stepIndex(), ref.attempt(), stepName));
    }

    /**
     * Asks the gateway for a child job without an event (an item of a for-each over a sub-workflow). The child keeps
     * this job's call depth: a sub-workflow step is part of the workflow, not a call through an agent's tool.
     */
    Changes requestChild(WorkflowStep step, JsonNode input, ParentStep parent) {
        children.add(JobIngressRequest.child(step, input, parent, callDepth));
        return this;
    }

    /** How many events so far (to tell whether a step of a graph job changed anything). */
    int size() {
        return events.size() + commands.size();
    }

    /** Sends one attempt without an event (a for-each item: its step's events say when it starts and ends). */
    Changes send(String jobId, int stepIndex, int attempt, StepDefinition step, JsonNode input, Instant deadline) {
        commands.add(StepCommand.of(jobId, stepIndex, attempt, step, input, now, deadline, callDepth));
        return this;
    }

    Changes emit(EventFactory event) {
        events.add(event.create(++seq, now));
        return this;
    }

    /**
     * Sends the job's current step (and attempt) to its runners, and says so in a {@code StepStarted} event;
     * {@code job} is the state returned by {@link JobState#running}.
     */
    Changes startStep(JobState job) {
        StepDefinition step = job.currentStep();
        JobProgress progress = job.progress();
        JsonNode input = progress.stepInput();
        emit((seq, at) -> new JobEvent.StepStarted(Topics.SCHEMA_VERSION, job.jobId(), seq, at, stepRef(job), input));
        // the command carries the deadline the job now waits until, so that a runner can skip it once it is stale
        commands.add(StepCommand.of(job.jobId(), progress.stepIndex(), progress.attempt(), step, input, now,
                progress.stepDeadline(), callDepth).following(job.following()));
        return this;
    }

    /**
     * Says in a {@code StepStarted} event that the job's current step started without a command of its own: the
     * runner of the step before ran it, as that step's command carried it ({@link StepCommand#following}).
     */
    Changes startedCarried(JobState job) {
        JsonNode input = job.progress().stepInput();
        emit((seq, at) -> new JobEvent.StepStarted(Topics.SCHEMA_VERSION, job.jobId(), seq, at, stepRef(job), input));
        return this;
    }

    /** Sends one step of a graph job ({@link FlowRun}) and says so in a {@code StepStarted} event. */
    Changes dispatch(String jobId, StepRef ref, StepDefinition step, JsonNode input, Instant deadline) {
        emit((seq, at) -> new JobEvent.StepStarted(Topics.SCHEMA_VERSION, jobId, seq, at, ref, input));
        commands.add(StepCommand.of(jobId, ref.stepIndex(), ref.attempt(), step, input, now, deadline, callDepth));
        return this;
    }

    /** The job's current step and attempt, as its step events name them. */
    static StepRef stepRef(JobState job) {
        StepDefinition step = job.currentStep();
        JobProgress progress = job.progress();
        return new StepRef(progress.stepIndex(), step.stepOrder(), step.workflowStepId(), progress.attempt());
    }

    /** Tells the runners to stop the job's running step (a job that timed out). */
    Changes control(JobControl control) {
        controls.add(control);
        return this;
    }

    Transition.Applied into(JobState next) {
        List<Transition.Reply> replies = new ArrayList<>(0);
        String replyTopic = next.snapshot().replyTopic();
        if (replyTopic != null) {
            events.stream().filter(JobEvent::terminal)
                    .forEach(event -> replies.add(new Transition.Reply(replyTopic, event)));
        }
        List<StepResult> parentResults = new ArrayList<>(0);
        ParentStep parent = next.snapshot().parent();
        if (parent != null) {
            events.stream().filter(JobEvent::terminal)
                    .forEach(event -> parentResults.add(parentResult(next.jobId(), parent, event)));
        }
        return new Transition.Applied(next.withLastSeq(seq), events, commands, replies, controls, children,
                parentResults);
    }

    /** A child job ended: its parent's step gets its output ({@code prompt} unwrapped), or fails with why it ended. */
    private StepResult parentResult(String childJobId, ParentStep parent, JobEvent terminal) {
        if (terminal instanceof JobEvent.JobCompleted completed) {
            JsonNode output = completed.output() != null && completed.output().has("prompt")
                    ? completed.output().get("prompt") : completed.output();
            return new StepResult(Topics.SCHEMA_VERSION, parent.jobId(), parent.stepIndex(), parent.attempt(), true,
                    output, null, null, null, 0, now, null, completed.usage());
        }
        String why = terminal instanceof JobEvent.JobFailed failed ? "failed: " + failed.error()
                : "was cancelled: " + ((JobEvent.JobCancelled) terminal).reason();
        FailureKind kind = terminal instanceof JobEvent.JobFailed ? FailureKind.MODULE_FAILED : FailureKind.CANCELLED;
        return new StepResult(Topics.SCHEMA_VERSION, parent.jobId(), parent.stepIndex(), parent.attempt(), false, null,
                "sub-workflow job " + childJobId + " " + why, null, null, 0, now, kind, null);
    }

    /**
     * A transition would have written a record that does not fit ({@code violation}): instead the job fails, with
     * small events only. The step the job was waiting for (if any) fails with {@code limit_exceeded}, so that its
     * row does not stay running, and the job fails with {@code the job cannot go on: <what, how large, which limit>}.
     * The failed state keeps neither the snapshot nor the input, which may be what did not fit.
     *
     * @param before  the job as stored, or null when the command was its first
     * @param wouldBe the state the refused transition would have stored (for a new job's name and reply topic)
     */
    static Transition.Applied recordTooLarge(JobState before, JobState wouldBe, Limits.Violation violation,
                                             Instant now) {
        String error = "the job cannot go on: " + violation.message();
        JobState job = before != null ? before : wouldBe.withLastSeq(0);
        Changes changes = after(job, now);
        if (before != null && !before.status().terminal() && before.graph()) {
            FlowRun.failRunningSteps(before, changes, error);
        } else if (before != null && !before.status().terminal() && !before.waitsForRetry()
                && !before.snapshot().steps().isEmpty()) {
            changes.emit((seq, at) -> new JobEvent.StepFailed(Topics.SCHEMA_VERSION, job.jobId(), seq, at,
                    stepRef(before), error, 0, FailureKind.LIMIT_EXCEEDED, null, null));
        }
        return changes
                .emit((seq, at) -> new JobEvent.JobFailed(Topics.SCHEMA_VERSION, job.jobId(), seq, at, error))
                .into(job.endedWithoutData(JobStatus.FAILED, now));
    }

    /**
     * The job's current attempt failed: run it again after its backoff if the step's policy allows, else fail the
     * step and the job (Mule v2's {@code step <order> failed: <error>}). A zero backoff starts the next attempt in
     * this same transition. {@code streams} are what the failed attempt's module wrote, carried on the
     * {@code StepFailed} event when the step fails for good.
     */
    static Transition.Applied attemptFailed(JobState job, Instant now, FailureKind kind, String error,
                                            long durationMicros, StepStreams streams) {
        return attemptFailed(job, after(job, now), now, kind, error, durationMicros, streams);
    }

    /** As above, adding to {@code changes} (what the same transition did before, e.g. the steps before it). */
    static Transition.Applied attemptFailed(JobState job, Changes changes, Instant now, FailureKind kind, String error,
                                            long durationMicros, StepStreams streams) {
        StepDefinition step = job.currentStep();
        StepPolicy policy = step.policy();
        JobProgress progress = job.progress();
        if (policy.retries(kind, progress.attempt())) {
            Instant retryAt = now.plusMillis(policy.backoffBeforeAttempt(progress.attempt() + 1));
            changes.emit((seq, at) -> new JobEvent.StepRetrying(Topics.SCHEMA_VERSION, job.jobId(), seq, at,
                    stepRef(job), error, kind, durationMicros, retryAt));
            JobState waiting = job.retryingAt(retryAt);
            if (JobState.due(retryAt, now)) {
                JobState running = waiting.running(progress.stepInput(), now);
                return changes.startStep(running).into(running);
            }
            return changes.into(waiting);
        }
        return changes
                .emit((seq, at) -> new JobEvent.StepFailed(Topics.SCHEMA_VERSION, job.jobId(), seq, at, stepRef(job),
                        error, durationMicros, kind, streams.stdout(), streams.stderr()))
                .emit((seq, at) -> new JobEvent.JobFailed(Topics.SCHEMA_VERSION, job.jobId(), seq, at,
                        "step " + step.stepOrder() + " failed: " + error))
                .into(job.finished(JobStatus.FAILED, now));
    }
}
