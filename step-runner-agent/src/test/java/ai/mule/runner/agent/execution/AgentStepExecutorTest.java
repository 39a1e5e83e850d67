package ai.mule.runner.agent.execution;

import static ai.mule.runner.agent.AgentSteps.agent;
import static ai.mule.runner.agent.AgentSteps.command;
import static ai.mule.runner.agent.AgentSteps.json;
import static ai.mule.runner.agent.AgentSteps.prompt;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.runner.agent.AgentSteps;
import ai.mule.runner.runtime.CancelSignal;
import ai.mule.schemas.AgentStep;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.WasmStep;
import ai.mule.testkit.FakeOpenAiServer;
import ai.mule.testkit.FakeOpenAiServer.Reply;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The executor with the real langchain4j client, over HTTP, against a local OpenAI-compatible server. */
class AgentStepExecutorTest {

    private static final String PROVIDER = UUID.randomUUID().toString();
    private static final String API_KEY = "sk-test-123";
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private final Map<String, String> keys = new HashMap<>(Map.of(PROVIDER, API_KEY));
    private final ProviderCredentials credentials = providerId -> {
        if (!keys.containsKey(providerId)) {
            throw new UnknownProviderException(providerId);
        }
        return Optional.ofNullable(keys.get(providerId));
    };
    private final ChatModels models = new ChatModels(Duration.ofSeconds(5), 8);
    private final AgentStepExecutor executor = new AgentStepExecutor(credentials, models, Clock.fixed(NOW, ZoneOffset.UTC));
    private FakeOpenAiServer openAi;

    @BeforeEach
    void startProvider() {
        openAi = FakeOpenAiServer.start().requireApiKey(API_KEY);
    }

    @AfterEach
    void stopProvider() {
        openAi.close();
    }

    @Test
    void theProviderReplyIsTheStepOutput() {
        openAi.replyWith("Hello, Ada!");
        StepCommand command = command("job-1", agent(PROVIDER, openAi.baseUrl(), ""), prompt("Greet Ada"));

        StepResult result = AgentSteps.run(executor, command);

        assertThat(result.success()).isTrue();
        assertThat(result.output()).isEqualTo(TextNode.valueOf("Hello, Ada!"));
        assertThat(result.error()).isNull();
        assertThat(result.jobId()).isEqualTo("job-1");
        assertThat(result.stepIndex()).isEqualTo(command.stepIndex());
        assertThat(result.attempt()).isEqualTo(command.attempt());
        assertThat(result.finishedAt()).isEqualTo(NOW);
        assertThat(result.durationMicros()).isPositive();
        FakeOpenAiServer.Request sent = openAi.requests().get(0);
        assertThat(sent.model()).isEqualTo(AgentSteps.MODEL);
        assertThat(sent.userMessage()).isEqualTo("Greet Ada");
        assertThat(sent.authorization()).isEqualTo("Bearer " + API_KEY);
        assertThat(sent.systemPrompt()).as("blank system prompt is not sent").isNull();
    }

