package ai.mule.providers;

import ai.mule.schemas.FailureKind;

/**
 * A provider call that failed, in words for the user (never with the key), and as a {@link FailureKind}: the
 * agent runner reports it in the step result (the orchestrator retries the transient kinds), the gateway answers it
 * as an HTTP status.
 */
public class ProviderFailure extends RuntimeException {

    private final FailureKind kind;

    public ProviderFailure(FailureKind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public FailureKind kind() {
        return kind;
    }
}
