package ai.mule.gateway.memory;

import ai.mule.gateway.providers.ProviderRepository;
import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.DataResponse;
import ai.mule.gateway.web.Ids;
import ai.mule.gateway.web.Timestamps;
import jakarta.validation.Valid;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Mule v2's {@code GET/PUT /api/v1/memory-config}: one settings row, {@code default}. Not used by agents yet. */
@RestController
@RequestMapping("/api/v1/memory-config")
class MemoryConfigController {

    private static final String COLUMNS = "id, embedding_provider, embedding_model, embedding_dims, default_ttl_seconds, "
            + "default_top_k, created_at, updated_at";

    private final JdbcClient jdbc;
    private final ProviderRepository providers;

    MemoryConfigController(JdbcClient jdbc, ProviderRepository providers) {
        this.jdbc = jdbc;
        this.providers = providers;
    }

    @GetMapping
    DataResponse<MemoryConfig> get() {
        return DataResponse.of(current());
    }

    /** Validates and stores the settings; a {@code database_url} is accepted and not stored (see {@link MemoryConfig}). */
    @PutMapping
    DataResponse<MemoryConfig> update(@Valid @RequestBody MemoryConfigUpdate body) {
        MemoryConfig now = current();
        String provider = Objects.requireNonNullElse(body.embeddingProvider(), now.embeddingProvider());
        UUID providerId = Ids.parseOrNull(provider);
        if (providerId != null && !providers.exists(providerId)) {
            throw ApiException.unprocessable("embedding_provider '" + provider + "' names no provider; pick one from "
                    + "GET /api/v1/providers or give a provider kind such as openai");
        }
        return DataResponse.of(jdbc.sql("UPDATE memory_config SET embedding_provider = ?, embedding_model = ?, "
                        + "embedding_dims = ?, default_ttl_seconds = ?, default_top_k = ?, updated_at = ? WHERE id = 'default' "
                        + "RETURNING " + COLUMNS)
                .params(provider, Objects.requireNonNullElse(body.embeddingModel(), now.embeddingModel()),
                        Objects.requireNonNullElse(body.embeddingDims(), now.embeddingDims()),
                        Objects.requireNonNullElse(body.defaultTtlSeconds(), now.defaultTtlSeconds()),
                        Objects.requireNonNullElse(body.defaultTopK(), now.defaultTopK()),
                        Timestamps.param(Timestamps.now()))
                .query(MemoryConfigController::map).single());
    }

    private MemoryConfig current() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM memory_config WHERE id = 'default'")
                .query(MemoryConfigController::map).single();
    }

    private static MemoryConfig map(ResultSet rs, int n) throws SQLException {
        return new MemoryConfig(rs.getString("id"), "", rs.getString("embedding_provider"), rs.getString("embedding_model"),
                rs.getInt("embedding_dims"), rs.getInt("default_ttl_seconds"), rs.getInt("default_top_k"),
                Timestamps.column(rs, "created_at"), Timestamps.column(rs, "updated_at"));
    }
}
