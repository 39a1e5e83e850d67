package ai.mule.gateway.agentcall;

/** A direct agent call that failed, in words for the caller, with what kind of failure it was. */
public class AgentCallFailure extends RuntimeException {

    /** Why the call failed: decides the HTTP status the caller gets. */
    public enum Kind {
        /** The provider answered 429. */
        RATE_LIMITED,
        /** The provider answered 5xx, or could not be reached. */
        UNAVAILABLE,
        /** The provider refused the request (4xx): bad key, unknown model, bad request. */
        REJECTED,
        /** No answer within the call timeout. */
        TIMEOUT
    }

    private final Kind kind;

    public AgentCallFailure(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
