package ai.mule.gateway.memory;

import java.time.Instant;

/**
 * Agent memory settings (Mule v2's {@code /api/v1/memory-config}). Stored and validated; no agent uses memory yet.
 * {@code databaseUrl} is always empty: memory would live in Mule's own PostgreSQL, and a URL with a password is a
 * secret a GET must not return.
 */
public record MemoryConfig(String id, String databaseUrl, String embeddingProvider, String embeddingModel,
                           int embeddingDims, int defaultTtlSeconds, int defaultTopK, Instant createdAt,
                           Instant updatedAt) {
}
