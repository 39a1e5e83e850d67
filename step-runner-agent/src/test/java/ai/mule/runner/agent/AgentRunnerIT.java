package ai.mule.runner.agent;

import static ai.mule.runner.agent.AgentSteps.agent;
import static ai.mule.runner.agent.AgentSteps.command;
import static ai.mule.runner.agent.AgentSteps.prompt;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.schemas.AgentStep;
import ai.mule.schemas.AgentTool;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.SecretBox;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topic;
import ai.mule.schemas.Topics;
import ai.mule.testkit.FakeOpenAiServer;
import ai.mule.testkit.FakeOpenAiServer.Reply;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The runner as deployed: a real broker, a real PostgreSQL holding the provider's key, and the real
 * langchain4j client calling a local OpenAI-compatible server.
 */
@SpringBootTest(properties = "mule.runner.agent.concurrency=2")
@DirtiesContext // stop this runner before another test class starts one in the same group
class AgentRunnerIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String API_KEY = "sk-it-" + UUID.randomUUID();
    private static final FakeOpenAiServer openAi = FakeOpenAiServer.start().requireApiKey(API_KEY);
    /** The gateway's API, which agent tools call. */
    private static final StubHttpServer gateway = StubHttpServer.start();
    private static final TestPostgres.Database db = TestPostgres.newDatabase();
    private static final String provider = Providers.insert(db, openAi.baseUrl(), API_KEY);
    /** Sealed by the gateway's SecretBox with {@link #MASTER_KEY} for this provider id: the runner must open it. */
    private static final String MASTER_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    private static final String SEALED_BY_GATEWAY =
            "enc:v1:/1YEQUik5S7qW34xNZuu7DjEf/1eUFDTtLFYdNp+jys2VAiByxanHaBs7g44LoA=";
    private static final FakeOpenAiServer sealedKeyProvider = FakeOpenAiServer.start().requireApiKey("sk-from-the-gateway");
    private static final String sealedProvider = Providers.insert(db,
            UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e"), sealedKeyProvider.baseUrl(), SEALED_BY_GATEWAY);

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("mule.kafka.bootstrap-servers", TestKafka::bootstrapServers);
        registry.add("spring.datasource.url", db::jdbcUrl);
        registry.add("spring.datasource.username", db::username);
        registry.add("spring.datasource.password", db::password);
        registry.add("mule.runner.agent.master-key", () -> MASTER_KEY);
        registry.add("mule.runner.agent.gateway-url", gateway::baseUrl);
    }

    @AfterAll
    static void stopProvider() {
        openAi.close();
        sealedKeyProvider.close();
        gateway.close();
    }

    @BeforeEach
    void forgetRequests() {
        openAi.clear();
    }

    @Test
    void anAgentStepCommandIsAnsweredWithTheProviderReply() {
        openAi.replyWith("Paris is the capital of France.");
        String job = UUID.randomUUID().toString();
        StepCommand sent = StepCommand.of(job, 2, 1, agent(provider, openAi.baseUrl(), "Answer in one sentence."),
                prompt("What is the capital of France?"), java.time.Instant.now(), null);

        TestKafka.send(Topics.STEPS_AGENT, job, sent);

        StepResult result = single(TestKafka.read(Topics.STEP_RESULTS, job, 1, WAIT));
        assertThat(result.success()).isTrue();
        assertThat(result.output()).isEqualTo(TextNode.valueOf("Paris is the capital of France."));
        assertThat(result.stepIndex()).isEqualTo(2);
        assertThat(result.attempt()).isEqualTo(1);
        FakeOpenAiServer.Request call = openAi.requests().get(0);
        assertThat(call.authorization()).as("the key from PostgreSQL").isEqualTo("Bearer " + API_KEY);
        assertThat(call.systemPrompt()).isEqualTo("Answer in one sentence.");
        assertThat(call.userMessage()).isEqualTo("What is the capital of France?");
        assertThat(call.model()).isEqualTo(AgentSteps.MODEL);
        assertThat(result.usage()).as("the provider's token counts").isEqualTo(new ai.mule.schemas.TokenUsage(10, 6, 16));
        RunnerGroup.awaitAllCommitted(WAIT);
    }

    @Test
    void aKeySealedByTheGatewayIsOpenedWithTheMasterKey() {
        sealedKeyProvider.replyWith("opened");
        String job = UUID.randomUUID().toString();

        TestKafka.send(Topics.STEPS_AGENT, job, command(job, agent(sealedProvider, sealedKeyProvider.baseUrl(), ""),
                prompt("Hi")));

        StepResult result = single(TestKafka.read(Topics.STEP_RESULTS, job, 1, WAIT));
        assertThat(result.success()).as(String.valueOf(result.error())).isTrue();
        assertThat(sealedKeyProvider.requests().get(0).authorization()).isEqualTo("Bearer sk-from-the-gateway");
    }

    @Test
    void aProviderFailureIsReportedAsAFailedStep() {
        openAi.failWith(503, "The engine is currently overloaded, please try again later");
        String job = UUID.randomUUID().toString();

        TestKafka.send(Topics.STEPS_AGENT, job, command(job, agent(provider, openAi.baseUrl(), ""), prompt("Hi")));

        StepResult result = single(TestKafka.read(Topics.STEP_RESULTS, job, 1, WAIT));
        assertThat(result.success()).isFalse();
        assertThat(result.output()).isNull();
        assertThat(result.error()).isEqualTo(
                "provider failed (HTTP 503): The engine is currently overloaded, please try again later");
    }

    @Test
    void aStepOfAProviderNotInTheDatabaseFails() {
        String job = UUID.randomUUID().toString();
        String unknown = UUID.randomUUID().toString();

        TestKafka.send(Topics.STEPS_AGENT, job, command(job, agent(unknown, openAi.baseUrl(), ""), prompt("Hi")));

        StepResult result = single(TestKafka.read(Topics.STEP_RESULTS, job, 1, WAIT));
        assertThat(result.error()).isEqualTo("unknown provider " + unknown);
        assertThat(openAi.requests()).isEmpty();
    }

    @Test
    void anUnreadableRecordIsSkippedAndTheNextCommandRuns() {
        String job = UUID.randomUUID().toString();
        Topic<String, byte[]> raw = new Topic<>(Topics.STEPS_AGENT.name(), Serdes.String(), Serdes.ByteArray(), null);
        openAi.replyWith("still running");

        // same key, so same partition: the bad record is ahead of the good one
        TestKafka.send(raw, job, "{not json".getBytes(StandardCharsets.UTF_8));
        TestKafka.send(Topics.STEPS_AGENT, job, command(job, agent(provider, openAi.baseUrl(), ""), prompt("Hi")));

        StepResult result = single(TestKafka.read(Topics.STEP_RESULTS, job, 1, WAIT));
        assertThat(result.output()).isEqualTo(TextNode.valueOf("still running"));
        RunnerGroup.awaitAllCommitted(WAIT);
    }

    @Test
    void stepsRunConcurrentlyUpToTheConfiguredLimit() {
        openAi.answerWith(request -> Reply.completion("done: " + request.userMessage()).after(Duration.ofMillis(300)));
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String job = UUID.randomUUID().toString();
            jobs.add(job);
            TestKafka.send(Topics.STEPS_AGENT, job, command(job, agent(provider, openAi.baseUrl(), ""), prompt("n" + i)));
        }

        for (int i = 0; i < jobs.size(); i++) {
            StepResult result = single(TestKafka.read(Topics.STEP_RESULTS, jobs.get(i), 1, WAIT));
            assertThat(result.output()).isEqualTo(TextNode.valueOf("done: n" + i));
        }
        assertThat(openAi.maxConcurrentRequests()).as("mule.runner.agent.concurrency").isEqualTo(2);
        RunnerGroup.awaitAllCommitted(WAIT);
    }

    /**
     * Two agent steps at once on a runner of two, each running a workflow tool whose agent step comes back to this
     * runner (the stub gateway sends it as the orchestrator would, and answers its output). Holding their places
     * while they waited, the two callers kept those steps from starting until their tool calls timed out.
     */
    @Test
    void agentStepsWaitingForAWorkflowOfAgentsLetItsStepsRunOnTheSameRunner() {
        openAi.answerWith(request -> !request.userMessage().startsWith("outer")
                ? Reply.completion("inner: " + request.userMessage())
                : request.toolResults().isEmpty()
                ? Reply.toolCalls(new FakeOpenAiServer.ToolCall("call-1", "ask_team",
                        "{\"prompt\": \"for " + request.userMessage() + "\"}"))
                : Reply.completion("outer got " + request.toolResults().get(0)));
        gateway.route("/v1/chat/completions", request -> {
            String inner = UUID.randomUUID().toString();
            String prompt = AgentSteps.json(request.body()).at("/messages/0/content").asText();
            TestKafka.send(Topics.STEPS_AGENT, inner, command(inner, agent(provider, openAi.baseUrl(), ""),
                    prompt(prompt)));
            List<StepResult> ran = TestKafka.read(Topics.STEP_RESULTS, inner, 1, Duration.ofSeconds(20));
            ObjectNode answer = JsonSerde.mapper().createObjectNode();
            answer.putArray("choices").addObject().putObject("message").put("role", "assistant")
                    .put("content", ran.isEmpty() ? "the workflow's step never started" : ran.get(0).output().asText());
            return StubHttpServer.Answer.json(answer.toString());
        });
        List<String> callers = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());

        callers.forEach(job -> TestKafka.send(Topics.STEPS_AGENT, job, command(job, withWorkflowTool(), prompt("outer " + job))));

        for (String job : callers) {
            StepResult result = single(TestKafka.read(Topics.STEP_RESULTS, job, 1, WAIT));
            assertThat(result.output()).as(String.valueOf(result.error()))
                    .isEqualTo(TextNode.valueOf("outer got inner: for outer " + job));
        }
        RunnerGroup.awaitAllCommitted(WAIT);
    }

    private static AgentStep withWorkflowTool() {
        AgentStep base = agent(provider, openAi.baseUrl(), "");
        AgentTool tool = new AgentTool("ask_team", AgentTool.Kind.CALL_WORKFLOW, "asks the team",
                AgentSteps.json("{\"type\": \"object\", \"properties\": {\"prompt\": {\"type\": \"string\"}}}"),
                JsonSerde.mapper().createObjectNode().put("workflow", "team"));
        return new AgentStep(base.stepOrder(), base.workflowStepId(), base.agentId(), base.agentName(), provider,
                openAi.baseUrl(), base.model(), "", base.config(), base.policy(), "openai", null, null, 10, List.of(tool));
    }

    @Test
    void aRateLimitIsReportedRetryableAndTheRetriedAttemptSucceeds() {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        openAi.answerWith(request -> calls.incrementAndGet() == 1 ? Reply.error(429, "Rate limit reached for gpt-test")
                : Reply.completion("after the wait"));
        String job = UUID.randomUUID().toString();
        ai.mule.schemas.AgentStep step = agent(provider, openAi.baseUrl(), "");

        TestKafka.send(Topics.STEPS_AGENT, job, StepCommand.of(job, 0, 1, step, prompt("Hi"),
                java.time.Instant.now(), null));
        StepResult first = single(TestKafka.read(Topics.STEP_RESULTS, job, 1, WAIT));
        // what the orchestrator decides from the result: a transient kind with attempts left is run again
        assertThat(first.failureKind()).isEqualTo(ai.mule.schemas.FailureKind.PROVIDER_RATE_LIMITED);
        assertThat(first.error()).contains("HTTP 429").contains("Rate limit reached for gpt-test");
        assertThat(step.policy().retries(first.failureKind(), first.attempt())).isTrue();
        TestKafka.send(Topics.STEPS_AGENT, job, StepCommand.of(job, 0, 2, step, prompt("Hi"),
                java.time.Instant.now(), null));

        List<StepResult> both = TestKafka.read(Topics.STEP_RESULTS, job, 2, WAIT);
        StepResult second = both.get(1);
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(second.success()).isTrue();
        assertThat(second.output()).isEqualTo(TextNode.valueOf("after the wait"));
    }

    @Test
    void aBadRequestIsReportedNotRetryableWithTheProvidersMessage() {
        openAi.failWith(400, "Invalid value for 'temperature': must be at most 2");
        String job = UUID.randomUUID().toString();

        TestKafka.send(Topics.STEPS_AGENT, job, command(job, agent(provider, openAi.baseUrl(), ""), prompt("Hi")));

        StepResult result = single(TestKafka.read(Topics.STEP_RESULTS, job, 1, WAIT));
        assertThat(result.failureKind()).isEqualTo(ai.mule.schemas.FailureKind.PROVIDER_REJECTED);
        assertThat(result.error()).isEqualTo(
                "provider rejected the request (HTTP 400): Invalid value for 'temperature': must be at most 2");
        assertThat(ai.mule.schemas.StepPolicy.AGENT_DEFAULT.retries(result.failureKind(), 1)).isFalse();
    }

    @Test
    void aCancelOnTheControlTopicStopsTheRunningModelCallWithinASecond() throws InterruptedException {
        openAi.answerWith(request -> Reply.completion("too late").after(Duration.ofSeconds(20)));
        String job = UUID.randomUUID().toString();
        TestKafka.send(Topics.STEPS_AGENT, job, command(job, agent(provider, openAi.baseUrl(), ""), prompt("Hi")));
        assertThat(openAi.awaitRequests(1, WAIT)).as("the model call is under way").hasSize(1);

        Instant cancelled = Instant.now();
        TestKafka.send(Topics.JOB_CONTROL, job, JobControl.cancel(job, "test", cancelled));

        StepResult result = single(TestKafka.read(Topics.STEP_RESULTS, job, 1, WAIT));
        assertThat(result.failureKind()).isEqualTo(FailureKind.CANCELLED);
        assertThat(Duration.between(cancelled, result.finishedAt())).isLessThan(Duration.ofSeconds(1));
        Thread.sleep(1_000);
        assertThat(openAi.requests()).as("no further provider call").hasSize(1);
        RunnerGroup.awaitAllCommitted(WAIT);
    }

    @Test
    void aReplyWithANulCharacterIsPublishedAsIs() {
        openAi.replyWith("before\u0000after");
        String job = UUID.randomUUID().toString();

        TestKafka.send(Topics.STEPS_AGENT, job, command(job, agent(provider, openAi.baseUrl(), ""), prompt("Hi")));

        StepResult result = single(TestKafka.read(Topics.STEP_RESULTS, job, 1, WAIT));
        assertThat(result.output()).as("the status writer makes it storable, not the runner")
                .isEqualTo(TextNode.valueOf("before\u0000after"));
    }

    @Test
    void aReplyOverTheStepOutputLimitFailsWithLimitExceeded() {
        openAi.replyWith("word ".repeat(120_000));
        String job = UUID.randomUUID().toString();

        TestKafka.send(Topics.STEPS_AGENT, job, command(job, agent(provider, openAi.baseUrl(), ""), prompt("Hi")));

        StepResult result = single(TestKafka.read(Topics.STEP_RESULTS, job, 1, WAIT));
        assertThat(result.failureKind()).isEqualTo(FailureKind.LIMIT_EXCEEDED);
        assertThat(result.error()).contains("mule.limits.max-step-output-bytes");
        RunnerGroup.awaitAllCommitted(WAIT);
    }

    private static StepResult single(List<StepResult> results) {
        assertThat(results).as("results for the job").hasSize(1);
        return results.get(0);
    }
}
