package ai.mule.runner.agent.execution;

import ai.mule.schemas.FailureKind;

/**
 * Why an agent step failed, in words for the user (the step result's {@code error}) and as a {@link FailureKind}
 * (the orchestrator retries the transient ones).
 */
class AgentStepFailure extends RuntimeException {

    private final FailureKind kind;

    AgentStepFailure(FailureKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    /** A step that cannot run as sent: retrying it would fail the same way. */
    AgentStepFailure(String message) {
        this(FailureKind.INVALID_INPUT, message);
    }

    FailureKind kind() {
        return kind;
    }
}
