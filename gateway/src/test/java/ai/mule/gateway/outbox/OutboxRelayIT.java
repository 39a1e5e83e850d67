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
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The relay against a real PostgreSQL and a real broker, with Kafka first unreachable and then back. */
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
                () -> new KafkaClients(new KafkaClientConfig(KafkaProperties.of(bootstrap.get()))).producer("outbox-it", properties.sendTimeout()),
                properties);
        Outbox outbox = new Outbox(jdbc, relay, Limits.DEFAULTS, Tracing.off());
        String jobId = UUID.randomUUID().toString();
        transactions.executeWithoutResult(status ->
                outbox.append(Topics.JOB_CONTROL, jobId, JobControl.cancel(jobId, "test", Instant.now())));

        int whileDown = relay.relayAll();

        assertThat(whileDown).isZero();
        assertThat(rows(jdbc)).isEqualTo(1);

        bootstrap.set(TestKafka.bootstrapServers());
        int whenBack = relay.relayAll();
        relay.closeProducerForTests();

        assertThat(whenBack).isEqualTo(1);
        assertThat(rows(jdbc)).isZero();
        List<JobControl> published = TestKafka.read(Topics.JOB_CONTROL, jobId, 1, Duration.ofSeconds(15));
        assertThat(published).hasSize(1);
        assertThat(published.get(0).reason()).isEqualTo("test");
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

    private static long rows(JdbcClient jdbc) {
        return jdbc.sql("SELECT count(*) FROM outbox").query(Long.class).single();
    }
}