    /**
     * The gateway checks a provider's URL when it is saved; the runner checks it again before each call, so a host
     * that resolves to an internal address now (or always did, behind a name) is never called. Unroutable private
     * addresses: before this check the call hung until its timeout and counted as an unavailable provider.
     */
    @ParameterizedTest
    @CsvSource({"http://169.254.169.254/v1", "http://10.255.255.1:8080/v1", "http://0x0a.1.2.3/v1"})
    void aProviderOnAnInternalAddressIsNeverCalled(String baseUrl) {
        long started = System.nanoTime();
        StepResult result = AgentSteps.run(executor, command("job-int", agent(PROVIDER, baseUrl, ""), prompt("hi")));

        assertThat(result.success()).isFalse();
        assertThat(result.failureKind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(result.error()).contains("internal address").contains("MULE_PROVIDERS_INTERNAL_HOSTS");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("refused, not tried").isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void theAgentSystemPromptIsSentBeforeTheUserMessage() {
        AgentStep step = agent(PROVIDER, openAi.baseUrl(), "You answer in French.");

        AgentSteps.run(executor, command("job-2", step, prompt("Hello")));

        FakeOpenAiServer.Request sent = openAi.requests().get(0);
        assertThat(sent.body().path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(sent.systemPrompt()).isEqualTo("You answer in French.");
        assertThat(sent.userMessage()).isEqualTo("Hello");
    }

    @Test
    void anInputWithoutAStringPromptIsSentWholeAsJson() {
        StepCommand command = command("job-3", agent(PROVIDER, openAi.baseUrl(), null),
                json("{\"prompt\": {\"city\": \"Paris\"}, \"days\": 3, \"note\": null}"));

        StepResult result = AgentSteps.run(executor, command);

        assertThat(result.success()).isTrue();
        assertThat(json(openAi.requests().get(0).userMessage())).isEqualTo(command.input());
    }

    @Test
    void aProviderServerErrorFailsTheStepSayingWhat() {
        openAi.failWith(500, "The server had an error while processing your request.");

        StepResult result = AgentSteps.run(executor, command("job-4", agent(PROVIDER, openAi.baseUrl(), ""), prompt("Hi")));

        assertThat(result.success()).isFalse();
        assertThat(result.output()).isNull();
        assertThat(result.error()).isEqualTo(
                "provider failed (HTTP 500): The server had an error while processing your request.");
        assertThat(openAi.requests()).as("the orchestrator retries, not the client").hasSize(1);
    }

    @Test
    void aRejectedApiKeyFailsTheStepSayingSo() {
        keys.put(PROVIDER, "sk-revoked");

        StepResult result = AgentSteps.run(executor, command("job-5", agent(PROVIDER, openAi.baseUrl(), ""), prompt("Hi")));

        assertThat(result.success()).isFalse();
        assertThat(result.error()).isEqualTo("provider rejected the API key (HTTP 401): Incorrect API key provided.");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "404 | provider answered HTTP 404, unknown model or wrong base URL | PROVIDER_REJECTED",
            "429 | provider rate limit or quota exceeded (HTTP 429): nope      | PROVIDER_RATE_LIMITED",
            "400 | provider rejected the request (HTTP 400): nope              | PROVIDER_REJECTED",
            "401 | provider rejected the API key (HTTP 401): nope              | PROVIDER_REJECTED",
            "500 | provider failed (HTTP 500): nope                            | PROVIDER_UNAVAILABLE",
            "503 | provider failed (HTTP 503): nope                            | PROVIDER_UNAVAILABLE"})
    void otherProviderStatusesAreNamedWithTheirFailureKind(int status, String expected, FailureKind kind) {
        openAi.failWith(status, "nope");

        StepResult result = AgentSteps.run(executor, command("job-6", agent(PROVIDER, openAi.baseUrl(), ""), prompt("Hi")));

        assertThat(result.success()).isFalse();
        assertThat(result.error()).startsWith(expected).endsWith("nope");
        assertThat(result.failureKind()).isEqualTo(kind);
        assertThat(StepPolicy.AGENT_DEFAULT.retries(result.failureKind(), 1))
                .as("the orchestrator retries 429 and 5xx, not other 4xx").isEqualTo(status == 429 || status >= 500);
    }

    @Test
    void theStepPolicyTimeoutBoundsTheRun() {
        openAi.answerWith(request -> Reply.completion("too late").after(Duration.ofSeconds(3)));
        AgentStep base = agent(PROVIDER, openAi.baseUrl(), "");
        AgentStep step = base.withPolicy(new StepPolicy(3, 1000, 2.0, 30_000, 400, false));

        StepResult result = AgentSteps.run(executor, command("job-18", step, prompt("Hi")));

        assertThat(result.success()).isFalse();
        assertThat(result.failureKind()).isEqualTo(FailureKind.TIMEOUT);
        assertThat(result.error()).isEqualTo("the step did not finish within its timeout of 400 ms (step policy timeout_ms)");
        assertThat(result.durationMicros()).isBetween(400_000L, 2_900_000L);
    }

    @Test
    void aCallGetsOnlyTheTimeTheStepHasLeft() {
        openAi.answerWith(request -> Reply.completion("too late").after(Duration.ofSeconds(3)));
        StepCommand command = command("job-21", agent(PROVIDER, openAi.baseUrl(), ""), prompt("Hi"));
        // the step (120 s) has run elsewhere for all but 300 ms of its time: the provider timeout (120 s) does not count
        CancelSignal almostOver = CancelSignal.startingNow(Duration.ofMillis(300), Clock.systemUTC());

        long started = System.nanoTime();
        StepResult result = executor.handle(command, almostOver);

        assertThat(result.failureKind()).isEqualTo(FailureKind.TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(250), Duration.ofMillis(2_500));
    }

    @Test
    void noCallIsMadeWhenNoTimeIsLeft() {
        CancelSignal over = CancelSignal.startingNow(Duration.ZERO, Clock.systemUTC());

        StepResult result = executor.handle(command("job-22", agent(PROVIDER, openAi.baseUrl(), ""), prompt("Hi")), over);

        assertThat(result.failureKind()).isEqualTo(FailureKind.TIMEOUT);
        assertThat(openAi.requests()).isEmpty();
    }

    @Test
    void aCancelStopsTheProviderCallWithinASecondAndNoFurtherCallIsMade() throws Exception {
        openAi.answerWith(request -> Reply.completion("too late").after(Duration.ofSeconds(20)));
        StepCommand command = command("job-23", agent(PROVIDER, openAi.baseUrl(), ""), prompt("Hi"));
        CompletableFuture<CancelSignal> signal = new CompletableFuture<>();
        CompletableFuture<StepResult> running = CompletableFuture.supplyAsync(() -> {
            CancelSignal cancel = CancelSignal.onThisThread(Duration.ofSeconds(120), Clock.systemUTC());
            signal.complete(cancel);
            return executor.handle(command, cancel);
        });
        assertThat(openAi.awaitRequests(1, Duration.ofSeconds(10))).as("the call is under way").hasSize(1);

        long cancelledAt = System.nanoTime();
        signal.get().cancel();
        StepResult result = running.get(5, TimeUnit.SECONDS);

        assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt)).isLessThan(Duration.ofSeconds(1));
        assertThat(result.failureKind()).isEqualTo(FailureKind.CANCELLED);
        Thread.sleep(500);
        assertThat(openAi.requests()).as("no further provider call").hasSize(1);
    }

