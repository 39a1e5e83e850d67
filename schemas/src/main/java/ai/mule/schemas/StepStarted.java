package ai.mule.schemas;

import java.time.Instant;

/**
 * A runner has started one attempt of a step ({@code mule.steps.started}). Sent only when the run could end past
 * the command's {@link StepCommand#deadline()} (the command waited in a queue): the orchestrator then expects the
 * result by {@code startedAt} plus the step's timeout plus its grace, so time spent queued is never taken for a
 * lost runner. A quick start sends nothing, so the common path costs no extra record.
 */
public record StepStarted(int version, String jobId, int stepIndex, int attempt, Instant startedAt) {

    public static StepStarted of(StepCommand command, Instant startedAt) {
        return new StepStarted(Topics.SCHEMA_VERSION, command.jobId(), command.stepIndex(), command.attempt(),
                startedAt);
    }
}
