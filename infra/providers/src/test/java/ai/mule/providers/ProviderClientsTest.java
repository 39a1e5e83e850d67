package ai.mule.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.netgate.NetworkGate;
import ai.mule.schemas.FailureKind;
import ai.mule.testkit.FakeOllamaServer;
import ai.mule.testkit.FakeOpenAiServer;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The library's clients over real HTTP against local fake providers, and its one mapping of their failures. */
class ProviderClientsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final ProviderClients clients = new ProviderClients(8);

    @Test
    void anOpenAiCompatibleProviderAnswersWithTheKeySent() {
        try (FakeOpenAiServer openAi = FakeOpenAiServer.start().replyWith("bonjour")) {
            ChatModel model = clients.chat(new ProviderEndpoint(ProviderKind.OPENAI, openAi.baseUrl(), "sk-1"), "gpt",
                    TIMEOUT);

            assertThat(model.chat(ask("hello")).aiMessage().text()).isEqualTo("bonjour");
            assertThat(openAi.requests().get(0).authorization()).isEqualTo("Bearer sk-1");
            assertThat(openAi.requests().get(0).model()).isEqualTo("gpt");
        }
    }

    /**
     * Through a network gate, whole answers travel on the gate's connection to the address it checked: an allowed
     * provider answers as before (key, body and all), one on an internal address the gate does not allow is never
     * connected to, and a provider that never stops sending is cut at the bound instead of filling the memory.
     */
    @Test
    void throughANetworkGateCallsGoToTheCheckedAddressOnly() {
        try (FakeOpenAiServer openAi = FakeOpenAiServer.start().replyWith("gated")) {
            ProviderEndpoint endpoint = new ProviderEndpoint(ProviderKind.OPENAI, openAi.baseUrl(), "sk-gated");
            ProviderClients allowed = new ProviderClients(8, new NetworkGate(
                    NetworkGate.InternalAccess.listed(List.of("127.0.0.1")), "allow it"));
            ChatModel model = allowed.chat(endpoint, "gpt-test", Duration.ofSeconds(5));
            assertThat(model.chat(ChatRequest.builder().messages(UserMessage.from("hi")).build()).aiMessage().text())
                    .isEqualTo("gated");
            assertThat(openAi.requests().get(0).authorization()).isEqualTo("Bearer sk-gated");

            ProviderClients none = new ProviderClients(8, new NetworkGate(NetworkGate.InternalAccess.none(),
                    "set MULE_PROVIDERS_INTERNAL_HOSTS"));
            ChatModel refused = none.chat(endpoint, "gpt-test", Duration.ofSeconds(5));
            assertThatThrownBy(() -> refused.chat(ChatRequest.builder().messages(UserMessage.from("hi")).build()))
                    .satisfies(e -> {
                        ProviderFailure failure = ProviderErrors.of(e, openAi.baseUrl(), Duration.ofSeconds(5));
                        assertThat(failure.kind()).isEqualTo(FailureKind.INVALID_INPUT);
                        assertThat(failure.getMessage()).contains("internal address").contains("MULE_PROVIDERS");
                    });
            assertThat(openAi.requests()).as("never connected to").hasSize(1);

            openAi.replyWith("x".repeat(GatedHttpClient.MAX_BODY_BYTES + 1000));
            assertThatThrownBy(() -> model.chat(ChatRequest.builder().messages(UserMessage.from("hi")).build()))
                    .as("a body past the bound is cut, so the JSON is incomplete").isInstanceOf(RuntimeException.class);
        }
    }

    @Test
    void anOllamaProviderAnswersThroughItsNativeApi() {
        try (FakeOllamaServer ollama = FakeOllamaServer.start().replyWith("hallo")) {
            ChatModel model = clients.chat(new ProviderEndpoint(ProviderKind.OLLAMA, ollama.baseUrl(), null), "llama3.2",
                    TIMEOUT);

            assertThat(model.chat(ask("hello")).aiMessage().text()).isEqualTo("hallo");
            assertThat(ollama.requests().get(0).path("model").asText()).isEqualTo("llama3.2");
        }
    }

    @Test
    void clientsAreKeptPerEndpointKeyAndModel() {
        ProviderEndpoint one = new ProviderEndpoint(ProviderKind.OPENAI, "http://127.0.0.1:1/v1", "sk-1");

        assertThat(clients.chat(one, "m", TIMEOUT)).isSameAs(clients.chat(one, "m", TIMEOUT));
        assertThat(clients.chat(new ProviderEndpoint(ProviderKind.OPENAI, "http://127.0.0.1:1/v1", "sk-2"), "m", TIMEOUT))
                .isNotSameAs(clients.chat(one, "m", TIMEOUT));
        assertThat(clients.size()).isEqualTo(2);
    }

    @Test
    void providerAnswersMapToFailureKinds() {
        try (FakeOpenAiServer openAi = FakeOpenAiServer.start()) {
            ProviderEndpoint endpoint = new ProviderEndpoint(ProviderKind.OPENAI, openAi.baseUrl(), "sk-1");

            openAi.failWith(429, "slow down");
            assertThat(failure(endpoint, TIMEOUT).kind()).isEqualTo(FailureKind.PROVIDER_RATE_LIMITED);
            openAi.failWith(401, "Incorrect API key provided.");
            ProviderFailure rejected = failure(endpoint, TIMEOUT);
            assertThat(rejected.kind()).isEqualTo(FailureKind.PROVIDER_REJECTED);
            assertThat(rejected.getMessage()).isEqualTo("provider rejected the API key (HTTP 401): Incorrect API key provided.");
            openAi.failWith(503, "overloaded");
            assertThat(failure(endpoint, TIMEOUT).kind()).isEqualTo(FailureKind.PROVIDER_UNAVAILABLE);
            openAi.answerWith(request -> FakeOpenAiServer.Reply.completion("late").after(Duration.ofSeconds(3)));
            ProviderFailure late = failure(endpoint, Duration.ofMillis(300));
            assertThat(late.kind()).isEqualTo(FailureKind.TIMEOUT);
            assertThat(late.getMessage()).isEqualTo("provider at " + openAi.baseUrl() + " did not answer within 300 ms");
        }
    }

    @Test
    void anUnreachableProviderIsUnavailable() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closed + "/v1";

        ProviderFailure failure = failure(new ProviderEndpoint(ProviderKind.OPENAI, url, null), TIMEOUT);

        assertThat(failure.kind()).isEqualTo(FailureKind.PROVIDER_UNAVAILABLE);
        assertThat(failure.getMessage()).isEqualTo("cannot connect to provider at " + url + ": connection refused");
    }

    @Test
    void anUnknownKindIsRefusedNotGuessed() {
        assertThat(ProviderKind.of(null)).isEqualTo(ProviderKind.OPENAI);
        assertThat(ProviderKind.of("Gemini")).isEqualTo(ProviderKind.GEMINI);
        assertThatThrownBy(() -> ProviderKind.of("bedrock")).isInstanceOfSatisfying(ProviderFailure.class, failure -> {
            assertThat(failure.kind()).isEqualTo(FailureKind.INVALID_INPUT);
            assertThat(failure.getMessage()).isEqualTo("unknown provider kind 'bedrock'; use openai, ollama, anthropic "
                    + "or gemini");
        });
    }

    @Test
    void aKindThatNeedsAKeyWithoutOneIsRejectedBeforeAnyCall() {
        for (ProviderKind kind : new ProviderKind[] {ProviderKind.ANTHROPIC, ProviderKind.GEMINI}) {
            ProviderEndpoint keyless = new ProviderEndpoint(kind, "http://127.0.0.1:1/v1", null);

            assertThatThrownBy(() -> clients.chat(keyless, "m", TIMEOUT)).isInstanceOfSatisfying(ProviderFailure.class,
                    failure -> {
                        assertThat(failure.kind()).isEqualTo(FailureKind.PROVIDER_REJECTED);
                        assertThat(failure.getMessage()).contains("has no API key");
                    });
        }
    }

    private ProviderFailure failure(ProviderEndpoint endpoint, Duration timeout) {
        try {
            clients.chat(endpoint, "gpt", timeout).chat(ask("hello"));
        } catch (RuntimeException e) {
            return ProviderErrors.of(e, endpoint.baseUrl(), timeout);
        }
        throw new AssertionError("the call succeeded");
    }

    private static ChatRequest ask(String text) {
        return ChatRequest.builder().messages(UserMessage.from(text)).build();
    }
}
