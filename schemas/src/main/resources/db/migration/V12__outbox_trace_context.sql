-- The W3C trace context of the request that wrote an outbox row (traceparent, tracestate), put on the Kafka record
-- when the relay publishes it, so that the job's trace goes on in the orchestrator. Null when tracing is off.
ALTER TABLE outbox
    ADD COLUMN traceparent TEXT,
    ADD COLUMN tracestate  TEXT;
