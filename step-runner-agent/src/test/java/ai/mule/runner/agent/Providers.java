package ai.mule.runner.agent;

import ai.mule.testkit.TestPostgres;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Provider rows, written as the gateway writes them. */
final class Providers {

    private Providers() {
    }

    static String insert(TestPostgres.Database db, String baseUrl, String apiKey) {
        return insert(db, UUID.randomUUID(), baseUrl, apiKey);
    }

    static String insert(TestPostgres.Database db, UUID id, String baseUrl, String apiKey) {
        JdbcClient.create(db.dataSource())
                .sql("INSERT INTO providers (id, name, api_base_url, api_key) VALUES (?, ?, ?, ?)")
                .params(id, "provider-" + id, baseUrl, apiKey)
                .update();
        return id.toString();
    }
}
