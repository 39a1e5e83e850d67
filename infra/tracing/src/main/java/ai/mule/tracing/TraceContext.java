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
    /**
     * The longest {@code traceparent} kept ({@link #from}): version 00's is 55 characters; later versions may append
     * fields, but a header longer than this is no trace context anyone propagates.
     */
    static final int MAX_TRACEPARENT_CHARS = 256;
    /** The longest {@code tracestate} kept: the W3C spec's 512 characters that propagation may cut to. */
    static final int MAX_TRACESTATE_CHARS = 512;

    static TraceContext of(SpanContext span) {
        RecordHeaders headers = new RecordHeaders();
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(Span.wrap(span)), headers,
                KafkaHeaders.INSTANCE);
        return new TraceContext(KafkaHeaders.INSTANCE.get(headers, TRACEPARENT),
                KafkaHeaders.INSTANCE.get(headers, TRACESTATE));
    }

    /**
     * The trace context record headers carry, as text to keep (a job's state keeps its trace's); null when they
     * carry none or a {@code traceparent} too long to be one. A {@code tracestate} over 512 characters is dropped,
     * as propagators may do. Reads the headers' bytes only: no parsing, whether tracing is on or off.
     */
    public static TraceContext from(Headers headers) {
        String traceparent = KafkaHeaders.INSTANCE.get(headers, TRACEPARENT);
        if (traceparent == null || traceparent.length() > MAX_TRACEPARENT_CHARS) {
            return null;
        }
        String tracestate = KafkaHeaders.INSTANCE.get(headers, TRACESTATE);
        return new TraceContext(traceparent,
                tracestate == null || tracestate.length() > MAX_TRACESTATE_CHARS ? null : tracestate);
    }

    /** Headers holding this context, for a record sent on its behalf later. */
    public Headers headers() {
        return headers(traceparent, tracestate);
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
