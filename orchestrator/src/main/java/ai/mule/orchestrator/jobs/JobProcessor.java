package ai.mule.orchestrator.jobs;

import ai.mule.schemas.Limits;
import ai.mule.tracing.RecordSpan;
import ai.mule.tracing.SpanNames;
import ai.mule.tracing.TraceContext;
import ai.mule.tracing.Tracing;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies each {@link JobCommand} to its job's state and emits what the transition says: events to
 * {@link OrchestratorTopology#EVENTS_OUT}, step commands to {@link OrchestratorTopology#COMMANDS_OUT}, terminal
 * events to reply topics ({@link OrchestratorTopology#REPLIES_OUT}) and control messages
 * ({@link OrchestratorTopology#CONTROL_OUT}).
 * <p>
 * Two indexes sorted by time, both in the {@code job-timers} store, keep the wall-clock work cheap, whatever the number
 * of jobs: {@link DueTimers} holds each running job once, at or before its next {@link JobState#wakeAt} (a retry's
 * backoff, a step's deadline, the job's deadline), and a punctuator applies a {@link WakeUp} to the jobs that are due
 * (found in the store's copy in memory); {@link FinishedJobs} holds finished jobs by the time they finished, so a
 * slower punctuator removes those past their retention. A timer is only moved when the wake time comes before it,
 * so a job's steps do not each write the store (see DueTimers).
 * Both punctuators run inside the task's exactly-once transaction, like any record: a wake-up's events, commands
 * and state commit together, and after a crash the timers are in the restored store, so nothing waits forever.
 * <p>
 * The record (or wake-up) that ends a job someone waits for ({@link JobSnapshot#endAwaited}) requests a commit, so
 * that read_committed readers see the job's terminal event without waiting for the commit interval (see
 * {@link OrchestratorTopology}); the end of any other job is committed with the next interval commit, which the timer
 * tick requests once a commit interval has passed since the last request and something is uncommitted. When jobs end
 * in quick succession while others run, {@link CommitPacer} spaces those requests and the timer tick makes up the ones
 * it held back, and while the thread is behind its input it requests none (the interval commits).
 * <p>
 * Nothing is forwarded or stored before every record of the transition has been measured ({@link RecordCheck}): a
 * transition with a record over {@code mule.limits.max-record-bytes}, or one that cannot be written as JSON, is
 * replaced by one that fails the job with an error naming the record and the limit
 * ({@link Changes#recordTooLarge}), so one job's data never fails the transaction of all the others. The bytes the
 * check wrote are the ones sent and stored ({@link WrittenJson}), and a running job's state is read back from memory
 * ({@link JobStates}): a step writes each record once and does not read its job back from the store.
 * <p>
 * One job, one trace: a command is applied in a span continuing the trace its record came with, and what it emits
 * carries that span on ({@link RecordSpan}). A running job keeps the first trace context it was handled in (its
 * {@code StartJob}'s: {@link JobSnapshot#trace}), so a wake-up, which has no record, continues the job's trace too.
 */
final class JobProcessor implements Processor<String, JobCommand, String, Object> {

    private static final Logger log = LoggerFactory.getLogger(JobProcessor.class);
    /** At most this many jobs are removed per sweep, so a backlog never holds one transaction open for long. */
    static final int SWEEP_BATCH = 10_000;
    /** At most this many due jobs are woken per tick; the rest on the next one. */
    static final int WAKE_BATCH = 1_000;

    private final Clock clock;
    private final Duration retention;
    private final Duration sweepInterval;
    private final Duration timerInterval;
    private final RecordCheck records;
    private final CommitPacer commits;
    private final Tracing tracing;
    private ProcessorContext<String, Object> context;
    private JobStates jobs;
    private FinishedJobs finishedJobs;
    private DueTimers timers;
    /** A job ended since this processor last requested a commit. */
    private boolean commitWanted;

    JobProcessor(Clock clock, Duration retention, Duration sweepInterval, Duration timerInterval, RecordCheck records,
                 CommitPacer commits, Tracing tracing) {
        this.clock = clock;
        this.retention = retention;
        this.sweepInterval = sweepInterval;
        this.timerInterval = timerInterval;
        this.records = records;
        this.commits = commits;
        this.tracing = tracing;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.jobs = new JobStates(context.getStateStore(OrchestratorTopology.JOBS_STORE), records.written());
        KeyValueStore<String, String> timeIndex = context.getStateStore(OrchestratorTopology.TIMERS_STORE);
        this.finishedJobs = new FinishedJobs(timeIndex,
                context.getStateStore(OrchestratorTopology.LEGACY_FINISHED_JOBS_STORE));
        this.timers = new DueTimers(timeIndex);
        // every running job waits for a time (its step's deadline at least), so it holds a timer until it ends
        commits.track(this, () -> timers.size());
        context.schedule(sweepInterval, PunctuationType.WALL_CLOCK_TIME, timestamp -> sweepExpiredJobs());
        context.schedule(timerInterval, PunctuationType.WALL_CLOCK_TIME, timestamp -> wakeDueJobs());
    }

    @Override
    public void close() {
        commits.untrack(this);
    }

    @Override
    public void process(Record<String, JobCommand> record) {
        // every record moves its input's offset, which a commit must cover, even one dropped or changing nothing
        commits.worked();
        JobCommand command = record.value();
        if (!Objects.equals(record.key(), command.jobId())) {
            log.warn("Dropping {} for job {} keyed {}: messages must be keyed by their job id",
                    command.getClass().getSimpleName(), command.jobId(), record.key());
            return;
        }
        commits.processing(record.timestamp());
        apply(command, jobs.get(command.jobId()), record.withValue(null));
    }

    /**
     * Applies {@code command} to {@code before} in a span that is a child of the context {@code template}'s headers
     * hold, and forwards what it emits as {@code template} (key, time, and the span's context as headers).
     */
    private Transition apply(JobCommand command, JobState before, Record<String, ?> template) {
        try (RecordSpan span = span(command, template.headers())) {
            span.carryOn(template.headers());
            return handle(command, before, template);
        } finally {
            records.written().forget();
        }
    }

    /** The span applying {@code command}, a child of the context {@code headers} hold; NONE when tracing is off. */
    private RecordSpan span(JobCommand command, Headers headers) {
        if (!tracing.enabled()) {
            return RecordSpan.NONE;
        }
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
        return tracing.onRecord(SpanNames.orchestrator(command.getClass().getSimpleName()), topic, headers,
                command.jobId());
    }

    /** What {@code command} did to the job: applied (and stored), ignored, or null when it was skipped. */
    private Transition handle(JobCommand command, JobState before, Record<String, ?> template) {
        String jobId = command.jobId();
        String commandName = command.getClass().getSimpleName();
        Instant now = clock.instant();
        Transition transition;
        try {
            transition = command.apply(before, now);
        } catch (KafkaException e) {
            throw e;
        } catch (RuntimeException e) {
            // apply() is pure: skipping the command leaves the job exactly as it was
            log.error("Skipping {} for job {}: it cannot be applied", commandName, jobId, e);
            return null;
        }
        if (transition instanceof Transition.Ignored ignored) {
            log.debug("Ignoring {} for job {}: {}", commandName, jobId, ignored.because());
            return ignored;
        }
        Transition.Applied applied = keepTrace((Transition.Applied) transition, template.headers());
        Optional<Limits.Violation> tooLarge = records.firstTooLarge(jobId, applied);
        if (tooLarge.isPresent()) {
            log.warn("Failing job {}: applying {} would write a record that does not fit: {}", jobId, commandName,
                    tooLarge.get().message());
            applied = Changes.recordTooLarge(before, applied.state(), tooLarge.get(), now);
            Optional<Limits.Violation> stillTooLarge = records.firstTooLarge(jobId, applied);
            if (stillTooLarge.isPresent()) {
                // only a job id far beyond any the gateway makes could get here; the job is left as it was
                log.error("Skipping {} for job {}: even its failure does not fit: {}", commandName, jobId,
                        stillTooLarge.get().message());
                return null;
            }
        }
        save(before, applied.state());
        commits.worked();
        applied.commands().forEach(c -> context.forward(template.withValue(c), OrchestratorTopology.COMMANDS_OUT));
        applied.events().forEach(e -> context.forward(template.withValue(e), OrchestratorTopology.EVENTS_OUT));
        applied.replies().forEach(r -> context.forward(template.withValue(r), OrchestratorTopology.REPLIES_OUT));
        // keyed by the job each is about: a cancel may be for a child job, a result for a parent job
        applied.controls().forEach(c -> context.forward(template.withKey(c.jobId()).withValue(c),
                OrchestratorTopology.CONTROL_OUT));
        applied.children().forEach(c -> context.forward(template.withKey(c.parent().childJobId()).withValue(c),
                OrchestratorTopology.CHILDREN_OUT));
        applied.parentResults().forEach(r -> context.forward(template.withKey(r.jobId()).withValue(r),
                OrchestratorTopology.RESULTS_OUT));
        if (applied.endsJob() && applied.state().snapshot().endAwaited()) {
            // a read_committed reader (a sync call's gateway, a reply topic's reader, the parent job) waits for this
            // event: commit after this record instead of up to a commit interval later
            commitWanted = true;
            requestWantedCommit();
        }
        return applied;
    }

    /**
     * The transition with its job keeping the trace context {@code headers} carry, if the job still runs and keeps
     * none yet (it is starting, or its state was written before states kept one). Costs a header lookup when off.
     */
    private static Transition.Applied keepTrace(Transition.Applied applied, Headers headers) {
        JobState job = applied.state();
        if (job.snapshot().trace() != null || job.status().terminal()) {
            return applied;
        }
        TraceContext trace = TraceContext.from(headers);
        return trace == null ? applied : applied.withState(job.tracedBy(trace));
    }

    /** Requests the commit an ended job wants, unless the pacer says the last request was too recent. */
    private void requestWantedCommit() {
        if (commitWanted && commits.mayRequest()) {
            context.commit();
            commitWanted = false;
        }
    }

    /** Stores the job's new state and keeps it indexed: a timer at or before its wake time, or as finished. */
    private void save(JobState before, JobState after) {
        jobs.put(after);
        Instant due = after.wakeAt();
        if (due != null) {
            timers.wakeBy(after.jobId(), due);
        } else {
            timers.cancel(after.jobId());
        }
        if (after.status().terminal() && (before == null || !before.status().terminal())) {
            finishedJobs.add(after.progress().finishedAt(), after.jobId());
        }
    }

    private void wakeDueJobs() {
        Instant now = clock.instant();
        for (KeyValue<String, String> timer : timers.before(upperKey(now), WAKE_BATCH)) {
            // removed first: handling the wake-up indexes the job again, if it still waits for a time
            timers.delete(timer.key);
            String jobId = timer.value;
            JobState job = jobs.get(jobId);
            if (job == null || job.status().terminal()) {
                continue;
            }
            // no record woke the job: the wake-up continues the job's trace, as if its context had come with one
            TraceContext trace = job.snapshot().trace();
            Transition woken = apply(new WakeUp(jobId), job,
                    new Record<>(jobId, null, now.toEpochMilli(), trace == null ? null : trace.headers()));
            if (woken instanceof Transition.Ignored && job.wakeAt() != null) {
                // an early timer (DueTimers): nothing was due yet. Moving it changes only this index, which no
                // reader waits for, so it commits with whatever commits next, not with a commit of its own; a crash
                // before then loses nothing, as the restored timer fires again
                timers.wakeBy(jobId, job.wakeAt());
            }
        }
        // a job that ended too soon after the last commit request is committed now
        requestWantedCommit();
        // and what no job's end committed, once a commit interval has passed since the last request
        if (commits.intervalDue()) {
            context.commit();
        }
    }

    private void sweepExpiredJobs() {
        Instant cutoff = clock.instant().minus(retention);
        List<KeyValue<String, String>> expired = finishedJobs.finishedBefore(cutoff, SWEEP_BATCH);
        for (KeyValue<String, String> entry : expired) {
            JobState job = jobs.get(entry.value);
            if (job != null && job.status().terminal()) {
                jobs.delete(entry.value);
            }
            finishedJobs.remove(entry.key);
        }
        if (!expired.isEmpty()) {
            commits.worked();
            log.debug("Forgot {} jobs finished before {}", expired.size(), cutoff);
        }
    }

    /** Zero-padded epoch millis first, so keys sort by time as strings (and as RocksDB's bytes). */
    static String timeKey(Instant at, String jobId) {
        return paddedMillis(at) + ':' + jobId;
    }

    /** Sorts after every {@link #timeKey} of the same millisecond (';' follows ':') and before later ones. */
    static String upperKey(Instant cutoff) {
        return paddedMillis(cutoff) + ';';
    }

    /**
     * The epoch millis of {@code at} (0 for earlier instants) in 19 digits, as {@code %019d} writes them: the keys
     * already in a store keep sorting with new ones. Not String.format, which was 6% of the stream thread's CPU at
     * saturation (two to three keys per transition).
     */
    private static String paddedMillis(Instant at) {
        String digits = Long.toString(Math.max(0, at.toEpochMilli()));
        return "0".repeat(19 - digits.length()) + digits;
    }
}
