package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.StepCommand;
import java.util.List;

/**
 * The result of applying a {@link JobCommand}: either it changes the job ({@link Applied}), or it changes nothing
 * (a duplicate, a stale result) and says why ({@link Ignored}).
 */
public sealed interface Transition permits Transition.Applied, Transition.Ignored {

    static Ignored ignored(String because) {
        return new Ignored(because);
    }

    /**
     * The job's new state, and what to emit: events, step commands, the terminal event for a reply topic, and
     * control messages for the runners.
     */
    record Applied(JobState state, List<JobEvent> events, List<StepCommand> commands, List<Reply> replies,
                   List<JobControl> controls) implements Transition {

        public Applied {
            events = List.copyOf(events);
            commands = List.copyOf(commands);
            replies = List.copyOf(replies);
            controls = List.copyOf(controls);
        }

        /** Whether this transition emits the job's terminal event (completed, failed or cancelled). */
        boolean endsJob() {
            return events.stream().anyMatch(JobEvent::terminal);
        }
    }

    /** The command changes nothing; {@code because} says why (logged at debug). */
    record Ignored(String because) implements Transition {
    }

    /** A job's terminal event, copied to the reply topic its Kafka ingress request named. */
    record Reply(String topic, JobEvent event) {
    }
}
