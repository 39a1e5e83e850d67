package ai.mule.gateway.jobs;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.schemas.AgentStep;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WasmStep;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.WasmFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobApiIT extends IntegrationTestBase {

    private static final Duration KAFKA_WAIT = Duration.ofSeconds(15);

    @Test
    void acceptsAJobAndPublishesItsSnapshot() {
        JsonNode module = api.module("upper.wasm", "{\"suffix\": \"!\", \"mode\": \"module\"}");
        JsonNode provider = api.provider("sk-never-in-kafka");
        JsonNode agent = api.agent(provider.get("id").asText(), "Answer in French.");
        String workflowId = api.workflow().get("id").asText();
        JsonNode wasmStep = api.wasmStep(workflowId, module.get("id").asText(), map("mode", "step"));
        api.agentStep(workflowId, agent.get("id").asText());

        Http.Response accepted = http.post("/api/v1/jobs", map("workflow_id", workflowId,
                "input_data", map("prompt", "hello"), "working_directory", "projects/site"));

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(201);
        JsonNode job = accepted.json().get("data");
        String jobId = job.get("id").asText();
        assertThat(job.get("status").asText()).isEqualTo("queued");
        assertThat(job.get("workflow_id").asText()).isEqualTo(workflowId);
        assertThat(job.at("/input_data/prompt").asText()).isEqualTo("hello");
        Map<String, Object> row = jdbc.sql("SELECT status, workflow_name, input_data::text AS input, working_directory "
                + "FROM jobs WHERE id = CAST(? AS UUID)").param(jobId).query().singleRow();
        assertThat(row.get("status")).isEqualTo("queued");
        assertThat(row.get("input").toString()).contains("\"prompt\": \"hello\"");
        assertThat(row.get("working_directory")).isEqualTo("projects/site");

        List<JobRequest> requests = TestKafka.read(Topics.JOB_REQUESTS, jobId, 1, KAFKA_WAIT);
        assertThat(requests).hasSize(1);
        JobRequest request = requests.get(0);
        assertThat(request.workflowId()).isEqualTo(workflowId);
        assertThat(request.input().get("prompt").asText()).isEqualTo("hello");
        assertThat(request.awaited()).as("the caller comes back for the end: no commit at once").isFalse();
        assertThat(request.steps()).hasSize(2);
        WasmStep first = (WasmStep) request.steps().get(0);
        assertThat(first.moduleId()).isEqualTo(module.get("id").asText());
        assertThat(first.moduleName()).isEqualTo(module.get("name").asText());
        assertThat(first.sha256()).isEqualTo(WasmFixtures.sha256(WasmFixtures.wasm("upper.wasm")));
        assertThat(first.workingDirectory()).as("the runner mounts it under its mount root").isEqualTo("projects/site");
        assertThat(first.workflowStepId()).isEqualTo(wasmStep.get("id").asText());
        assertThat(first.config().get("suffix").asText()).isEqualTo("!");
        assertThat(first.config().get("mode").asText()).as("the step's config overrides the module's").isEqualTo("step");
        AgentStep second = (AgentStep) request.steps().get(1);
        assertThat(second.agentName()).isEqualTo(agent.get("name").asText());
        assertThat(second.providerId()).isEqualTo(provider.get("id").asText());
        assertThat(second.apiBaseUrl()).isEqualTo("http://127.0.0.1:11434/v1");
        assertThat(second.model()).isEqualTo("llama3.2");
        assertThat(second.systemPrompt()).isEqualTo("Answer in French.");
        assertThat(new String(Topics.JOB_REQUESTS.valueSerde().serializer().serialize("t", request)))
                .doesNotContain("sk-never-in-kafka");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(jdbc.sql("SELECT count(*) FROM outbox WHERE message_key = ?").param(jobId)
                        .query(Long.class).single()).as("the relay deletes what Kafka acknowledged").isZero());
    }

    @Test
    void refusesAWorkingDirectoryThatCouldLeaveTheRunnersMountRoot() {
        String workflowId = api.workflow().get("id").asText();
        api.wasmStep(workflowId, api.module("upper.wasm", "{}").get("id").asText(), map());

        for (String bad : List.of("/etc", "a/../../b", "..", "a\u0000b", "C:\\x", "x".repeat(1025), "a\nb")) {
            Http.Response refused = http.post("/api/v1/jobs", map("workflow_id", workflowId, "working_directory", bad));

            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.json().get("detail").asText()).as(bad).startsWith("working_directory ");
        }
        assertThat(http.post("/api/v1/jobs", map("workflow_id", workflowId, "working_directory", "")).status())
                .as("empty is none").isEqualTo(201);
    }

    @Test
    void runsAModuleIdGivenAsTheWorkflowIdAsAOneStepJob() {
        JsonNode module = api.module("reverse.wasm", "{\"k\": 1}");

        Http.Response accepted = http.post("/api/v1/jobs", map("workflow_id", module.get("id").asText()));

        assertThat(accepted.status()).isEqualTo(201);
        JsonNode job = accepted.json().get("data");
        assertThat(job.get("wasm_module_id").asText()).isEqualTo(module.get("id").asText());
        assertThat(job.get("workflow_id").isNull()).isTrue();
        assertThat(job.get("workflow_name").asText()).isEqualTo(module.get("name").asText());
        assertThat(job.get("input_data").isObject()).isTrue();
        List<JobRequest> requests = TestKafka.read(Topics.JOB_REQUESTS, job.get("id").asText(), 1, KAFKA_WAIT);
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).workflowId()).isNull();
        WasmStep only = (WasmStep) requests.get(0).steps().get(0);
        assertThat(only.stepOrder()).isEqualTo(1);
        assertThat(only.config().get("k").asInt()).isEqualTo(1);

        Http.Response byModuleField = http.post("/api/v1/jobs", map("wasm_module_id", module.get("id").asText()));
        assertThat(byModuleField.status()).isEqualTo(201);
    }

    @Test
    void refusesAWorkflowWithoutStepsAndWritesNothing() {
        JsonNode workflow = api.workflow();

        Http.Response refused = http.post("/api/v1/jobs", map("workflow_id", workflow.get("id").asText()));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().get("detail").asText()).contains("has no steps");
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE workflow_name = ?").param(workflow.get("name").asText())
                .query(Long.class).single()).isZero();
    }

    @Test
    void explainsBadJobRequests() {
        String moduleId = api.module("greet.wasm", "").get("id").asText();

        Http.Response nothing = http.post("/api/v1/jobs", map("input_data", map()));
        Http.Response both = http.post("/api/v1/jobs", map("workflow_id", moduleId, "wasm_module_id", moduleId));
        Http.Response unknown = http.post("/api/v1/jobs", map("workflow_id", UUID.randomUUID().toString()));
        Http.Response malformed = http.post("/api/v1/jobs", map("workflow_id", "42"));
        Http.Response arrayInput = http.post("/api/v1/jobs", map("workflow_id", moduleId, "input_data", List.of(1)));
        Http.Response notJson = http.postRaw("/api/v1/jobs", "workflow_id=1");

        assertThat(nothing.status()).isEqualTo(400);
        assertThat(nothing.json().get("detail").asText()).contains("workflow_id or wasm_module_id is required");
        assertThat(both.status()).isEqualTo(400);
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.json().get("detail").asText()).contains("names no workflow");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(arrayInput.status()).isEqualTo(400);
        assertThat(arrayInput.json().get("detail").asText()).contains("input_data must be a JSON object");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.contentType()).startsWith("application/problem+json");
    }

    @Test
    void answers404ForUnknownOrMalformedJobIds() {
        Http.Response unknown = http.get("/api/v1/jobs/" + UUID.randomUUID());
        Http.Response malformed = http.get("/api/v1/jobs/undefined");
        Http.Response steps = http.get("/api/v1/jobs/undefined/steps");

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(unknown.json().get("status").asInt()).isEqualTo(404);
        assertThat(malformed.status()).isEqualTo(404);
        assertThat(malformed.json().get("detail").asText()).isEqualTo("no job with id 'undefined'");
        assertThat(steps.status()).isEqualTo(404);
    }

    @Test
    void readsAJobAndItsStepsAsTheStatusWriterRecordedThem() {
        String moduleId = api.module("upper.wasm", "").get("id").asText();
        String jobId = http.post("/api/v1/jobs", map("wasm_module_id", moduleId, "input_data", map("prompt", "a")))
                .json().at("/data/id").asText();
        // what the job status writer (orchestrator module) does with the job's events
        jdbc.sql("UPDATE jobs SET status = 'completed', output_data = '{\"prompt\": \"A\"}', started_at = now(), "
                + "completed_at = now() WHERE id = CAST(? AS UUID)").param(jobId).update();
        for (int index : new int[] {1, 0}) {
            jdbc.sql("INSERT INTO job_steps (id, job_id, step_index, step_order, status, input_data, output_data, "
                            + "duration_micros) VALUES (?, CAST(? AS UUID), ?, ?, 'completed', '{}', '{\"prompt\": \"x\"}', 35)")
                    .params(UUID.randomUUID(), jobId, index, index + 1).update();
        }
        jdbc.sql("UPDATE job_steps SET stdout = '{\"message\": \"A\"}', stderr = 'upper: 1 byte' "
                + "WHERE job_id = CAST(? AS UUID) AND step_index = 0").param(jobId).update();

        JsonNode job = http.get("/api/v1/jobs/" + jobId).json().get("data");
        Http.Response steps = http.get("/api/v1/jobs/" + jobId + "/steps");

        assertThat(job.get("status").asText()).isEqualTo("completed");
        assertThat(job.at("/output_data/prompt").asText()).isEqualTo("A");
        assertThat(job.get("completed_at").isNull()).isFalse();
        assertThat(steps.status()).isEqualTo(200);
        assertThat(steps.json().get("data").findValuesAsText("step_index")).containsExactly("0", "1");
        assertThat(steps.json().at("/data/0/duration_micros").asLong()).isEqualTo(35);
        assertThat(steps.json().at("/data/0/stdout").asText()).isEqualTo("{\"message\": \"A\"}");
        assertThat(steps.json().at("/data/0/stderr").asText()).isEqualTo("upper: 1 byte");
        assertThat(steps.json().at("/data/1/stdout").isNull()).isTrue();
        assertThat(steps.json().at("/data/1/stderr").isNull()).isTrue();
        assertThat(steps.json().get("total_count").asInt()).isEqualTo(2);
    }

    @Test
    void listsJobsNewestFirstWithFiltersAndPages() {
        JsonNode module = api.module("greet.wasm", "");
        String name = module.get("name").asText();
        for (int i = 0; i < 3; i++) {
            assertThat(http.post("/api/v1/jobs", map("wasm_module_id", module.get("id").asText())).status()).isEqualTo(201);
        }

        Http.Response page1 = http.get("/api/v1/jobs?workflow_name=" + name + "&page_size=2");
        Http.Response page2 = http.get("/api/v1/jobs?workflow_name=" + name + "&page_size=2&page=2");
        Http.Response queued = http.get("/api/v1/jobs?status=queued&workflow_name=" + name);
        Http.Response failed = http.get("/api/v1/jobs?status=failed&workflow_name=" + name);
        Http.Response searched = http.get("/api/v1/jobs?search=" + name.substring(0, 10));

        assertThat(page1.json().get("data")).hasSize(2);
        assertThat(page1.json().get("total_count").asInt()).isEqualTo(3);
        assertThat(page1.json().get("total_pages").asInt()).isEqualTo(2);
        assertThat(page2.json().get("data")).hasSize(1);
        assertThat(page1.json().at("/data/0/created_at").asText())
                .isGreaterThanOrEqualTo(page1.json().at("/data/1/created_at").asText());
        assertThat(queued.json().get("total_count").asInt()).isEqualTo(3);
        assertThat(failed.json().get("total_count").asInt()).isZero();
        assertThat(searched.json().get("total_count").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(http.get("/api/v1/jobs").json().get("page_size").asInt()).isEqualTo(20);
        assertThat(http.get("/api/v1/jobs?page_size=101").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/jobs?page=0").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/jobs?page=abc").json().get("detail").asText()).contains("page");
        assertThat(http.get("/api/v1/jobs?status=done").json().get("detail").asText()).contains("queued, running");
    }

    @Test
    void cancelsAQueuedJobThroughTheControlTopic() {
        String moduleId = api.module("greet.wasm", "").get("id").asText();
        String jobId = http.post("/api/v1/jobs", map("wasm_module_id", moduleId)).json().at("/data/id").asText();

        Http.Response cancelled = http.delete("/api/v1/jobs/" + jobId);

        assertThat(cancelled.status()).isEqualTo(202);
        assertThat(cancelled.json().at("/data/status").asText()).as("the job as it stands").isEqualTo("queued");
        List<JobControl> controls = TestKafka.read(Topics.JOB_CONTROL, jobId, 1, KAFKA_WAIT);
        assertThat(controls).hasSize(1);
        assertThat(controls.get(0).action()).isEqualTo(JobControl.Action.CANCEL);

        // as the job status writer records the orchestrator's job_cancelled
        jdbc.sql("UPDATE jobs SET status = 'cancelled' WHERE id = CAST(? AS UUID)").param(jobId).update();
        assertThat(http.delete("/api/v1/jobs/" + jobId).status()).isEqualTo(409);
    }

    @Test
    void refusesAJobTooLargeForKafkaAndWritesNothing() {
        JsonNode module = api.module("greet.wasm", "");
        // under the 1 MiB JSON body limit, over the job input limit (256 KiB), which keeps every job under the
        // 1,000,000-byte record limit
        String input = "y".repeat(1_000_000);

        Http.Response refused = http.post("/api/v1/jobs", map("wasm_module_id", module.get("id").asText(),
                "input_data", map("prompt", input)));

        assertThat(refused.status()).isEqualTo(413);
        assertThat(refused.json().get("detail").asText()).contains("over the limit of 262144 bytes")
                .contains("mule.limits.max-job-input-bytes");
        assertThat(refused.json().get("limit").asText()).isEqualTo("mule.limits.max-job-input-bytes");
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE workflow_name = ?").param(module.get("name").asText())
                .query(Long.class).single()).isZero();
    }

    @Test
    void refusesJsonBodiesOverTheLimit() {
        String big = "{\"workflow_id\": \"" + "x".repeat(1024 * 1024) + "\"}";

        Http.Response tooLarge = http.postRaw("/api/v1/jobs", big);

        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.json().get("detail").asText()).contains("larger than");
    }
}
