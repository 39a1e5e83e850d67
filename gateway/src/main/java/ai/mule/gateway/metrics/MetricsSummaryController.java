package ai.mule.gateway.metrics;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.DataResponse;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/metrics/summary?minutes=60}: what the dashboard's metrics page shows, from what the gateway
 * can see itself: jobs accepted and finished per minute and failed step attempts by {@code failure_kind} (jobs
 * accepted in the window, from PostgreSQL, through the {@code jobs_created_at} index), and each pipeline consumer
 * group's lag (from the broker). Prometheus has the same and more per service under {@code /actuator/prometheus}.
 */
@RestController
class MetricsSummaryController {

    private final JdbcClient jdbc;
    private final ConsumerLag lag;

    MetricsSummaryController(JdbcClient jdbc, ConsumerLag lag) {
        this.jdbc = jdbc;
        this.lag = lag;
    }

    record Minute(Instant minute, long accepted, long completed, long failed, long cancelled) {
    }

    record FailureCount(String failureKind, long attempts) {
    }

    record Summary(int minutes, List<Minute> throughput, List<FailureCount> failuresByKind,
                   List<ConsumerLag.GroupLag> lag) {
    }

    @GetMapping("/api/v1/metrics/summary")
    DataResponse<Summary> summary(@RequestParam(defaultValue = "60") int minutes) {
        if (minutes < 1 || minutes > 1440) {
            throw ApiException.badRequest("minutes must be between 1 and 1440, not " + minutes);
        }
        List<Minute> throughput = jdbc.sql("""
                WITH recent AS (SELECT status, created_at, completed_at FROM jobs
                                 WHERE created_at > now() - make_interval(mins => :minutes)),
                     accepted AS (SELECT date_trunc('minute', created_at) AS minute, count(*) AS n
                                    FROM recent GROUP BY 1),
                     finished AS (SELECT date_trunc('minute', completed_at) AS minute,
                                         count(*) FILTER (WHERE status = 'completed') AS completed,
                                         count(*) FILTER (WHERE status = 'failed') AS failed,
                                         count(*) FILTER (WHERE status = 'cancelled') AS cancelled
                                    FROM recent WHERE completed_at IS NOT NULL GROUP BY 1)
                SELECT coalesce(a.minute, f.minute) AS minute, coalesce(a.n, 0) AS accepted,
                       coalesce(f.completed, 0) AS completed, coalesce(f.failed, 0) AS failed,
                       coalesce(f.cancelled, 0) AS cancelled
                  FROM accepted a FULL JOIN finished f ON a.minute = f.minute
                 ORDER BY 1""")
                .param("minutes", minutes)
                .query((rs, i) -> new Minute(rs.getTimestamp("minute").toInstant(), rs.getLong("accepted"),
                        rs.getLong("completed"), rs.getLong("failed"), rs.getLong("cancelled")))
                .list();
        List<FailureCount> failures = jdbc.sql("""
                SELECT coalesce(a.failure_kind, 'unknown') AS kind, count(*) AS n
                  FROM jobs j JOIN job_step_attempts a ON a.job_id = j.id
                 WHERE j.created_at > now() - make_interval(mins => :minutes) AND a.status = 'failed'
                 GROUP BY 1 ORDER BY 2 DESC, 1""")
                .param("minutes", minutes)
                .query((rs, i) -> new FailureCount(rs.getString("kind"), rs.getLong("n")))
                .list();
        return DataResponse.of(new Summary(minutes, throughput, failures, lag.groups()));
    }
}
