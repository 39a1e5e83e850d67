package ai.mule.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.kafka.KafkaClients;
import ai.mule.kafka.KafkaClientConfig;
import ai.mule.kafka.KafkaProperties;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.Limits;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import ai.mule.tracing.Tracing;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The relay against a real PostgreSQL and a real broker: Kafka out of reach and back, two gateways on one table. */
class OutboxRelayIT {

    @Test
    void keepsRowsWhileKafkaIsUnreachableAndPublishesThemWhenItIsBack() {
        TestPostgres.Database db = TestPostgres.newDatabase();
        JdbcClient jdbc = JdbcClient.create(db.dataSource());
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
        // nothing listens on port 1: every send fails as it would with the broker down
        AtomicReference<String> bootstrap = new AtomicReference<>("127.0.0.1:1");
        OutboxProperties properties = new OutboxProperties(Duration.ofMillis(100), 100, Duration.ofSeconds(2));
        OutboxRelay relay = new OutboxRelay(jdbc, transactions,
                () -> kafka(bootstrap.get()).producer("outbox-it", properties.sendTimeout()),
                () -> kafka(bootstrap.get()).nonBlockingProducer("outbox-it-direct", OutboxRelay.DIRECT_SEND_TIMEOUT),
                properties);
        Outbox outbox = new Outbox(jdbc, relay, Limits.DEFAULTS, Tracing.off());
        String jobId = UUID.randomUUID().toString();
        transactions.executeWithoutResult(status ->
                outbox.append(Topics.JOB_CONTROL, jobId, JobControl.cancel(jobId, "test", Instant.now())));

        // the send from the committing thread could not start (no broker, so no metadata): it handed the row back to
        // the sweep, which takes it though it is young
        int whileDown = relay.relayAll();

        assertThat(whileDown).isZero();
        assertThat(rows(jdbc)).isEqualTo(1);

        bootstrap.set(TestKafka.bootstrapServers());
        int whenBack = relay.relayAll();
        relay.closeProducersForTests();

        assertThat(whenBack).isEqualTo(1);
        assertThat(rows(jdbc)).isZero();
        List<JobControl> published = TestKafka.read(Topics.JOB_CONTROL, jobId, 1, Duration.ofSeconds(15));
        assertThat(published).hasSize(1);
        assertThat(published.get(0).reason()).isEqualTo("test");
    }

    @Test
    void forgetsARowHandedBackOnceItsAgeAloneBringsItToTheSweep() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();
        JdbcClient jdbc = JdbcClient.create(db.dataSource());
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
        AtomicReference<String> bootstrap = new AtomicReference<>("127.0.0.1:1");
        OutboxProperties properties = new OutboxProperties(Duration.ofMillis(100), 100, Duration.ofSeconds(1));
        OutboxRelay relay = new OutboxRelay(jdbc, transactions,
                () -> kafka(bootstrap.get()).producer("outbox-it", properties.sendTimeout()),
                () -> kafka(bootstrap.get()).nonBlockingProducer("outbox-it-direct", OutboxRelay.DIRECT_SEND_TIMEOUT),
                properties);
        Outbox outbox = new Outbox(jdbc, relay, Limits.DEFAULTS, Tracing.off());
        String jobId = UUID.randomUUID().toString();
        transactions.executeWithoutResult(status ->
                outbox.append(Topics.JOB_CONTROL, jobId, JobControl.cancel(jobId, "aged", Instant.now())));
        relay.relayAll();
        int handedBackWhileYoung = relay.handedBackRows();

        Thread.sleep(OutboxRelay.SWEEP_AFTER.plusMillis(200).toMillis());
        relay.relayAll();
        int handedBackOnceOld = relay.handedBackRows();
        bootstrap.set(TestKafka.bootstrapServers());
        int whenBack = relay.relayAll();
        relay.closeProducersForTests();

