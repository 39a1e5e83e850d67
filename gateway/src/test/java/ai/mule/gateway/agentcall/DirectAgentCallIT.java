package ai.mule.gateway.agentcall;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.TestApi;
import ai.mule.testkit.FakeOllamaServer;
import ai.mule.testkit.FakeOpenAiServer;
import ai.mule.testkit.FakeOpenAiServer.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code agent/<name>} answered directly by the gateway: the official OpenAI SDK calls the gateway, which calls the
 * agent's provider (a local OpenAI-compatible server, or an Ollama-shaped one) through langchain4j. No job, no Kafka.
 */
class DirectAgentCallIT extends IntegrationTestBase {

    private static final String KEY = "sk-direct-" + UUID.randomUUID();
    private static final FakeOpenAiServer openAi = FakeOpenAiServer.start().requireApiKey(KEY);
    private static final FakeOllamaServer ollama = FakeOllamaServer.start();

    private OpenAIClient sdk;

    @AfterAll
    static void stopProviders() {
        openAi.close();
        ollama.close();
    }

    @BeforeEach
    void sdk() {
        openAi.clear();
        openAi.replyWith("ok");
        ollama.clear();
        sdk = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1").apiKey("not-needed-on-loopback")
                .maxRetries(0).build();
    }

    @Test
    void answersWithTheWholeConversationTheSkillsAndTheSettingsAndCreatesNoJob() {
        String agent = agent(openAiProvider(), "You are terse.", map("temperature", 0.3, "max_tokens", 50));
        String skill = created(http.post("/api/v1/skills", map("name", TestApi.unique("skill"),
                "description", "French", "content", "Always answer in French."))).get("id").asText();
        String agentId = agentId(agent);
        assertThat(http.post("/api/v1/agents/" + agentId + "/skills", map("skill_id", skill)).status()).isEqualTo(201);
        openAi.replyWith("Bonjour, Ada.");

        ChatCompletion answer = sdk.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("agent/" + agent)
                .addSystemMessage("The user is Ada.")
                .addUserMessage("Hi, I am Ada.")
                .addAssistantMessage("Hello Ada!")
                .addUserMessage("Greet me again.")
                .build());

