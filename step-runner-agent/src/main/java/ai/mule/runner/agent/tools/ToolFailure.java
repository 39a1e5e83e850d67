package ai.mule.runner.agent.tools;

/** A tool call that could not be done; its message goes back to the model as the tool's result. */
class ToolFailure extends RuntimeException {

    ToolFailure(String message) {
        super(message, null, false, false);
    }
}
