package ai.mule.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.localkafka.FreePorts;
import ai.mule.testkit.FakeOpenAiServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * End to end, as a user meets Mule: the launcher's real stack (KRaft broker, PostgreSQL, and the four
 * service jars as their own processes) driven over HTTP only.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackIT {

    private static StackConfig config;
    private static LocalStack stack;
    private static MuleClient client;
    private static ExampleWorkflows examples;
    private static String threeStepId;

    @BeforeAll
    static void startStack() throws Exception {
        Path repo = Path.of(System.getProperty("mule.repo", "../..")).toAbsolutePath().normalize();
        Path home = Files.createTempDirectory("mule-e2e");
        config = new StackConfig(repo, home, FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next(), 3);
        stack = LocalStack.start(config, line -> System.out.println("stack: " + line));
        client = new MuleClient(config.gatewayUrl());
        examples = new ExampleWorkflows(client, repo);
        threeStepId = examples.ensure("three", "greet, upper, reverse", List.of("greet", "upper", "reverse"));
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void syncWorkflowCallAnswersAChatCompletionWithTheLastStepsOutput() {
        MuleClient.Answer answer = client.chat("workflow/three", "World");

        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        assertThat(answer.body().path("object").asText()).isEqualTo("chat.completion");
        assertThat(answer.body().path("id").asText()).startsWith("chatcmpl-");
        JsonNode message = answer.body().path("choices").path(0).path("message");
        assertThat(message.path("role").asText()).isEqualTo("assistant");
        assertThat(message.path("content").asText()).isEqualTo("!DLROW ,OLLEH");

        String jobId = answer.body().path("id").asText().substring("chatcmpl-".length());
        JsonNode job = awaitTerminal(jobId);
        assertThat(job.path("status").asText()).isEqualTo("completed");
        assertThreeCompletedSteps(jobId);
    }

    @Test
    @Order(1)
    void theBenchSeesWhatACallCostsEveryProcessAndTheBroker() {
        StackCpu cpu = new StackCpu(stack);
        Map<String, Duration> cpuBefore = cpu.used();
        Map<String, Long> requestsBefore = BrokerRequests.handled();

        // enough calls that each process's share is many of the OS's 10 ms CPU ticks
        for (int i = 0; i < 20; i++) {
            assertThat(client.chat("workflow/three", "cost " + i).status()).isEqualTo(200);
        }

        Map<String, Duration> spent = StackCpu.between(cpuBefore, cpu.used());
        assertThat(spent).containsKeys("gateway", "orchestrator", "step-runner-wasm", StackCpu.POSTGRES,
                StackCpu.LAUNCHER);
        for (String busy : List.of("gateway", "orchestrator", "step-runner-wasm", StackCpu.POSTGRES)) {
            assertThat(spent.get(busy)).as(busy).isPositive();
        }
        Map<String, Long> requestsAfter = BrokerRequests.handled();
        for (String kind : List.of("Produce", "FetchConsumer", "EndTxn")) {
            assertThat(requestsAfter.getOrDefault(kind, 0L) - requestsBefore.getOrDefault(kind, 0L)).as(kind)
                    .isPositive();
        }
        assertThat(requestsAfter).doesNotContainKey("Fetch");
    }

    @Test
    @Order(2)
    void asyncWorkflowCallAnswersAtOnceAndTheJobCompletes() {
        MuleClient.Answer answer = client.chat("async/workflow/three", "Mule");

        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        assertThat(answer.body().path("object").asText()).isEqualTo("async.job");
        assertThat(answer.body().path("status").asText()).isEqualTo("queued");
        assertThat(answer.body().path("message").asText()).isEqualTo("The workflow has been started");

        String jobId = answer.body().path("id").asText();
        JsonNode job = awaitTerminal(jobId);
        assertThat(job.path("status").asText()).isEqualTo("completed");
        assertThat(job.path("output_data").path("prompt").asText()).isEqualTo("!ELUM ,OLLEH");
        assertThat(job.path("completed_at").isNull()).isFalse();
        assertThreeCompletedSteps(jobId);
    }

    @Test
    @Order(3)
    void jobsApiAcceptsAtOnceAndRecordsEveryStep() {
        ObjectNode body = MuleClient.object().put("workflow_id", threeStepId);
        body.putObject("input_data").put("prompt", "api");

        MuleClient.Answer created = client.post("/api/v1/jobs", body);

        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        String jobId = created.data().path("id").asText();
        assertThat(jobId).isNotBlank();
        assertThat(created.data().path("status").asText()).isEqualTo("queued");
        JsonNode job = awaitTerminal(jobId);
        assertThat(job.path("status").asText()).isEqualTo("completed");
        assertThat(job.path("output_data").path("prompt").asText()).isEqualTo("!IPA ,OLLEH");
        JsonNode steps = assertThreeCompletedSteps(jobId);
        assertThat(steps.get(0).path("output_data").toString()).contains("Hello, api!");
        assertThat(steps.get(1).path("input_data").path("prompt").asText()).isEqualTo("Hello, api!");
    }

    @Test
    @Order(4)
    void aFailingStepFailsTheJobWithMuleV2sMessage() throws IOException {
        String workflowId = examples.ensure("strict", "require a prompt, then shout", List.of("require-prompt", "upper"));
        ObjectNode body = MuleClient.object().put("workflow_id", workflowId);
        body.putObject("input_data").put("prompt", "");

        String jobId = client.post("/api/v1/jobs", body).data().path("id").asText();

        JsonNode job = awaitTerminal(jobId);
        assertThat(job.path("status").asText()).isEqualTo("failed");
        assertThat(job.path("error_message").asText()).startsWith("step 1 failed").contains("non-empty \"prompt\"");
        MuleClient.Answer sync = client.chat("workflow/strict", "");
        assertThat(sync.status()).isGreaterThanOrEqualTo(400);
        assertThat(sync.body().path("error").path("message").asText()).contains("step 1 failed");
    }

    @Test
    @Order(5)
    void badInputIsRefusedWithAClearMessageAndWritesNothing() {
        int modulesBefore = client.get("/api/v1/wasm-modules").data().size();

        MuleClient.Answer unknownModel = client.chat("workflow/nope", "x");
        MuleClient.Answer malformed = client.postRaw("/v1/chat/completions", "application/json",
                "{\"model\": ".getBytes(StandardCharsets.UTF_8));
        MuleClient.Answer notWasm = client.uploadModule("notwasm", "a text file", "{}",
                "hello, I am not WebAssembly".getBytes(StandardCharsets.UTF_8));
        MuleClient.Answer missingWorkflow = client.post("/api/v1/jobs", MuleClient.object().put("input_data", "x"));

        assertThat(unknownModel.status()).isEqualTo(404);
        assertThat(unknownModel.body().path("error").path("message").asText()).contains("workflow/nope");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body().path("error").path("message").asText()).isNotBlank();
        assertThat(notWasm.status()).isEqualTo(422);
        assertThat(notWasm.body().path("detail").asText()).containsIgnoringCase("webassembly");
        assertThat(missingWorkflow.status()).isBetween(400, 422);
        assertThat(missingWorkflow.body().path("detail").asText()).isNotBlank();
        assertThat(client.get("/api/v1/wasm-modules").data().size()).isEqualTo(modulesBefore);
    }

    @Test
    @Order(6)
    void anAgentStepCallsItsProviderWithTheAgentsPromptAndModel() throws IOException {
        try (FakeOpenAiServer provider = FakeOpenAiServer.start().requireApiKey("sk-e2e").replyWith("a haiku about HELLO")) {
            String providerId = MuleClient.expect(client.post("/api/v1/providers", MuleClient.object()
                    .put("name", "fake").put("api_base_url", provider.baseUrl()).put("api_key", "sk-e2e")),
                    201, "create provider").data().path("id").asText();
            String agentId = MuleClient.expect(client.post("/api/v1/agents", MuleClient.object()
                    .put("name", "poet").put("description", "writes haiku").put("provider_id", providerId)
                    .put("model_id", "gpt-test").put("system_prompt", "You write haiku.")),
                    201, "create agent").data().path("id").asText();
            String workflowId = examples.ensure("greet-then-poet", "greet, then ask the poet", List.of("greet"));
            MuleClient.expect(client.post("/api/v1/workflows/" + workflowId + "/steps", MuleClient.object()
                    .put("step_type", "agent").put("agent_id", agentId).put("step_order", 2)), 201, "add agent step");

            MuleClient.Answer answer = client.chat("workflow/greet-then-poet", "Poet");

            assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
            assertThat(answer.body().path("choices").path(0).path("message").path("content").asText())
                    .isEqualTo("a haiku about HELLO");
            FakeOpenAiServer.Request call = provider.requests().get(0);
            assertThat(call.model()).isEqualTo("gpt-test");
            assertThat(call.systemPrompt()).isEqualTo("You write haiku.");
            assertThat(call.userMessage()).isEqualTo("Hello, Poet!");
            assertThat(call.authorization()).isEqualTo("Bearer sk-e2e");
            String jobId = answer.body().path("id").asText().substring("chatcmpl-".length());
            awaitTerminal(jobId);
            JsonNode agentStep = client.get("/api/v1/jobs/" + jobId + "/steps").data().get(1);
            JsonNode reported = answer.body().path("usage");
            assertThat(reported.path("total_tokens").asInt()).isPositive();
            assertThat(agentStep.path("usage").path("total_tokens").asInt())
                    .isEqualTo(reported.path("total_tokens").asInt());
        }
    }

    @Test
    @Order(7)
    void aJobCancelledDuringALongWasmStepStaysCancelledAndNeverRunsItsNextStep() throws Exception {
        String workflowId = examples.ensure("nap", "spin for a while, then shout", List.of("sleep", "upper"));
        String jobId = client.submitJob(workflowId, "3");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get("/api/v1/jobs/" + jobId + "/steps").data(),
                        steps -> steps.size() == 1 && "running".equals(steps.get(0).path("status").asText()));

        MuleClient.Answer cancelled = client.delete("/api/v1/jobs/" + jobId);

        assertThat(cancelled.status()).as(cancelled.body().toString()).isEqualTo(202);
        // the gateway records the request; the orchestrator decides, and the status writer records its decision
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> client.get("/api/v1/jobs/" + jobId).data().path("status").asText(), "cancelled"::equals);
        Thread.sleep(4_500); // past the 3 s the module would have spun: a late result must change nothing
        assertThat(client.get("/api/v1/jobs/" + jobId).data().path("status").asText()).isEqualTo("cancelled");
        JsonNode steps = client.get("/api/v1/jobs/" + jobId + "/steps").data();
        assertThat(steps).hasSize(1);
        assertThat(steps.get(0).path("status").asText()).isEqualTo("cancelled");
        assertThat(client.delete("/api/v1/jobs/" + jobId).status()).isEqualTo(409);
    }

    @Test
    @Order(8)
    void aRestartedStackKeepsItsJobsAndRunsTheHelloExample() throws Exception {
        String before = client.submitJob(threeStepId, "before restart");
        awaitTerminal(before);

        stack.close();
        stack = LocalStack.start(config, line -> System.out.println("stack (again): " + line));

        JsonNode kept = client.get("/api/v1/jobs/" + before).data();
        assertThat(kept.path("status").asText()).isEqualTo("completed");
        examples.ensureHello();
        MuleClient.Answer hello = client.chat("workflow/hello", "World");
        assertThat(hello.status()).as(hello.body().toString()).isEqualTo(200);
        assertThat(hello.body().path("choices").path(0).path("message").path("content").asText()).isEqualTo("HELLO, WORLD!");
    }

    @Test
    @Order(9)
    void servicesKilledWithSigkillAreRestartedByTheSupervisorAndNoJobIsLost() throws Exception {
        List<String> jobs = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            jobs.add(client.submitJob(threeStepId, "crash " + i));
        }

        stack.kill("orchestrator");
        stack.kill("step-runner-wasm");

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> stack.statuses().stream()
                .filter(s -> s.name().equals("orchestrator") || s.name().equals("step-runner-wasm"))
                .allMatch(s -> s.restarts() == 1 && ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive).orElse(false)));
        for (String jobId : jobs) {
            JsonNode job = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> client.get("/api/v1/jobs/" + jobId).data(),
                            j -> "completed".equals(j.path("status").asText()));
            assertThat(job.path("output_data").path("prompt").asText()).startsWith("!").endsWith("OLLEH");
        }
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        int exit = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            printed.reset();
            return StatusCommand.run(config.home(), new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
        }, code -> code == 0);
        String status = printed.toString(StandardCharsets.UTF_8);
        assertThat(exit).isZero();
        assertThat(status).containsPattern("orchestrator\\s+\\d+\\s+\\S+\\s+1  running")
                .containsPattern("step-runner-wasm\\s+\\d+\\s+\\S+\\s+1  running")
                .containsPattern("gateway\\s+\\d+\\s+\\S+\\s+0  running")
                .contains("/health): 200");
    }

    private static JsonNode awaitTerminal(String jobId) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get("/api/v1/jobs/" + jobId).data(),
                        job -> List.of("completed", "failed", "cancelled").contains(job.path("status").asText()));
    }

    private static JsonNode assertThreeCompletedSteps(String jobId) {
        JsonNode steps = client.get("/api/v1/jobs/" + jobId + "/steps").data();
        assertThat(steps).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(steps.get(i).path("status").asText()).isEqualTo("completed");
            assertThat(steps.get(i).path("step_order").asInt()).isEqualTo(i + 1);
        }
        return steps;
    }
}
