package ai.mule.gateway.web;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** TIMESTAMPTZ columns as instants, at PostgreSQL's microsecond precision. */
public final class Timestamps {

    private Timestamps() {
    }

    /** Now, truncated the way PostgreSQL stores it, so a value returned at once equals the one read back later. */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    public static Instant column(ResultSet rs, String column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }

    public static Timestamp param(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