    @Test
    void temperatureAndMaxTokensAreSentAndAnUnknownProviderIsInvalidInput() {
        AgentStep base = agent(PROVIDER, openAi.baseUrl(), "");
        AgentStep tuned = new AgentStep(base.stepOrder(), base.workflowStepId(), base.agentId(), base.agentName(),
                base.providerId(), base.apiBaseUrl(), base.model(), "", base.config(), base.policy(), "openai", 0.25, 77,
                null, null);
        String missing = UUID.randomUUID().toString();

        StepResult ok = AgentSteps.run(executor, command("job-19", tuned, prompt("Hi")));
        StepResult unknown = AgentSteps.run(executor, command("job-20", agent(missing, openAi.baseUrl(), ""), prompt("Hi")));

        assertThat(ok.success()).isTrue();
        FakeOpenAiServer.Request sent = openAi.requests().get(0);
        assertThat(sent.body().path("temperature").asDouble()).isEqualTo(0.25);
        assertThat(sent.body().path("max_tokens").asInt(sent.body().path("max_completion_tokens").asInt())).isEqualTo(77);
        assertThat(unknown.failureKind()).isEqualTo(FailureKind.INVALID_INPUT);
    }

    @Test
    void anUnknownProviderFailsTheStepWithoutACall() {
        String missing = UUID.randomUUID().toString();

        StepResult result = AgentSteps.run(executor, command("job-7", agent(missing, openAi.baseUrl(), ""), prompt("Hi")));

        assertThat(result.success()).isFalse();
        assertThat(result.error()).isEqualTo("unknown provider " + missing);
        assertThat(openAi.requests()).isEmpty();
    }

