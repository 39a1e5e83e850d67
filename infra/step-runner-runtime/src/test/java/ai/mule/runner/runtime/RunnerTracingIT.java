package ai.mule.runner.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Limits;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topic;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WasmStep;
import ai.mule.testkit.TestKafka;
import ai.mule.tracing.Tracing;
import com.fasterxml.jackson.databind.node.TextNode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A step command's trace context, through a real broker, to the runner's span and back on its result. */
class RunnerTracingIT {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String ORCHESTRATOR_SPAN = "00f067aa0ba902b7";

    private final Topic<String, StepCommand> topic = new Topic<>("test.steps." + UUID.randomUUID(),
            Topics.STEPS_WASM.keySerde(), Topics.STEPS_WASM.valueSerde(), null);
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .build();
    private StepRunner runner;

    @BeforeEach
    void createTopic() {
        TestKafka.createTopics(topic.name());
    }

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.close();
        }
        sdk.close();
    }

    @Test
    void theStepRunsInASpanOfTheCommandsTraceAndItsResultCarriesThatSpanBack() {
        start(Tracing.of(sdk));
        String job = UUID.randomUUID().toString();

        send(job, "00-" + TRACE + "-" + ORCHESTRATOR_SPAN + "-01");

        List<String> resultContext = resultTraceparents(job);
        await().atMost(Duration.ofSeconds(10)).until(() -> !spans.getFinishedSpanItems().isEmpty());
        SpanData run = spans.getFinishedSpanItems().get(0);
        assertThat(run.getName()).isEqualTo("run step wasm_module");
        assertThat(run.getTraceId()).isEqualTo(TRACE);
        assertThat(run.getParentSpanId()).isEqualTo(ORCHESTRATOR_SPAN);
        assertThat(run.getAttributes().get(Tracing.JOB_ID)).isEqualTo(job);
        assertThat(run.getAttributes().get(Tracing.STEP_ATTEMPT)).isEqualTo(1L);
        assertThat(resultContext).containsExactly("00-" + TRACE + "-" + run.getSpanId() + "-01");
    }

    @Test
    void withTracingOffTheResultCarriesTheCommandsContextBackUnchangedAndNoneWhenItHadNone() {
        start(Tracing.off());
        String traced = UUID.randomUUID().toString();
        String untraced = UUID.randomUUID().toString();

        send(traced, "00-" + TRACE + "-" + ORCHESTRATOR_SPAN + "-01");
        send(untraced, null);

        assertThat(resultTraceparents(traced)).containsExactly("00-" + TRACE + "-" + ORCHESTRATOR_SPAN + "-01");
        assertThat(resultTraceparents(untraced)).isEmpty();
        assertThat(spans.getFinishedSpanItems()).isEmpty();
    }

    private void start(Tracing tracing) {
        runner = new StepRunner(new RunnerSettings(topic, "test-runner-" + UUID.randomUUID(), 1,
                Duration.ofSeconds(10), KafkaClients.of(TestKafka.bootstrapServers()), Limits.DEFAULTS),
                (command, cancel) -> StepResult.succeeded(command, TextNode.valueOf("ok"), null, null, 0,
                        Instant.now(), null),
                Clock.systemUTC(), (what, cause) -> { }, null, tracing);
        runner.start();
    }

    private void send(String job, String traceparent) {
        WasmStep step = new WasmStep(0, null, "module-id", "m", "0".repeat(64), null,
                new StepPolicy(1, 0, 1.0, 0, 1_000, false));
        StepCommand command = StepCommand.of(job, 0, 1, step, JsonSerde.mapper().createObjectNode(), Instant.now(),
                null);
        RecordHeaders headers = new RecordHeaders();
        if (traceparent != null) {
            headers.add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
        }
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic.name(), null, job,
                    topic.valueSerde().serializer().serialize(topic.name(), command), headers)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The traceparent headers of the job's result record, once it arrived. */
    private static List<String> resultTraceparents(String job) {
        return TestKafka.headerValues(Topics.STEP_RESULTS.name(), job, "traceparent", Duration.ofSeconds(30));
    }
}
