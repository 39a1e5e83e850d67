package ai.mule.runner.agent.execution;

import static ai.mule.runner.agent.AgentSteps.command;
import static ai.mule.runner.agent.AgentSteps.prompt;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.runner.agent.AgentSteps;
import ai.mule.runner.agent.StubHttpServer;
import ai.mule.schemas.AgentStep;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.TokenUsage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Anthropic and Gemini kinds through langchain4j's own modules, over HTTP, against servers answering in those
 * providers' formats: what is sent where, with which key header, and how the reply and token counts come back.
 */
class ProviderKindsTest {

    private static final String PROVIDER = UUID.randomUUID().toString();

    private final StubHttpServer server = StubHttpServer.start();
    private final AgentStepExecutor executor = new AgentStepExecutor(id -> Optional.of("sk-kind"),
            new ChatModels(Duration.ofSeconds(10), 8), Clock.systemUTC());

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void anAnthropicProviderIsCalledOnItsMessagesApi() {
        server.route("/v1/messages", request -> StubHttpServer.Answer.json("{\"id\": \"msg_1\", \"type\": \"message\", "
                + "\"role\": \"assistant\", \"model\": \"claude-test\", \"content\": [{\"type\": \"text\", \"text\": "
                + "\"Bonjour\"}], \"stop_reason\": \"end_turn\", \"usage\": {\"input_tokens\": 12, \"output_tokens\": 3}}"));

        StepResult result = AgentSteps.run(executor, command("job-k1", step("anthropic", server.baseUrl() + "/v1", "claude-test"),
                prompt("Say hello in French")));

        assertThat(result.success()).as(String.valueOf(result.error())).isTrue();
        assertThat(result.output()).isEqualTo(TextNode.valueOf("Bonjour"));
        assertThat(result.usage()).isEqualTo(new TokenUsage(12, 3, 15));
        JsonNode sent = AgentSteps.json(server.requests().get(0).body());
        assertThat(sent.path("model").asText()).isEqualTo("claude-test");
        assertThat(sent.path("system").toString()).contains("You are kind.");
        assertThat(sent.at("/messages/0/content").toString()).contains("Say hello in French");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(128);
    }

    @Test
    void aGeminiProviderIsCalledOnGenerateContent() {
        server.route("/v1beta/models/gemini-test:generateContent", request -> StubHttpServer.Answer.json(
                "{\"candidates\": [{\"content\": {\"role\": \"model\", \"parts\": [{\"text\": \"Hallo\"}]}, "
                        + "\"finishReason\": \"STOP\"}], \"usageMetadata\": {\"promptTokenCount\": 7, "
                        + "\"candidatesTokenCount\": 1, \"totalTokenCount\": 8}}"));

        StepResult result = AgentSteps.run(executor, command("job-k2", step("gemini", server.baseUrl() + "/v1beta", "gemini-test"),
                prompt("Say hello in German")));

        assertThat(result.success()).as(String.valueOf(result.error())).isTrue();
        assertThat(result.output()).isEqualTo(TextNode.valueOf("Hallo"));
        assertThat(result.usage()).isEqualTo(new TokenUsage(7, 1, 8));
        assertThat(server.requests().get(0).body()).contains("Say hello in German").contains("You are kind.");
    }

    @Test
    void anAnthropicRateLimitIsRetryable() {
        server.route("/v1/messages", request -> new StubHttpServer.Answer(429, "application/json",
                "{\"type\": \"error\", \"error\": {\"type\": \"rate_limit_error\", \"message\": \"Number of requests has "
                        + "exceeded your rate limit\"}}"));

        StepResult result = AgentSteps.run(executor, command("job-k3", step("anthropic", server.baseUrl() + "/v1", "claude-test"),
                prompt("Hi")));

        assertThat(result.failureKind()).isEqualTo(FailureKind.PROVIDER_RATE_LIMITED);
        assertThat(result.error()).contains("HTTP 429").contains("exceeded your rate limit");
    }

    @Test
    void anUnknownKindFailsWithoutACall() {
        StepResult result = AgentSteps.run(executor, command("job-k4", step("bedrock", server.baseUrl(), "m"), prompt("Hi")));

        assertThat(result.failureKind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(result.error()).contains("unknown provider kind 'bedrock'");
        assertThat(server.requests()).isEmpty();
    }

    private static AgentStep step(String kind, String baseUrl, String model) {
        AgentStep base = AgentSteps.agent(PROVIDER, baseUrl, "You are kind.");
        return new AgentStep(1, null, base.agentId(), "polyglot", PROVIDER, baseUrl, model, "You are kind.",
                base.config(), base.policy(), kind, 0.5, 128, null, null);
    }
}
