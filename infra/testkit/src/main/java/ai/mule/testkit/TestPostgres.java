package ai.mule.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * A real PostgreSQL server (zonky's embedded binaries), started once per JVM. Each test class asks
 * for its own database with Mule's schema migrated, so tests never see each other's rows.
 */
public final class TestPostgres {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestPostgres() {
    }

    /** A new, empty database with every Flyway migration of {@code schemas} applied. */
    public static Database newDatabase() {
        EmbeddedPostgres pg = server();
        String name = "mule_test_" + DATABASES.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        Database db = new Database(pg.getJdbcUrl("postgres", name), "postgres", "postgres",
                pg.getDatabase("postgres", name));
        Flyway.configure().dataSource(db.dataSource()).locations("classpath:db/migration").load().migrate();
        return db;
    }

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                // stopped after Spring's test contexts (AfterSpringContexts), not in zonky's own hook beside them
                server = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
            EmbeddedPostgres started = server;
            AfterSpringContexts.atExit(() -> {
                try {
                    started.close();
                } catch (IOException e) {
                    System.err.println("embedded PostgreSQL did not stop cleanly: " + e.getMessage());
                }
            });
        }
        return server;
    }

    /** Where a test database is, for Spring properties ({@code spring.datasource.*}) or plain JDBC. */
    public record Database(String jdbcUrl, String username, String password, DataSource dataSource) {
    }
}
