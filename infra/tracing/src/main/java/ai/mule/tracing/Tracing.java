package ai.mule.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's tracing: one trace per job, its context carried from service to service in W3C trace context
 * headers ({@code traceparent}, {@code tracestate}) on the Kafka records, whatever else a service uses.
 * <p>
 * Off unless the standard OpenTelemetry variables switch an exporter on ({@code OTEL_TRACES_EXPORTER=otlp} with
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT}, ...; read by the SDK's autoconfigure, which also takes
 * {@code OTEL_SERVICE_NAME}, {@code OTEL_TRACES_SAMPLER}, {@code OTEL_RESOURCE_ATTRIBUTES}, {@code OTEL_BSP_*}).
 * OTLP goes over HTTP ({@code http/protobuf}, the collector's port 4318): the gRPC protocol is not bundled.
 * Off, nothing is built and every method returns at once: no span objects, no header parsing; a service that
 * produces records while handling one passes the incoming context on unchanged ({@link RecordSpan}), so a trace
 * is not cut by one service that does not trace.
 */
public final class Tracing implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Tracing.class);
    static final String INSTRUMENTATION_SCOPE = "ai.mule";
    public static final AttributeKey<String> JOB_ID = AttributeKey.stringKey("mule.job.id");
    public static final AttributeKey<Long> STEP_INDEX = AttributeKey.longKey("mule.step.index");
    public static final AttributeKey<Long> STEP_ATTEMPT = AttributeKey.longKey("mule.step.attempt");
    public static final AttributeKey<String> STEP_TYPE = AttributeKey.stringKey("mule.step.type");
    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");

    private static final Tracing OFF = new Tracing(OpenTelemetry.noop(), false, null);

    private final OpenTelemetry openTelemetry;
    private final boolean enabled;
    private final Tracer tracer;
    private final OpenTelemetrySdk owned;

    private Tracing(OpenTelemetry openTelemetry, boolean enabled, OpenTelemetrySdk owned) {
        this.openTelemetry = openTelemetry;
        this.enabled = enabled;
        this.tracer = openTelemetry.getTracer(INSTRUMENTATION_SCOPE);
        this.owned = owned;
    }

    /** No tracing: nothing is recorded, and record handlers pass on the context they received. */
    public static Tracing off() {
        return OFF;
    }

    /** Traces into {@code openTelemetry}, e.g. an SDK with an in-memory exporter in tests; not closed by this. */
    public static Tracing of(OpenTelemetry openTelemetry) {
        return new Tracing(openTelemetry, true, null);
    }

    /**
     * The tracing the {@code OTEL_*} environment variables (or {@code otel.*} system properties) ask for, in the
     * service {@code serviceName} unless {@code OTEL_SERVICE_NAME} says otherwise. Off unless
     * {@code OTEL_TRACES_EXPORTER} names an exporter; metrics and logs are never exported through OpenTelemetry
     * unless their own variables ask (Mule's metrics are Prometheus', under {@code /actuator/prometheus}).
     */
    public static Tracing fromEnvironment(String serviceName) {
        return fromSettings(serviceName, Tracing::otelSetting);
    }

    static Tracing fromSettings(String serviceName, Function<String, String> setting) {
        String exporter = setting.apply("otel.traces.exporter");
        if (Boolean.parseBoolean(setting.apply("otel.sdk.disabled")) || exporter == null || exporter.isBlank()
                || exporter.trim().equalsIgnoreCase("none")) {
            return OFF;
        }
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> Map.of(
                        "otel.service.name", serviceName,
                        // the JDK's HTTP client sends OTLP over HTTP only (no gRPC stack bundled): port 4318
                        "otel.exporter.otlp.protocol", "http/protobuf",
                        "otel.metrics.exporter", "none",
                        "otel.logs.exporter", "none"))
                .addPropertiesCustomizer(config -> Map.of("otel.traces.exporter", exporter))
                .build()
                .getOpenTelemetrySdk();
        log.info("tracing on: {} spans exported by {}", serviceName, exporter);
        return new Tracing(sdk, true, sdk);
    }

    /** A setting as the SDK's autoconfigure reads it: the system property, else the environment variable. */
    private static String otelSetting(String property) {
        String value = System.getProperty(property);
        return value != null ? value : System.getenv(property.toUpperCase(Locale.ROOT).replace('.', '_'));
    }

    public boolean enabled() {
        return enabled;
    }

    /** For spans a service makes itself (the gateway's HTTP server span); a no-op tracer when off. */
    public Tracer tracer() {
        return tracer;
    }

    /** The trace context a carrier (HTTP request headers...) holds; the current context when it holds none. */
    public <C> Context extract(C carrier, TextMapGetter<C> getter) {
        return W3CTraceContextPropagator.getInstance().extract(Context.current(), carrier, getter);
    }

    /**
     * Starts the span around handling one Kafka record, a child of the trace context in its headers (a new trace
     * when there is none). Off, {@link RecordSpan#NONE}, at no cost.
     *
     * @param name  see {@link SpanNames}
     * @param topic the topic the record came from
     */
    public RecordSpan onRecord(String name, String topic, Headers headers, String jobId) {
        if (!enabled) {
            return RecordSpan.NONE;
        }
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, KafkaHeaders.INSTANCE);
        Span span = tracer.spanBuilder(name)
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(MESSAGING_SYSTEM, "kafka")
                .setAttribute(DESTINATION, topic)
                .setAttribute(JOB_ID, jobId)
                .startSpan();
        return new RecordSpan(span);
    }

    /**
     * The context of the current span (the one handling this thread's request), to be stored with a record
     * written for later sending (the outbox); null when off or when no span is current.
     */
    public TraceContext current() {
        if (!enabled) {
            return null;
        }
        SpanContext context = Span.current().getSpanContext();
        return context.isValid() ? TraceContext.of(context) : null;
    }

    /** Exports what is still buffered and stops the SDK this built (a no-op for one given to {@link #of}). */
    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }

    @Override
    public String toString() {
        return enabled ? "Tracing[on]" : "Tracing[off]";
    }
}
