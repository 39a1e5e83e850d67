package ai.mule.runner.wasm.execution;

/**
 * Thrown out of the module's {@code fd_write} when it writes past its cap. It is not an IOException on
 * purpose: WASI would turn that into an EIO the module could ignore and keep writing; this unwinds the run.
 */
final class OutputLimitExceededException extends RuntimeException {

    OutputLimitExceededException(String stream, int cap) {
        super("wrote more than " + ByteSizes.describe(cap) + " to " + stream, null, false, false);
    }
}
