package ai.mule.gateway.outbox;

import ai.mule.gateway.kafka.BackgroundLoop;
import ai.mule.gateway.kafka.KafkaClients;
import ai.mule.tracing.TraceContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes outbox rows to Kafka and deletes them once Kafka has acknowledged them.
 *
 * <p>One thread, woken after every commit that wrote a row (so publishing adds about a millisecond to
 * accepting a job) and every {@code sweep-interval} regardless (rows left by a crash or a failed send). Each
 * batch is taken {@code FOR UPDATE SKIP LOCKED} in id order, so several gateways share the work without
 * sending a row twice at the same time; the rows are deleted in the same transaction only after every send was
 * acknowledged. If Kafka is unreachable the transaction rolls back and the rows wait for the next round:
 * nothing is lost. A crash between the acks and the commit sends those rows again, which is why the consumers
 * of {@code mule.jobs.requests} treat a job id they already know as a duplicate.
 */
@Component
public class OutboxRelay extends BackgroundLoop {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final Supplier<Producer<String, byte[]>> producers;
    private final OutboxProperties properties;
    private final Semaphore wakeups = new Semaphore(0);

    private volatile boolean stopping;
    private Producer<String, byte[]> producer;
    private volatile long failuresInARow;
    private volatile String lastFailure;

    @Autowired
    OutboxRelay(JdbcClient jdbc, TransactionTemplate transactions, KafkaClients kafka, OutboxProperties properties) {
        this(jdbc, transactions, () -> kafka.producer("mule-gateway-outbox", properties.sendTimeout()), properties);
    }

    /** For tests: the producer supplier decides where (and whether) Kafka can be reached. */
    OutboxRelay(JdbcClient jdbc, TransactionTemplate transactions, Supplier<Producer<String, byte[]>> producers,
                OutboxProperties properties) {
        super("mule-outbox-relay", properties.sendTimeout().plusSeconds(1));
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.producers = producers;
        this.properties = properties;
    }

    /** Asks the relay to publish now; cheap and non-blocking, safe to call from any thread. */
    public void wake() {
        if (wakeups.availablePermits() == 0) {
            wakeups.release();
        }
    }

    /** Ends a round of batches early and the wait between rounds at once. */
    @Override
    protected void wakeForStop() {
        stopping = true;
        wake();
    }

    /**
     * Runs whenever the web server does, and on while it drains ({@link #WITH_THE_WEB_SERVER}), so no accepted job
     * waits a sweep, nor for the next start.
     */
    @Override
    public int getPhase() {
        return WITH_THE_WEB_SERVER;
    }

    @Override
    protected void loop() {
        try {
            while (isRunning()) {
                relayAll();
                alive();
                wakeups.tryAcquire(properties.sweepInterval().toMillis(), TimeUnit.MILLISECONDS);
                wakeups.drainPermits();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeProducer();
        }
    }

    /** A round waits for acks at most {@code send-timeout} per batch; far longer means the relay is stuck. */
    @Override
    protected Duration stallAfter() {
        return properties.sendTimeout().multipliedBy(3).plus(properties.sweepInterval()).plusSeconds(10);
    }

    /** Three failed rounds in a row (about {@code 3 x sweep-interval}): accepted jobs are not reaching Kafka. */
    @Override
    protected Optional<String> notWorking() {
        long failures = failuresInARow;
        return failures < 3 ? Optional.empty() : Optional.of("cannot publish accepted jobs to Kafka (" + failures
                + " failed attempts in a row, last: " + lastFailure + ")");
    }

    /** Publishes batches until the outbox is empty or a batch fails; returns how many rows were published. */
    int relayAll() {
        int total = 0;
        while (!stopping) {
            int sent;
            try {
                sent = relayBatch();
            } catch (RuntimeException e) {
                onFailure(e);
                return total;
            }
            if (failuresInARow > 0) {
                log.info("outbox relay publishes again after {} failed attempts", failuresInARow);
                failuresInARow = 0;
            }
            total += sent;
            if (sent < properties.batchSize()) {
                return total;
            }
        }
        return total;
    }

    private int relayBatch() {
        Integer sent = transactions.execute(status -> {
            // This transaction only deletes rows Kafka already has. Should an OS crash lose the delete, the
            // rows are published again and the orchestrator drops the duplicate requests; so it need not wait
            // for a WAL flush, which would compete with job acceptance for the disk.
            jdbc.sql("SET LOCAL synchronous_commit = off").update();
            List<OutboxRow> rows = jdbc.sql("SELECT id, topic, message_key, payload, traceparent, tracestate FROM outbox "
                            + "ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED")
                    .param(properties.batchSize())
                    .query((rs, n) -> new OutboxRow(rs.getLong("id"), rs.getString("topic"),
                            rs.getString("message_key"), rs.getBytes("payload"),
                            TraceContext.headers(rs.getString("traceparent"), rs.getString("tracestate"))))
                    .list();
            if (rows.isEmpty()) {
                return 0;
            }
            send(rows);
            Long[] ids = rows.stream().map(OutboxRow::id).toArray(Long[]::new);
            jdbc.sql("DELETE FROM outbox WHERE id = ANY(?)").param(ids).update();
            return rows.size();
        });
        return sent == null ? 0 : sent;
    }

    private void send(List<OutboxRow> rows) {
        Producer<String, byte[]> p = producer();
        List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
        for (OutboxRow row : rows) {
            acks.add(p.send(new ProducerRecord<>(row.topic(), null, row.messageKey(), row.payload(), row.trace())));
        }
        long deadline = System.nanoTime() + properties.sendTimeout().toNanos();
        for (Future<RecordMetadata> ack : acks) {
            try {
                ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OutboxSendException("interrupted while waiting for Kafka", e);
            } catch (Exception e) {
                throw new OutboxSendException("Kafka did not acknowledge an outbox message: " + e.getMessage(), e);
            }
        }
    }

    private Producer<String, byte[]> producer() {
        if (producer == null) {
            producer = producers.get();
        }
        return producer;
    }

    private void onFailure(RuntimeException e) {
        failuresInARow++;
        lastFailure = e.getMessage();
        // A fresh producer after a failure: an idempotent producer whose batches expired may keep failing.
        closeProducer();
        if (failuresInARow == 1 || failuresInARow % 60 == 0) {
            log.warn("outbox relay could not publish (attempt {}); rows stay in the outbox and are retried every {}: {}",
                    failuresInARow, properties.sweepInterval(), e.getMessage());
        }
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                log.debug("closing the outbox producer failed", e);
            }
            producer = null;
        }
    }

    /** Closes the producer when the relay is driven by hand (tests) rather than by its own thread. */
    void closeProducerForTests() {
        closeProducer();
    }

    /** @param trace the trace context of the request that wrote the row; null when it had none */
    record OutboxRow(long id, String topic, String messageKey, byte[] payload, Headers trace) {
    }

    static final class OutboxSendException extends RuntimeException {
        OutboxSendException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
