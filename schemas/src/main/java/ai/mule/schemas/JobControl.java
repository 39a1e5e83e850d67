package ai.mule.schemas;

import java.time.Instant;

/** A control message for a job ({@code mule.jobs.control}); today only cancel. */
public record JobControl(int version, String jobId, Action action, String reason, Instant at) {

    public enum Action { CANCEL }

    public static JobControl cancel(String jobId, String reason, Instant at) {
        return new JobControl(Topics.SCHEMA_VERSION, jobId, Action.CANCEL, reason, at);
    }
}
