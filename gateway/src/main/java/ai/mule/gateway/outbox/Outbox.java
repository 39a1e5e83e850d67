package ai.mule.gateway.outbox;

import ai.mule.schemas.Limits;
import ai.mule.schemas.Topic;
import ai.mule.tracing.TraceContext;
import ai.mule.tracing.Tracing;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Writes messages for Kafka into the {@code outbox} table, inside the caller's transaction, so a message
 * exists exactly when the row it announces does. The relay sends it as soon as that transaction commits.
 */
@Component
public class Outbox {

    private final JdbcClient jdbc;
    private final OutboxRelay relay;
    private final int maxMessageBytes;
    private final Tracing tracing;

    Outbox(JdbcClient jdbc, OutboxRelay relay, Limits limits, Tracing tracing) {
        this.jdbc = jdbc;
        this.relay = relay;
        this.tracing = tracing;
        // one limit for every record Mule writes (the broker's message.max.bytes must be at least this)
        this.maxMessageBytes = limits.maxRecordBytes();
    }

    /**
     * Appends a message, serialized with the topic's own serde; must run inside a transaction.
     *
     * @throws MessageTooLargeException if Kafka could never take the message: refused now, while the caller's
     *                                  transaction can still roll back, rather than blocking the outbox later
     */
    public <V> void append(Topic<String, V> topic, String key, V value) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            throw new IllegalStateException("outbox rows must be written in the transaction of the row they announce");
        }
        byte[] payload = topic.valueSerde().serializer().serialize(topic.name(), value);
        if (payload.length > maxMessageBytes) {
            throw new MessageTooLargeException(payload.length, maxMessageBytes);
        }
        // the request's trace goes on where the message is read (null when tracing is off)
        TraceContext trace = tracing.current();
        String traceparent = trace == null ? null : trace.traceparent();
        String tracestate = trace == null ? null : trace.tracestate();
        long id = jdbc.sql("INSERT INTO outbox (topic, message_key, payload, traceparent, tracestate) "
                        + "VALUES (?, ?, ?, ?, ?) RETURNING id")
                .params(topic.name(), key, payload, traceparent, tracestate)
                .query(Long.class)
                .single();
        relay.sendAfterCommit(new OutboxRelay.OutboxRow(id, topic.name(), key, payload,
                TraceContext.headers(traceparent, tracestate)));
    }
}
