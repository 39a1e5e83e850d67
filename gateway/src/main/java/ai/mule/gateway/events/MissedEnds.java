package ai.mule.gateway.events;

import ai.mule.gateway.jobs.Job;
import ai.mule.gateway.jobs.JobRepository;
import ai.mule.schemas.JobStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Reads the job's row for a synchronous call whose wait ran out ({@link JobWaiters#answer}), and tells when the row
 * says the job had ended well before: its terminal event never reached this gateway's events listener while the call
 * waited. The caller is still answered from the row, but only after its whole {@code timeout_workflow_seconds}, and
 * nothing else would show it. A lone client once waited out its own 60 s timeout, in about 50,000 calls that could not
 * make it happen again (issue 14): a warning naming the job and a count ({@code mule_gateway_waits_missed_ends_total})
 * tell a missed end apart from a client that lost its answer. The losses found since, with no warning and no count,
 * were Tomcat's ({@link ai.mule.gateway.web.TomcatAsyncTimeouts}).
 */
@Component
public class MissedEnds {

    private static final Logger log = LoggerFactory.getLogger(MissedEnds.class);
    /**
     * How long before the wait ran out a job must have ended for its end to count as missed. The listener delivers an
     * end within milliseconds of the status writer recording it; a job that ended just before the timeout is a race.
     */
    static final Duration GRACE = Duration.ofSeconds(1);

    private final JobRepository jobs;
    private final Counter missed;
    private final Clock clock;

    @Autowired
    MissedEnds(JobRepository jobs, MeterRegistry registry) {
        this(jobs, registry, Clock.systemUTC());
    }

    MissedEnds(JobRepository jobs, MeterRegistry registry, Clock clock) {
        this.jobs = jobs;
        this.clock = clock;
        this.missed = Counter.builder("mule.gateway.waits.missed.ends")
                .description("Synchronous calls whose job had ended, by its row, over a second before their wait ran"
                        + " out: the job's end never reached this gateway's events listener")
                .register(registry);
    }

    /** The job's row, once the wait for its end ran out; warns and counts when it had ended before that. */
    public Optional<Job> afterWait(UUID jobId) {
        Optional<Job> job = jobs.find(jobId);
        job.ifPresent(this::noteIfMissed);
        return job;
    }

    private void noteIfMissed(Job job) {
        Instant ended = job.completedAt();
        if (ended == null || !JobStatus.fromWire(job.status()).terminal()) {
            return;
        }
        Duration since = Duration.between(ended, clock.instant());
        if (since.compareTo(GRACE) > 0) {
            missed.increment();
            log.warn("job {} ended ({}) at {}, {} ms before its synchronous call's wait ran out, but its end never "
                    + "reached this gateway's events listener; answered from the job's row", job.id(), job.status(),
                    ended, since.toMillis());
        }
    }
}
