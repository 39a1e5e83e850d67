package ai.mule.gateway.orchestration;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The deadline a job gets when it is accepted: now plus Mule v2's {@code timeout_job_seconds} setting. It travels
 * in the job's request, so the orchestrator fails a job that has not ended by then without reading settings
 * itself. The setting is cached for a few seconds: accepting a job must not pay a query for it.
 */
@Component
public class JobDeadlines {

    public static final String TIMEOUT_JOB_SECONDS = "timeout_job_seconds";
    static final Duration DEFAULT_JOB_TIMEOUT = Duration.ofHours(1);
    private static final long CACHE_NANOS = Duration.ofSeconds(5).toNanos();
    private static final Logger log = LoggerFactory.getLogger(JobDeadlines.class);

    private final JdbcClient jdbc;
    private volatile Duration cached;
    private volatile long cachedAt;

    JobDeadlines(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** When a job accepted at {@code acceptedAt} must have ended. */
    public Instant deadlineFor(Instant acceptedAt) {
        return acceptedAt.plus(jobTimeout());
    }

    public Duration jobTimeout() {
        Duration timeout = cached;
        if (timeout == null || System.nanoTime() - cachedAt > CACHE_NANOS) {
            timeout = read();
            cached = timeout;
            cachedAt = System.nanoTime();
        }
        return timeout;
    }

    private Duration read() {
        List<String> values = jdbc.sql("SELECT value FROM settings WHERE key = ?").param(TIMEOUT_JOB_SECONDS)
                .query(String.class).list();
        if (values.isEmpty()) {
            return DEFAULT_JOB_TIMEOUT;
        }
        try {
            long seconds = Long.parseLong(values.get(0).trim());
            return seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_JOB_TIMEOUT;
        } catch (NumberFormatException e) {
            log.warn("setting {} is '{}', not a number of seconds; using {}", TIMEOUT_JOB_SECONDS, values.get(0),
                    DEFAULT_JOB_TIMEOUT);
            return DEFAULT_JOB_TIMEOUT;
        }
    }
}
