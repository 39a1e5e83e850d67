package ai.mule.gateway.modules;

import java.time.Instant;
import java.util.UUID;

/** The source a module was compiled from on the server (Mule v2's {@code GET /wasm-modules/{id}/source}). */
record ModuleSource(UUID wasmModuleId, String language, String sourceCode, Instant updatedAt) {

    ModuleSource(String language, String sourceCode) {
        this(null, language, sourceCode, null);
    }
}