        assertThat(handedBackWhileYoung).isEqualTo(1);
        // Kafka is still out of reach, so the row is still there, and the sweep takes it by its age
        assertThat(handedBackOnceOld).isZero();
        assertThat(whenBack).isEqualTo(1);
        assertThat(TestKafka.read(Topics.JOB_CONTROL, jobId, 2, Duration.ofSeconds(3)))
                .extracting(JobControl::reason).containsExactly("aged");
    }

    @Test
    void sendsACommittedRowFromTheCommittingThreadOnceWhileAnotherGatewaySweepsTheSameTable() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();
        JdbcClient jdbc = JdbcClient.create(db.dataSource());
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
        OutboxProperties properties = new OutboxProperties(Duration.ofMillis(100), 100, Duration.ofSeconds(5));
        Producer<String, byte[]> direct = kafka(TestKafka.bootstrapServers())
                .nonBlockingProducer("outbox-it-direct", OutboxRelay.DIRECT_SEND_TIMEOUT);
        awaitMetadata(direct, Topics.JOB_CONTROL.name());
        OutboxRelay relay = new OutboxRelay(jdbc, transactions,
                () -> kafka(TestKafka.bootstrapServers()).producer("outbox-it", properties.sendTimeout()),
                () -> direct, properties);
        // a second gateway on the same table, which knows nothing of the first one's sends
        OutboxRelay otherGateway = new OutboxRelay(jdbc, transactions,
                () -> kafka(TestKafka.bootstrapServers()).producer("outbox-it-other", properties.sendTimeout()),
                () -> kafka(TestKafka.bootstrapServers()).nonBlockingProducer("outbox-it-other-direct",
                        OutboxRelay.DIRECT_SEND_TIMEOUT), properties);
        Outbox outbox = new Outbox(jdbc, relay, Limits.DEFAULTS, Tracing.off());
        String jobId = UUID.randomUUID().toString();

        transactions.executeWithoutResult(status ->
                outbox.append(Topics.JOB_CONTROL, jobId, JobControl.cancel(jobId, "direct", Instant.now())));
        // the row is on its way (or acknowledged and not yet deleted): neither gateway's sweep takes it
        int sweptByTheOther = otherGateway.relayAll();
        int deleted = 0;
        for (long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
             deleted == 0 && System.nanoTime() < deadline; Thread.sleep(10)) {
            deleted = relay.deleteAcknowledged();
        }

        assertThat(sweptByTheOther).isZero();
        assertThat(deleted).isEqualTo(1);
        assertThat(rows(jdbc)).isZero();
        assertThat(relay.relayAll()).isZero();
        assertThat(otherGateway.relayAll()).isZero();
        relay.closeProducersForTests();
        otherGateway.closeProducersForTests();
        List<JobControl> published = TestKafka.read(Topics.JOB_CONTROL, jobId, 2, Duration.ofSeconds(3));
        assertThat(published).extracting(JobControl::reason).containsExactly("direct");
    }

    @Test
    void sweepsARowLeftByAGatewayThatDiedOnceItIsOlderThanAnySendInFlight() {
        TestPostgres.Database db = TestPostgres.newDatabase();
        JdbcClient jdbc = JdbcClient.create(db.dataSource());
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
        OutboxProperties properties = new OutboxProperties(Duration.ofMillis(100), 100, Duration.ofSeconds(5));
        OutboxRelay survivor = new OutboxRelay(jdbc, transactions,
                () -> kafka(TestKafka.bootstrapServers()).producer("outbox-it", properties.sendTimeout()),
                () -> kafka(TestKafka.bootstrapServers()).nonBlockingProducer("outbox-it-direct",
                        OutboxRelay.DIRECT_SEND_TIMEOUT), properties);
        String young = UUID.randomUUID().toString();
        String old = UUID.randomUUID().toString();
        // rows another gateway committed and never sent: it died right after its commits
        orphan(jdbc, young, Duration.ZERO);
        orphan(jdbc, old, OutboxRelay.SWEEP_AFTER.plusSeconds(1));

        int swept = survivor.relayAll();
        survivor.closeProducersForTests();

        assertThat(swept).isEqualTo(1);
        assertThat(jdbc.sql("SELECT message_key FROM outbox").query(String.class).list()).containsExactly(young);
        assertThat(TestKafka.read(Topics.JOB_CONTROL, old, 2, Duration.ofSeconds(3)))
                .extracting(JobControl::reason).containsExactly("orphan");
    }

    @Test
    void aRowWhoseTransactionRollsBackIsNeitherSentNorSwept() {
        TestPostgres.Database db = TestPostgres.newDatabase();
        JdbcClient jdbc = JdbcClient.create(db.dataSource());
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
        OutboxProperties properties = new OutboxProperties(Duration.ofMillis(100), 100, Duration.ofSeconds(5));
        OutboxRelay relay = new OutboxRelay(jdbc, transactions,
                () -> kafka(TestKafka.bootstrapServers()).producer("outbox-it", properties.sendTimeout()),
                () -> kafka(TestKafka.bootstrapServers()).nonBlockingProducer("outbox-it-direct",
                        OutboxRelay.DIRECT_SEND_TIMEOUT), properties);
        Outbox outbox = new Outbox(jdbc, relay, Limits.DEFAULTS, Tracing.off());
        String jobId = UUID.randomUUID().toString();

        transactions.executeWithoutResult(status -> {
            outbox.append(Topics.JOB_CONTROL, jobId, JobControl.cancel(jobId, "rolled back", Instant.now()));
            status.setRollbackOnly();
        });

        assertThat(rows(jdbc)).isZero();
        assertThat(relay.relayAll()).isZero();
        assertThat(relay.deleteAcknowledged()).isZero();
        relay.closeProducersForTests();
        assertThat(TestKafka.read(Topics.JOB_CONTROL, jobId, 1, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void refusesToWriteOutsideATransaction() {
        TestPostgres.Database db = TestPostgres.newDatabase();
        JdbcClient jdbc = JdbcClient.create(db.dataSource());
        Outbox outbox = new Outbox(jdbc, null, Limits.DEFAULTS, Tracing.off());

        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        outbox.append(Topics.JOB_CONTROL, "k", JobControl.cancel("k", "r", Instant.now())))
                .isInstanceOf(IllegalStateException.class);
        assertThat(rows(jdbc)).isZero();
    }

    /** An outbox row as a gateway writes it, committed {@code age} ago, and no send of it under way. */
    private static void orphan(JdbcClient jdbc, String jobId, Duration age) {
        byte[] payload = Topics.JOB_CONTROL.valueSerde().serializer()
                .serialize(Topics.JOB_CONTROL.name(), JobControl.cancel(jobId, "orphan", Instant.now()));
        jdbc.sql("INSERT INTO outbox (topic, message_key, payload, created_at) "
                        + "VALUES (?, ?, ?, now() - make_interval(secs => ?))")
                .params(Topics.JOB_CONTROL.name(), jobId, payload, age.toMillis() / 1000.0)
                .update();
    }

    private static KafkaClients kafka(String bootstrap) {
        return new KafkaClients(new KafkaClientConfig(KafkaProperties.of(bootstrap)));
    }

    /** A producer that never blocks has no metadata until a failed send or lookup fetched it. */
    private static void awaitMetadata(Producer<String, byte[]> producer, String topic) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            try {
                producer.partitionsFor(topic);
                return;
            } catch (KafkaException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private static long rows(JdbcClient jdbc) {
        return jdbc.sql("SELECT count(*) FROM outbox").query(Long.class).single();
    }
}
