package ai.mule.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.localkafka.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack's PostgreSQL keeps every commit it answered, through a kill -9 of the whole server: what the
 * gateway answered 201 for, and the status rows the status writer committed its offsets after. With zonky's default
 * ({@code synchronous_commit=off}) the last commits before the kill were lost: 24 of 2,000 in two runs of a bare zonky
 * server, 1 in two runs of this test. A kill -9 cannot show whether a commit reached the disk (the OS still holds what
 * was written), so the flushing settings are read from the server itself.
 */
class LocalPostgresIT {

    private static final int COMMITS = 2_000;

    @Test
    void everyCommittedRowSurvivesAKill9OfTheServer(@TempDir Path home) throws Exception {
        StackConfig config = stackIn(home);
        LocalPostgres postgres = started(config);
        try (Connection db = LocalPostgres.connect(config); Statement s = db.createStatement()) {
            s.execute("CREATE TABLE accepted (n integer)");
            for (int n = 0; n < COMMITS; n++) {
                s.execute("INSERT INTO accepted VALUES (" + n + ")"); // autocommit: one commit each
            }
        }

        killServer(home.resolve("postgres"));
        postgres.close(); // its stop fails (nothing left to stop); it releases the data directory's lock
        LocalPostgres restarted = started(config);
        try (Connection db = LocalPostgres.connect(config); Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM accepted")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).as("rows committed before the kill").isEqualTo(COMMITS);
        } finally {
            restarted.close();
        }
    }

    @Test
    void flushesEveryCommitToDiskBeforeAnsweringIt(@TempDir Path home) throws Exception {
        StackConfig config = stackIn(home);
        LocalPostgres postgres = started(config);
        try (Connection db = LocalPostgres.connect(config); Statement s = db.createStatement()) {
            // zonky starts the server with -F (fsync off): a commit would reach the OS, not the disk
            assertThat(setting(s, "fsync")).isEqualTo("on");
            assertThat(setting(s, "synchronous_commit")).isEqualTo("on");
            assertThat(setting(s, "full_page_writes")).isEqualTo("on");
        } finally {
            postgres.close();
        }
    }

    /** A stack whose home is {@code home}, with PostgreSQL on a free port (the other services' ports are unused). */
    private static StackConfig stackIn(Path home) throws IOException {
        return new StackConfig(Path.of("."), home, 0, 0, 0, FreePorts.next(), 1);
    }

    private static LocalPostgres started(StackConfig config) throws Exception {
        LocalPostgres postgres = new LocalPostgres(config);
        postgres.start();
        return postgres;
    }

    private static String setting(Statement s, String name) throws Exception {
        try (ResultSet rs = s.executeQuery("SHOW " + name)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    /** SIGKILLs the postmaster (its pid heads postmaster.pid) and every backend, and waits until they are gone. */
    private static void killServer(Path data) throws IOException {
        long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        List<ProcessHandle> server = new ArrayList<>(postmaster.descendants().toList());
        server.add(postmaster);
        server.forEach(ProcessHandle::destroyForcibly);
        server.forEach(process -> process.onExit().join());
    }
}
