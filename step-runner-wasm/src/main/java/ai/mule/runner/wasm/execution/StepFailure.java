package ai.mule.runner.wasm.execution;

import ai.mule.wasm.StructureLimits;
import ai.mule.schemas.FailureKind;

/**
 * Why a WASM step failed, as a typed reason (for logs and metrics) and a message a user can read (it
 * becomes the step's error, and the job's {@code step N failed: <message>}).
 */
public record StepFailure(Reason reason, String message) {

    public enum Reason {
        /** No module with the requested sha256 is stored. */
        MODULE_NOT_FOUND(FailureKind.INVALID_INPUT),
        /** The stored bytes do not hash to the requested sha256. */
        MODULE_CORRUPT(FailureKind.INVALID_INPUT),
        /** The bytes are not a valid WebAssembly module. */
        MODULE_INVALID(FailureKind.INVALID_INPUT),
        /** The module imports something this runner does not offer (only WASI preview 1). */
        MODULE_UNLINKABLE(FailureKind.INVALID_INPUT),
        /** The module exports no {@code _start}: it is not a WASI command. */
        NOT_A_COMMAND(FailureKind.INVALID_INPUT),
        /** The module store (PostgreSQL) could not be read. */
        STORE_UNAVAILABLE(FailureKind.INFRASTRUCTURE),
        /** The step's config or input cannot be given to a module. */
        INVALID_INPUT(FailureKind.INVALID_INPUT),
        /** The module trapped (unreachable, division by zero, out-of-bounds access, stack exhausted...). */
        TRAP(FailureKind.TRAP),
        /** The module exited with a non-zero code. */
        EXIT_CODE(FailureKind.EXIT_CODE),
        /** The module ran longer than its wall-clock time limit. */
        TIMEOUT(FailureKind.TIMEOUT),
        /** The module needed more memory than the ceiling allows. */
        MEMORY_LIMIT(FailureKind.LIMIT_EXCEEDED),
        /**
         * The module wrote more than the cap to stdout or stderr, its stdout is JSON nested deeper than
         * {@code mule.limits.max-json-depth}, or its result is too large to publish.
         */
        OUTPUT_LIMIT(FailureKind.LIMIT_EXCEEDED),
        /**
         * The module declares more outside linear memory than the runner allows ({@link StructureLimits}:
         * tables, table elements, element entries, globals, memories, GC types).
         */
        STRUCTURE_LIMIT(FailureKind.LIMIT_EXCEEDED),
        /** Loading or running the module exhausted the runner's heap or a thread's stack. */
        RESOURCE_LIMIT(FailureKind.LIMIT_EXCEEDED),
        /** The module ran to the end and reported {@code "success": false}. */
        MODULE_REPORTED_FAILURE(FailureKind.MODULE_FAILED),
        /** The run was interrupted because the runner is stopping; another runner will run it again. */
        INTERRUPTED(FailureKind.RUNNER_LOST),
        /** A fault of the runner itself, not of the module. */
        RUNNER_ERROR(FailureKind.INTERNAL),
        /** The job was cancelled (mule.jobs.control) while the step waited or ran. */
        CANCELLED(FailureKind.CANCELLED);

        private final FailureKind kind;

        Reason(FailureKind kind) {
            this.kind = kind;
        }

        /** The kind the orchestrator decides retries by. */
        public FailureKind kind() {
            return kind;
        }
    }

    public static StepFailure of(Reason reason, String message) {
        return new StepFailure(reason, message);
    }
}
