package ai.mule.orchestrator.status;

import java.sql.SQLException;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;

/**
 * Tells a write that failed because of what one event holds from one that failed because the database could not
 * be used. Only the first may be set aside: retrying it can never succeed, and it must not stop every other job's
 * status. The second must be retried until it succeeds, losing nothing.
 * <p>
 * PostgreSQL says which by its SQLSTATE class: 22 (data exception: a value out of range, text it cannot store),
 * 23 (integrity constraint violation) and 54 (program limit exceeded: a value too large or complex) come from the
 * row. Everything else from the database or the connection pool (08 connection, 53 resources, 57 operator
 * intervention, 40 rollback, 42 a missing table while a migration runs...) is the database's state, retried. A
 * failure that is neither (an exception of our own while building the row) is the event's.
 */
final class WriteFailures {

    private WriteFailures() {
    }

    /** Whether the write failed because of the data written, so that writing it again fails the same way. */
    static boolean causedByData(Throwable failure) {
        String sqlState = sqlState(failure);
        if (sqlState != null) {
            return sqlState.startsWith("22") || sqlState.startsWith("23") || sqlState.startsWith("54");
        }
        return !fromDatabase(failure);
    }

    private static String sqlState(Throwable failure) {
        for (Throwable cause = failure; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    private static boolean fromDatabase(Throwable failure) {
        for (Throwable cause = failure; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
            if (cause instanceof DataAccessException || cause instanceof TransactionException
                    || cause instanceof SQLException) {
                return true;
            }
        }
        return false;
    }
}
