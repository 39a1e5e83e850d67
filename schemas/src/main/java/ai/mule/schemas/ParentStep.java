package ai.mule.schemas;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The step of a parent job that a child job (a sub-workflow) runs for: where the child's result goes back to
 * ({@code mule.steps.results}, as that step's attempt), and how the child is named.
 *
 * @param jobId     the parent job's id
 * @param stepIndex the sub-workflow step's index in the parent's snapshot
 * @param attempt   the parent step's attempt this child is
 * @param stepName  the step's name in the parent workflow (shown with the child)
 */
public record ParentStep(String jobId, int stepIndex, int attempt, String stepName) {

    /** The idempotency key of this child: a redelivered request for it makes no second job. */
    public String idempotencyKey() {
        return "child:" + jobId + "/" + stepIndex + "/" + attempt;
    }

    /**
     * The child job's id, derived from its key, so the parent can cancel a child it never heard back from and a
     * redelivered request lands on the same job.
     */
    public String childJobId() {
        return UUID.nameUUIDFromBytes(idempotencyKey().getBytes(StandardCharsets.UTF_8)).toString();
    }
}
