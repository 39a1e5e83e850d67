package ai.mule.gateway.jobs;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How much of the database the job list ({@code GET /api/v1/jobs}) may take ({@code MULE_JOB_LIST_CONCURRENCY},
 * {@code MULE_JOB_LIST_TIMEOUT}). Its filters decide how much of the jobs table it reads, and that table keeps every
 * job: on 2,000,000 jobs a {@code search} took 2.6 s, so enough of them at once would hold every connection of the
 * gateway's pool and no job could be accepted.
 *
 * @param concurrency lists read at once; another answers 503 with {@code Retry-After} (keep it under the pool's 10
 *                    connections: job acceptance, the outbox relay and the health check need theirs)
 * @param timeout     how long each of a list's two queries (the count and the page) may run before it is stopped and
 *                    the list answers 503 saying how to narrow it; whole seconds, as JDBC counts them
 */
@Validated
@ConfigurationProperties("mule.job-list")
public record JobListProperties(@Positive @DefaultValue("4") int concurrency,
                                @NotNull @DurationMin(seconds = 1) @DefaultValue("5s") Duration timeout) {
}
