package ai.mule.runner.agent;

import static ai.mule.runner.agent.AgentSteps.agent;
import static ai.mule.runner.agent.AgentSteps.command;
import static ai.mule.runner.agent.AgentSteps.prompt;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.testkit.FakeOpenAiServer;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * No secret in the agent runner's log, at any level: with DEBUG on for Mule and langchain4j, a step whose provider
 * key is sealed with the master key, and a step the provider refuses (whose failure is logged with its exception at
 * DEBUG), leave neither the master key, the provider keys nor the runner's gateway API key in the output.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(properties = {"mule.runner.agent.concurrency=2", "logging.level.ai.mule=DEBUG",
        "logging.level.dev.langchain4j=DEBUG", "logging.level.org.springframework.boot.context.properties=DEBUG",
        "mule.runner.agent.gateway-api-key=" + SecretsInLogsIT.GATEWAY_KEY})
@DirtiesContext // stop this runner before another test class starts one in the same group
class SecretsInLogsIT {

    static final String GATEWAY_KEY = "mule_runner-gateway-secret-5a1e9c";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String MASTER_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    /** "sk-from-the-gateway" sealed with {@link #MASTER_KEY} for this provider id (as in AgentRunnerIT). */
    private static final String SEALED = "enc:v1:/1YEQUik5S7qW34xNZuu7DjEf/1eUFDTtLFYdNp+jys2VAiByxanHaBs7g44LoA=";
    private static final String WRONG_KEY = "sk-refused-secret-" + UUID.randomUUID();
    private static final TestPostgres.Database db = TestPostgres.newDatabase();
    private static final FakeOpenAiServer sealedKeyProvider = FakeOpenAiServer.start().requireApiKey("sk-from-the-gateway");
    private static final String sealedProvider = Providers.insert(db,
            UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e"), sealedKeyProvider.baseUrl(), SEALED);
    private static final FakeOpenAiServer refusing = FakeOpenAiServer.start().requireApiKey("sk-another-key");
    private static final String refusedProvider = Providers.insert(db, refusing.baseUrl(), WRONG_KEY);

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("mule.kafka.bootstrap-servers", TestKafka::bootstrapServers);
        registry.add("spring.datasource.url", db::jdbcUrl);
        registry.add("spring.datasource.username", db::username);
        registry.add("spring.datasource.password", db::password);
        registry.add("mule.runner.agent.master-key", () -> MASTER_KEY);
    }

    @AfterAll
    static void stopProviders() {
        sealedKeyProvider.close();
        refusing.close();
    }

    @Test
    void noSecretIsInAnyLogLine(CapturedOutput output) {
        sealedKeyProvider.replyWith("opened");
        String ok = UUID.randomUUID().toString();
        TestKafka.send(Topics.STEPS_AGENT, ok, command(ok, agent(sealedProvider, sealedKeyProvider.baseUrl(), ""),
                prompt("Hi")));
        String refused = UUID.randomUUID().toString();
        TestKafka.send(Topics.STEPS_AGENT, refused, command(refused, agent(refusedProvider, refusing.baseUrl(), ""),
                prompt("Hi")));

        StepResult opened = TestKafka.read(Topics.STEP_RESULTS, ok, 1, WAIT).get(0);
        StepResult failed = TestKafka.read(Topics.STEP_RESULTS, refused, 1, WAIT).get(0);
        assertThat(opened.success()).as(String.valueOf(opened.error())).isTrue();
        assertThat(failed.success()).isFalse();
        assertThat(refusing.requests()).anySatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer " + WRONG_KEY));

        String logged = output.getAll();
        assertThat(logged).as("DEBUG logging was on").contains("DEBUG");
        Map.of("master key", MASTER_KEY, "sealed provider key", "sk-from-the-gateway", "refused provider key",
                WRONG_KEY, "gateway API key", GATEWAY_KEY).forEach((what, secret) ->
                assertThat(logged).as("the %s is in the log", what).doesNotContain(secret));
    }
}
