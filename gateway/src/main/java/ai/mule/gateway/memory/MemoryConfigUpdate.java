package ai.mule.gateway.memory;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A {@code PUT /api/v1/memory-config} body as Mule v2's UI sends it; a field left out keeps its value. The bounds are
 * the v2 UI's (dimensions 1 to 4096, top-k 1 to 100, TTL from 0 = never expires).
 */
// id, created_at and updated_at are what a GET answered and may be sent back: ignored
@com.fasterxml.jackson.annotation.JsonIgnoreProperties({"id", "created_at", "updated_at"})
record MemoryConfigUpdate(
        @Size(max = 2_000, message = "must be at most 2000 characters") String databaseUrl,
        @Pattern(regexp = "(?!\\.+$)[A-Za-z0-9._-]{1,100}", message = "must be a provider kind such as openai or ollama, "
                + "or the id of a provider from GET /api/v1/providers") String embeddingProvider,
        @Pattern(regexp = "[A-Za-z0-9._:/-]{1,200}", message = "must be a model name of 1 to 200 letters, digits or "
                + "._:/- such as text-embedding-ada-002") String embeddingModel,
        @Min(value = 1, message = "must be between 1 and 4096") @Max(value = 4096, message = "must be between 1 and 4096")
        Integer embeddingDims,
        @Min(value = 0, message = "must be 0 (never expires) or a number of seconds")
        @Max(value = 315_360_000, message = "must be at most 315360000 (ten years)") Integer defaultTtlSeconds,
        @Min(value = 1, message = "must be between 1 and 100") @Max(value = 100, message = "must be between 1 and 100")
        Integer defaultTopK) {
}
