package ai.mule.schemas;

/**
 * A running step that calls the gateway to start a job (an agent's tool, a module's host function), as the call
 * says it in two headers: {@link JobRequest#CALL_DEPTH_HEADER}, the depth the new job will have (the step's job's
 * + 1), and {@link JobRequest#STARTED_BY_HEADER}, the step's job, under whose first job the gateway counts the new
 * one ({@link Limits#maxDescendantJobs}). Both runners send them; the gateway reads them.
 *
 * @param jobId     the job the calling step runs for
 * @param callDepth that job's call depth ({@link StepCommand#callDepth})
 */
public record StepCaller(String jobId, int callDepth) {

    /** The step a command runs. */
    public static StepCaller of(StepCommand command) {
        return new StepCaller(command.jobId(), command.callDepth());
    }

    /** The two headers, as name, value, name, value (what {@code HttpRequest.Builder#headers} takes). */
    public String[] headers() {
        return new String[] {JobRequest.CALL_DEPTH_HEADER, String.valueOf(callDepth + 1),
                JobRequest.STARTED_BY_HEADER, jobId};
    }
}
