package ai.mule.gateway.providers;

import ai.mule.gateway.secrets.ProviderSecrets;
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

/** Providers; the API key column only ever holds a sealed value ({@link ProviderSecrets}), and is never mapped out. */
@Repository
public class ProviderRepository {

    private static final String COLUMNS = "id, name, kind, api_base_url, api_key, created_at, updated_at";

    private final JdbcClient jdbc;
    private final ProviderSecrets secrets;

    ProviderRepository(JdbcClient jdbc, ProviderSecrets secrets) {
        this.jdbc = jdbc;
        this.secrets = secrets;
    }

    Provider insert(NewProvider p) {
        UUID id = UUID.randomUUID();
        Instant now = Timestamps.now();
        String sealed = secrets.seal(p.apiKey(), id);
        try {
            jdbc.sql("INSERT INTO providers (id, name, kind, api_base_url, api_key, created_at, updated_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?)")
                    .params(id, p.name(), p.kindOrDefault(), p.apiBaseUrl(), sealed, Timestamps.param(now),
                            Timestamps.param(now))
                    .update();
        } catch (DuplicateKeyException e) {
            throw nameTaken(p.name());
        }
        return new Provider(id, p.name(), p.kindOrDefault(), p.apiBaseUrl(), Provider.mask(sealed), now, now);
    }

    /**
     * Replaces name and URL, and the key unless the request keeps it; empty if there is no such provider. A stored
     * key stays only with its origin: a new scheme, host or port needs the key again, or whoever may edit providers
     * could send every stored key to a server of theirs (model listing and agent calls send it to the base URL).
     */
    Optional<Provider> update(UUID id, NewProvider p) {
        Instant now = Timestamps.now();
        try {
            if (p.keepsStoredKey()) {
                Optional<Stored> stored = jdbc.sql("SELECT api_base_url, api_key FROM providers WHERE id = ?").param(id)
                        .query((rs, n) -> new Stored(rs.getString("api_base_url"), rs.getString("api_key"))).optional();
                if (stored.isEmpty()) {
                    return Optional.empty();
                }
                if (stored.get().sealedKey() != null && !ProviderOrigin.same(stored.get().baseUrl(), p.apiBaseUrl())) {
                    throw ApiException.badRequest("api_key is required when api_base_url moves to another origin "
                            + "(scheme, host or port): the stored key was given for " + ProviderOrigin.of(
                            stored.get().baseUrl()) + ", send it again (or \"\" for none) to use it with "
                            + ProviderOrigin.of(p.apiBaseUrl()));
                }
                // only if nothing changed since the check: a concurrent update could have added a key or moved the URL
                Optional<Provider> updated = jdbc.sql("UPDATE providers SET name = ?, kind = COALESCE(?, kind), "
                                + "api_base_url = ?, updated_at = ? WHERE id = ? AND api_base_url = ? "
                                + "AND api_key IS NOT DISTINCT FROM ? RETURNING " + COLUMNS)
                        .params(p.name(), p.kind(), p.apiBaseUrl(), Timestamps.param(now), id, stored.get().baseUrl(),
                                stored.get().sealedKey())
                        .query(ProviderRepository::map).optional();
                if (updated.isEmpty() && exists(id)) {
                    throw ApiException.conflict("the provider changed while it was being updated; read it and try again");
                }
                return updated;
            }
            return jdbc.sql("UPDATE providers SET name = ?, kind = COALESCE(?, kind), api_base_url = ?, api_key = ?, updated_at = ? "
                            + "WHERE id = ? RETURNING " + COLUMNS)
                    .params(p.name(), p.kind(), p.apiBaseUrl(), secrets.seal(p.apiKey(), id),
                            Timestamps.param(now), id)
                    .query(ProviderRepository::map).optional();
        } catch (DuplicateKeyException e) {
            throw nameTaken(p.name());
        }
    }

    private record Stored(String baseUrl, String sealedKey) {
    }

    /** Deletes a provider no agent uses; false if there was none. */
    boolean delete(UUID id) {
        List<String> users = jdbc.sql("SELECT name FROM agents WHERE provider_id = ? ORDER BY name LIMIT 5")
                .param(id).query(String.class).list();
        if (!users.isEmpty()) {
            throw ApiException.conflict("the provider is used by agents " + String.join(", ", users)
                    + "; delete them or move them to another provider first");
        }
        return jdbc.sql("DELETE FROM providers WHERE id = ?").param(id).update() > 0;
    }

    public Optional<Provider> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM providers WHERE id = ?").param(id).query(ProviderRepository::map).optional();
    }

    /** The provider's endpoint and opened key, to call it; empty if there is no such provider. */
    Optional<Endpoint> endpoint(UUID id) {
        return jdbc.sql("SELECT kind, api_base_url, api_key FROM providers WHERE id = ?").param(id)
                .query((rs, n) -> new Endpoint(rs.getString("kind"), rs.getString("api_base_url"),
                        secrets.open(rs.getString("api_key"), id)))
                .optional();
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

    private static ApiException nameTaken(String name) {
        return ApiException.conflict("a provider named '" + name + "' already exists; choose another name");
    }

    private static Provider map(ResultSet rs, int n) throws SQLException {
        return new Provider(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("kind"),
                rs.getString("api_base_url"),
                Provider.mask(rs.getString("api_key")), Timestamps.column(rs, "created_at"),
                Timestamps.column(rs, "updated_at"));
    }

    /** Where to reach a provider; {@code apiKey} is null when it has none. Never serialised. */
    record Endpoint(String kind, String apiBaseUrl, String apiKey) {

        @Override
        public String toString() {
            return "Endpoint[" + kind + " " + apiBaseUrl + "]";
        }
    }
}
