package ai.mule.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.localkafka.FreePorts;
import ai.mule.testkit.FakeOpenAiServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The poison suite: hostile but legal data at every place it enters, on the real stack (KRaft broker, PostgreSQL and
 * the four service jars as their own processes). Whatever one job carries, that job ends with a clear error (or
 * completes, where the data is legal and storable) and the next normal job completes, in its row too, within seconds.
 * Each case's times are printed at the end (and written to {@code target/poison-timings.txt}).
 */
class PoisonIT {

    /** How long the normal job after a poison case may take to show completed in its row. */
    private static final Duration NEXT_JOB_BOUND = Duration.ofSeconds(20);
    private static final Map<String, String> TIMINGS = new LinkedHashMap<>();

    private static LocalStack stack;
    private static MuleClient client;
    private static ExampleWorkflows examples;
    private static String normalWorkflowId;
    private static String helloWatId;

    private String caseName;
    /** What became of this case's poison (and how fast), for the timings table. */
    private String poisonOutcome = "n/a";

    @BeforeAll
    static void startStack() throws Exception {
        Path repo = Path.of(System.getProperty("mule.repo", "../..")).toAbsolutePath().normalize();
        Path home = Files.createTempDirectory("mule-poison");
        StackConfig config = new StackConfig(repo, home, FreePorts.next(), FreePorts.next(), FreePorts.next(),
                FreePorts.next(), 3);
        // a memory ceiling far above the runner's heap, so that a module's memory.grow meets a real OutOfMemoryError
        stack = LocalStack.start(config, line -> System.out.println("stack: " + line),
                Map.of("MULE_RUNNER_WASM_MAX_MEMORY_PAGES", "32768"));
        client = new MuleClient(config.gatewayUrl());
        examples = new ExampleWorkflows(client, repo);
        normalWorkflowId = examples.ensure("three", "greet, upper, reverse", List.of("greet", "upper", "reverse"));
        helloWatId = examples.ensureModule("hello-wat");
    }

