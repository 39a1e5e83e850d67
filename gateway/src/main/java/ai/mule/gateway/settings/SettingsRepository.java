package ai.mule.gateway.settings;

import ai.mule.gateway.web.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class SettingsRepository {

    private static final String COLUMNS = "key, value, description, category, updated_at";

    private final JdbcClient jdbc;

    SettingsRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<Setting> findAll() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM settings ORDER BY category, key").query(SettingsRepository::map).list();
    }

    Optional<Setting> find(String key) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM settings WHERE key = ?").param(key).query(SettingsRepository::map)
                .optional();
    }

    Optional<Setting> update(String key, String value, Instant now) {
        return jdbc.sql("UPDATE settings SET value = ?, updated_at = ? WHERE key = ? RETURNING " + COLUMNS)
                .params(value, Timestamps.param(now), key)
                .query(SettingsRepository::map)
                .optional();
    }

    private static Setting map(ResultSet rs, int n) throws SQLException {
        return new Setting(rs.getString("key"), rs.getString("value"), rs.getString("description"),
                rs.getString("category"), Timestamps.column(rs, "updated_at"));
    }
}
