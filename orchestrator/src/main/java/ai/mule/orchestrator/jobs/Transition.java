package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.StepCommand;
import java.util.List;

/**
 * The result of applying a {@link JobCommand}: the job's new state, the events and the step commands to emit,
 * the terminal event for a reply topic and control messages for the runners, or, when the command changes
 * nothing (a duplicate, a stale result), why it was ignored.
 */
public record Transition(JobState state, List<JobEvent> events, List<StepCommand> commands, List<Reply> replies,
                         List<JobControl> controls, String ignoredBecause) {

    /** A job's terminal event, copied to the reply topic its Kafka ingress request named. */
    public record Reply(String topic, JobEvent event) {
    }

    public static Transition to(JobState state, List<JobEvent> events, List<StepCommand> commands) {
        return to(state, events, commands, List.of(), List.of());
    }

    public static Transition to(JobState state, List<JobEvent> events, List<StepCommand> commands, List<Reply> replies,
                                List<JobControl> controls) {
        return new Transition(state, List.copyOf(events), List.copyOf(commands), List.copyOf(replies),
                List.copyOf(controls), null);
    }

    public static Transition ignored(String because) {
        return new Transition(null, List.of(), List.of(), List.of(), List.of(), because);
    }

    public boolean ignored() {
        return ignoredBecause != null;
    }
}
