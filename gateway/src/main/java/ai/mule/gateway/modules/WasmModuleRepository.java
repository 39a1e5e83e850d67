package ai.mule.gateway.modules;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.Json;
import ai.mule.gateway.web.Paging;
import ai.mule.gateway.web.Timestamps;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.core.io.InputStreamSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.support.SqlBinaryValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class WasmModuleRepository {

    // The binary is left out unless asked for: lists must not drag megabytes of BYTEA through the pool.
    private static final String COLUMNS =
            "id, name, description, config, sha256, octet_length(module_data) AS size_bytes, created_at, updated_at";

    private final JdbcClient jdbc;

    WasmModuleRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores a validated module, streaming its bytes from {@code data} (read a second time) into the row. */
    WasmModule insert(String name, String description, ObjectNode config, InputStreamSource data,
                      WasmBinaryValidator.Checked module) {
        return insert(name, description, config, data, module, null);
    }

    /** As {@link #insert(String, String, ObjectNode, InputStreamSource, WasmBinaryValidator.Checked)}, with its source. */
    WasmModule insert(String name, String description, ObjectNode config, InputStreamSource data,
                      WasmBinaryValidator.Checked module, ModuleSource source) {
        UUID id = UUID.randomUUID();
        Instant now = Timestamps.now();
        try {
            jdbc.sql("INSERT INTO wasm_modules (id, name, description, module_data, sha256, config, created_at, updated_at, "
                            + "source_language, source_code) VALUES (?, ?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?, ?)")
                    .params(id, name, description, binary(data, module), module.sha256(), Json.write(config),
                            Timestamps.param(now), Timestamps.param(now),
                            source == null ? null : source.language(), source == null ? null : source.sourceCode())
                    .update();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("a WASM module named '" + name + "' already exists; choose another name");
        }
        return new WasmModule(id, name, description, config, module.sha256(), module.sizeBytes(), now, now, null);
    }

    /** The module's bytes as a JDBC parameter that PostgreSQL's driver streams rather than copies. */
    static SqlBinaryValue binary(InputStreamSource data, WasmBinaryValidator.Checked module) {
        return new SqlBinaryValue(data, module.sizeBytes());
    }

    /** Replaces a module's binary and source with a new compilation (name, description, config when given); false if gone. */
    boolean replaceCompiled(UUID id, String name, String description, ObjectNode config, InputStreamSource data,
                            WasmBinaryValidator.Checked module, ModuleSource source) {
        try {
            return jdbc.sql("UPDATE wasm_modules SET name = COALESCE(?, name), description = COALESCE(?, description), "
                            + "config = COALESCE(CAST(? AS JSONB), config), module_data = ?, sha256 = ?, "
                            + "source_language = ?, source_code = ?, updated_at = ? WHERE id = ?")
                    .params(name, description, config == null ? null : Json.write(config), binary(data, module),
                            module.sha256(), source.language(), source.sourceCode(), Timestamps.param(Timestamps.now()), id)
                    .update() > 0;
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("a WASM module named '" + name + "' already exists; choose another name");
        }
    }

    /** The module's source if it was compiled here; empty if it has none (uploaded as a binary) or does not exist. */
    Optional<ModuleSource> source(UUID id) {
        return jdbc.sql("SELECT id, source_language, source_code, updated_at FROM wasm_modules WHERE id = ? "
                        + "AND source_code IS NOT NULL")
                .param(id)
                .query((rs, n) -> new ModuleSource(rs.getObject("id", UUID.class), rs.getString("source_language"),
                        rs.getString("source_code"), Timestamps.column(rs, "updated_at")))
                .optional();
    }

    Optional<UUID> idNamed(String name) {
        return jdbc.sql("SELECT id FROM wasm_modules WHERE name = ?").param(name).query(UUID.class).optional();
    }

    public boolean exists(UUID id) {
        return jdbc.sql("SELECT count(*) FROM wasm_modules WHERE id = ?").param(id).query(Long.class).single() > 0;
    }


    Optional<WasmModule> find(UUID id, boolean withData) {
        String columns = withData ? COLUMNS + ", module_data" : COLUMNS;
        return jdbc.sql("SELECT " + columns + " FROM wasm_modules WHERE id = ?")
                .param(id)
                .query((rs, n) -> map(rs, withData))
                .optional();
    }

    List<WasmModule> list(Paging paging) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM wasm_modules ORDER BY name LIMIT ? OFFSET ?")
                .params(paging.pageSize(), paging.offset())
                .query((rs, n) -> map(rs, false))
                .list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM wasm_modules").query(Long.class).single();
    }

    private static WasmModule map(ResultSet rs, boolean withData) throws SQLException {
        String data = withData ? Base64.getEncoder().encodeToString(rs.getBytes("module_data")) : null;
        return new WasmModule(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("description"),
                Json.column(rs, "config"), rs.getString("sha256"), rs.getLong("size_bytes"),
                Timestamps.column(rs, "created_at"), Timestamps.column(rs, "updated_at"), data);
    }
}
