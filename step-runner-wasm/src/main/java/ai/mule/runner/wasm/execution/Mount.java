package ai.mule.runner.wasm.execution;

import java.nio.file.Path;
import java.util.Objects;

/** A host directory the module sees, read-only, at {@code guestPath}. */
public record Mount(Path hostPath, String guestPath) {

    public Mount {
        Objects.requireNonNull(hostPath, "hostPath");
        Objects.requireNonNull(guestPath, "guestPath");
    }
}
