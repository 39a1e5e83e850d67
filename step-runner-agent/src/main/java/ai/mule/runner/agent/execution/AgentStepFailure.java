package ai.mule.runner.agent.execution;

/** Why an agent step failed, in words for the user; becomes the step result's {@code error}. */
class AgentStepFailure extends RuntimeException {

    AgentStepFailure(String message) {
        super(message);
    }
}
