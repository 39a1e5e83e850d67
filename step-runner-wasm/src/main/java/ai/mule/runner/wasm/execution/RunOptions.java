package ai.mule.runner.wasm.execution;

/**
 * What one run gets besides its module and input.
 *
 * @param host   Mule v2's {@code env} functions for this run ({@link HostImports#NONE}: none)
 * @param cancel stops the run from another thread; null when the run cannot be cancelled
 * @param mount  a read-only host directory, or null for none (the default: no host filesystem at all)
 */
public record RunOptions(HostImports host, CancelSignal cancel, Mount mount) {

    public static final RunOptions NONE = new RunOptions(HostImports.NONE, null, null);

    public RunOptions {
        host = host == null ? HostImports.NONE : host;
    }
}
