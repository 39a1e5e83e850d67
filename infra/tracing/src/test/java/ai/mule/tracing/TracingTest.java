package ai.mule.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TracingTest {

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .build();
    private final Tracing tracing = Tracing.of(sdk);

    @AfterEach
    void closeSdk() {
        sdk.close();
    }

    @Test
    void aContextStoredInTheRequestsSpanBecomesTheParentOfTheSpanThatHandlesTheRecord() {
        // given a request span whose context is stored with an outbox row
        Span request = tracing.tracer().spanBuilder("POST /api/v1/jobs").setSpanKind(SpanKind.SERVER).startSpan();
        TraceContext stored;
        try (Scope ignored = request.makeCurrent()) {
            stored = tracing.current();
        } finally {
            request.end();
        }
        // when the record is sent with it, handled, and a record produced meanwhile
        Headers sent = TraceContext.headers(stored.traceparent(), stored.tracestate());
        Headers produced = new RecordHeaders();
        try (RecordSpan span = tracing.onRecord(SpanNames.orchestrator("StartJob"), "mule.jobs.requests", sent, "j1")) {
            span.carryOn(produced);
        }
        // then: one trace, handled as a child of the request, the produced record carries the handler's span
        SpanData requestSpan = find("POST /api/v1/jobs");
        SpanData handler = find("orchestrator StartJob");
        assertThat(handler.getTraceId()).isEqualTo(requestSpan.getTraceId());
        assertThat(handler.getParentSpanId()).isEqualTo(requestSpan.getSpanId());
        assertThat(handler.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(handler.getAttributes().get(Tracing.JOB_ID)).isEqualTo("j1");
        assertThat(text(produced, "traceparent"))
                .startsWith("00-" + handler.getTraceId() + "-" + handler.getSpanId() + "-");
    }

    @Test
    void aRecordWithoutContextStartsATraceAndOneWithAMalformedContextToo() {
        Headers malformed = new RecordHeaders().add("traceparent", "00-zz\u0000-nonsense".getBytes(StandardCharsets.UTF_8));
        tracing.onRecord("a", "t", new RecordHeaders(), "j1").close();
        tracing.onRecord("b", "t", malformed, "j2").close();

        assertThat(find("a").getParentSpanContext().isValid()).isFalse();
        assertThat(find("b").getParentSpanContext().isValid()).isFalse();
        assertThat(find("a").getTraceId()).isNotEqualTo(find("b").getTraceId());
    }

    @Test
    void offItRecordsNothingAndPassesTheIncomingContextOnUnchanged() {
        Tracing off = Tracing.off();
        Headers in = TraceContext.headers("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "v=1");

        RecordSpan span = off.onRecord("x", "t", in, "j1");

        assertThat(span).isSameAs(RecordSpan.NONE);
        assertThat(off.current()).isNull();
        Headers out = span.headersFrom(in);
        assertThat(text(out, "traceparent")).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(text(out, "tracestate")).isEqualTo("v=1");
        assertThat(span.headersFrom(new RecordHeaders())).isNull();
        assertThat(TraceContext.headers(null, null)).isNull();
    }

    @Test
    void theExporterIsOffUnlessTheOtelVariablesNameOne() {
        assertThat(Tracing.fromSettings("s", Map.<String, String>of()::get).enabled()).isFalse();
        assertThat(Tracing.fromSettings("s", Map.of("otel.traces.exporter", "none")::get).enabled()).isFalse();
        assertThat(Tracing.fromSettings("s", Map.of("otel.traces.exporter", "otlp", "otel.sdk.disabled", "true")::get)
                .enabled()).isFalse();
        try (Tracing on = Tracing.fromSettings("s", Map.of("otel.traces.exporter", "otlp")::get)) {
            assertThat(on.enabled()).isTrue();
        }
        // a misspelt exporter stops the service at start-up, with the SDK's own message naming the setting
        assertThatThrownBy(() -> Tracing.fromSettings("s", Map.of("otel.traces.exporter", "otlpp")::get))
                .hasMessageContaining("otel.traces.exporter");
    }

    private SpanData find(String name) {
        List<SpanData> named = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(named).hasSize(1);
        return named.get(0);
    }

    @Test
    void aRecordsContextIsKeptAsTextUnlessItIsTooLongToBeOne() {
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        TraceContext kept = TraceContext.from(TraceContext.headers(traceparent, "v=1"));

        assertThat(kept).isEqualTo(new TraceContext(traceparent, "v=1"));
        assertThat(text(kept.headers(), "traceparent")).isEqualTo(traceparent);
        assertThat(TraceContext.from(new RecordHeaders())).isNull();
        // a hostile producer's megabyte of header is not kept with a job (nor its tracestate beyond W3C's 512)
        assertThat(TraceContext.from(TraceContext.headers("0".repeat(1_000_000), null))).isNull();
        assertThat(TraceContext.from(TraceContext.headers(traceparent, "v=" + "x".repeat(600))))
                .isEqualTo(new TraceContext(traceparent, null));
    }

    private static String text(Headers headers, String key) {
        return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
