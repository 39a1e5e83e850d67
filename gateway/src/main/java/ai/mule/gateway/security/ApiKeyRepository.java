package ai.mule.gateway.security;

import ai.mule.gateway.web.Paging;
import ai.mule.gateway.web.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class ApiKeyRepository {

    private final JdbcClient jdbc;

    ApiKeyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(UUID id, String name, String hash, String prefix, Instant now) {
        jdbc.sql("INSERT INTO api_keys (id, name, key_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)")
                .params(id, name, hash, prefix, Timestamps.param(now))
                .update();
    }

    boolean isActive(String hash) {
        return jdbc.sql("SELECT count(*) FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL").param(hash)
                .query(Long.class).single() > 0;
    }

    boolean anyActive() {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM api_keys WHERE revoked_at IS NULL)").query(Boolean.class).single();
    }

    /** Revokes an active key; false if there is no active key with this id. */
    boolean revoke(UUID id) {
        return jdbc.sql("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .params(Timestamps.param(Timestamps.now()), id).update() > 0;
    }

    List<ApiKey> list(Paging paging) {
        return jdbc.sql("SELECT id, name, prefix, created_at, revoked_at FROM api_keys ORDER BY created_at DESC, id "
                        + "LIMIT ? OFFSET ?")
                .params(paging.pageSize(), paging.offset())
                .query(ApiKeyRepository::map).list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM api_keys").query(Long.class).single();
    }

    private static ApiKey map(ResultSet rs, int n) throws SQLException {
        return new ApiKey(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("prefix"),
                Timestamps.column(rs, "created_at"), Timestamps.column(rs, "revoked_at"), null);
    }
}
