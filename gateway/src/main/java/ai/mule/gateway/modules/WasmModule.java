package ai.mule.gateway.modules;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * A WASM module as the API shows it. The binary ({@code module_data}, base64) is only present when asked for
 * with {@code ?include_data=true}; {@code sha256} and {@code size_bytes} identify it without shipping it.
 */
public record WasmModule(UUID id, String name, String description, JsonNode config, String sha256, long sizeBytes,
                         Instant createdAt, Instant updatedAt,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String moduleData) {
}
