package ai.mule.schemas;

/**
 * Which step of a job, and which attempt of it, a step event is about. On the wire its fields sit flat in the
 * event ({@code "stepIndex": 0, "stepOrder": 1, ...}), as they always have.
 *
 * @param stepIndex      position of the step in the job's snapshot, from 0
 * @param stepOrder      the step's order in its workflow (Mule v2's {@code step_order}), as users number it
 * @param workflowStepId the workflow step's id; null for steps given inline with the job
 * @param attempt        1 for the first run of the step, then 2, 3, ... on retries
 */
public record StepRef(int stepIndex, int stepOrder, String workflowStepId, int attempt) {
}
