package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobEvent;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects what one command does to a job. Events are numbered on from the job's last {@code seq}, so a job's
 * events count 1, 2, 3... without gaps whatever commands produced them; {@link #into} stores the last one.
 */
final class Changes {

    /** Builds one event once its seq and time are known. */
    @FunctionalInterface
    interface EventFactory {
        JobEvent create(long seq, Instant at);
    }

    private final Instant now;
    private long seq;
    private final List<JobEvent> events = new ArrayList<>(4);
    private final List<StepCommand> commands = new ArrayList<>(1);

    private Changes(long lastSeq, Instant now) {
        this.seq = lastSeq;
        this.now = now;
    }

    static Changes after(JobState job, Instant now) {
        return new Changes(job.lastSeq(), now);
    }

    Changes emit(EventFactory event) {
        events.add(event.create(++seq, now));
        return this;
    }

    /** Sends the job's current step (and attempt) to its runners, and says so in a {@code StepStarted} event. */
    Changes startStep(JobState job, JsonNode input) {
        StepDefinition step = job.currentStep();
        emit((seq, at) -> new JobEvent.StepStarted(Topics.SCHEMA_VERSION, job.jobId(), seq, at, job.stepIndex(),
                step.stepOrder(), step.workflowStepId(), job.attempt(), input));
        commands.add(StepCommand.of(job.jobId(), job.stepIndex(), job.attempt(), step, input, now));
        return this;
    }

    Transition into(JobState next) {
        return Transition.to(next.withLastSeq(seq), events, commands);
    }
}
