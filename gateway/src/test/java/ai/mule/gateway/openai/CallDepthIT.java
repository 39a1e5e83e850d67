package ai.mule.gateway.openai;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.JobEvents;
import ai.mule.schemas.JobIngressRequest;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.ParentStep;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WorkflowStep;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * {@code Mule-Call-Depth}, which an agent runner's {@code call_workflow} tool sends (its job's depth + 1): a workflow
 * model's job carries it, and one past {@code mule.limits.max-call-depth} (5 by default) is refused before anything
 * is written, so that a workflow whose agent calls it again ends instead of starting jobs without end. The tests play
 * the agent runner (the header) and the orchestrator (reading the requests from Kafka, answering with events).
 */
class CallDepthIT extends IntegrationTestBase {

    private static final String HEADER = "Mule-Call-Depth";
    private static final String LIMIT = "mule.limits.max-call-depth";
    private static final Duration KAFKA_WAIT = Duration.ofSeconds(15);

    @Test
    void aJobAtTheLimitIsAcceptedAndItsRequestCarriesTheDepth() throws Exception {
        String workflow = api.oneStepWorkflowName();

        CompletableFuture<Http.Response> call = CompletableFuture.supplyAsync(() -> http.post("/v1/chat/completions",
                chat("workflow/" + workflow), HEADER, "5"));
        String jobId = acceptedJob(workflow);
        JobRequest request = TestKafka.read(Topics.JOB_REQUESTS, jobId, 1, KAFKA_WAIT).get(0);
        TestKafka.send(Topics.JOB_EVENTS, jobId, JobEvents.jobCompleted(jobId, 4,
                JsonSerde.mapper().createObjectNode().put("prompt", "DONE"), null));
        Http.Response async = http.post("/v1/chat/completions", chat("async/workflow/" + workflow), HEADER, "3");

        assertThat(request.callDepth()).isEqualTo(5);
        Http.Response response = call.get(20, TimeUnit.SECONDS);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().at("/choices/0/message/content").asText()).isEqualTo("DONE");
        assertThat(async.status()).as(async.toString()).isEqualTo(200);
        String asyncJob = async.json().get("id").asText();
        assertThat(TestKafka.read(Topics.JOB_REQUESTS, asyncJob, 1, KAFKA_WAIT)).singleElement()
                .extracting(JobRequest::callDepth).isEqualTo(3);
    }

    @Test
    void aJobPastTheLimitIsRefusedNamingTheLimitAndNothingIsWritten() {
        String workflow = api.oneStepWorkflowName();

        List<Http.Response> refused = List.of(
                http.post("/v1/chat/completions", chat("workflow/" + workflow), HEADER, "6"),
                http.post("/v1/chat/completions", chat("async/workflow/" + workflow), HEADER, "6"),
                http.post("/v1/chat/completions", map("model", "workflow/" + workflow, "stream", true, "messages",
                        List.of(map("role", "user", "content", "again"))), HEADER, "6"));

        for (Http.Response response : refused) {
            assertThat(response.status()).as(response.toString()).isEqualTo(422);
            JsonNode error = response.json().get("error");
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.get("code").asText()).isEqualTo("limit_exceeded");
            assertThat(error.get("param").asText()).isEqualTo(LIMIT);
            assertThat(error.get("message").asText()).isEqualTo("workflow calls from steps (agent tools, module "
                    + "host functions) nest 6 deep; at most 5 (mule.limits.max-call-depth): a step of a workflow "
                    + "started by a step starts a workflow again");
        }
        assertNothingWrittenFor(workflow);
    }

    @Test
    void aCallDepthThatIsNotAWholeNumberOfZeroOrMoreIs400() {
        String workflow = api.oneStepWorkflowName();

        for (String bad : List.of("-1", "two", "1.5", "99999999999")) {
            Http.Response response = http.post("/v1/chat/completions", chat("workflow/" + workflow), HEADER, bad);

            assertThat(response.status()).as(bad + ": " + response).isEqualTo(400);
            JsonNode error = response.json().get("error");
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.get("code").asText()).isEqualTo("invalid_call_depth");
            assertThat(error.get("message").asText()).startsWith("Mule-Call-Depth must be a whole number from 0")
                    .as("the client's value is not echoed").doesNotContain("got");
        }
        assertNothingWrittenFor(workflow);
    }

    /** A module's trigger_workflow_or_agent starts its workflow through the jobs API, with the header. */
    @Test
    void aJobStartedThroughTheJobsApiCarriesItsDepthAndIsRefusedPastTheLimit() {
        JsonNode workflow = api.workflow();
        String workflowId = workflow.get("id").asText();
        api.wasmStep(workflowId, api.module("upper.wasm", "").get("id").asText(), null);

        Http.Response accepted = http.post("/api/v1/jobs", map("workflow_id", workflowId), HEADER, "5");
        Http.Response client = http.post("/api/v1/jobs", map("workflow_id", workflowId));
        Http.Response refused = http.post("/api/v1/jobs", map("workflow_id", workflowId), HEADER, "6");
        Http.Response bad = http.post("/api/v1/jobs", map("workflow_id", workflowId), HEADER, "two");

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(201);
        assertThat(TestKafka.read(Topics.JOB_REQUESTS, accepted.json().at("/data/id").asText(), 1, KAFKA_WAIT))
                .singleElement().extracting(JobRequest::callDepth).isEqualTo(5);
        assertThat(TestKafka.read(Topics.JOB_REQUESTS, client.json().at("/data/id").asText(), 1, KAFKA_WAIT))
                .singleElement().extracting(JobRequest::callDepth).as("no header: a client's job").isEqualTo(0);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.json().get("limit").asText()).isEqualTo(LIMIT);
        assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
        assertThat(bad.json().get("detail").asText()).startsWith("Mule-Call-Depth must be a whole number from 0");
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE workflow_id = CAST(? AS UUID)").param(workflowId)
                .query(Long.class).single()).as("only the two accepted jobs").isEqualTo(2);
    }

    /**
     * An agent's wasm_module tool runs its module through the execute endpoint, with the header: a module that starts
     * the agent's workflow again (trigger_workflow_or_agent) is then one level deeper each time, never back at 0.
     */
    @Test
    void aModuleRunCarriesItsDepthAndIsRefusedPastTheLimitOnEveryEndpoint() throws Exception {
        String module = api.module("upper.wasm", "").get("id").asText();

        CompletableFuture<Http.Response> run = CompletableFuture.supplyAsync(() -> http.post(
                "/api/v1/wasm-modules/" + module + "/execute", map("input", map("prompt", "x")), HEADER, "5"));
        String jobId = org.awaitility.Awaitility.await().atMost(KAFKA_WAIT).until(() -> jdbc.sql(
                        "SELECT CAST(id AS TEXT) FROM jobs WHERE wasm_module_id = CAST(? AS UUID)").param(module)
                .query(String.class).optional(), java.util.Optional::isPresent).get();
        JobRequest request = TestKafka.read(Topics.JOB_REQUESTS, jobId, 1, KAFKA_WAIT).get(0);
        TestKafka.send(Topics.JOB_EVENTS, jobId, JobEvents.jobCompleted(jobId, 4,
                JsonSerde.mapper().createObjectNode().put("prompt", "X"), null));
        List<Http.Response> refused = List.of(
                http.post("/api/v1/wasm-modules/" + module + "/execute", map("input", map()), HEADER, "6"),
                http.post("/v1/wasm/execute", map("module", module), HEADER, "6"),
                http.post("/api/v1/wasm-modules/test", map("module_id", module), HEADER, "6"));

        assertThat(request.callDepth()).isEqualTo(5);
        Http.Response answered = run.get(20, TimeUnit.SECONDS);
        assertThat(answered.status()).as(answered.toString()).isEqualTo(200);
        assertThat(refused).allSatisfy(response -> {
            assertThat(response.status()).as(response.toString()).isEqualTo(422);
            assertThat(response.json().get("limit").asText()).isEqualTo(LIMIT);
        });
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE wasm_module_id = CAST(? AS UUID)").param(module)
                .query(Long.class).single()).as("only the run at the limit").isEqualTo(1);
    }

    /** A sub-workflow step is part of its workflow, not a tool call: the orchestrator asks for the parent's depth. */
    @Test
    void aSubWorkflowsChildJobKeepsTheDepthTheOrchestratorAskedFor() {
        JsonNode child = api.workflow();
        api.wasmStep(child.get("id").asText(), api.module("upper.wasm", "").get("id").asText(), null);
        JsonNode parentWorkflow = api.workflow();
        api.wasmStep(parentWorkflow.get("id").asText(), api.module("upper.wasm", "").get("id").asText(), null);
        String parentId = http.post("/api/v1/jobs", map("workflow_id", parentWorkflow.get("id").asText())).json()
                .at("/data/id").asText();
        ParentStep parent = new ParentStep(parentId, 1, 1, "route");
        WorkflowStep route = new WorkflowStep(2, null, child.get("id").asText(), child.get("name").asText(), null,
                null);

        TestKafka.send(Topics.JOB_CHILDREN, parent.childJobId(), JobIngressRequest.child(route,
                JsonSerde.mapper().createObjectNode().put("prompt", "x"), parent, 3));

        JobRequest childRequest = TestKafka.read(Topics.JOB_REQUESTS, parent.childJobId(), 1, KAFKA_WAIT).get(0);
        assertThat(childRequest.parent()).isEqualTo(parent);
        assertThat(childRequest.callDepth()).isEqualTo(3);
    }

    /**
     * No job row, and nothing from the outbox (the row that would have been written with it) reached Kafka: a job of
     * this workflow accepted afterwards is the first and only request of it on the topic.
     */
    private void assertNothingWrittenFor(String workflow) {
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE workflow_name = ?").param(workflow).query(Long.class)
                .single()).isZero();
        Http.Response marker = http.post("/v1/chat/completions", chat("async/workflow/" + workflow));
        assertThat(marker.status()).as(marker.toString()).isEqualTo(200);
        String markerJob = marker.json().get("id").asText();
        assertThat(requestsUntil(workflow, markerJob)).extracting(JobRequest::jobId).containsExactly(markerJob);
    }

    /** The job requests for {@code workflow} on the topic, read from its start until that of job {@code last}. */
    private static List<JobRequest> requestsUntil(String workflow, String last) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "call-depth-it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<JobRequest> seen = new ArrayList<>();
        try (KafkaConsumer<String, JobRequest> consumer = new KafkaConsumer<>(props,
                Topics.JOB_REQUESTS.keySerde().deserializer(), Topics.JOB_REQUESTS.valueSerde().deserializer())) {
            consumer.subscribe(List.of(Topics.JOB_REQUESTS.name()));
            long deadline = System.nanoTime() + KAFKA_WAIT.toNanos();
            while (seen.stream().noneMatch(r -> r.jobId().equals(last)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, JobRequest> record : consumer.poll(Duration.ofMillis(100))) {
                    if (workflow.equals(record.value().workflowName())) {
                        seen.add(record.value());
                    }
                }
            }
        }
        return seen;
    }

    private static Object chat(String model) {
        return map("model", model, "messages", List.of(map("role", "user", "content", "again")));
    }


}
