package ai.mule.orchestrator.jobs;

import ai.mule.testkit.TestClock;
import ai.mule.kafka.KafkaClientConfig;
import ai.mule.kafka.KafkaProperties;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.StepStarted;
import ai.mule.schemas.Topic;
import ai.mule.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The orchestrator topology in a {@link TopologyTestDriver}, with its real configuration and a hand-moved clock. */
final class OrchestratorDriver implements AutoCloseable {

    static final Instant START = Instant.parse("2026-03-01T12:00:00Z");

    final TestClock clock = new TestClock(START);
    final OrchestratorProperties properties;
    final Limits limits;
    private final TopologyTestDriver driver;
    private final TestInputTopic<String, JobRequest> requests;
    private final TestInputTopic<String, StepResult> results;
    private final TestInputTopic<String, StepStarted> started;
    private final TestInputTopic<String, JobControl> control;
    private final TestInputTopic<String, byte[]> rawResults;
    private final TestInputTopic<String, byte[]> rawRequests;
    private final TestOutputTopic<String, JobEvent> events;
    private final TestOutputTopic<String, StepCommand> wasmCommands;
    private final TestOutputTopic<String, StepCommand> agentCommands;
    private final TestOutputTopic<String, JobControl> controlOut;

    OrchestratorDriver(Path stateDir) {
        this(stateDir, Limits.DEFAULTS);
    }

    OrchestratorDriver(Path stateDir, Limits limits) {
        this(stateDir, limits, Map.of());
    }

    /** An orchestrator with these settings ({@code mule.orchestrator.*} names), the rest their defaults. */
    OrchestratorDriver(Path stateDir, Limits limits, Map<String, String> settings) {
        properties = properties(stateDir.toString(), settings);
        this.limits = limits;
        driver = new TopologyTestDriver(OrchestratorTopology.build(new StreamsBuilder(), clock, properties, limits),
                OrchestratorStreamsConfig.of(properties, limits, new KafkaClientConfig(KafkaProperties.of("127.0.0.1:9"))), START);
        requests = input(Topics.JOB_REQUESTS);
        results = input(Topics.STEP_RESULTS);
        started = input(Topics.STEPS_STARTED);
        control = input(Topics.JOB_CONTROL);
        rawResults = driver.createInputTopic(Topics.STEP_RESULTS.name(), new StringSerializer(), new ByteArraySerializer());
        rawRequests = driver.createInputTopic(Topics.JOB_REQUESTS.name(), new StringSerializer(), new ByteArraySerializer());
        events = output(Topics.JOB_EVENTS);
        wasmCommands = output(Topics.STEPS_WASM);
        agentCommands = output(Topics.STEPS_AGENT);
        controlOut = output(Topics.JOB_CONTROL);
    }

    /** Requests for child jobs (sub-workflow steps), which the gateway would make into jobs. */
    List<ai.mule.schemas.JobIngressRequest> childRequests() {
        return driver.createOutputTopic(Topics.JOB_CHILDREN.name(), Topics.JOB_CHILDREN.keySerde().deserializer(),
                Topics.JOB_CHILDREN.valueSerde().deserializer()).readValuesToList();
    }

    /** Control messages the orchestrator itself sent (a job that timed out). */
    List<JobControl> controlsSent() {
        return controlOut.readValuesToList();
    }

    /** The terminal events copied to a Kafka ingress request's reply topic. */
    List<JobEvent> replies(String topic) {
        return driver.createOutputTopic(topic, Topics.JOB_EVENTS.keySerde().deserializer(),
                Topics.JOB_EVENTS.valueSerde().deserializer()).readValuesToList();
    }

    void request(JobRequest request) {
        requests.pipeInput(request.jobId(), request);
    }

    void result(StepResult result) {
        results.pipeInput(result.jobId(), result);
    }

    /** A runner's report that it started an attempt late ({@code mule.steps.started}). */
    void started(StepStarted report) {
        started.pipeInput(report.jobId(), report);
    }

    /** The orchestrator's properties with their defaults, bound as the service binds them. */
    static OrchestratorProperties properties(String stateDir) {
        return properties(stateDir, Map.of());
    }

