package ai.mule.runner.wasm.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.runner.wasm.WasmRunnerApplication;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WasmStep;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import ai.mule.testkit.WasmFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Mule v2's env host functions, one test each, through the real runner (Kafka in, Kafka out). A local HTTP
 * server plays both the site a module fetches and the gateway's API (jobs, workflows, chat completions).
 * The probe module calls the functions its input names and reports every code and value it got.
 */
class HostFunctionsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final byte[] PROBE = WasmFixtures.wasm("host-probe.wasm");
    private static final byte[] FETCH = WasmFixtures.wasm("http-fetch.wasm");
    private static final byte[] ROUTER = WasmFixtures.wasm("router.wasm");
    private static final String WORKFLOW_ID = UUID.randomUUID().toString();

    private static HttpServer server;
    private static String origin;
    private static ConfigurableApplicationContext runner;
    private static final List<String> requests = new CopyOnWriteArrayList<>();
    private static final Map<String, AtomicInteger> jobPolls = new ConcurrentHashMap<>();
    private static final Map<String, String> jobInputs = new ConcurrentHashMap<>();
    /** Jobs started with the prompt "held" stay running until this is set. */
    private static volatile boolean heldJobsReleased;

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hello", exchange -> {
            exchange.getResponseHeaders().add("X-Probe", "yes");
            respond(exchange, 200, "hi there");
        });
        server.createContext("/echo", exchange -> respond(exchange, 201, exchange.getRequestMethod() + " "
                + exchange.getRequestHeaders().getFirst("X-Token") + " "
                + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        server.createContext("/big", exchange -> respond(exchange, 200, "x".repeat(70_000)));
        server.createContext("/api/v1/workflows", exchange -> respond(exchange, 200, "{\"data\":[{\"id\":\"" + WORKFLOW_ID
                + "\",\"name\":\"shout\"}],\"page\":1,\"page_size\":100,\"total_count\":1,\"total_pages\":1}"));
        server.createContext("/api/v1/jobs", HostFunctionsIT::jobs);
        server.createContext("/v1/chat/completions", exchange -> {
            JsonNode body = JsonSerde.mapper().readTree(exchange.getRequestBody());
            requests.add("chat " + body.get("model").asText() + " " + body.at("/messages/0/content").asText());
            respond(exchange, 200, "{\"object\":\"chat.completion\",\"choices\":[{\"message\":{\"role\":\"assistant\","
                    + "\"content\":\"agent says hi\"}}]}");
        });
        server.start();
        origin = "http://127.0.0.1:" + server.getAddress().getPort();

        TestPostgres.Database db = TestPostgres.newDatabase();
        JdbcTemplate jdbc = new JdbcTemplate(db.dataSource());
        for (byte[] module : List.of(PROBE, FETCH, ROUTER)) {
            jdbc.update("INSERT INTO wasm_modules (id, name, module_data, sha256) VALUES (?, ?, ?, ?)",
                    UUID.randomUUID(), UUID.randomUUID().toString(), module, WasmFixtures.sha256(module));
        }
        runner = new SpringApplicationBuilder(WasmRunnerApplication.class).properties(
                "MULE_DB_URL=" + db.jdbcUrl(),
                "MULE_DB_USER=" + db.username(),
                "MULE_DB_PASSWORD=" + db.password(),
                "mule.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                "mule.runner.wasm.concurrency=2",
                "mule.runner.wasm.max-http-response=64KB",
                "MULE_RUNNER_WASM_GATEWAY_URL=" + origin,
                "mule.runner.wasm.gateway-api-key=runner-key",
                // the stand-in server is on loopback: the operator lets steps that list it call it
                "mule.runner.wasm.internal-hosts=127.0.0.1:" + server.getAddress().getPort()).run();
    }

    @AfterAll
    static void stop() {
        runner.close();
        server.stop(0);
    }

    /**
     * POST starts a job; GET answers running twice, then completed with the job's input upper-cased (a job whose
     * prompt is "held": running until {@link #heldJobsReleased}).
     */
    private static void jobs(HttpExchange exchange) throws IOException {
        if (exchange.getRequestMethod().equals("POST")) {
            JsonNode body = JsonSerde.mapper().readTree(exchange.getRequestBody());
            String id = UUID.randomUUID().toString();
            requests.add("job " + body.get("workflow_id").asText() + " " + body.get("input_data"));
            requests.add("auth " + exchange.getRequestHeaders().getFirst("Authorization"));
            requests.add("depth " + exchange.getRequestHeaders().getFirst("Mule-Call-Depth") + " "
                    + body.at("/input_data/prompt").asText());
            requests.add("started by " + exchange.getRequestHeaders().getFirst("Mule-Started-By") + " "
                    + body.at("/input_data/prompt").asText());
            jobInputs.put(id, body.at("/input_data/prompt").asText());
            respond(exchange, 201, "{\"data\":{\"id\":\"" + id + "\",\"status\":\"queued\"}}");
            return;
        }
        String id = exchange.getRequestURI().getPath().substring("/api/v1/jobs/".length());
        if (!jobInputs.containsKey(id)) {
            respond(exchange, 404, "{\"detail\":\"no job with id '" + id + "'\"}");
            return;
        }
        int polls = jobPolls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        boolean held = jobInputs.get(id).equals("held") && !heldJobsReleased;
        respond(exchange, 200, polls < 3 || held ? "{\"data\":{\"id\":\"" + id + "\",\"status\":\"running\",\"output_data\":null}}"
                : "{\"data\":{\"id\":\"" + id + "\",\"status\":\"completed\",\"output_data\":{\"prompt\":\""
                + jobInputs.get(id).toUpperCase() + "\"}}}");
    }

    @Test
    void httpRequestCallsAnAllowedHostAndKeepsTheResponse() {
        JsonNode out = probe(http(origin), "{\"call\":\"http\",\"url\":\"" + origin + "/hello\",\"header\":\"X-Probe\"}");

        assertThat(out.get("code").asLong()).isZero();
        assertThat(out.get("status").asInt()).isEqualTo(200);
        assertThat(out.get("body").asText()).isEqualTo("hi there");
    }

    @Test
    void httpRequestWithHeadersSendsMethodBodyAndHeaders() {
        JsonNode out = probe(http(origin), "{\"call\":\"http_headers\",\"method\":\"PUT\",\"url\":\"" + origin
                + "/echo\",\"body\":\"payload\",\"headers_json\":\"{\\\"X-Token\\\":\\\"t-1\\\"}\"}");

        assertThat(out.get("code").asLong()).isZero();
        assertThat(out.get("status").asInt()).isEqualTo(201);
        assertThat(out.get("body").asText()).isEqualTo("PUT t-1 payload");
    }

    @Test
    void getLastResponseHeaderReadsAHeaderBack() {
        JsonNode out = probe(http(origin), "{\"call\":\"http\",\"url\":\"" + origin + "/hello\",\"header\":\"x-probe\"}");

        assertThat(out.get("header").asText()).isEqualTo("yes");
    }

    @Test
    void getLastResponseBodyAndStatusAnswerNoResponseBeforeAnyRequestAndRefuseAHugeBody() {
        JsonNode none = probe(http(origin), "{\"call\":\"http\",\"url\":\"ftp://" + "example.com/x\"}");
        JsonNode big = probe(http(origin), "{\"call\":\"http\",\"url\":\"" + origin + "/big\"}");

        assertThat(none.get("code").asLong()).isEqualTo(0xFFFFFFFEL); // not http(s): not allowed
        assertThat(none.get("status").asLong()).isEqualTo(0xFFFFFFF4L); // no response yet
        assertThat(none.get("body").isNull()).isTrue();
        assertThat(big.get("code").asLong()).isEqualTo(0xFFFFFFFBL); // over max-http-response (64 KB)
    }

    @Test
    void httpIsOffUnlessConfiguredAndLoopbackNeedsAnExactEntry() {
        StepResult off = run(PROBE, null, "{\"call\":\"http\",\"url\":\"" + origin + "/hello\"}");
        StepResult wildcard = run(PROBE, "{\"host_functions\":{\"http\":[\"*\"]}}",
                "{\"call\":\"http\",\"url\":\"" + origin + "/hello\"}");
        // the input cannot grant itself what the config does not
        StepResult fromInput = run(PROBE, null, "{\"call\":\"http\",\"url\":\"" + origin
                + "/hello\",\"host_functions\":{\"http\":[\"127.0.0.1\"]}}");

        assertThat(off.output().get("code").asLong()).isEqualTo(0xFFFFFFFEL);
        assertThat(off.stderr()).contains("http_request refused: HTTP is not enabled for this step");
        assertThat(wildcard.output().get("code").asLong()).isEqualTo(0xFFFFFFFEL);
        assertThat(wildcard.stderr()).contains("resolves to the internal address 127.0.0.1");
        assertThat(fromInput.output().get("code").asLong()).isEqualTo(0xFFFFFFFEL);
    }

    @Test
    void triggerWorkflowOrAgentStartsAWorkflowByNameThroughTheGateway() {
        JsonNode out = probe(jobs("shout"), "{\"call\":\"trigger\",\"type\":\"workflow\",\"id\":\"shout\","
                + "\"params_json\":\"{\\\"prompt\\\":\\\"hey\\\"}\"}");

        assertThat(out.get("code").asLong()).isZero();
        assertThat(requests).contains("job " + WORKFLOW_ID + " {\"prompt\":\"hey\"}", "auth Bearer runner-key");
        JsonNode started = json(out.get("op_result").asText());
        assertThat(started.get("status").asText()).isEqualTo("queued");
        assertThat(started.get("job_id").asText()).hasSize(36);
    }

    /**
     * A module that starts its own workflow would start jobs without end: the gateway counts the depth, and the jobs
     * under the module's job's first job.
     */
    @Test
    void aWorkflowStartedByAModuleIsOneCallDeeperThanTheModulesJobAndNamesIt() {
        String jobId = UUID.randomUUID().toString();
        WasmStep step = new WasmStep(1, null, UUID.randomUUID().toString(), "probe", WasmFixtures.sha256(PROBE),
                json(jobs("shout")));
        TestKafka.send(Topics.STEPS_WASM, jobId, StepCommand.of(jobId, 0, 1, step, json("{\"call\":\"trigger\","
                + "\"type\":\"workflow\",\"id\":\"shout\",\"params_json\":\"{\\\"prompt\\\":\\\"deep\\\"}\"}"),
                Instant.now(), null, 2));

        StepResult result = TestKafka.read(Topics.STEP_RESULTS, jobId, 1, WAIT).get(0);

        assertThat(result.output().get("code").asLong()).as(result.toString()).isZero();
        assertThat(requests).contains("depth 3 deep", "started by " + jobId + " deep");
    }

    @Test
    void getLastOperationResultAndStatusReturnAnAgentsAnswer() {
        JsonNode out = probe(agents("helper"), "{\"call\":\"trigger\",\"type\":\"agent\",\"id\":\"helper\","
                + "\"params_json\":\"{\\\"prompt\\\":\\\"hello agent\\\"}\"}");

        assertThat(out.get("code").asLong()).isZero();
        assertThat(out.get("op_status").asInt()).isEqualTo(200);
        assertThat(json(out.get("op_result").asText()).at("/choices/0/message/content").asText())
                .isEqualTo("agent says hi");
        assertThat(requests).contains("chat agent/helper hello agent");
    }

    @Test
    void triggerRefusesATargetOutsideTheAllowlist() {
        JsonNode out = probe(jobs("other"), "{\"call\":\"trigger\",\"type\":\"workflow\",\"id\":\"shout\","
                + "\"params_json\":\"{}\"}");

        assertThat(out.get("code").asLong()).isEqualTo(0xFFFFFFFEL);
        assertThat(out.get("op_status").asLong()).isZero();
        assertThat(out.get("op_result").isNull()).isTrue();
    }

    @Test
    void getJobOutputReadsTheStatusOfAJobTheRunStarted() {
        JsonNode out = probe(jobs(WORKFLOW_ID), "{\"call\":\"job_output\",\"type\":\"workflow\",\"id\":\"" + WORKFLOW_ID
                + "\",\"params_json\":\"{\\\"prompt\\\":\\\"x\\\"}\"}");

        JsonNode job = json(out.get("job").asText());
        assertThat(job.get("status").asText()).isEqualTo("running");
        assertThat(job.get("output").isNull()).isTrue();
    }

    @Test
    void waitForJobAndGetOutputWaitsForTheEnd() {
        JsonNode out = probe(jobs("shout"), "{\"call\":\"wait_job\",\"type\":\"workflow\",\"id\":\"shout\","
                + "\"params_json\":\"{\\\"prompt\\\":\\\"quiet\\\"}\"}");

        JsonNode job = json(out.get("job").asText());
        assertThat(job.get("status").asText()).isEqualTo("completed");
        assertThat(job.at("/output/prompt").asText()).isEqualTo("QUIET");
    }

    /**
     * A module waiting for a job gives its place among the runner's concurrent steps back meanwhile: with both places
     * (concurrency 2) held by modules waiting for jobs, another command still runs, as the jobs' own WASM steps must.
     * Before, it waited for the modules' timeouts, and so would those jobs' steps on a real stack.
     */
    @Test
    void aModuleWaitingForAJobGivesItsPlaceToOtherSteps() {
        String waitForAHeldJob = "{\"call\":\"wait_job\",\"type\":\"workflow\",\"id\":\"shout\","
                + "\"params_json\":\"{\\\"prompt\\\":\\\"held\\\"}\"}";
        List<String> waiting = List.of(send(PROBE, jobs("shout"), waitForAHeldJob),
                send(PROBE, jobs("shout"), waitForAHeldJob));
        await().atMost(WAIT).until(() -> requests.stream().filter("depth 1 held"::equals).count() == 2);

        List<StepResult> other;
        try {
            other = TestKafka.read(Topics.STEP_RESULTS, send(PROBE, http(origin), "{\"call\":\"http\",\"url\":\""
                    + origin + "/hello\",\"header\":\"X-Probe\"}"), 1, Duration.ofSeconds(10));
        } finally {
            heldJobsReleased = true;
        }

        assertThat(other).as("another step ran while both places' modules waited").singleElement()
                .extracting(StepResult::success).isEqualTo(true);
        for (String job : waiting) {
            StepResult result = TestKafka.read(Topics.STEP_RESULTS, job, 1, WAIT).get(0);
            assertThat(result.success()).as(result.toString()).isTrue();
            assertThat(json(result.output().get("job").asText()).at("/output/prompt").asText()).isEqualTo("HELD");
        }
    }

    @Test
    void getJobOutputRefusesAJobTheRunDidNotStart() {
        String someoneElses = UUID.randomUUID().toString();
        jobInputs.put(someoneElses, "secret");

        StepResult result = run(PROBE, jobs("shout"), "{\"call\":\"foreign_job\",\"job_id\":\"" + someoneElses + "\"}");

        assertThat(result.output().get("read").asLong()).isEqualTo(0xFFFFFFFEL);
        assertThat(result.stderr()).contains("was not started by this run");
    }

    @Test
    void theHttpFetchExampleFetchesAPage() {
        StepResult result = run(FETCH, http(origin), "{\"url\":\"" + origin + "/hello\"}");

        assertThat(result.success()).as(result.toString()).isTrue();
        assertThat(result.output().asText()).isEqualTo("hi there");
    }

    @Test
    void theRouterExampleRunsAnotherWorkflowAndAnswersItsOutput() {
        StepResult result = run(ROUTER, "{\"workflow\":\"shout\",\"host_functions\":{\"workflows\":[\"shout\"]}}",
                "{\"prompt\":\"route me\"}");

        assertThat(result.success()).as(result.toString()).isTrue();
        assertThat(result.output().asText()).isEqualTo("ROUTE ME");
    }

    private static String http(String allowedOrigin) {
        return "{\"host_functions\":{\"http\":[\"" + allowedOrigin.substring("http://".length()) + "\"]}}";
    }

    private static String jobs(String workflow) {
        return "{\"host_functions\":{\"workflows\":[\"" + workflow + "\"]}}";
    }

    private static String agents(String agent) {
        return "{\"host_functions\":{\"agents\":[\"" + agent + "\"]}}";
    }

    private static JsonNode probe(String config, String input) {
        StepResult result = run(PROBE, config, input);
        assertThat(result.success()).as(result.toString()).isTrue();
        return result.output();
    }

    private static StepResult run(byte[] module, String config, String input) {
        List<StepResult> results = TestKafka.read(Topics.STEP_RESULTS, send(module, config, input), 1, WAIT);
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    /** Sends a command running {@code module} (of a new job, at depth 0) and answers its job's id. */
    private static String send(byte[] module, String config, String input) {
        String jobId = UUID.randomUUID().toString();
        WasmStep step = new WasmStep(1, null, UUID.randomUUID().toString(), "probe", WasmFixtures.sha256(module),
                config == null ? null : json(config));
        TestKafka.send(Topics.STEPS_WASM, jobId, StepCommand.of(jobId, 0, 1, step, json(input), Instant.now(), null));
        return jobId;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static JsonNode json(String text) {
        try {
            return JsonSerde.mapper().readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
