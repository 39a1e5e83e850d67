package ai.mule.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.schemas.JobControl;
import ai.mule.schemas.Topics;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TestkitIT {

    @Test
    void newDatabaseHasMuleSchemaWithSeededSettings() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();

        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT value FROM settings WHERE key = 'timeout_workflow_seconds'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("300");
        }
    }

    @Test
    void brokerCarriesMuleMessagesKeyedByJob() {
        String job = UUID.randomUUID().toString();

        TestKafka.send(Topics.JOB_CONTROL, job, JobControl.cancel(job, "test", Instant.now()));

        assertThat(TestKafka.read(Topics.JOB_CONTROL, job, 1, Duration.ofSeconds(20)))
                .singleElement().extracting(JobControl::jobId).isEqualTo(job);
    }

    @Test
    void examplesAreOnTheClasspath() {
        assertThat(WasmFixtures.wasm("upper.wasm")).startsWith(0x00, 0x61, 0x73, 0x6d);
    }
}
