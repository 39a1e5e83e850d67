package ai.mule.gateway.agentcall;

import ai.mule.schemas.FailureKind;

/**
 * A direct agent call that failed, in words for the caller, with its {@link FailureKind} from the provider library's
 * one mapping (the same an agent step gets); the OpenAI-compatible API answers the kind as an HTTP status.
 */
public class AgentCallFailure extends RuntimeException {

    private final FailureKind kind;

    public AgentCallFailure(FailureKind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public FailureKind kind() {
        return kind;
    }
}
