package ai.mule.schemas;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A sub-workflow step ({@code "type": "workflow"}): the step runs another workflow as a job of its own, linked to
 * this one ({@code parent_job_id}, {@code parent_step}), and the child's output becomes the step's output. No runner
 * executes it: the orchestrator asks the gateway for the child job over {@code mule.jobs.ingress} (with an
 * idempotency key of parent job, step and attempt, so a redelivery makes no second child) and the child's terminal
 * transition reports back to the parent as this step's {@link StepResult}.
 *
 * @param workflowId   the child workflow's id
 * @param workflowName its name when the parent was accepted (for display)
 * @param policy       how long the child may take before the step counts as lost ({@link #DEFAULT_POLICY}: one
 *                     attempt, a day), and whether a failed child is started again
 */
public record WorkflowStep(int stepOrder, String workflowStepId, String workflowId, String workflowName,
                           JsonNode config, StepPolicy policy) implements StepDefinition {

    /** One attempt: a child that failed ran its own steps' retries already. A day before the step counts as lost. */
    public static final StepPolicy DEFAULT_POLICY = new StepPolicy(1, 1_000, 2.0, 60_000, 86_400_000L, false);

    public WorkflowStep {
        policy = policy == null ? DEFAULT_POLICY : policy;
    }

    /** Null: a sub-workflow step is never sent to a runner (see the class comment). */
    @Override
    public Topic<String, StepCommand> commandTopic() {
        return null;
    }
}
