package ai.mule.orchestrator.jobs;

import ai.mule.testkit.TestClock;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.kafka.KafkaClientConfig;
import ai.mule.kafka.KafkaProperties;
import ai.mule.orchestrator.Results;
import ai.mule.orchestrator.TestJobs;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
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

    @TempDir
    Path stateDir;
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .build();
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

    private void start(Tracing tracing) {
        OrchestratorProperties properties = OrchestratorDriver.properties(stateDir.toString());
        driver = new TopologyTestDriver(OrchestratorTopology.build(new StreamsBuilder(), new TestClock(
                OrchestratorDriver.START), properties, Limits.DEFAULTS, tracing),
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

    private static List<String> traceparents(Headers headers) {
        return java.util.stream.StreamSupport.stream(headers.headers("traceparent").spliterator(), false)
                .map(h -> new String(h.value(), StandardCharsets.UTF_8)).toList();
    }
}
