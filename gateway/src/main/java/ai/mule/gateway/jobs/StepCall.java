package ai.mule.gateway.jobs;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.Ids;
import ai.mule.schemas.JobRequest;
import java.util.UUID;

/**
 * What a call to start a job says of the step that makes it, in the headers the runners send
 * ({@link ai.mule.schemas.StepCaller}): the depth the new job will have, and the job the step runs for. A client's own
 * call sends neither: depth 0, no job.
 *
 * @param callDepth {@link JobRequest#CALL_DEPTH_HEADER}: how many workflow calls from steps the new job is nested in
 * @param startedBy {@link JobRequest#STARTED_BY_HEADER}: the job whose step asks; null for none
 */
public record StepCall(int callDepth, UUID startedBy) {

    /** Both headers, each checked ({@link #callDepth(String)}, {@link #startedBy(String)}). */
    public static StepCall from(String callDepthHeader, String startedByHeader) {
        return new StepCall(callDepth(callDepthHeader), startedBy(startedByHeader));
    }

    /**
     * Checks a {@code Mule-Call-Depth} header: absent is 0, a client's own call; present, a whole number of 0 or more.
     * The client's value is not echoed.
     */
    public static int callDepth(String header) {
        if (header == null) {
            return 0;
        }
        try {
            int depth = Integer.parseInt(header.strip());
            if (depth >= 0) {
                return depth;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest(JobRequest.CALL_DEPTH_HEADER + " must be a whole number from 0 to "
                + Integer.MAX_VALUE + " (how many workflow calls through steps lead to this one; runners send it, "
                + "clients leave it out)");
    }

    /** Checks a {@code Mule-Started-By} header: absent is none; present, a job id. The value is not echoed. */
    public static UUID startedBy(String header) {
        if (header == null) {
            return null;
        }
        UUID job = Ids.parseOrNull(header.strip());
        if (job == null) {
            throw ApiException.badRequest(JobRequest.STARTED_BY_HEADER + " must be a job id (the job whose step starts "
                    + "this one; runners send it, clients leave it out)");
        }
        return job;
    }
}
