package ai.mule.runner.wasm.modules;

import ai.mule.runner.wasm.execution.StepFailure;

/** A module that cannot be run: not stored, corrupt, not WebAssembly, or the store is unreachable. */
public final class ModuleUnavailableException extends RuntimeException {

    private final StepFailure failure;

    public ModuleUnavailableException(StepFailure.Reason reason, String message) {
        this(reason, message, null);
    }

    public ModuleUnavailableException(StepFailure.Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.failure = StepFailure.of(reason, message);
    }

    public StepFailure failure() {
        return failure;
    }
}