        assertThat(answer.choices().get(0).message().content()).hasValue("Bonjour, Ada.");
        assertThat(answer.model()).isEqualTo("agent/" + agent);
        assertThat(answer.usage().orElseThrow().completionTokens()).isEqualTo(2);
        assertThat(answer.usage().orElseThrow().promptTokens()).isPositive();
        FakeOpenAiServer.Request sent = openAi.requests().get(0);
        assertThat(sent.authorization()).isEqualTo("Bearer " + KEY);
        assertThat(sent.model()).isEqualTo("gpt-direct");
        assertThat(sent.messages("system")).containsExactly(
                "You are terse.\n\n## Skill: " + skillName(skill) + "\n\nAlways answer in French.", "The user is Ada.");
        assertThat(sent.messages("user")).containsExactly("Hi, I am Ada.", "Greet me again.");
        assertThat(sent.messages("assistant")).containsExactly("Hello Ada!");
        assertThat(sent.body().path("temperature").asDouble()).isEqualTo(0.3);
        assertThat(sent.body().path("max_tokens").asInt(sent.body().path("max_completion_tokens").asInt()))
                .isEqualTo(50);
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE agent_id = ?").param(UUID.fromString(agentId))
                .query(Long.class).single()).as("a direct call is not a job").isZero();
    }

    @Test
    void streamsTheModelsTokensAsTheyArrive() {
        String agent = agent(openAiProvider(), "", map());
        // the provider writes "one", then holds the rest until it has reached the client: a gateway that gathered the
        // stream before passing it on would get only "one" (see Reply.streamedHoldingTheRestUntil)
        CountDownLatch firstTokenArrived = new CountDownLatch(1);
        openAi.answerWith(request -> Reply.completion("one two three four five")
                .streamedHoldingTheRestUntil(firstTokenArrived));

        List<String> pieces = new ArrayList<>();
        ChatCompletionChunk last = null;
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("agent/" + agent).addUserMessage("count")
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            Iterator<ChatCompletionChunk> chunks = stream.stream().iterator();
            while (chunks.hasNext()) {
                ChatCompletionChunk chunk = chunks.next();
                last = chunk;
                chunk.choices().forEach(c -> c.delta().content().filter(t -> !t.isEmpty()).ifPresent(text -> {
                    pieces.add(text);
                    firstTokenArrived.countDown();
                }));
            }
        }

        assertThat(String.join("", pieces)).as("the first token reached the client before the rest was produced")
                .isEqualTo("one two three four five");
        assertThat(pieces).as("one delta per token the provider streamed").hasSize(5);
        assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(5);
        assertThat(openAi.requests().get(0).body().path("stream").asBoolean()).isTrue();
    }

    @Test
    void aProviderBadRequestReachesTheCallerWithTheProvidersMessage() {
        String agent = agent(openAiProvider(), "", map());
        openAi.failWith(400, "This model's maximum context length is 8192 tokens");

        assertThatThrownBy(() -> sdk.chat().completions().create(params(agent)))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("maximum context length is 8192 tokens")
                .hasMessageContaining("HTTP 400");
    }

    @Test
    void aProviderRateLimitIsA429() {
        String agent = agent(openAiProvider(), "", map());
        openAi.failWith(429, "Rate limit reached for requests");

        assertThatThrownBy(() -> sdk.chat().completions().create(params(agent)))
                .isInstanceOf(RateLimitException.class)
                .hasMessageContaining("Rate limit reached");
    }

    @Test
    void aProviderOnAnInternalAddressTheOperatorDidNotAllowIsNeverCalled() {
        // the cloud metadata address; and the fake provider on loopback named as one number (not on the loopback list)
        String metadata = created(http.post("/api/v1/providers", map("name", TestApi.unique("meta"),
                "api_base_url", "http://169.254.169.254/latest", "api_key", "sk-x"))).get("id").asText();
        String decimal = created(http.post("/api/v1/providers", map("name", TestApi.unique("dec"),
                "api_base_url", openAi.baseUrl().replace("127.0.0.1", "2130706433"), "api_key", KEY)))
                .get("id").asText();

        for (String provider : List.of(metadata, decimal)) {
            String agent = agent(provider, "", map());
            Http.Response plain = http.post("/v1/chat/completions", map("model", "agent/" + agent,
                    "messages", List.of(map("role", "user", "content", "x"))));
            Http.Response streamed = http.post("/v1/chat/completions", map("model", "agent/" + agent, "stream", true,
                    "messages", List.of(map("role", "user", "content", "x"))));

            assertThat(plain.status()).as(plain.toString()).isEqualTo(400);
            assertThat(plain.json().at("/error/message").asText()).contains("internal address")
                    .contains("MULE_PROVIDERS_INTERNAL_HOSTS");
            assertThat(streamed.body()).contains("internal address").endsWith("data: [DONE]\n\n");
        }
        assertThat(openAi.requests()).as("nothing reached the provider on loopback").isEmpty();
    }

    @Test
    void aProviderThatFailsIsA502AndAFailureDuringAStreamEndsItWithAnError() {
        String agent = agent(openAiProvider(), "", map());
        openAi.failWith(503, "overloaded");

        Http.Response plain = http.post("/v1/chat/completions", map("model", "agent/" + agent,
                "messages", List.of(map("role", "user", "content", "x"))));
        Http.Response streamed = http.post("/v1/chat/completions", map("model", "agent/" + agent, "stream", true,
                "messages", List.of(map("role", "user", "content", "x"))));

        assertThat(plain.status()).isEqualTo(502);
        assertThat(plain.json().at("/error/code").asText()).isEqualTo("provider_unavailable");
        assertThat(plain.json().at("/error/message").asText()).contains("overloaded").contains("HTTP 503");
        assertThat(streamed.body()).contains("data: {\"error\":").contains("overloaded").endsWith("data: [DONE]\n\n");
    }

    @Test
    void anOllamaProviderIsCalledThroughItsNativeApiWhetherStreamedOrNot() {
        String provider = created(http.post("/api/v1/providers", map("name", TestApi.unique("ollama"), "kind", "ollama",
                "api_base_url", ollama.baseUrl()))).get("id").asText();
        String agent = agent(provider, "Be kind.", map("temperature", 0.5));
        ollama.replyWith("hello from llama");

        ChatCompletion answer = sdk.chat().completions().create(params(agent));
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(params(agent))) {
            stream.stream().forEach(c -> c.choices().forEach(choice -> choice.delta().content().ifPresent(streamed::append)));
        }

        assertThat(answer.choices().get(0).message().content()).hasValue("hello from llama");
        assertThat(answer.usage().orElseThrow().completionTokens()).isEqualTo(3);
        assertThat(streamed.toString()).isEqualTo("hello from llama");
        JsonNode sent = ollama.requests().get(0);
        assertThat(sent.path("model").asText()).isEqualTo("gpt-direct");
        assertThat(FakeOllamaServer.Answer.messages(sent, "system")).containsExactly("Be kind.");
        assertThat(sent.at("/options/temperature").asDouble()).isEqualTo(0.5);
    }

    @Test
    void theCallersTemperatureAndMaxTokensReplaceTheAgentsAndBadOnesAreRefused() {
        String agent = agent(openAiProvider(), "", map("temperature", 0.3, "max_tokens", 50));

        sdk.chat().completions().create(params(agent).toBuilder().temperature(0.9).maxCompletionTokens(20).build());
        Http.Response tooHot = http.post("/v1/chat/completions", map("model", "agent/" + agent, "temperature", 7,
                "messages", List.of(map("role", "user", "content", "x"))));

        FakeOpenAiServer.Request sent = openAi.requests().get(0);
        assertThat(sent.body().path("temperature").asDouble()).isEqualTo(0.9);
        assertThat(sent.body().path("max_tokens").asInt(sent.body().path("max_completion_tokens").asInt())).isEqualTo(20);
        assertThat(tooHot.status()).isEqualTo(400);
        assertThat(tooHot.json().at("/error/param").asText()).isEqualTo("temperature");
        assertThat(openAi.requests()).hasSize(1);
    }

    @Test
    void anUnknownAgentIsModelNotFound() {
        assertThatThrownBy(() -> sdk.chat().completions().create(params("no-such-agent-" + UUID.randomUUID())))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("does not exist");
    }

    private static ChatCompletionCreateParams params(String agent) {
        return ChatCompletionCreateParams.builder().model("agent/" + agent).addUserMessage("hello").build();
    }

    private String openAiProvider() {
        return created(http.post("/api/v1/providers", map("name", TestApi.unique("openai"),
                "api_base_url", openAi.baseUrl(), "api_key", KEY))).get("id").asText();
    }

    private String agent(String providerId, String systemPrompt, java.util.Map<String, Object> settings) {
        java.util.Map<String, Object> body = new java.util.HashMap<>(map("name", TestApi.unique("agent"),
                "provider_id", providerId, "model_id", "gpt-direct", "system_prompt", systemPrompt));
        body.putAll(settings);
        return created(http.post("/api/v1/agents", body)).get("name").asText();
    }

    private String agentId(String name) {
        return jdbc.sql("SELECT CAST(id AS TEXT) FROM agents WHERE name = ?").param(name).query(String.class).single();
    }

    private String skillName(String id) {
        return http.get("/api/v1/skills/" + id).json().at("/data/name").asText();
    }

    private static JsonNode created(Http.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("data");
    }
}
