package ai.mule.orchestrator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;

/** Which failed writes are the data's (set aside) and which the database's (retried). */
class WriteFailuresTest {

    @Test
    void dataExceptionsConstraintViolationsAndProgramLimitsAreTheRows() {
        assertThat(WriteFailures.causedByData(sql("22008"))).as("timestamp out of range").isTrue();
        assertThat(WriteFailures.causedByData(sql("22P05"))).as("unsupported Unicode escape").isTrue();
        assertThat(WriteFailures.causedByData(new DataIntegrityViolationException("x",
                new SQLException("check", "23514")))).isTrue();
        assertThat(WriteFailures.causedByData(sql("54000"))).as("program limit exceeded").isTrue();
        assertThat(WriteFailures.causedByData(new IllegalArgumentException("cannot write JSON"))).isTrue();
    }

    @Test
    void connectionAndServerStateFailuresAreRetried() {
        assertThat(WriteFailures.causedByData(sql("08006"))).as("connection failure").isFalse();
        assertThat(WriteFailures.causedByData(sql("57P01"))).as("admin shutdown").isFalse();
        assertThat(WriteFailures.causedByData(sql("42P01"))).as("a table missing during a migration").isFalse();
        assertThat(WriteFailures.causedByData(sql("40001"))).as("serialization failure").isFalse();
        assertThat(WriteFailures.causedByData(new CannotGetJdbcConnectionException("pool timed out",
                new SQLException("Connection is not available")))).isFalse();
        assertThat(WriteFailures.causedByData(new DataAccessResourceFailureException("down"))).isFalse();
    }

    @Test
    void theReasonIsTheDatabasesFirstLineNotTheStatement() {
        UncategorizedSQLException failure = new UncategorizedSQLException("UPDATE jobs SET ...", "UPDATE jobs SET ...",
                new SQLException("ERROR: timestamp out of range: \"300000-01-01\"\n  Where: unnamed portal", "22008"));

        assertThat(JobStatusWriter.reason(failure)).isEqualTo("ERROR: timestamp out of range: \"300000-01-01\"");
    }

    private static UncategorizedSQLException sql(String state) {
        return new UncategorizedSQLException("writing job events", "UPDATE ...", new SQLException("refused", state));
    }
}
