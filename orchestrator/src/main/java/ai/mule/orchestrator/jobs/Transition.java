package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobEvent;
import ai.mule.schemas.StepCommand;
import java.util.List;

/**
 * The result of applying a {@link JobCommand}: the job's new state, the events and the step commands to emit,
 * or, when the command changes nothing (a duplicate, a stale result), why it was ignored.
 */
public record Transition(JobState state, List<JobEvent> events, List<StepCommand> commands, String ignoredBecause) {

    public static Transition to(JobState state, List<JobEvent> events, List<StepCommand> commands) {
        return new Transition(state, List.copyOf(events), List.copyOf(commands), null);
    }

    public static Transition ignored(String because) {
        return new Transition(null, List.of(), List.of(), because);
    }

    public boolean ignored() {
        return ignoredBecause != null;
    }
}
