package ai.mule.gateway.providers;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.Paging;
import ai.mule.gateway.web.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class ProviderRepository {

    private static final String COLUMNS = "id, name, api_base_url, api_key, created_at, updated_at";

    private final JdbcClient jdbc;

    ProviderRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Provider insert(NewProvider p) {
        UUID id = UUID.randomUUID();
        Instant now = Timestamps.now();
        try {
            jdbc.sql("INSERT INTO providers (id, name, api_base_url, api_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
                    .params(id, p.name(), p.apiBaseUrl(), emptyToNull(p.apiKey()), Timestamps.param(now), Timestamps.param(now))
                    .update();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("a provider named '" + p.name() + "' already exists; choose another name");
        }
        return new Provider(id, p.name(), p.apiBaseUrl(), Provider.mask(p.apiKey()), now, now);
    }

    public Optional<Provider> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM providers WHERE id = ?").param(id).query(ProviderRepository::map).optional();
    }

    public boolean exists(UUID id) {
        return jdbc.sql("SELECT count(*) FROM providers WHERE id = ?").param(id).query(Long.class).single() > 0;
    }

    List<Provider> list(Paging paging) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM providers ORDER BY name LIMIT ? OFFSET ?")
                .params(paging.pageSize(), paging.offset())
                .query(ProviderRepository::map)
                .list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM providers").query(Long.class).single();
    }

    private static Provider map(ResultSet rs, int n) throws SQLException {
        return new Provider(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("api_base_url"),
                Provider.mask(rs.getString("api_key")), Timestamps.column(rs, "created_at"),
                Timestamps.column(rs, "updated_at"));
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
