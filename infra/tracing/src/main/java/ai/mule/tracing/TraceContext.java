package ai.mule.tracing;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.api.trace.Span;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A span's W3C trace context as text, to keep with a message that is sent later (an outbox row) and to put on its
 * Kafka record then.
 *
 * @param traceparent {@code 00-<trace id>-<span id>-<flags>}
 * @param tracestate  vendor entries, or null when there are none
 */
public record TraceContext(String traceparent, String tracestate) {

    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    static TraceContext of(SpanContext span) {
        RecordHeaders headers = new RecordHeaders();
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(Span.wrap(span)), headers,
                KafkaHeaders.INSTANCE);
        return new TraceContext(KafkaHeaders.INSTANCE.get(headers, TRACEPARENT),
                KafkaHeaders.INSTANCE.get(headers, TRACESTATE));
    }

    /** Headers holding a stored context, or null (no headers) when {@code traceparent} is null. */
    public static Headers headers(String traceparent, String tracestate) {
        if (traceparent == null) {
            return null;
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
        if (tracestate != null) {
            headers.add(TRACESTATE, tracestate.getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }
}
