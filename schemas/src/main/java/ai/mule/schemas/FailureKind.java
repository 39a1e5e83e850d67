package ai.mule.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Why a step failed, in words a machine can act on: the transient kinds are retried by the orchestrator
 * (attempts allowing), the others only when the step's policy says {@code retry_step_failures}.
 */
public enum FailureKind {
    /** The run hit its wall-clock limit. */
    TIMEOUT(true),
    /** No result came back by the step's deadline (a runner died or was cut off). */
    RUNNER_LOST(true),
    /** The provider answered 429. */
    PROVIDER_RATE_LIMITED(true),
    /** The provider answered 5xx, or could not be reached. */
    PROVIDER_UNAVAILABLE(true),
    /** Mule's own infrastructure failed (database or module store unreachable). */
    INFRASTRUCTURE(true),
    /** The provider refused the request (4xx other than 429): bad key, unknown model, bad request. */
    PROVIDER_REJECTED(false),
    /** The module answered {@code "success": false}. */
    MODULE_FAILED(false),
    /** The module trapped (unreachable, out-of-bounds access, stack overflow...). */
    TRAP(false),
    /** The module exited with a non-zero code. */
    EXIT_CODE(false),
    /** The run exceeded a memory, output or size limit. */
    LIMIT_EXCEEDED(false),
    /** The step's input or definition cannot be run (bad config, unknown module, missing import). */
    INVALID_INPUT(false),
    /** The job was cancelled while the step ran. */
    CANCELLED(false),
    /** Anything else: a bug, reported as such. */
    INTERNAL(false);

    private final boolean transientKind;

    FailureKind(boolean transientKind) {
        this.transientKind = transientKind;
    }

    /** Whether the failure may go away by itself, so that running the step again makes sense. */
    public boolean isTransient() {
        return transientKind;
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }

    @JsonCreator
    public static FailureKind fromWire(String value) {
        return value == null ? null : valueOf(value.toUpperCase());
    }
}
