package ai.mule.runner.runtime;

import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;

/**
 * What a runner kind does with one step command; everything around it (Kafka, offsets, limits, cancels,
 * stale commands, errors) is the {@link StepRunner}'s. Called on a worker thread, one command at a time per
 * thread, by as many threads as the runner's concurrency.
 * <p>
 * A handler should answer every failure it understands with a failed {@link StepResult} and a
 * {@link ai.mule.schemas.FailureKind}; anything it throws (an {@code Error} included) fails the step as
 * {@code internal} ({@code limit_exceeded} for an {@link OutOfMemoryError}) and the runner goes on.
 */
@FunctionalInterface
public interface StepHandler {

    /**
     * Runs the step and says how it ended.
     *
     * @param cancel given when the step's job is cancelled; by default that interrupts this thread (see
     *               {@link CancelSignal#onCancel}); also tells the time left of the step's timeout
     */
    StepResult handle(StepCommand command, CancelSignal cancel);
}
