package ai.mule.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.localkafka.FreePorts;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.Topics;
import ai.mule.testkit.FakeOpenAiServer;
import ai.mule.testkit.FakeOpenAiServer.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Workflow graphs (issue 13) end to end, on the launcher's real stack (KRaft broker, PostgreSQL, the four service
 * jars as their own processes), driven over HTTP: the README's three worked examples, read from the README and sent
 * as it shows them, with their agents answered by the local fake provider; then a kill -9 chaos round over
 * parallel, for-each and for-each-over-sub-workflow jobs, counting every job's committed terminal events on
 * {@code mule.jobs.events} and its rows in PostgreSQL.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkflowGraphStackIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONCISE = "Looks fine.";
    private static final String CRITIC = "The error path is untested.";
    private static final String BACKUP = "Ship it after one more test.";
    private static final int CHAOS_JOBS = 40;

    private static Path repo;
    private static StackConfig config;
    private static LocalStack stack;
    private static MuleClient client;
    private static ExampleWorkflows examples;
    private static FakeOpenAiServer provider;
    private static String providerId;
    private static TopicTail<JobEvent> events;
    /** Every committed terminal event on mule.jobs.events since the stack started, by job id. */
    private static final Map<String, List<JobEvent>> terminals = new ConcurrentHashMap<>();

    @BeforeAll
    static void startStack() throws Exception {
        repo = Path.of(System.getProperty("mule.repo", "../..")).toAbsolutePath().normalize();
        config = new StackConfig(repo, Files.createTempDirectory("mule-graphs"), FreePorts.next(), FreePorts.next(),
                FreePorts.next(), FreePorts.next(), 3);
        stack = LocalStack.start(config, line -> System.out.println("stack: " + line));
        client = new MuleClient(config.gatewayUrl());
        examples = new ExampleWorkflows(client, repo);
        events = new TopicTail<>(config.bootstrapServers(), Topics.JOB_EVENTS, "read_committed", (jobId, event) -> {
            if (event.terminal()) {
                terminals.computeIfAbsent(jobId, id -> new CopyOnWriteArrayList<>()).add(event);
            }
        });
        provider = FakeOpenAiServer.start().answerWith(request -> switch (String.valueOf(request.model())) {
            case "concise-model" -> Reply.completion(CONCISE);
            case "critic-model" -> Reply.completion(CRITIC);
            case "expert-model" -> Reply.error(400, "the model expert-model is retired");
            case "backup-model" -> Reply.completion(BACKUP);
            case "classifier-model" -> Reply.completion(request.userMessage().contains("invoice") ? "billing" : "support");
            default -> Reply.error(404, "no model " + request.model());
        });
        providerId = MuleClient.expect(client.post("/api/v1/providers", MuleClient.object().put("name", "fake")
                .put("api_base_url", provider.baseUrl()).put("api_key", "sk-graphs")), 201, "create provider")
                .data().path("id").asText();
    }

    @AfterAll
    static void stopStack() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {events, stack, provider}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    @Order(1)
    void threeAgentsReviewInParallelAndAWasmStepMergesTheirAnswersKeyedByName() throws Exception {
        List<String> steps = readmeExample(0, Map.of("A1", agent("concise", "concise-model"),
                "A2", agent("critic", "critic-model"), "A3", agent("expert", "expert-model"),
                "A4", agent("backup", "backup-model"), "M", examples.ensureModule("merge")));
        String workflowId = workflow("review", steps);
        String prompt = "Review: retry() loops forever on a 404";

        JsonNode job = awaitTerminal(client.submitJob(workflowId, prompt));

        assertThat(job.path("status").asText()).as(job.toString()).isEqualTo("completed");
        assertThat(job.path("output_data").path("prompt").asText())
                .isEqualTo("concise: " + CONCISE + "\ncritic: " + CRITIC + "\nexpert: " + BACKUP);
        JsonNode merge = stepRow(job.path("id").asText(), 4);
        assertThat(merge.path("status").asText()).isEqualTo("completed");
        assertThat(merge.path("input_data")).isEqualTo(JSON.readTree(JSON.writeValueAsString(
                Map.of("concise", CONCISE, "critic", CRITIC, "expert", BACKUP))));
        // each agent was asked the job's prompt; the expert's retired model failed for good, its fallback answered
        assertThat(provider.requests().stream().filter(r -> prompt.equals(r.userMessage()))
                .map(FakeOpenAiServer.Request::model).distinct().sorted().toList())
                .containsExactly("backup-model", "concise-model", "critic-model", "expert-model");
    }

    @Test
    @Order(2)
    void aClassifierRoutesEachRequestToOneOfTwoSubWorkflowsWhoseChildJobIsListedWithItsParent() throws Exception {
        String billing = examples.ensure("billing-desk", "greet, then shout", List.of("greet", "upper"));
        String support = examples.ensure("support-desk", "reverse", List.of("reverse"));
        List<String> steps = readmeExample(1, Map.of("CLASSIFIER", agent("classifier", "classifier-model"),
                "BILLING_WORKFLOW", billing, "SUPPORT_WORKFLOW", support));
        String workflowId = workflow("triage", steps);

        String toBilling = client.submitJob(workflowId, "Where is the invoice for May?");
        String toSupport = client.submitJob(workflowId, "The app crashes at start");

        assertRoutedTo(toBilling, "billing", billing, "billing-desk", "HELLO, BILLING!");
        assertRoutedTo(toSupport, "support", support, "support-desk", "troppus");
    }

    @Test
    @Order(3)
    void aForEachRunsAModuleOverEachItemOfAListAndKeepsTheItemsOrder() throws Exception {
        List<String> steps = readmeExample(2, Map.of("SPLIT", examples.ensureModule("split"),
                "UPPER", examples.ensureModule("upper")));
        String workflowId = workflow("words", steps);
        List<String> many = IntStream.rangeClosed(1, 40).mapToObj(i -> "item" + i).toList();

        JsonNode readmes = awaitTerminal(client.submitJob(workflowId, "alpha beta gamma"));
        JsonNode forty = awaitTerminal(client.submitJob(workflowId, String.join(" ", many)));

        assertThat(readmes.path("status").asText()).as(readmes.toString()).isEqualTo("completed");
        assertThat(readmes.path("output_data")).isEqualTo(JSON.readTree("{\"prompt\":[\"ALPHA\",\"BETA\",\"GAMMA\"]}"));
        // 40 items, 16 at a time, finish in any order; the output keeps the items' order
        assertThat(forty.path("status").asText()).as(forty.toString()).isEqualTo("completed");
        assertThat(texts(forty.path("output_data").path("prompt")))
                .containsExactlyElementsOf(many.stream().map(s -> s.toUpperCase(Locale.ROOT)).toList());
        JsonNode each = stepRow(forty.path("id").asText(), 2);
        assertThat(each.path("status").asText()).isEqualTo("completed");
        assertThat(each.path("output_data")).isEqualTo(forty.path("output_data").path("prompt"));
    }

    /**
     * While 40 graph jobs run (a 3-branch fan-out joined by {@code merge}, a for-each over a module, a for-each over
     * a sub-workflow whose every item is a child job), the orchestrator and the WASM runner are SIGKILLed; the
     * supervisor restarts them. Every job (and child job) must complete once, with the right output: one committed
     * terminal event each, one row each, no child made twice.
     */
    @Test
    @Order(4)
    void killingTheOrchestratorAndARunnerMidRoundLosesNoGraphJobAndEndsNoneTwice() throws Exception {
        String fan = workflow("fan", List.of(
                "{\"name\":\"greet\",\"type\":\"wasm_module\",\"wasm_module_id\":\"" + examples.ensureModule("greet")
                        + "\",\"depends_on\":[]}",
                "{\"name\":\"upper\",\"type\":\"wasm_module\",\"wasm_module_id\":\"" + examples.ensureModule("upper")
                        + "\",\"depends_on\":[]}",
                "{\"name\":\"reverse\",\"type\":\"wasm_module\",\"wasm_module_id\":\""
                        + examples.ensureModule("reverse") + "\",\"depends_on\":[]}",
                "{\"name\":\"merge\",\"type\":\"wasm_module\",\"wasm_module_id\":\"" + examples.ensureModule("merge")
                        + "\",\"depends_on\":[\"greet\",\"upper\",\"reverse\"]}"));
        String words = workflow("chaos-words", readmeExample(2, Map.of("SPLIT", examples.ensureModule("split"),
                "UPPER", examples.ensureModule("upper"))));
        String desks = workflow("desks", List.of(
                "{\"name\":\"split\",\"type\":\"wasm_module\",\"wasm_module_id\":\"" + examples.ensureModule("split")
                        + "\"}",
                "{\"name\":\"each\",\"type\":\"workflow\",\"config\":{\"workflow_id\":\""
                        + examples.ensure("support-desk", "reverse", List.of("reverse"))
                        + "\"},\"for_each\":{\"items\":\"steps.split.parts\",\"concurrency\":2}}"));
        List<String> flows = List.of(fan, words, desks);
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> promptByJob = new LinkedHashMap<>();
        Map<String, String> flowByJob = new LinkedHashMap<>();
        long started = System.nanoTime();

        for (int i = 0; i < CHAOS_JOBS; i++) {
            String prompt = "c" + i + "-" + run + " north south";
            String jobId = client.submitJob(flows.get(i % 3), prompt);
            promptByJob.put(jobId, prompt);
            flowByJob.put(jobId, flows.get(i % 3));
        }
        // mid-round: the first jobs have ended, the others are still going
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> promptByJob.keySet().stream().anyMatch(terminals::containsKey));
        int endedBeforeKill = (int) promptByJob.keySet().stream().filter(terminals::containsKey).count();
        long killedAt = System.nanoTime();
        stack.kill("orchestrator");
        stack.kill("step-runner-wasm");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> stack.statuses()
                .stream().filter(s -> s.name().equals("orchestrator") || s.name().equals("step-runner-wasm"))
                .allMatch(s -> s.restarts() == 1 && ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive)
                        .orElse(false)));
        long restartedAt = System.nanoTime();
        Map<String, JsonNode> ended = new LinkedHashMap<>();
        for (String jobId : promptByJob.keySet()) {
            ended.put(jobId, await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(200))
                    .until(() -> client.get("/api/v1/jobs/" + jobId).data(),
                            j -> List.of("completed", "failed", "cancelled").contains(j.path("status").asText())));
        }
        long doneAt = System.nanoTime();
        Thread.sleep(2_000); // a second end, if any were to come, would be committed by now

        List<String> wrong = new ArrayList<>();
        ended.forEach((jobId, job) -> {
            JsonNode expected = expectedOutput(flowByJob.get(jobId), fan, words, promptByJob.get(jobId));
            if (!"completed".equals(job.path("status").asText()) || !expected.equals(job.path("output_data"))) {
                wrong.add(jobId + " ended " + job.path("status").asText() + " " + job.path("error_message").asText()
                        + " with " + job.path("output_data") + ", expected " + expected);
            }
        });
        Rows rows = rows(run, promptByJob.keySet());
        Map<String, Integer> terminalCounts = new TreeMap<>();
        for (String jobId : rows.allJobs()) {
            int count = terminals.getOrDefault(jobId, List.of()).size();
            terminalCounts.merge(count + " terminal event(s)", 1, Integer::sum);
            if (count != 1) {
                wrong.add(jobId + " has " + count + " committed terminal events: " + terminals.get(jobId));
            }
        }
        System.out.printf(Locale.ROOT, "graph chaos: %d jobs (%d child jobs), %d in flight at the kill; orchestrator "
                        + "and WASM runner back in %.1f s; all ended %.1f s after the kill, round %.1f s; %s; "
                        + "lost %d, doubled %d%n", CHAOS_JOBS, rows.childCount(), CHAOS_JOBS - endedBeforeKill,
                seconds(restartedAt - killedAt), seconds(doneAt - killedAt), seconds(doneAt - started),
                terminalCounts, CHAOS_JOBS - rows.parents().size(),
                rows.allJobs().stream().filter(id -> terminals.getOrDefault(id, List.of()).size() > 1).count());
        assertThat(wrong).as("jobs that did not complete exactly once with the right output").isEmpty();
        assertThat(rows.parents()).as("one row per submitted job, all completed")
                .containsOnlyKeys(promptByJob.keySet()).allSatisfy((id, status) -> assertThat(status)
                        .isEqualTo("completed"));
        // each sub-workflow for-each job made one child per item (3 words), each completed, none twice
        flowByJob.forEach((jobId, flow) -> assertThat(rows.children().getOrDefault(jobId, List.of()))
                .as("children of " + jobId).hasSize(flow.equals(desks) ? 3 : 0)
                .allSatisfy(status -> assertThat(status).isEqualTo("completed")));
        assertThat(rows.unfinishedSteps()).as("job_steps rows of these jobs not completed").isZero();
    }

    // --- the examples

    private static List<String> readmeExample(int index, Map<String, String> values) throws IOException {
        return ReadmeGraphExamples.stepBodies(repo.resolve("README.md"), index, values);
    }

    /** A new workflow with these step bodies, each sent as is to {@code POST /api/v1/workflows/{id}/steps}. */
    private static String workflow(String name, List<String> stepBodies) {
        String workflowId = MuleClient.expect(client.post("/api/v1/workflows", MuleClient.object().put("name", name)),
                201, "create workflow " + name).data().path("id").asText();
        for (String body : stepBodies) {
            MuleClient.expect(client.postRaw("/api/v1/workflows/" + workflowId + "/steps", "application/json",
                    body.getBytes(StandardCharsets.UTF_8)), 201, "add to " + name + " the step " + body);
        }
        return workflowId;
    }

    private static String agent(String name, String model) {
        return MuleClient.expect(client.post("/api/v1/agents", MuleClient.object().put("name", name)
                .put("provider_id", providerId).put("model_id", model).put("system_prompt", "You are " + name + ".")),
                201, "create agent " + name).data().path("id").asText();
    }

    private static void assertRoutedTo(String jobId, String step, String childWorkflowId, String childWorkflow,
                                       String output) {
        JsonNode job = awaitTerminal(jobId);
        assertThat(job.path("status").asText()).as(job.toString()).isEqualTo("completed");
        assertThat(job.path("output_data").path("prompt").asText()).isEqualTo(output);
        JsonNode children = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get("/api/v1/jobs/" + jobId).data().path("children"),
                        list -> list.size() == 1 && "completed".equals(list.get(0).path("status").asText()));
        JsonNode child = children.get(0);
        assertThat(child.path("parent_step").asText()).isEqualTo(step);
        assertThat(child.path("workflow_id").asText()).isEqualTo(childWorkflowId);
        assertThat(child.path("workflow_name").asText()).isEqualTo(childWorkflow);
        JsonNode childJob = client.get("/api/v1/jobs/" + child.path("id").asText()).data();
        assertThat(childJob.path("output_data").path("prompt").asText()).isEqualTo(output);
        assertThat(childJob.path("input_data").path("prompt").asText()).isEqualTo(step);
    }

    // --- the chaos round's checks

    private static JsonNode expectedOutput(String flow, String fan, String words, String prompt) {
        List<String> parts = List.of(prompt.split(" "));
        Object output;
        if (flow.equals(fan)) {
            output = "greet: Hello, " + prompt + "!\nupper: " + prompt.toUpperCase(Locale.ROOT) + "\nreverse: "
                    + new StringBuilder(prompt).reverse();
        } else if (flow.equals(words)) {
            output = parts.stream().map(p -> p.toUpperCase(Locale.ROOT)).toList();
        } else {
            output = parts.stream().map(p -> new StringBuilder(p).reverse().toString()).toList();
        }
        return JSON.valueToTree(Map.of("prompt", output));
    }

    /**
     * What PostgreSQL holds of the round: the status of each job whose prompt is of this run, the statuses of
     * their child jobs by parent, and how many of their step rows did not complete.
     */
    private record Rows(Map<String, String> parents, Map<String, List<String>> children, List<String> childIds,
                        int unfinishedSteps) {

        int childCount() {
            return childIds.size();
        }

        List<String> allJobs() {
            List<String> all = new ArrayList<>(parents.keySet());
            all.addAll(childIds);
            return all;
        }
    }

    private static Rows rows(String run, java.util.Collection<String> jobIds) throws SQLException {
        try (Connection db = DriverManager.getConnection(config.jdbcUrl(), LocalPostgres.USER, LocalPostgres.PASSWORD)) {
            Map<String, String> parents = new TreeMap<>();
            try (PreparedStatement query = db.prepareStatement(
                    "SELECT id, status FROM jobs WHERE parent_job_id IS NULL AND input_data->>'prompt' LIKE ?")) {
                query.setString(1, "c%-" + run + " %");
                try (ResultSet rs = query.executeQuery()) {
                    while (rs.next()) {
                        parents.put(rs.getString("id"), rs.getString("status"));
                    }
                }
            }
            UUID[] ids = jobIds.stream().map(UUID::fromString).toArray(UUID[]::new);
            Map<String, List<String>> children = new TreeMap<>();
            List<String> childIds = new ArrayList<>();
            try (PreparedStatement query = db.prepareStatement(
                    "SELECT id, parent_job_id, status FROM jobs WHERE parent_job_id = ANY(?)")) {
                query.setArray(1, db.createArrayOf("uuid", ids));
                try (ResultSet rs = query.executeQuery()) {
                    while (rs.next()) {
                        children.computeIfAbsent(rs.getString("parent_job_id"), p -> new ArrayList<>())
                                .add(rs.getString("status"));
                        childIds.add(rs.getString("id"));
                    }
                }
            }
            int unfinished;
            try (PreparedStatement query = db.prepareStatement(
                    "SELECT count(*) FROM job_steps WHERE job_id = ANY(?) AND status <> 'completed'")) {
                query.setArray(1, db.createArrayOf("uuid", ids));
                try (ResultSet rs = query.executeQuery()) {
                    rs.next();
                    unfinished = rs.getInt(1);
                }
            }
            return new Rows(parents, children, childIds, unfinished);
        }
    }

    // --- helpers

    private static JsonNode awaitTerminal(String jobId) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get("/api/v1/jobs/" + jobId).data(),
                        job -> List.of("completed", "failed", "cancelled").contains(job.path("status").asText()));
    }

    /** The job_steps row of the step with this step_order. */
    private static JsonNode stepRow(String jobId, int stepOrder) {
        for (JsonNode step : client.get("/api/v1/jobs/" + jobId + "/steps").data()) {
            if (step.path("step_order").asInt() == stepOrder) {
                return step;
            }
        }
        throw new AssertionError("job " + jobId + " has no step row with step_order " + stepOrder);
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(element -> texts.add(element.asText()));
        return texts;
    }

    private static double seconds(long nanos) {
        return nanos / (double) TimeUnit.SECONDS.toNanos(1);
    }
}
