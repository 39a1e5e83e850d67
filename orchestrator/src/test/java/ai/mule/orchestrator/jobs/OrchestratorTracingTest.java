package ai.mule.orchestrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.kafka.KafkaClientConfig;
import ai.mule.kafka.KafkaProperties;
import ai.mule.orchestrator.Results;
import ai.mule.orchestrator.TestJobs;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import ai.mule.testkit.TestClock;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.tracing.Tracing;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The W3C trace context through the topology: carried on by Streams when off, continued by a span per command when on. */
class OrchestratorTracingTest {

    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String REQUEST_SPAN = "b7ad6b7169203331";
    private static final String RUNNER_SPAN = "00f067aa0ba902b7";
    /** 3 attempts, 100 ms then 300 ms between them, 1 s a run. */
    private static final StepPolicy QUICK = new StepPolicy(3, 100, 3.0, 10_000, 1_000, false);
    /** One attempt of 1 s. */
    private static final StepPolicy ONCE = new StepPolicy(1, 100, 3.0, 10_000, 1_000, false);

    @TempDir
    Path stateDir;
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .build();
    private final TestClock clock = new TestClock(OrchestratorDriver.START);
    private TopologyTestDriver driver;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
        sdk.close();
    }

    @Test
    void withTracingOnEachCommandIsASpanOfTheJobsTraceAndItsRecordsCarryThatSpanOn() {
        // given
        start(Tracing.of(sdk));
        String jobId = TestJobs.newJobId();
        JobRequest request = TestJobs.request(jobId, TestJobs.wasm(1, "upper"), TestJobs.wasm(2, "reverse"));
        // when the request arrives from the gateway's request span, and the first step's result from a runner's span
        requests().pipeInput(new TestRecord<>(jobId, request, context(REQUEST_SPAN)));
        TestRecord<String, StepCommand> first = commands().readRecord();
        results().pipeInput(new TestRecord<>(jobId, Results.succeededFor(jobId, 0, 1, TestJobs.text("A")),
                context(RUNNER_SPAN)));
        TestRecord<String, StepCommand> second = commands().readRecord();
        List<TestRecord<String, JobEvent>> events = events().readRecordsToList();

        // then: one trace, StartJob a child of the request, StepFinished a child of the runner's span
        SpanData start = span("orchestrator StartJob");
        SpanData finished = span("orchestrator StepFinished");
        assertThat(List.of(start.getTraceId(), finished.getTraceId())).containsOnly(TRACE);
        assertThat(start.getParentSpanId()).isEqualTo(REQUEST_SPAN);
        assertThat(finished.getParentSpanId()).isEqualTo(RUNNER_SPAN);
        assertThat(start.getAttributes().get(Tracing.JOB_ID)).isEqualTo(jobId);
        // and each step command and event carries the span that emitted it, once
        assertThat(traceparents(first.headers())).containsExactly(traceparent(start));
        assertThat(traceparents(second.headers())).containsExactly(traceparent(finished));
        assertThat(events).isNotEmpty().allSatisfy(event -> assertThat(traceparents(event.headers()))
                .containsAnyOf(traceparent(start), traceparent(finished)).hasSize(1));
    }

    @Test
    void withTracingOffRecordsCarryTheContextTheirInputCameWith() {
        start(Tracing.off());
        String jobId = TestJobs.newJobId();

        requests().pipeInput(new TestRecord<>(jobId, TestJobs.request(jobId, TestJobs.wasm(1, "upper")),
                context(REQUEST_SPAN)));

        assertThat(traceparents(commands().readRecord().headers()))
                .containsExactly("00-" + TRACE + "-" + REQUEST_SPAN + "-01");
        assertThat(spans.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void aRequestWithoutContextStartsTheJobsTrace() {
        start(Tracing.of(sdk));
        String jobId = TestJobs.newJobId();

        requests().pipeInput(jobId, TestJobs.request(jobId, TestJobs.wasm(1, "upper")));

        SpanData start = span("orchestrator StartJob");
        assertThat(start.getParentSpanContext().isValid()).isFalse();
        assertThat(traceparents(commands().readRecord().headers())).containsExactly(traceparent(start));
    }

    @Test
    void aRetryAfterItsBackoffAndTheJobsEndAreInTheJobsTrace() {
        // given a job whose first attempt failed transiently (the retry waits 100 ms)
        start(Tracing.of(sdk));
        String jobId = TestJobs.newJobId();
        requests().pipeInput(new TestRecord<>(jobId, TestJobs.request(jobId, TestJobs.wasm(1, "flaky", QUICK)),
                context(REQUEST_SPAN)));
        StepCommand first = commands().readValue();
        results().pipeInput(new TestRecord<>(jobId, Results.failed(first, FailureKind.PROVIDER_UNAVAILABLE, "503",
                null, null, 7, OrchestratorDriver.START), context(RUNNER_SPAN)));
        assertThat(commands().isEmpty()).as("nothing is sent during the backoff").isTrue();
        events().readRecordsToList();

        // when the timer sends the retry, and the retry succeeds
        advance(Duration.ofMillis(150));
        TestRecord<String, StepCommand> retry = commands().readRecord();
        List<TestRecord<String, JobEvent>> retryEvents = events().readRecordsToList();
        results().pipeInput(new TestRecord<>(jobId, Results.succeeded(retry.value(), TestJobs.text("ok"), null, null,
                5, OrchestratorDriver.START), context(RUNNER_SPAN)));
        List<TestRecord<String, JobEvent>> end = events().readRecordsToList();

        // then the wake-up is a span of the job's trace, a child of its StartJob, and what it sent carries it
        assertThat(retry.value().attempt()).isEqualTo(2);
        SpanData start = span("orchestrator StartJob");
        SpanData wakeUp = span("orchestrator WakeUp");
        assertThat(wakeUp.getTraceId()).isEqualTo(TRACE);
        assertThat(wakeUp.getParentSpanId()).isEqualTo(start.getSpanId());
        assertThat(wakeUp.getAttributes().get(Tracing.JOB_ID)).isEqualTo(jobId);
        assertThat(traceparents(retry.headers())).containsExactly(traceparent(wakeUp));
        assertThat(retryEvents).isNotEmpty()
                .allSatisfy(event -> assertThat(traceparents(event.headers())).containsExactly(traceparent(wakeUp)));
        // and the job's terminal event is in the same trace
        TestRecord<String, JobEvent> completed = end.get(end.size() - 1);
        assertThat(completed.value()).isInstanceOf(JobEvent.JobCompleted.class);
        assertThat(traceIds(completed.headers())).containsExactly(TRACE);
        assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getTraceId).containsOnly(TRACE);
    }

    @Test
    void aLostRunnersWakeUpFailsTheJobInTheJobsTrace() {
        // given a job whose only attempt (1 s, plus the 5 s grace) never reports back
        start(Tracing.of(sdk));
        String jobId = TestJobs.newJobId();
        requests().pipeInput(new TestRecord<>(jobId, TestJobs.request(jobId, TestJobs.wasm(1, "stuck", ONCE)),
                context(REQUEST_SPAN)));
        commands().readRecordsToList();
        events().readRecordsToList();

        // when its deadline passes
        advance(Duration.ofSeconds(7));

        // then the runner counts as lost, and the step's and the job's failure are in the job's trace
        List<TestRecord<String, JobEvent>> failure = events().readRecordsToList();
        assertThat(failure).extracting(e -> e.value().getClass().getSimpleName())
                .containsExactly("StepFailed", "JobFailed");
        assertThat(((JobEvent.StepFailed) failure.get(0).value()).failureKind()).isEqualTo(FailureKind.RUNNER_LOST);
        SpanData wakeUp = span("orchestrator WakeUp");
        assertThat(wakeUp.getTraceId()).isEqualTo(TRACE);
        assertThat(wakeUp.getParentSpanId()).isEqualTo(span("orchestrator StartJob").getSpanId());
        assertThat(failure).allSatisfy(event ->
                assertThat(traceparents(event.headers())).containsExactly(traceparent(wakeUp)));
    }

    @Test
    void withTracingOffARetryCarriesTheContextTheJobCameWith() {
        start(Tracing.off());
        String jobId = TestJobs.newJobId();

        TestRecord<String, StepCommand> retry = retryOfAFailedFirstAttempt(
                TestJobs.request(jobId, TestJobs.wasm(1, "flaky", QUICK)), context(REQUEST_SPAN));

        assertThat(traceparents(retry.headers())).containsExactly("00-" + TRACE + "-" + REQUEST_SPAN + "-01");
        assertThat(spans.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void aGraphJobsRetryIsInTheJobsTrace() {
        start(Tracing.of(sdk));
        String jobId = TestJobs.newJobId();

        TestRecord<String, StepCommand> retry = retryOfAFailedFirstAttempt(TestJobs.graph(jobId,
                List.of(TestJobs.wasm(1, "flaky", QUICK), TestJobs.wasm(2, "upper", QUICK)),
                List.of(TestJobs.node("a"), TestJobs.node("b", 0))), context(REQUEST_SPAN));

        SpanData wakeUp = span("orchestrator WakeUp");
        assertThat(wakeUp.getTraceId()).isEqualTo(TRACE);
        assertThat(traceparents(retry.headers())).containsExactly(traceparent(wakeUp));
    }

    @Test
    void aJobStartedWithoutContextKeepsTheTraceItsStartBegan() {
        start(Tracing.of(sdk));
        String jobId = TestJobs.newJobId();

        retryOfAFailedFirstAttempt(TestJobs.request(jobId, TestJobs.wasm(1, "flaky", QUICK)), new RecordHeaders());

        SpanData start = span("orchestrator StartJob");
        assertThat(start.getParentSpanContext().isValid()).isFalse();
        assertThat(span("orchestrator WakeUp").getParentSpanId()).isEqualTo(start.getSpanId());
        assertThat(span("orchestrator WakeUp").getTraceId()).isEqualTo(start.getTraceId());
    }

    @Test
    void aJobFromAStateWrittenWithoutTraceTakesTheTraceOfItsNextRecordForItsTimers() {
        // given a running job restored from a state the previous version wrote (no trace context kept)
        start(Tracing.off());
        JobState old = new JsonSerde<>(JobState.class).deserializer().deserialize("changelog",
                JobStateCompatibilityTest.RUNNING.getBytes(StandardCharsets.UTF_8));
        driver.<String, JobState>getKeyValueStore(OrchestratorTopology.JOBS_STORE).put(old.jobId(), old);
        StepCommand awaited = StepCommand.of(old.jobId(), 1, 2, old.snapshot().steps().get(1),
                old.progress().stepInput(), OrchestratorDriver.START, old.progress().stepDeadline());

        // when its attempt fails in a runner's trace, and the retry's backoff (2 s) passes
        results().pipeInput(new TestRecord<>(old.jobId(), Results.failed(awaited, FailureKind.PROVIDER_UNAVAILABLE,
                "503", null, null, 7, OrchestratorDriver.START), context(RUNNER_SPAN)));
        advance(Duration.ofSeconds(3));

        // then the retry goes on in that trace
        TestRecord<String, StepCommand> retry = driver.createOutputTopic(Topics.STEPS_AGENT.name(),
                Topics.STEPS_AGENT.keySerde().deserializer(), Topics.STEPS_AGENT.valueSerde().deserializer())
                .readRecord();
        assertThat(retry.value().attempt()).isEqualTo(3);
        assertThat(traceparents(retry.headers())).containsExactly("00-" + TRACE + "-" + RUNNER_SPAN + "-01");
    }

    /**
     * Sends {@code request} with {@code context}, fails its first attempt transiently (a result without context)
     * and returns the retry the timer sends once the backoff (100 ms) is over.
     */
    private TestRecord<String, StepCommand> retryOfAFailedFirstAttempt(JobRequest request, Headers context) {
        requests().pipeInput(new TestRecord<>(request.jobId(), request, context));
        StepCommand first = commands().readValue();
        results().pipeInput(request.jobId(), Results.failed(first, FailureKind.PROVIDER_UNAVAILABLE, "503", null,
                null, 7, OrchestratorDriver.START));
        advance(Duration.ofMillis(150));
        TestRecord<String, StepCommand> retry = commands().readRecord();
        assertThat(retry.value().attempt()).isEqualTo(2);
        return retry;
    }

    private void advance(Duration duration) {
        clock.advance(duration);
        driver.advanceWallClockTime(duration);
    }

    private void start(Tracing tracing) {
        OrchestratorProperties properties = OrchestratorDriver.properties(stateDir.toString());
        driver = new TopologyTestDriver(OrchestratorTopology.build(new StreamsBuilder(), clock, properties, Limits.DEFAULTS, tracing),
                OrchestratorStreamsConfig.of(properties, Limits.DEFAULTS,
                        new KafkaClientConfig(KafkaProperties.of("127.0.0.1:9"))), OrchestratorDriver.START);
    }

    private TestInputTopic<String, JobRequest> requests() {
        return driver.createInputTopic(Topics.JOB_REQUESTS.name(), Topics.JOB_REQUESTS.keySerde().serializer(),
                Topics.JOB_REQUESTS.valueSerde().serializer());
    }

    private TestInputTopic<String, StepResult> results() {
        return driver.createInputTopic(Topics.STEP_RESULTS.name(), Topics.STEP_RESULTS.keySerde().serializer(),
                Topics.STEP_RESULTS.valueSerde().serializer());
    }

    private TestOutputTopic<String, StepCommand> commands() {
        return driver.createOutputTopic(Topics.STEPS_WASM.name(), Topics.STEPS_WASM.keySerde().deserializer(),
                Topics.STEPS_WASM.valueSerde().deserializer());
    }

    private TestOutputTopic<String, JobEvent> events() {
        return driver.createOutputTopic(Topics.JOB_EVENTS.name(), Topics.JOB_EVENTS.keySerde().deserializer(),
                Topics.JOB_EVENTS.valueSerde().deserializer());
    }

    private SpanData span(String name) {
        List<SpanData> named = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(named).as("spans named " + name).hasSize(1);
        return named.get(0);
    }

    private static Headers context(String spanId) {
        return new RecordHeaders().add("traceparent",
                ("00-" + TRACE + "-" + spanId + "-01").getBytes(StandardCharsets.UTF_8));
    }

    private static String traceparent(SpanData span) {
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getSpanContext().getTraceFlags().asHex();
    }

    private static List<String> traceIds(Headers headers) {
        return traceparents(headers).stream().map(traceparent -> traceparent.split("-")[1]).toList();
    }

    private static List<String> traceparents(Headers headers) {
        return java.util.stream.StreamSupport.stream(headers.headers("traceparent").spliterator(), false)
                .map(h -> new String(h.value(), StandardCharsets.UTF_8)).toList();
    }
}