    @Test
    void aProviderWithoutKeyIsCalledWithoutAuthorization() {
        keys.put(PROVIDER, null);
        openAi.requireApiKey(null).replyWith("local model here");

        StepResult result = AgentSteps.run(executor, command("job-8", agent(PROVIDER, openAi.baseUrl(), ""), prompt("Hi")));

        assertThat(result.output()).isEqualTo(TextNode.valueOf("local model here"));
        assertThat(openAi.requests().get(0).authorization()).isNull();
    }

    @Test
    void aProviderSlowerThanTheTimeoutFailsTheStep() {
        AgentStepExecutor impatient = new AgentStepExecutor(credentials, new ChatModels(Duration.ofMillis(300), 8),
                Clock.systemUTC());
        openAi.answerWith(request -> Reply.completion("too late").after(Duration.ofSeconds(3)));

        StepResult result = AgentSteps.run(impatient, command("job-9", agent(PROVIDER, openAi.baseUrl(), ""), prompt("Hi")));

        assertThat(result.success()).isFalse();
        assertThat(result.error()).isEqualTo("provider at " + openAi.baseUrl() + " did not answer within 300 ms");
        assertThat(result.durationMicros()).isBetween(300_000L, 2_900_000L);
    }

    @Test
    void anUnreachableProviderFailsTheStep() throws IOException {
        String closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
        }

        StepResult result = AgentSteps.run(executor, command("job-10", agent(PROVIDER, closed, ""), prompt("Hi")));

        assertThat(result.success()).isFalse();
        assertThat(result.error()).isEqualTo("cannot connect to provider at " + closed + ": connection refused");
    }

    @Test
    void anEmptyReplyFailsTheStep() {
        openAi.replyWith("");

        StepResult result = AgentSteps.run(executor, command("job-11", agent(PROVIDER, openAi.baseUrl(), ""), prompt("Hi")));

        assertThat(result.success()).isFalse();
        assertThat(result.error()).startsWith("provider returned an empty reply");
    }

    @Test
    void aCommandThatIsNoAgentStepFailsClearly() {
        WasmStep wasm = new WasmStep(1, null, "m1", "upper", "0".repeat(64), JsonSerde.mapper().createObjectNode());

        StepResult result = AgentSteps.run(executor, StepCommand.of("job-12", 0, 1, wasm, prompt("Hi"), NOW, null));

        assertThat(result.success()).isFalse();
        assertThat(result.error()).isEqualTo("the agent runner was sent a WasmStep, not an agent step");
    }

    @Test
    void aCommandWithoutInputFailsWithoutACall() {
        StepResult result = AgentSteps.run(executor, command("job-17", agent(PROVIDER, openAi.baseUrl(), ""), null));

        assertThat(result.error()).isEqualTo("step command has no input");
        assertThat(openAi.requests()).isEmpty();
    }

    @Test
    void aMalformedBaseUrlFailsWithoutACall() {
        StepResult result = AgentSteps.run(executor, command("job-13", agent(PROVIDER, "api.example.com/v1", ""), prompt("Hi")));

        assertThat(result.error()).isEqualTo("provider base URL 'api.example.com/v1' is not an http(s) URL");
        assertThat(openAi.requests()).isEmpty();
    }

    @Test
    void oneClientServesEveryStepOfTheSameProviderModelAndKey() {
        AgentStep step = agent(PROVIDER, openAi.baseUrl(), "");

        AgentSteps.run(executor, command("job-14", step, prompt("one")));
        AgentSteps.run(executor, command("job-15", step, prompt("two")));
        assertThat(models.size()).isEqualTo(1);

        keys.put(PROVIDER, "sk-rotated");
        openAi.requireApiKey("sk-rotated");
        StepResult afterRotation = AgentSteps.run(executor, command("job-16", step, prompt("three")));

        assertThat(afterRotation.success()).as("a rotated key is used at once").isTrue();
        assertThat(models.size()).isEqualTo(2);
    }
}
