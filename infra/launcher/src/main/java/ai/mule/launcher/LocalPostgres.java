package ai.mule.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server (zonky's embedded binaries, no install needed) whose data directory lives
 * under the stack's home and is kept between starts, so jobs outlive a restart. The gateway applies the
 * schema (Flyway) when it starts.
 * <p>
 * It commits durably, as PostgreSQL does by default: each commit is flushed to disk before it is answered. zonky
 * starts the server with {@code -F} (no {@code fsync}) and its builder turns {@code synchronous_commit} off, both set
 * back on here. With {@code synchronous_commit} off, a job the gateway had answered 201 for, or a status row the status
 * writer had committed its Kafka offsets after, could be in no file yet: a kill -9 of PostgreSQL lost the last commits
 * before it (LocalPostgresIT). With {@code fsync} off (until 2026-12-07) a commit reached the OS but not the disk: it
 * survived a kill -9, not a power cut, which could also leave the data files corrupt. The writers that may lose a
 * commit (the outbox relay's deletes) say so per transaction.
 */
final class LocalPostgres implements AutoCloseable {

    static final String DATABASE = "mule";
    static final String USER = "postgres";
    static final String PASSWORD = "postgres";

    private final StackConfig config;
    private EmbeddedPostgres server;

    /** A connection to the stack's database, as the bench reads and tends it. */
    static Connection connect(StackConfig config) throws SQLException {
        return DriverManager.getConnection(config.jdbcUrl(), USER, PASSWORD);
    }

    LocalPostgres(StackConfig config) {
        this.config = config;
    }

    void start() throws IOException, SQLException {
        Path data = config.home().resolve("postgres");
        Files.createDirectories(data);
        server = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setPort(config.postgresPort())
                // after zonky's -F on the command line, so it wins
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                // zonky's own hook would stop the server the moment the JVM is asked to stop, while the services
                // still drain their work into it: the stack stops it last (LocalStack)
                .setRegisterShutdownHook(false)
                .start();
        createDatabase();
    }

    private void createDatabase() throws SQLException {
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE " + DATABASE);
        }
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
