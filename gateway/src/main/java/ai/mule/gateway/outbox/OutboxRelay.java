package ai.mule.gateway.outbox;

import ai.mule.gateway.kafka.BackgroundLoop;
import ai.mule.gateway.kafka.KafkaClients;
import ai.mule.tracing.TraceContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes outbox rows to Kafka and deletes them once Kafka has acknowledged them.
 *
 * <p><b>At once, from the committing thread.</b> A row is sent as soon as the transaction that wrote it commits, by
 * the thread that committed it, with a producer that never blocks ({@code max.block.ms} 0) and gives up after
 * {@link #DIRECT_SEND_TIMEOUT}: no hand-over to another thread and no query before the send. Kafka's ack queues the
 * row's id, and this class's thread deletes the acknowledged rows in batches, at most every
 * {@link #DELETE_INTERVAL}. A send that cannot start at once (no metadata yet, a full buffer, the producer closed) or
 * that Kafka refuses is handed back to this class's thread, which sends it at once as the sweep does. So a job's
 * request reaches Kafka without waiting for another thread and two queries (issue 14).
 *
 * <p><b>The sweep.</b> Every {@code sweep-interval} the thread also takes the rows nobody is sending: those handed
 * back, and those older than {@link #SWEEP_AFTER} (left by a crash, or by another gateway that died). A younger row
 * may be on its way from the thread that committed it, in this gateway or in another: the age, which every gateway
 * reads in the table, is what keeps the sweeps of all of them off the rows in flight. Rows are taken {@code FOR
 * UPDATE SKIP LOCKED} in id order, so several gateways share that work without sending a row twice at the same
 * time, and deleted in the same transaction only after every send was acknowledged. If Kafka is unreachable the
 * transaction rolls back and the rows wait for the next round: nothing is lost. A crash between an ack and the
 * delete sends that row again, and so may a sweep that meets a row whose delete is late (PostgreSQL out of reach for
 * longer than {@link #SWEEP_AFTER}); which is why the consumers of Mule's topics treat a message they already know (a
 * job id, a step's result, a cancel) as a duplicate.
 */
@Component
public class OutboxRelay extends BackgroundLoop {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    /**
     * Acknowledged rows are deleted at most this often, in one statement: nothing waits for a delete, and deleting
     * each ack's row at once would be a transaction per job.
     */
    static final Duration DELETE_INTERVAL = Duration.ofMillis(100);
    /** A send from the committing thread is acknowledged or failed within this (its delivery timeout). */
    static final Duration DIRECT_SEND_TIMEOUT = Duration.ofSeconds(2);
    /**
     * The sweep leaves younger rows alone, as the committing thread of some gateway may be sending them: this is
     * longer than such a send can take and its delete can wait. A row's age is counted from its transaction's start.
     */
    static final Duration SWEEP_AFTER = DIRECT_SEND_TIMEOUT.plus(DELETE_INTERVAL).plusSeconds(1);

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final Supplier<Producer<String, byte[]>> producers;
    private final Supplier<Producer<String, byte[]>> directProducers;
    private final OutboxProperties properties;
    private final Semaphore wakeups = new Semaphore(0);
    /**
     * Rows whose send from the committing thread did not go, with when ({@code System.nanoTime()}): the sweep takes
     * them however young. One handed back more than {@link #SWEEP_AFTER} ago is dropped from here, as its age alone
     * now brings it to the sweep: so while Kafka is down this holds a few seconds of accepted jobs, not all of them.
     */
    private final Map<Long, Long> handedBack = new ConcurrentHashMap<>();
    /** Rows Kafka acknowledged, to delete. */
    private final Queue<Long> acked = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sweepNow = new AtomicBoolean(true);

    private volatile boolean stopping;
    private Producer<String, byte[]> producer;
    private volatile Producer<String, byte[]> directProducer;
    private volatile long failuresInARow;
    private volatile String lastFailure;

    @Autowired
    OutboxRelay(JdbcClient jdbc, TransactionTemplate transactions, KafkaClients kafka, OutboxProperties properties) {
        this(jdbc, transactions, () -> kafka.producer("mule-gateway-outbox", properties.sendTimeout()),
                () -> kafka.nonBlockingProducer("mule-gateway-outbox-direct", DIRECT_SEND_TIMEOUT), properties);
    }

    /** For tests: the producer suppliers decide where (and whether) Kafka can be reached. */
    OutboxRelay(JdbcClient jdbc, TransactionTemplate transactions, Supplier<Producer<String, byte[]>> producers,
                Supplier<Producer<String, byte[]>> directProducers, OutboxProperties properties) {
        super("mule-outbox-relay", properties.sendTimeout().plusSeconds(1));
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.producers = producers;
        this.directProducers = directProducers;
        this.properties = properties;
    }

    /**
     * Sends the row once the current transaction commits, from the thread that commits it; nothing if the
     * transaction rolls back. Must be called inside the transaction that wrote the row.
     */
    void sendAfterCommit(OutboxRow row) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                sendNow(row);
            }
        });
    }

    private void sendNow(OutboxRow row) {
        try {
            directProducer().send(record(row), (metadata, error) -> {
                // on the producer's network thread: hand over, never touch the database here
                if (error == null) {
                    // the first ack since the last delete wakes the thread, which deletes within DELETE_INTERVAL
                    boolean first = acked.isEmpty();
                    acked.add(row.id());
                    if (first) {
                        wake();
                    }
                } else {
                    handBack(row);
                }
            });
        } catch (RuntimeException e) {
            // no metadata for the topic yet, a full buffer, a producer closed at shutdown: the sweep sends it
            handBack(row);
        }
    }

    private void handBack(OutboxRow row) {
        handedBack.put(row.id(), System.nanoTime());
        sweepNow.set(true);
        wake();
    }

    private Producer<String, byte[]> directProducer() {
        Producer<String, byte[]> p = directProducer;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (stopping) {
                throw new IllegalStateException("the outbox relay is stopping");
            }
            if (directProducer == null) {
                directProducer = directProducers.get();
            }
            return directProducer;
        }
    }

    /** Wakes the relay's thread; cheap and non-blocking, safe to call from any thread. */
    private void wake() {
        if (wakeups.availablePermits() == 0) {
            wakeups.release();
        }
    }

    /** Ends a round of batches early and the wait between rounds at once. */
    @Override
    protected void wakeForStop() {
        synchronized (this) {
            stopping = true;
        }
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
        long nextSweep = System.nanoTime();
        long nextDelete = System.nanoTime();
        try {
            while (isRunning()) {
                if (!acked.isEmpty() && System.nanoTime() - nextDelete >= 0) {
                    deleteAcknowledged();
                    nextDelete = System.nanoTime() + DELETE_INTERVAL.toNanos();
                }
                if (sweepNow.getAndSet(false) || System.nanoTime() - nextSweep >= 0) {
                    relayAll();
                    nextSweep = System.nanoTime() + properties.sweepInterval().toNanos();
                }
                alive();
                long until = acked.isEmpty() ? nextSweep : Math.min(nextSweep, nextDelete);
                wakeups.tryAcquire(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                wakeups.drainPermits();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (stopping) {
                closeDirectProducer();
            }
            closeProducer();
        }
    }

    /**
     * Deletes the rows Kafka acknowledged since the last call; returns how many. Should PostgreSQL refuse, their ids
     * wait for the next round.
     */
    int deleteAcknowledged() {
        List<Long> ids = new ArrayList<>();
        for (Long id = acked.poll(); id != null; id = acked.poll()) {
            ids.add(id);
        }
        if (ids.isEmpty()) {
            return 0;
        }
        try {
            transactions.executeWithoutResult(status -> {
                jdbc.sql("SET LOCAL synchronous_commit = off").update();
                jdbc.sql("DELETE FROM outbox WHERE id = ANY(?)").param(ids.toArray(Long[]::new)).update();
            });
        } catch (RuntimeException e) {
            acked.addAll(ids);
            log.warn("outbox relay could not delete {} published rows; trying again: {}", ids.size(), e.getMessage());
            return 0;
        }
        return ids.size();
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

    /**
     * Publishes batches of the rows nobody is sending until none is left or a batch fails; returns how many rows were
     * published. The acknowledged rows are deleted first, so this gateway's sweep never meets its own sent rows.
     */
    int relayAll() {
        deleteAcknowledged();
        // the rows handed back so far; one handed back meanwhile waits for the next round, which it asked for
        long agedOut = System.nanoTime() - SWEEP_AFTER.toNanos();
        handedBack.values().removeIf(since -> since - agedOut < 0);
        Long[] retry = handedBack.keySet().toArray(Long[]::new);
        int total = 0;
        while (!stopping) {
            int sent;
            try {
                sent = relayBatch(retry);
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
                // every row handed back is sent now, or was by another gateway's sweep (it is gone or locked)
                handedBack.keySet().removeAll(Arrays.asList(retry));
                return total;
            }
        }
        return total;
    }

    private int relayBatch(Long[] retry) {
        Integer sent = transactions.execute(status -> {
            // This transaction only deletes rows Kafka already has. Should an OS crash lose the delete, the
            // rows are published again and the orchestrator drops the duplicate requests; so it need not wait
            // for a WAL flush, which would compete with job acceptance for the disk.
            jdbc.sql("SET LOCAL synchronous_commit = off").update();
            List<OutboxRow> rows = jdbc.sql("SELECT id, topic, message_key, payload, traceparent, tracestate FROM outbox "
                            + "WHERE created_at < now() - make_interval(secs => ?) OR id = ANY(?) "
                            + "ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED")
                    .params(SWEEP_AFTER.toMillis() / 1000.0, retry, properties.batchSize())
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
            acks.add(p.send(record(row)));
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

    private static ProducerRecord<String, byte[]> record(OutboxRow row) {
        return new ProducerRecord<>(row.topic(), null, row.messageKey(), row.payload(), row.trace());
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

    /**
     * At shutdown, after the web server drained: waits for the acks of the rows still being sent (up to
     * {@code send-timeout}) and deletes them; a row not acknowledged by then is sent again at the next start.
     */
    private void closeDirectProducer() {
        Producer<String, byte[]> p;
        synchronized (this) {
            p = directProducer;
            directProducer = null;
        }
        if (p != null) {
            try {
                p.close(properties.sendTimeout());
            } catch (RuntimeException e) {
                log.debug("closing the outbox's direct producer failed", e);
            }
            deleteAcknowledged();
        }
    }

    /** How many rows handed back the sweep still takes by id (tests). */
    int handedBackRows() {
        return handedBack.size();
    }

    /** Closes the producers when the relay is driven by hand (tests) rather than by its own thread. */
    void closeProducersForTests() {
        closeProducer();
        Producer<String, byte[]> p = directProducer;
        directProducer = null;
        if (p != null) {
            p.close(Duration.ZERO);
        }
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
