package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobIngressRequest;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
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
     * The job's new state, and what to emit: events, step commands, the terminal event for a reply topic, control
     * messages (for the runners, and cancels of child jobs), requests for child jobs (sub-workflow steps, to the
     * gateway) and, for a child job that ended, the result of its parent's step.
     */
    record Applied(JobState state, List<JobEvent> events, List<StepCommand> commands, List<Reply> replies,
                   List<JobControl> controls, List<JobIngressRequest> children, List<StepResult> parentResults)
            implements Transition {

        public Applied {
            events = List.copyOf(events);
            commands = List.copyOf(commands);
            replies = List.copyOf(replies);
            controls = List.copyOf(controls);
            children = children == null ? List.of() : List.copyOf(children);
            parentResults = parentResults == null ? List.of() : List.copyOf(parentResults);
        }

        public Applied(JobState state, List<JobEvent> events, List<StepCommand> commands, List<Reply> replies,
                       List<JobControl> controls) {
            this(state, events, commands, replies, controls, List.of(), List.of());
        }

        Applied withState(JobState next) {
            return new Applied(next, events, commands, replies, controls, children, parentResults);
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
