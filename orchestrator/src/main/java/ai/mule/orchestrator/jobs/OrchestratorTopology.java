package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobIngressRequest;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topic;
import ai.mule.schemas.Topics;
import ai.mule.tracing.Tracing;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator's topology, and why it has this shape.
 *
 * <pre>
 *  mule.jobs.requests --StartJob-------.
 *  mule.steps.results --StepFinished----+--> job-processor [jobs, job-timers] -----+--> mule.jobs.events
 *  mule.steps.started --RunnerStarted---+                                          +--> step.commandTopic()
 *  mule.jobs.control  --CancelJob------'                                           |    (mule.steps.wasm | .agent)
 *                           wall-clock punctuator --WakeUp--^                       +--> reply topic (ingress)
 *                           (retry backoff, step deadline, job deadline)            `--> mule.jobs.control (timeouts)
 * </pre>
 *
 * <ul>
 *   <li><b>One processor, one state per job.</b> Everything that can happen to a job (accepted, a step started
 *   late or finished, cancelled) becomes a {@link JobCommand} and meets the job's {@link JobState} in a single
 *   processor, so one piece of code decides each transition and there is no join to keep consistent.</li>
 *   <li><b>No repartitioning.</b> All four inputs are keyed by job id and have the same number of partitions
 *   (co-partitioned), so partition p of each lands in the same task and one job's commands are applied one at a
 *   time, in order, by one thread. Nothing here changes a key, so Streams adds no repartition topic (no extra hop).</li>
 *   <li><b>One job's data fails only that job.</b> A result is checked against {@link Limits} as it enters (its
 *   output's depth and size), and every record the processor would write (commands, events, replies, control
 *   messages, and the job's state, which also goes to the store's changelog) is measured before anything is
 *   forwarded: a transition with a record that would not fit fails its job instead ({@link JobProcessor}), so the
 *   exactly-once transaction never meets a record the producer or a serializer refuses.</li>
 *   <li><b>Exactly-once.</b> The state update, the emitted events and commands and the input offsets commit in
 *   one transaction: a crash replays uncommitted input against the state as it was, so a step is never started
 *   twice into the job and every event's {@code seq} is assigned once. Runners read uncommitted and deliver at
 *   least once; duplicate or stale results are dropped by (step index, attempt) in {@link StepFinished}.</li>
 *   <li><b>An awaited job's end commits at once.</b> read_committed readers (the status writer, the gateway's sync
 *   answers) see an event only once its transaction commits. The processor requests a commit right after the
 *   record that ends a job someone waits for (a sync call, a reply topic, a parent job:
 *   {@link JobSnapshot#endAwaited}; completed, failed, cancelled; also from a wake-up), so a terminal event is visible
 *   within one commit's time: 199 sequential 3-step jobs, request to {@code job_completed} read_committed, p50
 *   66-70 ms with the request against 162-169 ms without ({@code CommitLatencyIT}, 2-core machine). As each commit
 *   stalls the stream thread, requests are spaced by {@link CommitPacer} (a job ending sooner is committed at the
 *   next timer tick): 500 jobs sent at once all completed in 8.7-10.4 s paced, 12.1-20.3 s unpaced, 8.7-16.5 s
 *   without requests; while the thread is more than a commit interval behind its input it requests none (issue 14).
 *   The ends of jobs nobody waits for request none at all: at a steady 100 async jobs/s their requests kept the
 *   stream thread committing until its input waited a commit interval, so every step waited about 120 ms; without
 *   them, 12 ms (issue 14). Other events, and those ends, wait for the commit interval
 *   ({@code mule.orchestrator.commit-interval}, 100 ms, Streams' own default for exactly-once), counted from the last
 *   commit requested ({@link CommitPacer}): no reader waits on them, and a commit after a job's first event too
 *   measured no faster sync answers (p50 71-73 ms).</li>
 *   <li><b>Routing by step type.</b> A step command goes to the topic its step names ({@code commandTopic()}),
 *   chosen per record by a topic name extractor, so adding a runner kind needs no topology change.</li>
 *   <li><b>One job, one trace.</b> Kafka Streams writes a forwarded record with the headers of the record being
 *   processed, so the W3C trace context ({@code traceparent}) a request or a result came with goes on with the
 *   commands and events it causes; with tracing on, {@link JobProcessor} puts its own span's context there
 *   instead. A wake-up (a retry after its backoff, a timeout, a lost runner) has no input record: it continues the
 *   trace context the job's state kept from its start ({@link JobSnapshot#trace}).</li>
 *   <li><b>Bounded state.</b> Finished jobs stay in {@code jobs} for a retention (late duplicates must still find
 *   them); {@code job-timers} indexes them by finish time too, so a wall-clock punctuator drops expired ones cheaply.
 *   The stores are not cached: each write goes to its changelog as it is made, so a commit's flush waits only for
 *   sends already under way. Cached, every job's writes since the last commit were sent at the commit, which then
 *   waited for partitions to join the transaction and for those sends: the stream thread stalled, and at a steady
 *   100 jobs/s the step overhead's p99 was 92 ms against 19-38 ms uncached; 8 sync clients made 63-69 workflows/s
 *   against 77-80 (issue 14). The price is a changelog record per write, not per job and commit: async throughput
 *   measured 711-785 steps/s uncached against 774-815.</li>
 *   <li><b>Time without sleeping.</b> Retries wait out their backoff, and steps and jobs have deadlines, as
 *   entries of {@code job-timers} (one per running job, at or before its next wake time); a second punctuator applies a
 *   {@link WakeUp} to the due ones in the same exactly-once transaction as any record, so timers survive restarts
 *   with the state and the stream thread never blocks.</li>
 * </ul>
 */
public final class OrchestratorTopology {

    public static final String JOBS_STORE = "jobs";
    /**
     * Where finished jobs were indexed until their entries moved to {@link #TIMERS_STORE} ({@link FinishedJobs}): still
     * registered so that what a deployment wrote there is forgotten after its retention; never written. Once every
     * deployment has run this version for a retention ({@code mule.orchestrator.terminal-retention}), it is empty.
     */
    public static final String LEGACY_FINISHED_JOBS_STORE = "finished-jobs";
    /** Running jobs by their next wake time, and finished jobs by the time they finished (two key ranges). */
    public static final String TIMERS_STORE = "job-timers";
    public static final String JOB_PROCESSOR = "job-processor";
    /** The processor's children that its records are forwarded to by name. */
    static final String EVENTS_OUT = "job-events-out";
    static final String COMMANDS_OUT = "step-commands-out";
    static final String REPLIES_OUT = "job-replies-out";
    static final String CONTROL_OUT = "job-control-out";
    /** Requests for the child jobs of sub-workflow steps, made by the gateway. */
    static final String CHILDREN_OUT = "job-children-out";
    /** A child job's end, as the result of its parent's sub-workflow step (read back by this same topology). */
    static final String RESULTS_OUT = "parent-results-out";

    /**
     * The segment size of the stores' changelogs (new topics only). Kafka compacts only closed segments, and its
     * default segment is 1 GiB: until a partition's log passed that, every write a job ever made stayed in it. An
     * unclean stop (kill -9, a crash) under exactly-once throws the local state away, and a new machine has none,
     * so the orchestrator restores it by reading the whole changelog: after 40 minutes of a mixed load of about 60
     * jobs/s (`./mule up`, 2026-12-06) each of the three partitions held 300 MB, none of it compacted, and a restart
     * after kill -9 restored them in 5.8 s (13.9 s from the kill to a sync call's answer). With segments of this size
     * the log cleaner keeps each changelog near the states the store still holds.
     */
    static final int CHANGELOG_SEGMENT_BYTES = 64 * 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(OrchestratorTopology.class);

    private OrchestratorTopology() {
    }

    public static Topology build(StreamsBuilder builder, Clock clock, OrchestratorProperties properties,
                                 Limits limits) {
        return build(builder, clock, properties, limits, Tracing.off());
    }

    /**
     * With {@code tracing}: each command is applied in a span that continues the trace its record carries, and the
     * records it forwards carry that span on. Off, forwarded records carry their input's headers as they came.
     */
    public static Topology build(StreamsBuilder builder, Clock clock, OrchestratorProperties properties,
                                 Limits limits, Tracing tracing) {
        // what the processor measured is sent and stored as it was written then (WrittenJson)
        WrittenJson written = new WrittenJson();
        // the changelog takes any state that passed the record check (a new topic only; the broker's default is 1 MiB)
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(JOBS_STORE),
                Serdes.String(), written.serde(new JsonSerde<>(JobState.class))).withLoggingEnabled(Map.of(
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                String.valueOf(OrchestratorStreamsConfig.maxRequestBytes(limits)),
                TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(CHANGELOG_SEGMENT_BYTES))));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LEGACY_FINISHED_JOBS_STORE),
                Serdes.String(), Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TIMERS_STORE),
                Serdes.String(), Serdes.String()).withLoggingEnabled(Map.of(
                TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(CHANGELOG_SEGMENT_BYTES))));

        KStream<String, JobCommand> commands = source(builder, Topics.JOB_REQUESTS)
                .<JobCommand>mapValues(request -> new StartJob(request, properties.stepTimeoutGrace(),
                        properties.stepsPerCommand()),
                        Named.as("start-job"))
                .merge(source(builder, Topics.STEP_RESULTS)
                        .<JobCommand>mapValues(result -> StepFinished.of(result, limits), Named.as("step-finished")))
                .merge(source(builder, Topics.STEPS_STARTED)
                        .<JobCommand>mapValues(RunnerStarted::new, Named.as("runner-started")))
                .merge(source(builder, Topics.JOB_CONTROL)
                        .filter((jobId, control) -> control.action() == JobControl.Action.CANCEL, Named.as("cancels-only"))
                        .<JobCommand>mapValues(CancelJob::new, Named.as("cancel-job")));

        CommitPacer commits = new CommitPacer(clock, properties.commitInterval());
        KStream<String, Object> emitted = commands.process(
                () -> new JobProcessor(clock, properties.terminalRetention(), properties.sweepInterval(),
                        properties.timerInterval(), new RecordCheck(limits, written), commits, tracing),
                Named.as(JOB_PROCESSOR), JOBS_STORE, LEGACY_FINISHED_JOBS_STORE, TIMERS_STORE);

        // The processor forwards each record to one of these children by name, so the casts always hold.
        emitted.mapValues(JobEvent.class::cast, Named.as(EVENTS_OUT))
                .to(Topics.JOB_EVENTS.name(), Produced.with(Topics.JOB_EVENTS.keySerde(),
                        written.serde(Topics.JOB_EVENTS.valueSerde()))
                        .withName("job-events-sink"));
        // Every command topic carries StepCommand JSON; the step decides which one.
        emitted.mapValues(StepCommand.class::cast, Named.as(COMMANDS_OUT))
                .to((jobId, command, recordContext) -> command.step().commandTopic().name(),
                        Produced.with(Serdes.String(), written.serde(new JsonSerde<>(StepCommand.class)))
                                .withName("step-commands-sink"));
        // A Kafka ingress request may name a topic for its job's terminal event (the job_events JSON).
        Serializer<JobEvent> eventJson = written.serializer(new JsonSerde<>(JobEvent.class));
        emitted.mapValues(Transition.Reply.class::cast, Named.as(REPLIES_OUT))
                .to((jobId, reply, recordContext) -> reply.topic(),
                        Produced.with(Serdes.String(), Serdes.<Transition.Reply>serdeFrom(
                                (topic, reply) -> eventJson.serialize(topic, reply.event()),
                                (topic, bytes) -> {
                                    throw new UnsupportedOperationException("replies are only written");
                                })).withName("job-replies-sink"));
        // A job that timed out tells the runners to stop its step; the orchestrator reads it back and ignores it.
        emitted.mapValues(JobControl.class::cast, Named.as(CONTROL_OUT))
                .to(Topics.JOB_CONTROL.name(), Produced.with(Topics.JOB_CONTROL.keySerde(),
                        written.serde(Topics.JOB_CONTROL.valueSerde())).withName("job-control-sink"));
        emitted.mapValues(JobIngressRequest.class::cast, Named.as(CHILDREN_OUT))
                .to(Topics.JOB_CHILDREN.name(), Produced.with(Topics.JOB_CHILDREN.keySerde(),
                        written.serde(Topics.JOB_CHILDREN.valueSerde())).withName("job-children-sink"));
        emitted.mapValues(StepResult.class::cast, Named.as(RESULTS_OUT))
                .to(Topics.STEP_RESULTS.name(), Produced.with(Topics.STEP_RESULTS.keySerde(),
                        written.serde(Topics.STEP_RESULTS.valueSerde())).withName("parent-results-sink"));
        return builder.build();
    }

    private static <V> KStream<String, V> source(StreamsBuilder builder, Topic<String, V> topic) {
        return builder.stream(topic.name(), Consumed.with(topic.keySerde(), topic.valueSerde()).withName(topic.name()))
                .filter((jobId, value) -> {
                    if (value == null) {
                        log.warn("Skipping a record without a value on {} (key {})", topic.name(), jobId);
                    }
                    return value != null;
                }, Named.as(topic.name() + "-with-value"));
    }
}
