package ai.mule.runner.agent.execution;

import static ai.mule.runner.agent.AgentSteps.command;
import static ai.mule.runner.agent.AgentSteps.prompt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.runner.agent.AgentSteps;
import ai.mule.runner.agent.StubHttpServer;
import ai.mule.runner.agent.tools.AgentToolbox;
import ai.mule.runner.runtime.CancelSignal;
import ai.mule.schemas.AgentStep;
import ai.mule.schemas.AgentTool;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.TokenUsage;
import ai.mule.testkit.FakeOllamaServer;
import ai.mule.testkit.FakeOpenAiServer;
import ai.mule.testkit.FakeOpenAiServer.Reply;
import ai.mule.testkit.FakeOpenAiServer.ToolCall;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The tool loop with the real langchain4j clients over HTTP: a local OpenAI-compatible server (and an Ollama-shaped
 * one) asks for a tool call, the runner runs the tool against a real HTTP server (a web page, or a stand-in for the
 * gateway's API), sends the result back, and the model's next answer is the step output.
 */
class AgentToolsTest {

    private static final String PROVIDER = UUID.randomUUID().toString();

    private final FakeOpenAiServer openAi = FakeOpenAiServer.start();
    private final StubHttpServer web = StubHttpServer.start();
    private final StubHttpServer gateway = StubHttpServer.start();
    private final AgentStepExecutor executor = new AgentStepExecutor(id -> Optional.empty(),
            new ChatModels(Duration.ofSeconds(10), 8), Clock.systemUTC(),
            new AgentToolbox(gateway.baseUrl(), "mule_runner_key", Duration.ofSeconds(10), List.of("127.0.0.1")));

    @AfterEach
    void stop() {
        openAi.close();
        web.close();
        gateway.close();
    }

    @Test
    void anHttpFetchOnTheAllowlistGoesBackToTheModel() {
        web.route("/weather", request -> StubHttpServer.Answer.text("sunny, 21 C"));
        String url = web.baseUrl() + "/weather";
        openAi.answerWith(toolThenAnswer(new ToolCall("call_1", "fetch", "{\"url\": \"" + url + "\"}")));

        StepResult result = AgentSteps.run(executor, command("job-t1", step(tool("fetch", AgentTool.Kind.HTTP_FETCH,
                config("allowed_hosts", List.of("127.0.0.1")))), prompt("Weather?")));

        assertThat(result.success()).as(String.valueOf(result.error())).isTrue();
        assertThat(result.output()).isEqualTo(TextNode.valueOf("answer from: HTTP 200\nsunny, 21 C"));
        assertThat(openAi.requests()).hasSize(2);
        assertThat(openAi.requests().get(0).toolNames()).containsExactly("fetch");
        assertThat(openAi.requests().get(0).body().at("/tools/0/function/parameters/required/0").asText()).isEqualTo("url");
        assertThat(web.requests()).hasSize(1);
        // the fake counts words: call 1 = 1 prompt + 0 completion; call 2 = 1 + 5 (the tool result) prompt + 7 completion
        assertThat(result.usage()).as("the tokens of both calls").isEqualTo(new TokenUsage(7, 7, 14));
    }

    @Test
    void aCancelDuringAToolCallStopsTheStepAndTheModelIsNotCalledAgain() throws Exception {
        web.route("/slow", request -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return StubHttpServer.Answer.text("too late");
        });
        openAi.answerWith(toolThenAnswer(new ToolCall("call_1", "fetch", "{\"url\": \"" + web.baseUrl() + "/slow\"}")));
        StepCommand command = command("job-t8", step(tool("fetch", AgentTool.Kind.HTTP_FETCH,
                config("allowed_hosts", List.of("127.0.0.1")))), prompt("Read it"));
        CompletableFuture<CancelSignal> signal = new CompletableFuture<>();
        CompletableFuture<StepResult> running = CompletableFuture.supplyAsync(() -> {
            CancelSignal cancel = CancelSignal.onThisThread(Duration.ofSeconds(120), Clock.systemUTC());
            signal.complete(cancel);
            return executor.handle(command, cancel);
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> web.requests().size() == 1);

        long cancelledAt = System.nanoTime();
        signal.get().cancel();
        StepResult result = running.get(5, TimeUnit.SECONDS);

        assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt)).isLessThan(Duration.ofSeconds(1));
        assertThat(result.failureKind()).isEqualTo(FailureKind.CANCELLED);
        Thread.sleep(500);
        assertThat(openAi.requests()).as("the tool's result never went back to the model").hasSize(1);
    }

    @Test
    void aHostOffTheAllowlistIsRefusedAndTheModelIsToldWhy() {
        web.route("/secret", request -> StubHttpServer.Answer.text("internal data"));
        openAi.answerWith(toolThenAnswer(new ToolCall("call_1", "fetch",
                "{\"url\": \"" + web.baseUrl() + "/secret\"}")));

        StepResult result = AgentSteps.run(executor, command("job-t2", step(tool("fetch", AgentTool.Kind.HTTP_FETCH,
                config("allowed_hosts", List.of("example.com")))), prompt("Read it")));

        assertThat(result.success()).isTrue();
        assertThat(web.requests()).as("nothing fetched").isEmpty();
        assertThat(openAi.requests().get(1).toolResults().get(0))
                .isEqualTo("error: host 127.0.0.1 is not on this tool's allowlist [\"example.com\"]");
    }

    @Test
    void aWorkflowToolRunsTheWorkflowThroughTheGatewaysApi() {
        gateway.route("/v1/chat/completions", request -> StubHttpServer.Answer.json(
                "{\"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": \"SUMMARY\"}}]}"));
        openAi.answerWith(toolThenAnswer(new ToolCall("call_1", "summarize", "{\"prompt\": \"long text\"}")));

        StepResult result = AgentSteps.run(executor, command("job-t3", step(tool("summarize", AgentTool.Kind.CALL_WORKFLOW,
                config("workflow", "summarize-flow"))), prompt("Summarize")));

        assertThat(result.output()).isEqualTo(TextNode.valueOf("answer from: SUMMARY"));
        StubHttpServer.Request call = gateway.requests().get(0);
        assertThat(call.authorization()).isEqualTo("Bearer mule_runner_key");
        assertThat(call.header("Mule-Call-Depth")).as("a client's job (depth 0) calls a job at depth 1").isEqualTo("1");
        assertThat(call.header("Mule-Started-By")).as("counted under the calling job's first job").isEqualTo("job-t3");
        JsonNode body = AgentSteps.json(call.body());
        assertThat(body.path("model").asText()).isEqualTo("workflow/summarize-flow");
        assertThat(body.at("/messages/0/content").asText()).isEqualTo("long text");
    }

    /** The gateway refuses a job past mule.limits.max-call-depth: so a workflow calling itself ends. */
    @Test
    void aToolOfAJobAtSomeDepthCallsTheGatewayOneLevelDeeper() {
        String module = UUID.randomUUID().toString();
        gateway.route("/v1/chat/completions", request -> StubHttpServer.Answer.json(
                "{\"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": \"again\"}}]}"));
        gateway.route("/api/v1/wasm-modules/" + module + "/execute", request -> StubHttpServer.Answer.json(
                "{\"data\": {\"success\": true, \"output\": \"X\"}}"));
        openAi.answerWith(request -> request.toolResults().isEmpty()
                ? Reply.toolCalls(new ToolCall("call_1", "recurse", "{\"prompt\": \"go on\"}"),
                        new ToolCall("call_2", "shout", "{\"prompt\": \"x\"}"))
                : Reply.completion("done"));
        AgentStep step = step(tool("recurse", AgentTool.Kind.CALL_WORKFLOW, config("workflow", "self")),
                tool("shout", AgentTool.Kind.WASM_MODULE, config("module_id", module)));
        StepCommand atDepthTwo = StepCommand.of("job-t9", 0, 1, step, prompt("Recurse"), Instant.now(), null, 2);

        StepResult result = AgentSteps.run(executor, atDepthTwo);

        assertThat(result.success()).as(String.valueOf(result.error())).isTrue();
        assertThat(gateway.requests()).extracting(StubHttpServer.Request::path)
                .containsExactlyInAnyOrder("/v1/chat/completions", "/api/v1/wasm-modules/" + module + "/execute");
        assertThat(gateway.requests()).extracting(call -> call.header("Mule-Call-Depth")).containsOnly("3");
        assertThat(gateway.requests()).extracting(call -> call.header("Mule-Started-By")).containsOnly("job-t9");
    }

    @Test
    void anAgentToolAsksTheOtherAgentThroughTheGatewaysApi() {
        gateway.route("/v1/chat/completions", request -> StubHttpServer.Answer.json(
                "{\"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": \"42\"}}]}"));
        openAi.answerWith(toolThenAnswer(new ToolCall("call_1", "ask_math", "{\"prompt\": \"6 times 7?\"}")));

        StepResult result = AgentSteps.run(executor, command("job-t4", step(tool("ask_math", AgentTool.Kind.CALL_AGENT,
                config("agent", "mathematician"))), prompt("Compute")));

        assertThat(result.output()).isEqualTo(TextNode.valueOf("answer from: 42"));
        JsonNode body = AgentSteps.json(gateway.requests().get(0).body());
        assertThat(body.path("model").asText()).isEqualTo("agent/mathematician");
        assertThat(body.at("/messages/0/content").asText()).isEqualTo("6 times 7?");
    }

    @Test
    void aWasmModuleToolRunsThroughTheExecuteEndpointWithItsSchema() {
        String module = UUID.randomUUID().toString();
        gateway.route("/api/v1/wasm-modules/" + module + "/execute", request -> StubHttpServer.Answer.json(
                "{\"data\": {\"job_id\": \"" + UUID.randomUUID() + "\", \"status\": \"completed\", \"success\": true, "
                        + "\"output\": \"HELLO WORLD\", \"error\": null}}"));
        openAi.answerWith(toolThenAnswer(new ToolCall("call_1", "shout", "{\"text\": \"hello world\", \"times\": 1}")));
        ObjectNode schema = (ObjectNode) AgentSteps.json("{\"type\": \"object\", \"properties\": {\"text\": {\"type\": "
                + "\"string\", \"description\": \"what to shout\"}, \"times\": {\"type\": \"integer\"}}, \"required\": [\"text\"]}");
        AgentTool shout = new AgentTool("shout", AgentTool.Kind.WASM_MODULE, "Upper-cases text", schema,
                config("module_id", module));

        StepResult result = AgentSteps.run(executor, command("job-t5", step(shout), prompt("Shout hello world")));

        assertThat(result.output()).isEqualTo(TextNode.valueOf("answer from: HELLO WORLD"));
        JsonNode offered = openAi.requests().get(0).body().at("/tools/0/function");
        assertThat(offered.path("description").asText()).isEqualTo("Upper-cases text");
        assertThat(offered.at("/parameters/properties/text/description").asText()).isEqualTo("what to shout");
        assertThat(offered.at("/parameters/properties/times/type").asText()).isEqualTo("integer");
        assertThat(AgentSteps.json(gateway.requests().get(0).body()))
                .isEqualTo(AgentSteps.json("{\"input\": {\"text\": \"hello world\", \"times\": 1}}"));
    }

    @Test
    void theToolLoopStopsAtMaxToolCalls() {
        web.route("/again", request -> StubHttpServer.Answer.text("again"));
        openAi.answerWith(request -> Reply.toolCalls(new ToolCall("call_" + request.toolResults().size(), "fetch",
                "{\"url\": \"" + web.baseUrl() + "/again\"}")));
        AgentStep step = withMaxToolCalls(step(tool("fetch", AgentTool.Kind.HTTP_FETCH,
                config("allowed_hosts", List.of("127.0.0.1")))), 3);

        StepResult result = AgentSteps.run(executor, command("job-t6", step, prompt("Loop")));

        assertThat(result.success()).isFalse();
        assertThat(result.failureKind()).isEqualTo(FailureKind.LIMIT_EXCEEDED);
        assertThat(result.error()).contains("more than 3 tool calls").contains("max_tool_calls");
        assertThat(web.requests()).hasSize(3);
    }

    @Test
    void anOllamaProviderAnswersAndCallsToolsThroughItsNativeApi() {
        try (FakeOllamaServer ollama = FakeOllamaServer.start()) {
            web.route("/page", request -> StubHttpServer.Answer.text("page text"));
            ollama.answerWith(body -> FakeOllamaServer.Answer.messages(body, "tool").isEmpty()
                    ? FakeOllamaServer.Answer.toolCall("fetch", "{\"url\": \"" + web.baseUrl() + "/page\"}")
                    : FakeOllamaServer.Answer.text("read: " + FakeOllamaServer.Answer.messages(body, "tool").get(0)));
            AgentStep base = step(tool("fetch", AgentTool.Kind.HTTP_FETCH, config("allowed_hosts", List.of("127.0.0.1"))));
            AgentStep step = new AgentStep(1, null, base.agentId(), "llama", PROVIDER, ollama.baseUrl(), "llama3.2",
                    "Be brief.", base.config(), base.policy(), "ollama", 0.1, 64, 5, base.tools());

            StepResult result = AgentSteps.run(executor, command("job-t7", step, prompt("Read the page")));

            assertThat(result.success()).as(String.valueOf(result.error())).isTrue();
            assertThat(result.output()).isEqualTo(TextNode.valueOf("read: HTTP 200\npage text"));
            JsonNode first = ollama.requests().get(0);
            assertThat(first.path("model").asText()).isEqualTo("llama3.2");
            assertThat(first.at("/options/temperature").asDouble()).isEqualTo(0.1);
            assertThat(first.at("/options/num_predict").asInt()).isEqualTo(64);
            assertThat(first.at("/tools/0/function/name").asText()).isEqualTo("fetch");
            assertThat(result.usage()).isNotNull();
        }
    }

    /** First answer: the tool call; once a tool result came back, an answer quoting it. */
    private static FakeOpenAiServer.Responder toolThenAnswer(ToolCall call) {
        return request -> request.toolResults().isEmpty() ? Reply.toolCalls(call)
                : Reply.completion("answer from: " + request.toolResults().get(0));
    }

    private static AgentTool tool(String name, AgentTool.Kind kind, JsonNode config) {
        return new AgentTool(name, kind, "the " + name + " tool", null, config);
    }

    private static ObjectNode config(String field, Object value) {
        ObjectNode config = JsonSerde.mapper().createObjectNode();
        config.set(field, JsonSerde.mapper().valueToTree(value));
        return config;
    }

    private AgentStep step(AgentTool... tools) {
        AgentStep base = AgentSteps.agent(PROVIDER, openAi.baseUrl(), "");
        // the tool kinds' own schemas, as the gateway puts them in the snapshot, unless the test gave one
        List<AgentTool> withSchemas = java.util.Arrays.stream(tools).map(t -> t.inputSchema() != null ? t
                : new AgentTool(t.name(), t.kind(), t.description(), builtInSchema(t.kind()), t.config())).toList();
        return new AgentStep(base.stepOrder(), base.workflowStepId(), base.agentId(), base.agentName(), PROVIDER,
                openAi.baseUrl(), base.model(), "", base.config(), base.policy(), "openai", null, null, 10,
                withSchemas);
    }

    private AgentStep withMaxToolCalls(AgentStep step, int max) {
        return new AgentStep(step.stepOrder(), step.workflowStepId(), step.agentId(), step.agentName(), step.providerId(),
                openAi.baseUrl(), step.model(), step.systemPrompt(), step.config(), step.policy(), step.providerKind(),
                null, null, max, step.tools());
    }

    private static JsonNode builtInSchema(AgentTool.Kind kind) {
        String field = kind == AgentTool.Kind.HTTP_FETCH ? "url" : "prompt";
        return AgentSteps.json("{\"type\": \"object\", \"properties\": {\"" + field + "\": {\"type\": \"string\"}}, "
                + "\"required\": [\"" + field + "\"]}");
    }
}
