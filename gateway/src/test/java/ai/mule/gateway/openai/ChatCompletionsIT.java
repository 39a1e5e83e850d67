package ai.mule.gateway.openai;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.JobEvents;
import ai.mule.schemas.JobEvent;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** The tests play the orchestrator: they read the JobRequest from Kafka and answer with the job's events. */
class ChatCompletionsIT extends IntegrationTestBase {

    @Autowired
    private MeterRegistry meters;

    private static final Duration KAFKA_WAIT = Duration.ofSeconds(15);

    @Test
    void answersASyncWorkflowCallWithTheJobOutput() throws Exception {
        String workflow = api.oneStepWorkflowName();

        CompletableFuture<Http.Response> call = CompletableFuture.supplyAsync(() -> http.post("/v1/chat/completions",
                map("model", "workflow/" + workflow, "messages", List.of(
                        map("role", "system", "content", "be loud"), map("role", "user", "content", "hello")))));
        String jobId = acceptedJob(workflow);
        JobRequest request = TestKafka.read(Topics.JOB_REQUESTS, jobId, 1, KAFKA_WAIT).get(0);
        TestKafka.send(Topics.JOB_EVENTS, jobId, completed(jobId, JsonSerde.mapper().createObjectNode()
                .put("prompt", "BE LOUD\nHELLO")));

        Http.Response response = call.get(20, TimeUnit.SECONDS);
        assertThat(request.input().get("prompt").asText()).isEqualTo("be loud\nhello");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.get("id").asText()).isEqualTo("chatcmpl-" + jobId);
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.get("model").asText()).isEqualTo("workflow/" + workflow);
        assertThat(body.get("created").asLong()).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(60L));
        assertThat(body.at("/choices/0/index").asInt()).isZero();
        assertThat(body.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("BE LOUD\nHELLO");
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(body.at("/usage/total_tokens").asInt()).isZero();
    }

    @Test
    void givesNonTextOutputAsJsonText() throws Exception {
        String workflow = api.oneStepWorkflowName();

        CompletableFuture<Http.Response> call = CompletableFuture.supplyAsync(() -> http.post("/v1/chat/completions",
                map("model", "workflow/" + workflow, "messages", List.of(map("role", "user", "content", "x")))));
        String jobId = acceptedJob(workflow);
        JsonNode output = JsonSerde.mapper().readTree("{\"prompt\": {\"words\": 2}}");
        TestKafka.send(Topics.JOB_EVENTS, jobId, completed(jobId, output));

        assertThat(call.get(20, TimeUnit.SECONDS).json().at("/choices/0/message/content").asText())
                .isEqualTo("{\"words\":2}");
    }

    @Test
    void answersAFailedJobWithAnOpenAiErrorNamingTheJob() throws Exception {
        String workflow = api.oneStepWorkflowName();

        CompletableFuture<Http.Response> call = CompletableFuture.supplyAsync(() -> http.post("/v1/chat/completions",
                map("model", "workflow/" + workflow, "messages", List.of(map("role", "user", "content", "x")))));
        String jobId = acceptedJob(workflow);
        TestKafka.send(Topics.JOB_EVENTS, jobId, new JobEvent.JobFailed(Topics.SCHEMA_VERSION, jobId, 3, Instant.now(),
                "step 1 failed: module trapped"));

        Http.Response response = call.get(20, TimeUnit.SECONDS);
        assertThat(response.status()).isEqualTo(502);
        assertThat(response.header("x-should-retry")).isEqualTo("false");
        JsonNode error = response.json().get("error");
        assertThat(error.get("type").asText()).isEqualTo("workflow_error");
        assertThat(error.get("code").asText()).isEqualTo("job_failed");
        assertThat(error.get("message").asText()).contains(jobId).contains("step 1 failed: module trapped");
        assertThat(error.has("param")).isTrue();
        assertThat(error.get("job_id").asText()).isEqualTo(jobId);
    }

    /**
     * As when the orchestrator emits a completion, then crashes before committing, and on reprocessing meets the
     * job's cancel first: the caller is told what the job status writer records (the cancel), never the completion
     * of the aborted transaction, which it cannot even see while that transaction is open.
     */
    @Test
    void answersOnlyFromCommittedEventsNeverFromAnAbortedTransaction() throws Exception {
        String workflow = api.oneStepWorkflowName();

        CompletableFuture<Http.Response> call = CompletableFuture.supplyAsync(() -> http.post("/v1/chat/completions",
                map("model", "workflow/" + workflow, "messages", List.of(map("role", "user", "content", "x")))));
        String jobId = acceptedJob(workflow);
        try (KafkaProducer<String, JobEvent> orchestrator = transactionalProducer()) {
            orchestrator.beginTransaction();
            orchestrator.send(new ProducerRecord<>(Topics.JOB_EVENTS.name(), jobId, completed(jobId,
                    JsonSerde.mapper().createObjectNode().put("prompt", "NEVER COMMITTED")))).get();
            Thread.sleep(1_000); // read uncommitted, the caller would have its answer within milliseconds
            boolean answeredWhileOpen = call.isDone();
            orchestrator.abortTransaction();
            orchestrator.beginTransaction();
            orchestrator.send(new ProducerRecord<>(Topics.JOB_EVENTS.name(), jobId, new JobEvent.JobCancelled(
                    Topics.SCHEMA_VERSION, jobId, 4, Instant.now(), "cancelled through the API")));
            orchestrator.commitTransaction();

            Http.Response response = call.get(20, TimeUnit.SECONDS);
            assertThat(answeredWhileOpen).as("answered from an open transaction").isFalse();
            assertThat(response.status()).as(response.toString()).isEqualTo(502);
            assertThat(response.json().at("/error/code").asText()).isEqualTo("job_cancelled");
            assertThat(response.json().at("/error/message").asText()).contains("cancelled through the API");
        }
    }

    @Test
    void answersATimeoutWith504CarryingTheJobId() {
        String workflow = api.oneStepWorkflowName();
        double missedBefore = missedEnds();
        assertThat(http.put("/api/v1/settings/timeout_workflow_seconds", map("value", "1")).status()).isEqualTo(200);
        try {
            Http.Response response = http.post("/v1/chat/completions",
                    map("model", "workflow/" + workflow, "messages", List.of(map("role", "user", "content", "x"))));

            assertThat(response.status()).isEqualTo(504);
            JsonNode error = response.json().get("error");
            String jobId = error.get("job_id").asText();
            assertThat(error.get("message").asText()).contains(jobId).contains("timeout_workflow_seconds");
            assertThat(error.get("code").asText()).isEqualTo("job_timeout");
            assertThat(http.get("/api/v1/jobs/" + jobId).status()).isEqualTo(200);
            assertThat(missedEnds()).as("a job that has not ended missed nothing").isEqualTo(missedBefore);
        } finally {
            http.put("/api/v1/settings/timeout_workflow_seconds", map("value", "300"));
        }
    }

    /**
     * As when the job's terminal event never reaches this gateway's events listener: the status writer recorded the
     * end, and the call that waited out its timeout is answered from the row. That the end was missed is told in a
     * warning naming the job and counted, so that it can be told apart from a client that lost its answer.
     */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void answersFromTheRowWhenTheJobsEndNeverReachedTheGatewayAndSaysSo(CapturedOutput log) throws Exception {
        String workflow = api.oneStepWorkflowName();
        double missedBefore = missedEnds();
        assertThat(http.put("/api/v1/settings/timeout_workflow_seconds", map("value", "1")).status()).isEqualTo(200);
        try {
            CompletableFuture<Http.Response> call = CompletableFuture.supplyAsync(() -> http.post(
                    "/v1/chat/completions", map("model", "workflow/" + workflow, "messages",
                            List.of(map("role", "user", "content", "x")))));
            String jobId = acceptedJob(workflow);
            jdbc.sql("UPDATE jobs SET status = 'completed', output_data = '{\"prompt\": \"FROM THE ROW\"}', "
                    + "completed_at = now() - interval '5 seconds' WHERE id = CAST(? AS UUID)").param(jobId).update();

            Http.Response response = call.get(20, TimeUnit.SECONDS);
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.json().at("/choices/0/message/content").asText()).isEqualTo("FROM THE ROW");
            assertThat(missedEnds()).isEqualTo(missedBefore + 1);
            assertThat(log.getOut()).contains("job " + jobId + " ended (completed) at ")
                    .contains("but its end never reached this gateway's events listener; answered from the job's row");
        } finally {
            http.put("/api/v1/settings/timeout_workflow_seconds", map("value", "300"));
        }
    }

    private double missedEnds() {
        return meters.get("mule.gateway.waits.missed.ends").counter().count();
    }

    @Test
    void startsAnAsyncWorkflowAtOnce() {
        String workflow = api.oneStepWorkflowName();

        Http.Response response = http.post("/v1/chat/completions", map("model", "async/workflow/" + workflow,
                "messages", List.of(map("role", "user", "content", "later"))));

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.get("object").asText()).isEqualTo("async.job");
        assertThat(body.get("status").asText()).isEqualTo("queued");
        assertThat(body.get("message").asText()).isEqualTo("The workflow has been started");
        String jobId = body.get("id").asText();
        JsonNode job = http.get("/api/v1/jobs/" + jobId).json().get("data");
        assertThat(job.get("workflow_name").asText()).isEqualTo(workflow);
        assertThat(job.get("source").asText()).isEqualTo("chat");
        assertThat(job.at("/input_data/prompt").asText()).isEqualTo("later");
        assertThat(TestKafka.read(Topics.JOB_REQUESTS, jobId, 1, KAFKA_WAIT)).hasSize(1);
    }

    @Test
    void explainsBadRequestsInOpenAiShape() {
        String workflow = api.oneStepWorkflowName();
        List<Object> messages = List.of(map("role", "user", "content", "x"));

        Http.Response unknown = http.post("/v1/chat/completions", map("model", "workflow/nope-" + workflow, "messages", messages));
        Http.Response badForm = http.post("/v1/chat/completions", map("model", "gpt-4o", "messages", messages));
        Http.Response malformed = http.postRaw("/v1/chat/completions", "{\"model\": \"workflow/x\", ");
        Http.Response noModel = http.post("/v1/chat/completions", map("messages", messages));
        Http.Response noMessages = http.post("/v1/chat/completions", map("model", "workflow/" + workflow));
        Http.Response emptyMessages = http.post("/v1/chat/completions", map("model", "workflow/" + workflow,
                "messages", List.of()));
        Http.Response stream = http.post("/v1/chat/completions", map("model", "async/workflow/" + workflow,
                "messages", messages, "stream", true));
        Http.Response empty = http.post("/v1/chat/completions", map("model", "workflow/" + api.workflow().get("name").asText(),
                "messages", messages));

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().at("/error/code").asText()).isEqualTo("model_not_found");
        assertThat(unknown.json().at("/error/message").asText()).contains("workflow/nope-" + workflow)
                .contains("async/workflow/<name>").contains("agent/<name>");
        assertThat(badForm.status()).isEqualTo(404);
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(malformed.json().at("/error/code").asText()).isEqualTo("invalid_json");
        assertThat(noModel.status()).isEqualTo(400);
        assertThat(noModel.json().at("/error/param").asText()).isEqualTo("model");
        assertThat(noMessages.status()).isEqualTo(400);
        assertThat(noMessages.json().at("/error/param").asText()).isEqualTo("messages");
        assertThat(emptyMessages.status()).isEqualTo(400);
        assertThat(stream.status()).isEqualTo(400);
        assertThat(stream.json().at("/error/message").asText()).contains("stream is not available for async/workflow/");
        assertThat(empty.status()).isEqualTo(422);
        assertThat(empty.json().at("/error/message").asText()).contains("has no steps");
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE workflow_name = ?").param("nope-" + workflow)
                .query(Long.class).single()).isZero();
    }

    @Test
    void listsEveryAgentAndWorkflowAsModels() {
        String workflow = api.workflow().get("name").asText();
        String agent = api.agent(api.provider("k").get("id").asText(), "").get("name").asText();

        Http.Response models = http.get("/v1/models");

        assertThat(models.status()).isEqualTo(200);
        assertThat(models.json().get("object").asText()).isEqualTo("list");
        assertThat(models.json().get("data").findValuesAsText("id"))
                .contains("workflow/" + workflow, "async/workflow/" + workflow, "agent/" + agent);
        JsonNode first = models.json().at("/data/0");
        assertThat(first.get("object").asText()).isEqualTo("model");
        assertThat(first.get("owned_by").asText()).isEqualTo("mule");
    }



    private static KafkaProducer<String, JobEvent> transactionalProducer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "fake-orchestrator-" + UUID.randomUUID());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // should the test fail inside a transaction, the broker aborts it soon, so other tests read on
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        KafkaProducer<String, JobEvent> producer = new KafkaProducer<>(props,
                Topics.JOB_EVENTS.keySerde().serializer(), Topics.JOB_EVENTS.valueSerde().serializer());
        producer.initTransactions();
        return producer;
    }

    private static JobEvent completed(String jobId, JsonNode output) {
        return JobEvents.jobCompleted(jobId, 4, output, null);
    }
}
