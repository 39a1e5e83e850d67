package ai.mule.runner.agent;

import static ai.mule.runner.agent.AgentSteps.agent;
import static ai.mule.runner.agent.AgentSteps.command;
import static ai.mule.runner.agent.AgentSteps.prompt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.testkit.FakeOpenAiServer;
import ai.mule.testkit.Prometheus;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The agent runner's management server: its probes, and step durations by outcome after real steps. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// Spring Boot's tests switch metrics export off unless asked
@AutoConfigureObservability(tracing = false)
@DirtiesContext // stop this runner before another test class starts one in the same group
class AgentRunnerObservabilityIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String API_KEY = "sk-obs-" + UUID.randomUUID();
    private static final FakeOpenAiServer openAi = FakeOpenAiServer.start().requireApiKey(API_KEY);
    private static final TestPostgres.Database db = TestPostgres.newDatabase();
    private static final String provider = Providers.insert(db, openAi.baseUrl(), API_KEY);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("mule.kafka.bootstrap-servers", TestKafka::bootstrapServers);
        registry.add("spring.datasource.url", db::jdbcUrl);
        registry.add("spring.datasource.username", db::username);
        registry.add("spring.datasource.password", db::password);
    }

    @AfterAll
    static void stopProvider() {
        openAi.close();
    }

    @Test
    void probesAndStepDurationsReflectTheRunner() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("/actuator/health/readiness").statusCode())
                .isEqualTo(200));
        assertThat(get("/actuator/health/liveness").body()).contains("\"stepRunnerLoops\"");
        String base = "http://127.0.0.1:" + port;
        Prometheus before = Prometheus.scrape(base);
        String[] completed = {"runner", "mule-step-runner-agent", "step_type", "agent", "outcome", "completed"};
        String[] failed = {"runner", "mule-step-runner-agent", "step_type", "agent", "outcome", "failed"};

        openAi.replyWith("Paris.");
        assertThat(run(agent(provider, openAi.baseUrl(), "")).success()).isTrue();
        assertThat(run(agent(UUID.randomUUID().toString(), openAi.baseUrl(), "")).success()).isFalse();

        Prometheus after = Prometheus.scrape(base);
        assertThat(after.value("mule_step_duration_seconds_count", completed)
                - before.value("mule_step_duration_seconds_count", completed)).isEqualTo(1);
        assertThat(after.value("mule_step_duration_seconds_count", failed)
                - before.value("mule_step_duration_seconds_count", failed)).isEqualTo(1);
        assertThat(after.has("mule_consumer_lag_records", "group", "mule-step-runner-agent")).isTrue();
    }

    private static StepResult run(ai.mule.schemas.AgentStep step) {
        String job = UUID.randomUUID().toString();
        TestKafka.send(Topics.STEPS_AGENT, job, command(job, step, prompt("Capital of France?")));
        List<StepResult> results = TestKafka.read(Topics.STEP_RESULTS, job, 1, WAIT);
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