    /** The orchestrator's properties: these settings (names as in {@code mule.orchestrator.*}), else the defaults. */
    static OrchestratorProperties properties(String stateDir, Map<String, String> settings) {
        Map<String, String> all = new HashMap<>();
        settings.forEach((name, value) -> all.put("mule.orchestrator." + name, value));
        all.put("mule.orchestrator.state-dir", stateDir);
        return new Binder(new MapConfigurationPropertySource(all))
                .bindOrCreate("mule.orchestrator", OrchestratorProperties.class);
    }

    void resultKeyed(String key, StepResult result) {
        results.pipeInput(key, result);
    }

    void rawResult(String key, String value) {
        rawResults.pipeInput(key, value.getBytes(StandardCharsets.UTF_8));
    }

    void rawRequest(String key, String value) {
        rawRequests.pipeInput(key, value.getBytes(StandardCharsets.UTF_8));
    }

    void cancel(String jobId) {
        control.pipeInput(jobId, JobControl.cancel(jobId, "user asked", clock.instant()));
    }

    List<JobEvent> events() {
        return events.readValuesToList();
    }

    List<StepCommand> wasmCommands() {
        return wasmCommands.readValuesToList();
    }

    List<StepCommand> agentCommands() {
        return agentCommands.readValuesToList();
    }

    /** Every command, whichever runner topic it went to. */
    List<StepCommand> commands() {
        List<StepCommand> all = new ArrayList<>(wasmCommands());
        all.addAll(agentCommands());
        return all;
    }

    JobState state(String jobId) {
        KeyValueStore<String, JobState> store = driver.getKeyValueStore(OrchestratorTopology.JOBS_STORE);
        return store.get(jobId);
    }

    /** Puts a job's state into the store, as a restart restores it from the changelog. */
    void restore(JobState state) {
        KeyValueStore<String, JobState> store = driver.getKeyValueStore(OrchestratorTopology.JOBS_STORE);
        store.put(state.jobId(), state);
    }

    /** How many jobs the timer index holds (each running job once, at its next wake time). */
    long timerCount() {
        return count(timers(), null, DueTimers.LAST_KEY);
    }

    /** The keys of the timer index, in time order. */
    List<String> timerKeys() {
        List<String> keys = new ArrayList<>();
        try (var entries = timers().range(null, DueTimers.LAST_KEY)) {
            entries.forEachRemaining(entry -> keys.add(entry.key));
        }
        return keys;
    }

    /** How many finished jobs wait to be forgotten after their retention ({@link FinishedJobs}). */
    long finishedIndexSize() {
        return count(timers(), FinishedJobs.PREFIX,
                FinishedJobs.PREFIX + '\uffff')
                + count(legacyFinishedIndex(), null, null);
    }

    /** The {@code job-timers} store: timers, then finished jobs ({@link FinishedJobs#PREFIX}). */
    KeyValueStore<String, String> timers() {
        return driver.getKeyValueStore(OrchestratorTopology.TIMERS_STORE);
    }

    /** The store finished jobs were indexed in by earlier versions, which a deployment may still hold entries of. */
    KeyValueStore<String, String> legacyFinishedIndex() {
        return driver.getKeyValueStore(OrchestratorTopology.LEGACY_FINISHED_JOBS_STORE);
    }

    private static long count(KeyValueStore<String, String> store, String from, String to) {
        long count = 0;
        try (var entries = store.range(from, to)) {
            for (; entries.hasNext(); entries.next()) {
                count++;
            }
        }
        return count;
    }

    /** Moves both the orchestrator's clock and Streams' wall clock, which fires due punctuators. */
    void advance(Duration duration) {
        clock.advance(duration);
        driver.advanceWallClockTime(duration);
    }

    private <V> TestInputTopic<String, V> input(Topic<String, V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    private <V> TestOutputTopic<String, V> output(Topic<String, V> topic) {
        return driver.createOutputTopic(topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    }

    @Override
    public void close() {
        driver.close();
    }
}
