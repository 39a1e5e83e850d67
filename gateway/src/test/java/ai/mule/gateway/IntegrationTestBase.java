package ai.mule.gateway;

import static org.awaitility.Awaitility.await;

import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The gateway on a random port against a real PostgreSQL (one database for every test class, so they share one
 * Spring context) and the shared real Kafka broker. Tests keep apart by unique names and fresh job ids.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// every test client is 127.0.0.1, and many tests send wrong keys on purpose: the failed-auth limit is FailedAuthIT's
@TestPropertySource(properties = {"mule.health.required-groups=", "mule.secrets.master-key=" + IntegrationTestBase.MASTER_KEY,
        "mule.security.failed-auth.max-per-address=1000000"})
public abstract class IntegrationTestBase {

    protected static final TestPostgres.Database DB = TestPostgres.newDatabase();
    /** The AES-256 key provider API keys are sealed with in these tests (base64 of 32 bytes). */
    public static final String MASTER_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcClient jdbc;

    protected Http http;
    protected TestApi api;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", DB::jdbcUrl);
        registry.add("spring.datasource.username", DB::username);
        registry.add("spring.datasource.password", DB::password);
        registry.add("mule.kafka.bootstrap-servers", TestKafka::bootstrapServers);
    }

    /** The id of the one job accepted for this workflow (or agent) name, once the gateway wrote it. */
    protected String acceptedJob(String workflowName) {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> jdbc.sql("SELECT CAST(id AS TEXT) FROM jobs WHERE workflow_name = ?").param(workflowName)
                        .query(String.class).optional().orElse(null), id -> id != null);
    }

    @BeforeEach
    void client() {
        http = new Http(port);
        api = new TestApi(http);
    }
}
