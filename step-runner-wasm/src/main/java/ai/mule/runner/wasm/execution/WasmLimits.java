package ai.mule.runner.wasm.execution;

import java.time.Duration;
import java.util.Objects;

/**
 * What one run of untrusted code may use: wall-clock time, linear memory (in 64 KiB WebAssembly pages)
 * and bytes written to stdout and stderr.
 */
public record WasmLimits(Duration timeout, int maxMemoryPages, int maxStdoutBytes, int maxStderrBytes) {

    /** A WebAssembly page: the unit of linear memory. */
    public static final int PAGE_BYTES = 65_536;

    public WasmLimits {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, not " + timeout);
        }
        if (maxMemoryPages < 1 || maxMemoryPages > 65_536) {
            throw new IllegalArgumentException("maxMemoryPages must be within 1..65536, not " + maxMemoryPages);
        }
        if (maxStdoutBytes < 1 || maxStderrBytes < 1) {
            throw new IllegalArgumentException("output caps must be positive");
        }
    }
}
