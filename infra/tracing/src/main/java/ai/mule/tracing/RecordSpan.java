package ai.mule.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The span around handling one Kafka record ({@link Tracing#onRecord}), and the trace context the records produced
 * meanwhile carry on: this span's when tracing is on, else the context the record came with, unchanged.
 * {@link #NONE} (tracing off) records nothing and allocates nothing.
 */
public final class RecordSpan implements AutoCloseable {

    /** Tracing is off. */
    public static final RecordSpan NONE = new RecordSpan(null);

    private final Span span;

    RecordSpan(Span span) {
        this.span = span;
    }

    public boolean recording() {
        return span != null;
    }

    public RecordSpan attribute(AttributeKey<Long> key, long value) {
        if (span != null) {
            span.setAttribute(key, value);
        }
        return this;
    }

    public RecordSpan attribute(AttributeKey<String> key, String value) {
        if (span != null) {
            span.setAttribute(key, value);
        }
        return this;
    }

    /**
     * Puts this span's context on {@code out}, the headers of a record produced while handling the one this span
     * is about, replacing the context they hold. Off, nothing: a Kafka Streams processor's output records already
     * carry their input's headers.
     */
    public void carryOn(Headers out) {
        if (span != null) {
            W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), out, KafkaHeaders.INSTANCE);
        }
    }

    /**
     * Headers for a record produced while handling one that had {@code in}: this span's context, or when off the
     * trace context {@code in} had (its header bytes, not copied); null when there is none to carry.
     */
    public Headers headersFrom(Headers in) {
        if (span != null) {
            RecordHeaders out = new RecordHeaders();
            carryOn(out);
            return out;
        }
        Header traceparent = in == null ? null : in.lastHeader(TraceContext.TRACEPARENT);
        if (traceparent == null) {
            return null;
        }
        RecordHeaders out = new RecordHeaders();
        out.add(traceparent);
        Header tracestate = in.lastHeader(TraceContext.TRACESTATE);
        if (tracestate != null) {
            out.add(tracestate);
        }
        return out;
    }

    /**
     * Makes this span the thread's current one until the scope closes, so that what the thread writes meanwhile
     * (an outbox row: {@link Tracing#current}) belongs to it. Off, a no-op scope.
     */
    public Scope makeCurrent() {
        return span == null ? Scope.noop() : span.makeCurrent();
    }

    /** Marks the span failed (the step or command failed), with a short description. */
    public void fail(String description) {
        if (span != null) {
            span.setStatus(StatusCode.ERROR, description);
        }
    }

    @Override
    public void close() {
        if (span != null) {
            span.end();
        }
    }
}
