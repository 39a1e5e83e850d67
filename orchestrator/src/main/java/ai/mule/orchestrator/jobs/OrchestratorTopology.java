package ai.mule.orchestrator.jobs;

import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.Topic;
import ai.mule.schemas.Topics;
import java.time.Clock;
import org.apache.kafka.common.serialization.Serdes;
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
 *  mule.jobs.requests --StartJob----.
 *  mule.steps.results --StepFinished-+--> job-processor [jobs, finished-jobs] --+--> mule.jobs.events
 *  mule.jobs.control  --CancelJob---'                                          `--> step.commandTopic()
 *                                                                                   (mule.steps.wasm | .agent)
 * </pre>
 *
 * <ul>
 *   <li><b>One processor, one state per job.</b> Everything that can happen to a job (accepted, a step finished,
 *   cancelled) becomes a {@link JobCommand} and meets the job's {@link JobState} in a single processor, so one
 *   piece of code decides each transition and there is no join to keep consistent.</li>
 *   <li><b>No repartitioning.</b> All three inputs are keyed by job id and have the same number of partitions
 *   (co-partitioned), so partition p of each lands in the same task and one job's commands are applied one at a
 *   time, in order, by one thread. Nothing here changes a key, so Streams adds no repartition topic (no extra hop).</li>
 *   <li><b>Exactly-once.</b> The state update, the emitted events and commands and the input offsets commit in
 *   one transaction: a crash replays uncommitted input against the state as it was, so a step is never started
 *   twice into the job and every event's {@code seq} is assigned once. Runners read uncommitted and deliver at
 *   least once; duplicate or stale results are dropped by (step index, attempt) in {@link StepFinished}.</li>
 *   <li><b>Short commits.</b> The commit interval bounds how late read_committed readers see an event, so it is
 *   tens of milliseconds (configurable), not Streams' 100 ms default; see {@code OrchestratorStreamsConfig}.</li>
 *   <li><b>Routing by step type.</b> A step command goes to the topic its step names ({@code commandTopic()}),
 *   chosen per record by a topic name extractor, so adding a runner kind needs no topology change.</li>
 *   <li><b>Bounded state.</b> Finished jobs stay in {@code jobs} for a retention (late duplicates must still find
 *   them); {@code finished-jobs} indexes them by finish time so a wall-clock punctuator drops expired ones cheaply.</li>
 * </ul>
 */
public final class OrchestratorTopology {

    public static final String JOBS_STORE = "jobs";
    public static final String FINISHED_JOBS_STORE = "finished-jobs";
    public static final String JOB_PROCESSOR = "job-processor";
    /** The processor's children that its records are forwarded to by name. */
    static final String EVENTS_OUT = "job-events-out";
    static final String COMMANDS_OUT = "step-commands-out";

    private static final Logger log = LoggerFactory.getLogger(OrchestratorTopology.class);

    private OrchestratorTopology() {
    }

    public static Topology build(StreamsBuilder builder, Clock clock, OrchestratorProperties properties) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(JOBS_STORE),
                Serdes.String(), new JsonSerde<>(JobState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FINISHED_JOBS_STORE),
                Serdes.String(), Serdes.String()));

        KStream<String, JobCommand> commands = source(builder, Topics.JOB_REQUESTS)
                .<JobCommand>mapValues(StartJob::new, Named.as("start-job"))
                .merge(source(builder, Topics.STEP_RESULTS)
                        .<JobCommand>mapValues(result -> StepFinished.of(result, properties.maxOutputBytes()), Named.as("step-finished")))
                .merge(source(builder, Topics.JOB_CONTROL)
                        .filter((jobId, control) -> control.action() == JobControl.Action.CANCEL, Named.as("cancels-only"))
                        .<JobCommand>mapValues(CancelJob::new, Named.as("cancel-job")));

        KStream<String, Object> emitted = commands.process(
                () -> new JobProcessor(clock, properties.terminalRetention(), properties.sweepInterval()),
                Named.as(JOB_PROCESSOR), JOBS_STORE, FINISHED_JOBS_STORE);

        // The processor forwards each record to one of these two children by name, so the casts always hold.
        emitted.mapValues(JobEvent.class::cast, Named.as(EVENTS_OUT))
                .to(Topics.JOB_EVENTS.name(), Produced.with(Topics.JOB_EVENTS.keySerde(), Topics.JOB_EVENTS.valueSerde())
                        .withName("job-events-sink"));
        // Every command topic carries StepCommand JSON; the step decides which one.
        emitted.mapValues(StepCommand.class::cast, Named.as(COMMANDS_OUT))
                .to((jobId, command, recordContext) -> command.step().commandTopic().name(),
                        Produced.with(Serdes.String(), new JsonSerde<>(StepCommand.class)).withName("step-commands-sink"));
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
