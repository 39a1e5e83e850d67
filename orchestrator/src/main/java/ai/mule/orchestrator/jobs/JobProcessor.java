package ai.mule.orchestrator.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies each {@link JobCommand} to its job's state and emits what the transition says: events to
 * {@link OrchestratorTopology#EVENTS_OUT}, step commands to {@link OrchestratorTopology#COMMANDS_OUT}.
 * Finished jobs are indexed by the time they finished, so a wall-clock punctuator removes those past their
 * retention without scanning every job.
 */
final class JobProcessor implements Processor<String, JobCommand, String, Object> {

    private static final Logger log = LoggerFactory.getLogger(JobProcessor.class);
    /** At most this many jobs are removed per sweep, so a backlog never holds one transaction open for long. */
    static final int SWEEP_BATCH = 10_000;

    private final Clock clock;
    private final Duration retention;
    private final Duration sweepInterval;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, JobState> jobs;
    private KeyValueStore<String, String> finishedJobs;

    JobProcessor(Clock clock, Duration retention, Duration sweepInterval) {
        this.clock = clock;
        this.retention = retention;
        this.sweepInterval = sweepInterval;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.jobs = context.getStateStore(OrchestratorTopology.JOBS_STORE);
        this.finishedJobs = context.getStateStore(OrchestratorTopology.FINISHED_JOBS_STORE);
        context.schedule(sweepInterval, PunctuationType.WALL_CLOCK_TIME, timestamp -> sweepExpiredJobs());
    }

    @Override
    public void process(Record<String, JobCommand> record) {
        JobCommand command = record.value();
        String commandName = command.getClass().getSimpleName();
        if (!Objects.equals(record.key(), command.jobId())) {
            log.warn("Dropping {} for job {} keyed {}: messages must be keyed by their job id", commandName,
                    command.jobId(), record.key());
            return;
        }
        JobState before = jobs.get(record.key());
        Transition transition;
        try {
            transition = command.apply(before, clock.instant());
        } catch (KafkaException e) {
            throw e;
        } catch (RuntimeException e) {
            // apply() is pure: skipping the command leaves the job exactly as it was
            log.error("Skipping {} for job {}: it cannot be applied", commandName, record.key(), e);
            return;
        }
        if (transition.ignored()) {
            log.debug("Ignoring {} for job {}: {}", commandName, record.key(), transition.ignoredBecause());
            return;
        }
        save(before, transition.state());
        transition.commands().forEach(c -> context.forward(record.withValue(c), OrchestratorTopology.COMMANDS_OUT));
        transition.events().forEach(e -> context.forward(record.withValue(e), OrchestratorTopology.EVENTS_OUT));
    }

    private void save(JobState before, JobState after) {
        jobs.put(after.jobId(), after);
        boolean justFinished = after.status().terminal() && (before == null || !before.status().terminal());
        if (justFinished) {
            finishedJobs.put(finishedKey(after.finishedAt(), after.jobId()), after.jobId());
        }
    }

    private void sweepExpiredJobs() {
        Instant cutoff = clock.instant().minus(retention);
        List<KeyValue<String, String>> expired = new ArrayList<>();
        try (KeyValueIterator<String, String> it = finishedJobs.range(null, upperKey(cutoff))) {
            while (it.hasNext() && expired.size() < SWEEP_BATCH) {
                expired.add(it.next());
            }
        }
        for (KeyValue<String, String> entry : expired) {
            JobState job = jobs.get(entry.value);
            if (job != null && job.status().terminal()) {
                jobs.delete(entry.value);
            }
            finishedJobs.delete(entry.key);
        }
        if (!expired.isEmpty()) {
            log.debug("Forgot {} jobs finished before {}", expired.size(), cutoff);
        }
    }

    /** Zero-padded epoch millis first, so keys sort by finish time as strings (and as RocksDB's bytes). */
    static String finishedKey(Instant finishedAt, String jobId) {
        return String.format("%019d:%s", finishedAt.toEpochMilli(), jobId);
    }

    /** Sorts after every {@link #finishedKey} of the same millisecond (';' follows ':') and before later ones. */
    private static String upperKey(Instant cutoff) {
        return String.format("%019d;", Math.max(0, cutoff.toEpochMilli()));
    }
}
