package ai.mule.orchestrator.jobs;

import ai.mule.testkit.TestClock;
import static ai.mule.orchestrator.TestJobs.newJobId;
import static ai.mule.orchestrator.TestJobs.request;
import static ai.mule.orchestrator.TestJobs.text;
import static ai.mule.orchestrator.TestJobs.wasm;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.orchestrator.Results;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.ParentStep;
import ai.mule.schemas.StepDefinition;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepResult;
import ai.mule.tracing.Tracing;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The processor asks Streams to commit right after the record that ends a job someone waits for (a sync call, a
 * reply topic, a parent job), so read_committed readers see the terminal event without waiting for the commit
 * interval; any other record, and the end of a job nobody waits for, waits for the interval, counted from the last
 * commit requested. Jobs that end in quick succession while others run are committed at most once per
 * {@link CommitPacer#GAP}, and none is requested while the records processed waited longer than the commit interval.
 */
class JobProcessorCommitTest {

    /** How long a record may have waited for a commit to be requested (the commit interval). */
    private static final Duration BEHIND = Duration.ofMillis(100);

    private final TestClock clock = new TestClock(OrchestratorDriver.START);
    private final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    private final JobProcessor processor = newProcessor();

    @BeforeEach
    void initProcessor() {
        store(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(OrchestratorTopology.JOBS_STORE),
                Serdes.String(), new JsonSerde<>(JobState.class)).withLoggingDisabled().build());
        store(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(OrchestratorTopology.LEGACY_FINISHED_JOBS_STORE),
                Serdes.String(), Serdes.String()).withLoggingDisabled().build());
        store(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(OrchestratorTopology.TIMERS_STORE),
                Serdes.String(), Serdes.String()).withLoggingDisabled().build());
        processor.init(context);
    }

    @Test
    void commitsAfterTheResultThatCompletesAJobAndNotBefore() {
        String jobId = newJobId();

        process(new StartJob(awaited(jobId, wasm(1, "a"), wasm(2, "b")), Duration.ofSeconds(5)));
        assertThat(context.committed()).as("started").isFalse();
        process(StepFinished.of(succeeded(lastCommand()), Limits.DEFAULTS));
        assertThat(context.committed()).as("first step done, second sent").isFalse();
        process(StepFinished.of(succeeded(lastCommand()), Limits.DEFAULTS));

        assertThat(lastEvent()).isInstanceOf(JobEvent.JobCompleted.class);
        assertThat(context.committed()).isTrue();
    }

    @Test
    void commitsAfterACancelButNotAfterAMessageThatChangesNothing() {
        String jobId = newJobId();
        process(new StartJob(awaited(jobId, wasm(1, "a")), Duration.ofSeconds(5)));
        StepCommand sent = lastCommand();

        process(new CancelJob(JobControl.cancel(jobId, "no longer needed", clock.instant())));
        assertThat(lastEvent()).isInstanceOf(JobEvent.JobCancelled.class);
        assertThat(context.committed()).isTrue();

        context.resetCommit();
        process(StepFinished.of(succeeded(sent), Limits.DEFAULTS));
        assertThat(context.committed()).as("a late result for a cancelled job").isFalse();
    }

    @Test
    void commitsAfterAWakeUpThatFailsAJob() {
        startJobWhoseOnlyAttemptTimesOut();
        context.resetCommit();

        clock.advance(Duration.ofSeconds(3));
        assertThat(context.scheduledPunctuators().get(1).getInterval()).isEqualTo(Duration.ofMillis(20));
        timerTick();

        assertThat(lastEvent()).isInstanceOf(JobEvent.JobFailed.class);
        assertThat(context.committed()).isTrue();
    }

    @Test
    void aJobThatEndsRightAfterAnotherWhileOthersRunIsCommittedAtTheNextTimerTick() {
        String first = newJobId();
        String second = newJobId();
        process(new StartJob(awaited(first, wasm(1, "a")), Duration.ofSeconds(5)));
        StepCommand firstCommand = lastCommand();
        process(new StartJob(awaited(second, wasm(1, "a")), Duration.ofSeconds(5)));
        StepCommand secondCommand = lastCommand();
        // a third job still runs when the second ends: it may end before the tick and share its commit
        process(new StartJob(awaited(newJobId(), wasm(1, "a")), Duration.ofSeconds(5)));
        process(StepFinished.of(succeeded(firstCommand), Limits.DEFAULTS));
        assertThat(context.committed()).isTrue();
        context.resetCommit();

        clock.advance(CommitPacer.GAP.dividedBy(2));
        process(StepFinished.of(succeeded(secondCommand), Limits.DEFAULTS));
        assertThat(lastEvent()).isInstanceOf(JobEvent.JobCompleted.class);
        assertThat(context.committed()).as("within the gap of the last request").isFalse();

        clock.advance(CommitPacer.GAP.dividedBy(2));
        timerTick();
        assertThat(context.committed()).as("at the first timer tick past the gap").isTrue();
        context.resetCommit();
        clock.advance(CommitPacer.GAP);
        timerTick();
        assertThat(context.committed()).as("nothing more to commit").isFalse();
    }

    @Test
    void theLastRunningJobIsCommittedAtOnceThoughItEndsWithinTheGap() {
        String first = newJobId();
        String second = newJobId();
        process(new StartJob(awaited(first, wasm(1, "a")), Duration.ofSeconds(5)));
        StepCommand firstCommand = lastCommand();
        process(StepFinished.of(succeeded(firstCommand), Limits.DEFAULTS));
        assertThat(context.committed()).isTrue();
        context.resetCommit();

        // a client that calls again as soon as it has its answer: its next job ends well within the gap
        clock.advance(CommitPacer.GAP.dividedBy(4));
        process(new StartJob(awaited(second, wasm(1, "a"), wasm(2, "b")), Duration.ofSeconds(5)));
        process(StepFinished.of(succeeded(lastCommand()), Limits.DEFAULTS));
        assertThat(context.committed()).as("the job still runs").isFalse();
        process(StepFinished.of(succeeded(lastCommand()), Limits.DEFAULTS));

        assertThat(lastEvent()).isInstanceOf(JobEvent.JobCompleted.class);
        assertThat(context.committed()).as("no other job runs: nothing could share a held-back commit").isTrue();
    }

    @Test
    void whileBehindItsInputItRequestsNoCommitAndOnceCaughtUpItDoes() {
        String late = newJobId();
        String fresh = newJobId();
        process(new StartJob(awaited(late, wasm(1, "a")), Duration.ofSeconds(5)));
        StepCommand lateCommand = lastCommand();
        process(new StartJob(awaited(fresh, wasm(1, "a")), Duration.ofSeconds(5)));
        StepCommand freshCommand = lastCommand();

        Duration waited = BEHIND.plusMillis(1);
        process(StepFinished.of(succeeded(lateCommand), Limits.DEFAULTS), clock.instant().minus(waited));
        assertThat(lastEvent()).isInstanceOf(JobEvent.JobCompleted.class);
        assertThat(context.committed()).as("the result waited %s: work queues up", waited).isFalse();
        clock.advance(CommitPacer.GAP);
        timerTick();
        assertThat(context.committed()).as("still behind at the tick: the commit interval commits").isFalse();

        process(StepFinished.of(succeeded(freshCommand), Limits.DEFAULTS));
        assertThat(context.committed()).as("caught up").isTrue();
    }

    @Test
    void requestsNoCommitAtTheEndOfAJobNobodyWaitsFor() {
        runOneStep(request(newJobId(), wasm(1, "a")));

        assertThat(lastEvent()).isInstanceOf(JobEvent.JobCompleted.class);
        assertThat(context.committed()).as("an async job's end").isFalse();
        clock.advance(CommitPacer.GAP);
        timerTick();
        assertThat(context.committed()).as("left to the commit interval").isFalse();

        clock.advance(BEHIND.minus(CommitPacer.GAP));
        timerTick();
        assertThat(context.committed()).as("a commit interval after the thread started").isTrue();
        context.resetCommit();
        clock.advance(BEHIND);
        timerTick();
        assertThat(context.committed()).as("nothing new to commit").isFalse();
    }

    @Test
    void aCommitAtTheEndOfAnAwaitedJobPutsOffTheIntervalCommit() {
        clock.advance(BEHIND);
        runOneStep(awaited(newJobId(), wasm(1, "a")));
        assertThat(context.committed()).as("the awaited job's end").isTrue();
        context.resetCommit();

        clock.advance(Duration.ofMillis(50));
        process(new StartJob(request(newJobId(), wasm(1, "a")), Duration.ofSeconds(5)));
        clock.advance(BEHIND.minusMillis(51));
        timerTick();
        assertThat(context.committed()).as("less than a commit interval since the last commit").isFalse();

        clock.advance(Duration.ofMillis(1));
        timerTick();
        assertThat(context.committed()).as("a commit interval since the last commit, work uncommitted").isTrue();
    }

    @Test
    void commitsAtTheEndOfAJobWhoseReplyTopicOrParentWaitsForIt() {
        runOneStep(request(newJobId(), wasm(1, "a")).with(null, "my.replies"));
        assertThat(context.committed()).as("a reply topic's reader waits").isTrue();
        context.resetCommit();

        clock.advance(CommitPacer.GAP);
        runOneStep(request(newJobId(), wasm(1, "a")).withParent(new ParentStep(newJobId(), 0, 1, "child")));
        assertThat(context.committed()).as("the parent job waits").isTrue();
    }

    @Test
    void anEarlyTimerFiringForNothingCommitsWithWhateverCommitsNext() {
        String jobId = newJobId();
        process(new StartJob(request(jobId, wasm(1, "a"), wasm(2, "b")), Duration.ofSeconds(5)));
        clock.advance(Duration.ofSeconds(10));
        process(StepFinished.of(succeeded(lastCommand()), Limits.DEFAULTS));
        clock.advance(BEHIND);
        timerTick();
        assertThat(context.committed()).as("the job's records, at the commit interval").isTrue();
        context.resetCommit();

        // the timer set for the first step's deadline (35 s: the timeout and grace) fires 36 s after the job started,
        // while the second step's deadline is 10 s later
        clock.advance(Duration.ofSeconds(26));
        timerTick();
        clock.advance(BEHIND);
        timerTick();
        assertThat(context.committed()).as("an index that no reader waits for: no commit of its own").isFalse();
        assertThat(lastEvent()).isInstanceOf(JobEvent.StepStarted.class);
    }

    @Test
    void aTimerAlreadyInTheStoreWhenTheProcessorStartsFires() {
        startJobWhoseOnlyAttemptTimesOut();

        // as after a restart or a revived task: a new processor over the same (restored) stores
        newProcessor().init(context);
        clock.advance(Duration.ofSeconds(3));
        List<MockProcessorContext.CapturedPunctuator> punctuators = context.scheduledPunctuators();
        punctuators.get(punctuators.size() - 1).getPunctuator().punctuate(clock.instant().toEpochMilli());

        assertThat(lastEvent()).isInstanceOf(JobEvent.JobFailed.class);
    }

    @Test
    void aProcessorInitialisedAgainReadsTheRestoredStoreNotTheStatesItKeptBefore() {
        String jobId = newJobId();
        process(new StartJob(request(jobId, wasm(1, "a"), wasm(2, "b")), Duration.ofSeconds(5)));
        StepCommand first = lastCommand();

        // as after an aborted transaction: the store is restored from a changelog the job's start never reached, and
        // Streams initialises the same processor again
        KeyValueStore<String, JobState> jobs = context.getStateStore(OrchestratorTopology.JOBS_STORE);
        jobs.delete(jobId);
        processor.init(context);
        context.resetForwards();
        process(StepFinished.of(succeeded(first), Limits.DEFAULTS));

        assertThat(context.forwarded()).as("a result for a job the store does not hold changes nothing").isEmpty();
    }

    private JobProcessor newProcessor() {
        return new JobProcessor(clock, Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofMillis(20),
                new RecordCheck(Limits.DEFAULTS, new WrittenJson()), new CommitPacer(clock, BEHIND), Tracing.off());
    }

    /** An awaited one-step job whose step has one attempt of 1 s: 3 s later its deadline fails it. */
    private void startJobWhoseOnlyAttemptTimesOut() {
        StepPolicy oneAttempt = new StepPolicy(1, 100, 2.0, 1_000, 1_000, false);
        process(new StartJob(awaited(newJobId(), wasm(1, "slow", oneAttempt)), Duration.ofSeconds(1)));
    }

    /** Starts the one-step job of {@code request} and completes its step. */
    private void runOneStep(JobRequest request) {
        process(new StartJob(request, Duration.ofSeconds(5)));
        process(StepFinished.of(succeeded(lastCommand()), Limits.DEFAULTS));
    }

    private static JobRequest awaited(String jobId, StepDefinition... steps) {
        return request(jobId, steps).awaitedByCaller();
    }

    private void timerTick() {
        context.scheduledPunctuators().get(1).getPunctuator().punctuate(clock.instant().toEpochMilli());
    }

    private void process(JobCommand command) {
        process(command, clock.instant());
    }

    /** Processes a command whose record was produced at {@code producedAt} (its timestamp). */
    private void process(JobCommand command, java.time.Instant producedAt) {
        processor.process(new Record<>(command.jobId(), command, producedAt.toEpochMilli()));
    }

    private StepResult succeeded(StepCommand command) {
        return Results.succeeded(command, text("ok"), null, null, 10, clock.instant());
    }

    private StepCommand lastCommand() {
        return last(OrchestratorTopology.COMMANDS_OUT, StepCommand.class);
    }

    private JobEvent lastEvent() {
        return last(OrchestratorTopology.EVENTS_OUT, JobEvent.class);
    }

    /** The last record the processor forwarded to this child. */
    private <T> T last(String child, Class<T> type) {
        List<T> values = context.forwarded().stream()
                .filter(f -> f.childName().map(child::equals).orElse(false))
                .map(f -> type.cast(f.record().value())).toList();
        return values.get(values.size() - 1);
    }

    private void store(StateStore store) {
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
    }
}