    @AfterAll
    static void stopStack() throws IOException {
        if (stack != null) {
            stack.close();
        }
        StringBuilder table = new StringBuilder("poison case | poison job terminal | next normal job completed\n");
        TIMINGS.forEach((name, times) -> table.append(name).append(" | ").append(times).append('\n'));
        System.out.println(table);
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("poison-timings.txt"), table);
        }
    }

    @org.junit.jupiter.api.BeforeEach
    void name(TestInfo test) {
        caseName = test.getDisplayName().replace("()", "");
    }

    @AfterEach
    void theNextNormalJobCompletes() {
        long started = System.nanoTime();
        String jobId = client.submitJob(normalWorkflowId, "after poison");
        JsonNode job = await().atMost(NEXT_JOB_BOUND).pollInterval(Duration.ofMillis(50))
                .until(() -> client.get("/api/v1/jobs/" + jobId).data(),
                        j -> "completed".equals(j.path("status").asText()));
        assertThat(job.path("output_data").path("prompt").asText()).isEqualTo("!NOSIOP RETFA ,OLLEH");
        TIMINGS.put(caseName, poisonOutcome + " | " + seconds(started));
    }

    @Test
    void jsonNestedAtTheDepthLimitIsCarriedOn() throws Exception {
        String workflowId = workflow(emitting("{\"message\":" + nested(64) + "}"), helloWatId);

        JsonNode job = runAndTime(workflowId);

        assertThat(job.path("status").asText()).as(job.toString()).isEqualTo("completed");
        JsonNode first = steps(job).get(0);
        assertThat(first.path("output_data").toString()).startsWith("[[[[");
    }

    @Test
    void jsonNestedOneLevelPastTheLimitFailsItsJob() throws Exception {
        assertFailsOnDepth(65);
    }

    @Test
    void jsonNested998DeepFailsItsJob() throws Exception {
        assertFailsOnDepth(998);
    }

    @Test
    void aNulInAModulesOutputIsStoredAsTheReplacementCharacter() throws Exception {
        String workflowId = workflow(emitting("{\"message\":\"before\\u0000after\"}"));

        JsonNode job = runAndTime(workflowId);

        assertThat(job.path("status").asText()).as(job.toString()).isEqualTo("completed");
        assertThat(job.path("output_data").path("prompt").asText()).isEqualTo("before\uFFFDafter");
        assertThat(steps(job).get(0).path("output_data").toString()).contains("before\uFFFDafter");
    }

    @Test
    void aNulInAModelsReplyIsStoredAsTheReplacementCharacter() throws Exception {
        try (FakeOpenAiServer provider = FakeOpenAiServer.start().replyWith("before\u0000after")) {
            String providerId = MuleClient.expect(client.post("/api/v1/providers", MuleClient.object()
                    .put("name", "nul-provider").put("api_base_url", provider.baseUrl()).put("api_key", "sk-poison")),
                    201, "create provider").data().path("id").asText();
            String agentId = MuleClient.expect(client.post("/api/v1/agents", MuleClient.object()
                    .put("name", "nul-agent").put("provider_id", providerId).put("model_id", "gpt-test")
                    .put("system_prompt", "Answer.")), 201, "create agent").data().path("id").asText();
            String workflowId = newWorkflow();
            MuleClient.expect(client.post("/api/v1/workflows/" + workflowId + "/steps", MuleClient.object()
                    .put("step_type", "agent").put("agent_id", agentId).put("step_order", 1)), 201, "add agent step");

            JsonNode job = runAndTime(workflowId);

            assertThat(job.path("status").asText()).as(job.toString()).isEqualTo("completed");
            assertThat(job.path("output_data").path("prompt").asText()).isEqualTo("before\uFFFDafter");
        }
    }

    @Test
    void aBigOutputMeetingABigConfigUnderTheirLimitsCompletes() throws Exception {
        String emitter = upload(emitting("{\"message\":\"" + "x".repeat(500_000) + "\"}"));
        String workflowId = newWorkflow();
        addStep(workflowId, emitter, 1, MuleClient.object());
        addStep(workflowId, helloWatId, 2, MuleClient.object().put("blob", "y".repeat(120_000)));

        JsonNode job = runAndTime(workflowId);

        assertThat(job.path("status").asText()).as(job.toString()).isEqualTo("completed");
        assertThat(job.path("output_data").path("prompt").asText()).isEqualTo("hello from WebAssembly text");
    }

    @Test
    void anOutputOverItsLimitFailsItsJobNamingTheLimit() throws Exception {
        String workflowId = workflow(emitting("{\"message\":\"" + "x".repeat(700_000) + "\"}"), helloWatId);

        JsonNode job = runAndTime(workflowId);

        assertThat(job.path("status").asText()).as(job.toString()).isEqualTo("failed");
        assertThat(job.path("error_message").asText()).contains("mule.limits.max-step-output-bytes");
        assertThat(steps(job).get(0).path("failure_kind").asText()).isEqualTo("limit_exceeded");
    }

    @Test
    void aConfigOverItsLimitIsRefusedWhenSavedAndWritesNothing() throws Exception {
        String workflowId = newWorkflow();

        MuleClient.Answer refused = client.post("/api/v1/workflows/" + workflowId + "/steps", MuleClient.object()
                .put("step_type", "wasm_module").put("wasm_module_id", helloWatId).put("step_order", 1)
                .set("config", MuleClient.object().put("blob", "y".repeat(200_000))));

        assertThat(refused.status()).as(refused.body().toString()).isBetween(400, 499);
        assertThat(refused.body().toString()).contains("mule.limits.max-step-config-bytes");
        assertThat(client.get("/api/v1/workflows/" + workflowId + "/steps").data()).isEmpty();
        poisonOutcome = "refused at once";
    }

    @Test
    void anOutOfMemoryErrorInTheRunnerFailsOnlyItsStep() throws Exception {
        String workflowId = workflow(PoisonModules.growingMemory(30_000));

        JsonNode job = runAndTime(workflowId);

        assertThat(job.path("status").asText()).as(job.toString()).isEqualTo("failed");
        assertThat(steps(job).get(0).path("failure_kind").asText()).isEqualTo("limit_exceeded");
    }

    @Test
    void hugeTablesAreRefusedAtUpload() throws Exception {
        MuleClient.Answer refused = client.uploadModule("huge-tables", "sixty tables of ten million", "{}",
                PoisonModules.hugeTables());

        assertThat(refused.status()).as(refused.body().toString()).isEqualTo(422);
        assertThat(refused.body().toString()).containsIgnoringCase("table");
        poisonOutcome = "refused at once";
    }

    @Test
    void aSixteenMegabyteModuleWithForeignImportsIsAnsweredQuickly() {
        byte[] module = PoisonModules.bigForeignModule(16);
        assertThat(module.length).isGreaterThan(16_000_000);

        long started = System.nanoTime();
        MuleClient.Answer answer = client.uploadModule("big-foreign", "a runtime built for another host", "{}", module);
        double took = (System.nanoTime() - started) / 1e9;

        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(422);
        assertThat(answer.body().toString()).contains("ruby").contains("_start");
        assertThat(took).isLessThan(10.0);
        poisonOutcome = "answered 422 in " + String.format("%.1f s", took);
    }

    @Test
    void endlessInterpretedLoopsAreStoppedByTheirTimeout() throws Exception {
        MuleClient.Answer upload = client.uploadModule("interpreted-loop-" + System.nanoTime(), "br_if forever", "{}",
                PoisonModules.interpretedEndlessLoop());
        assertThat(upload.status()).as(upload.body().toString()).isEqualTo(201);
        String workflowId = newWorkflow();
        ObjectNode step = MuleClient.object().put("step_type", "wasm_module")
                .put("wasm_module_id", upload.data().path("id").asText()).put("step_order", 1)
                .put("timeout_ms", 2_000).put("max_attempts", 1);
        MuleClient.expect(client.post("/api/v1/workflows/" + workflowId + "/steps", step), 201, "add step");

        long started = System.nanoTime();
        List<CompletableFuture<JsonNode>> three = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String jobId = client.submitJob(workflowId, "loop " + i);
            three.add(CompletableFuture.supplyAsync(() -> awaitTerminal(jobId)));
        }
        for (CompletableFuture<JsonNode> each : three) {
            JsonNode job = each.join();
            assertThat(job.path("status").asText()).as(job.toString()).isEqualTo("failed");
            assertThat(steps(job).get(0).path("failure_kind").asText()).isEqualTo("timeout");
        }
        poisonOutcome = "all three terminal in " + seconds(started);
    }

    @Test
    void aConditionThatWouldHoldTheOrchestratorFailsItsJob() {
        String workflowId = newWorkflow();
        // 90,000 regular expression matches over 200,000 characters: unbudgeted, 13 minutes of the stream thread
        ObjectNode step = MuleClient.object().put("step_type", "wasm_module").put("wasm_module_id", helloWatId)
                .put("step_order", 1).put("name", "guarded")
                .put("when", "input.l.all(a, input.l.all(b, !input.prompt.matches('(z|zz)+y')))");
        MuleClient.expect(client.post("/api/v1/workflows/" + workflowId + "/steps", step), 201, "add the step");
        ObjectNode body = MuleClient.object().put("workflow_id", workflowId);
        ObjectNode input = body.putObject("input_data").put("prompt", "z".repeat(200_000));
        java.util.stream.IntStream.range(0, 300).forEach(input.putArray("l")::add);
        String jobId = MuleClient.expect(client.post("/api/v1/jobs", body), 201, "create the job").data()
                .path("id").asText();
        long started = System.nanoTime();

        JsonNode job = awaitTerminal(jobId);

        poisonOutcome = job.path("status").asText() + " in " + seconds(started);
        assertThat(job.path("status").asText()).as(job.toString()).isEqualTo("failed");
        assertThat(job.path("error_message").asText()).contains("step 'guarded'")
                .contains("more work than one evaluation may do");
    }

    @Test
    void aNumberWhereAStringBelongsIsRefusedNamingTheField() {
        MuleClient.Answer refused = client.post("/api/v1/workflows", MuleClient.object().put("name", 123));

        assertThat(refused.status()).as(refused.body().toString()).isEqualTo(400);
        assertThat(refused.body().toString()).contains("name");
        poisonOutcome = "refused at once";
    }

    private void assertFailsOnDepth(int depth) throws Exception {
        String workflowId = workflow(emitting("{\"message\":" + nested(depth) + "}"), helloWatId);

        JsonNode job = runAndTime(workflowId);

        assertThat(job.path("status").asText()).as(job.toString()).isEqualTo("failed");
        assertThat(job.path("error_message").asText()).contains("mule.limits.max-json-depth");
        assertThat(steps(job).get(0).path("failure_kind").asText()).isEqualTo("limit_exceeded");
    }

    private JsonNode runAndTime(String workflowId) {
        long started = System.nanoTime();
        JsonNode job = awaitTerminal(client.submitJob(workflowId, "poison"));
        poisonOutcome = job.path("status").asText() + " in " + seconds(started);
        return job;
    }

    private static JsonNode awaitTerminal(String jobId) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> client.get("/api/v1/jobs/" + jobId).data(),
                        job -> List.of("completed", "failed", "cancelled").contains(job.path("status").asText()));
    }

    private static JsonNode steps(JsonNode job) {
        return client.get("/api/v1/jobs/" + job.path("id").asText() + "/steps").data();
    }

    private static byte[] emitting(String stdout) throws IOException, InterruptedException {
        return PoisonModules.emitting(stdout);
    }

    /** A one-off workflow: the first module uploaded from {@code module}, then the modules with these ids. */
    private static String workflow(byte[] module, String... nextModuleIds) {
        String workflowId = newWorkflow();
        addStep(workflowId, upload(module), 1, MuleClient.object());
        for (int i = 0; i < nextModuleIds.length; i++) {
            addStep(workflowId, nextModuleIds[i], i + 2, MuleClient.object());
        }
        return workflowId;
    }

    private static String newWorkflow() {
        return MuleClient.expect(client.post("/api/v1/workflows", MuleClient.object()
                .put("name", "poison-" + System.nanoTime()).put("description", "poison suite").put("is_async", false)),
                201, "create workflow").data().path("id").asText();
    }

    private static void addStep(String workflowId, String moduleId, int order, ObjectNode config) {
        ObjectNode step = MuleClient.object().put("step_type", "wasm_module").put("wasm_module_id", moduleId)
                .put("step_order", order).put("max_attempts", 1);
        step.set("config", config);
        MuleClient.expect(client.post("/api/v1/workflows/" + workflowId + "/steps", step), 201, "add step " + order);
    }

    private static String upload(byte[] module) {
        return MuleClient.expect(client.uploadModule("poison-" + System.nanoTime(), "poison suite", "{}", module),
                201, "upload module").data().path("id").asText();
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    private static String seconds(long startedNanos) {
        return String.format("%.2f s", (System.nanoTime() - startedNanos) / 1e9);
    }
}
