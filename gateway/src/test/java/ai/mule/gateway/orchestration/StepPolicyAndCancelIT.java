package ai.mule.gateway.orchestration;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.schemas.JobControl;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.StepPolicy;
import ai.mule.schemas.Topics;
import ai.mule.schemas.WorkflowStep;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Step policies set through the workflow API reach the job's snapshot; a cancel is a request the orchestrator
 * decides on, so the gateway never writes a job's status.
 */
class StepPolicyAndCancelIT extends IntegrationTestBase {

    private static final Duration KAFKA_WAIT = Duration.ofSeconds(20);

    @Test
    void aStepWithoutPolicyFieldsShowsItsTypesDefaults() {
        String workflowId = api.workflow().get("id").asText();
        String moduleId = api.module("greet.wasm", "").get("id").asText();

        JsonNode step = api.wasmStep(workflowId, moduleId, map());

        assertThat(step.get("max_attempts").asInt()).isEqualTo(StepPolicy.WASM_DEFAULT.maxAttempts());
        assertThat(step.get("initial_backoff_ms").asLong()).isEqualTo(StepPolicy.WASM_DEFAULT.initialBackoffMs());
        assertThat(step.get("backoff_multiplier").asDouble()).isEqualTo(StepPolicy.WASM_DEFAULT.backoffMultiplier());
        assertThat(step.get("max_backoff_ms").asLong()).isEqualTo(StepPolicy.WASM_DEFAULT.maxBackoffMs());
        assertThat(step.get("timeout_ms").asLong()).isEqualTo(StepPolicy.WASM_DEFAULT.timeoutMs());
        assertThat(step.get("retry_step_failures").asBoolean()).isFalse();
    }

    @Test
    void aSubWorkflowStepShowsThePolicyItsJobsRunWith() {
        String child = api.workflow().get("id").asText();
        api.wasmStep(child, api.module("greet.wasm", "").get("id").asText(), map());
        String workflowId = api.workflow().get("id").asText();
        String steps = "/api/v1/workflows/" + workflowId + "/steps";

        Http.Response created = http.post(steps, map("type", "workflow", "config", map("workflow_id", child)));

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(policyOf(created.json().get("data"))).isEqualTo(WorkflowStep.DEFAULT_POLICY);
        assertThat(policyOf(http.get(steps).json().at("/data/0"))).isEqualTo(WorkflowStep.DEFAULT_POLICY);
        String jobId = http.post("/api/v1/jobs", map("workflow_id", workflowId)).json().at("/data/id").asText();
        assertThat(TestKafka.read(Topics.JOB_REQUESTS, jobId, 1, KAFKA_WAIT).get(0).steps().get(0).policy())
                .as("what the step API shows is what the job runs with").isEqualTo(WorkflowStep.DEFAULT_POLICY);
        // a PUT replaces the step: the fields left out are the sub-workflow defaults again, not a WASM step's
        Http.Response updated = http.put(steps + "/" + created.json().at("/data/id").asText(),
                map("type", "workflow", "config", map("workflow_id", child), "timeout_ms", 3_600_000));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        StepPolicy defaults = WorkflowStep.DEFAULT_POLICY;
        assertThat(policyOf(updated.json().get("data"))).isEqualTo(new StepPolicy(defaults.maxAttempts(),
                defaults.initialBackoffMs(), defaults.backoffMultiplier(), defaults.maxBackoffMs(), 3_600_000,
                defaults.retryStepFailures()));
    }

    private static StepPolicy policyOf(JsonNode step) {
        return new StepPolicy(step.get("max_attempts").asInt(), step.get("initial_backoff_ms").asLong(),
                step.get("backoff_multiplier").asDouble(), step.get("max_backoff_ms").asLong(),
                step.get("timeout_ms").asLong(), step.get("retry_step_failures").asBoolean());
    }

    @Test
    void aStepsPolicyIsSetUpdatedAndCarriedInItsJobsSnapshot() {
        String workflowId = api.workflow().get("id").asText();
        String moduleId = api.module("greet.wasm", "").get("id").asText();
        Http.Response created = http.post("/api/v1/workflows/" + workflowId + "/steps", map("step_type", "wasm_module",
                "wasm_module_id", moduleId, "max_attempts", 5, "initial_backoff_ms", 50, "backoff_multiplier", 1.5,
                "max_backoff_ms", 2000, "timeout_ms", 9000, "retry_step_failures", true));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode step = created.json().get("data");
        assertThat(step.get("max_attempts").asInt()).isEqualTo(5);
        assertThat(step.get("timeout_ms").asLong()).isEqualTo(9000);
        assertThat(step.get("retry_step_failures").asBoolean()).isTrue();
        assertThat(http.get("/api/v1/workflows/" + workflowId + "/steps").json().at("/data/0/backoff_multiplier")
                .asDouble()).isEqualTo(1.5);

        String jobId = http.post("/api/v1/jobs", map("workflow_id", workflowId)).json().at("/data/id").asText();
        JobRequest request = TestKafka.read(Topics.JOB_REQUESTS, jobId, 1, KAFKA_WAIT).get(0);
        assertThat(request.steps().get(0).policy()).isEqualTo(new StepPolicy(5, 50, 1.5, 2000, 9000, true));
        assertThat(request.deadline()).as("timeout_job_seconds (3600) after acceptance")
                .isBetween(request.acceptedAt().plusSeconds(3599), request.acceptedAt().plusSeconds(3601));

        // a PUT replaces the step: fields left out fall back to the defaults
        Http.Response updated = http.put("/api/v1/workflows/" + workflowId + "/steps/" + step.get("id").asText(),
                map("step_type", "wasm_module", "wasm_module_id", moduleId, "max_attempts", 1));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().at("/data/max_attempts").asInt()).isEqualTo(1);
        assertThat(updated.json().at("/data/timeout_ms").asLong()).isEqualTo(StepPolicy.WASM_DEFAULT.timeoutMs());
        String second = http.post("/api/v1/jobs", map("workflow_id", workflowId)).json().at("/data/id").asText();
        assertThat(TestKafka.read(Topics.JOB_REQUESTS, second, 1, KAFKA_WAIT).get(0).steps().get(0).policy())
                .isEqualTo(new StepPolicy(1, 200, 2.0, 10_000, 30_000, false));
    }

    @Test
    void anOutOfRangePolicyIsRefusedWithA400AndNothingIsWritten() {
        String workflowId = api.workflow().get("id").asText();
        String moduleId = api.module("greet.wasm", "").get("id").asText();
        for (Map<String, Object> bad : List.of(map("max_attempts", 0), map("timeout_ms", 0),
                map("backoff_multiplier", 0.5), map("initial_backoff_ms", -1), map("max_backoff_ms", 86_400_001L))) {
            Map<String, Object> body = map("step_type", "wasm_module", "wasm_module_id", moduleId);
            body.putAll(bad);

            Http.Response refused = http.post("/api/v1/workflows/" + workflowId + "/steps", body);

            assertThat(refused.status()).as(bad + " -> " + refused).isEqualTo(400);
            assertThat(refused.json().get("detail").asText()).contains(bad.keySet().iterator().next());
        }
        assertThat(http.get("/api/v1/workflows/" + workflowId + "/steps").json().get("data")).isEmpty();
    }

    @Test
    void everyAttemptOfAStepShowsInItsJobsStepsWithItsErrorAndTiming() {
        String moduleId = api.module("greet.wasm", "").get("id").asText();
        UUID jobId = UUID.fromString(http.post("/api/v1/jobs", map("wasm_module_id", moduleId)).json().at("/data/id")
                .asText());
        // as the job status writer records a step that failed twice and runs a third time
        jdbc.sql("INSERT INTO job_steps (id, job_id, step_index, step_order, status, attempt, error_message, "
                + "failure_kind) VALUES (?, ?, 0, 1, 'running', 3, 'upstream 503', 'provider_unavailable')")
                .params(UUID.randomUUID(), jobId).update();
        jdbc.sql("INSERT INTO job_step_attempts (job_id, step_index, attempt, status, error_message, failure_kind, "
                + "duration_micros, started_at, completed_at) VALUES "
                + "(?, 0, 1, 'failed', 'no result within 35000 ms', 'runner_lost', 0, now(), now()), "
                + "(?, 0, 2, 'failed', 'upstream 503', 'provider_unavailable', 1200, now(), now()), "
                + "(?, 0, 3, 'running', NULL, NULL, NULL, now(), NULL)").params(jobId, jobId, jobId).update();

        JsonNode step = http.get("/api/v1/jobs/" + jobId + "/steps").json().at("/data/0");

        assertThat(step.get("attempt").asInt()).isEqualTo(3);
        assertThat(step.get("error_message").asText()).isEqualTo("upstream 503");
        assertThat(step.get("failure_kind").asText()).isEqualTo("provider_unavailable");
        JsonNode attempts = step.get("attempts");
        assertThat(attempts).hasSize(3);
        assertThat(attempts.get(0).get("failure_kind").asText()).isEqualTo("runner_lost");
        assertThat(attempts.get(1).get("duration_micros").asLong()).isEqualTo(1200);
        assertThat(attempts.get(2).get("status").asText()).isEqualTo("running");
        assertThat(attempts.get(2).get("started_at").isNull()).isFalse();
        assertThat(attempts.get(2).get("completed_at").isNull()).isTrue();
    }

    @Test
    void cancellingARunningJobRecordsTheRequestAndLeavesItsRowToTheOrchestrator() {
        String moduleId = api.module("greet.wasm", "").get("id").asText();
        String jobId = http.post("/api/v1/jobs", map("wasm_module_id", moduleId)).json().at("/data/id").asText();
        // as the job status writer records a job whose step is running
        jdbc.sql("UPDATE jobs SET status = 'running' WHERE id = ?").param(UUID.fromString(jobId)).update();
        jdbc.sql("INSERT INTO job_steps (id, job_id, step_index, step_order, status, attempt) "
                + "VALUES (?, ?, 0, 1, 'running', 1)").params(UUID.randomUUID(), UUID.fromString(jobId)).update();
        jdbc.sql("INSERT INTO job_step_attempts (job_id, step_index, attempt, status, started_at) "
                + "VALUES (?, 0, 1, 'running', now())").param(UUID.fromString(jobId)).update();

        Http.Response requested = http.delete("/api/v1/jobs/" + jobId);

        assertThat(requested.status()).as(requested.toString()).isEqualTo(202);
        assertThat(requested.json().at("/data/status").asText()).as("the job as it stands").isEqualTo("running");
        assertThat(requested.json().at("/data/id").asText()).isEqualTo(jobId);
        List<JobControl> controls = TestKafka.read(Topics.JOB_CONTROL, jobId, 1, KAFKA_WAIT);
        assertThat(controls).singleElement().satisfies(c -> {
            assertThat(c.action()).isEqualTo(JobControl.Action.CANCEL);
            assertThat(c.reason()).isEqualTo("cancelled through the API");
            assertThat(c.at()).isBefore(Instant.now().plusSeconds(1));
        });
        // the gateway wrote nothing into the job: the orchestrator decides, the status writer records
        assertThat(http.get("/api/v1/jobs/" + jobId).json().at("/data/status").asText()).isEqualTo("running");
        assertThat(http.get("/api/v1/jobs/" + jobId + "/steps").json().at("/data/0/status").asText())
                .isEqualTo("running");
        assertThat(jdbc.sql("SELECT status FROM job_step_attempts WHERE job_id = ?").param(UUID.fromString(jobId))
                .query(String.class).single()).isEqualTo("running");
    }

    @Test
    void aJobThatFinishedBeforeItsCancelKeepsItsOutcomeAndFurtherCancelsAnswer409() {
        String moduleId = api.module("greet.wasm", "").get("id").asText();
        String jobId = http.post("/api/v1/jobs", map("wasm_module_id", moduleId)).json().at("/data/id").asText();
        assertThat(http.delete("/api/v1/jobs/" + jobId).status()).isEqualTo(202);
        // the orchestrator had already finished the job: it ignores the cancel, the status writer records completion
        jdbc.sql("UPDATE jobs SET status = 'completed', output_data = '{\"prompt\": \"Hello!\"}', "
                + "completed_at = now() WHERE id = ?").param(UUID.fromString(jobId)).update();

        Http.Response again = http.delete("/api/v1/jobs/" + jobId);

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("detail").asText()).contains("completed");
        assertThat(http.get("/api/v1/jobs/" + jobId).json().at("/data/status").asText()).isEqualTo("completed");
        assertThat(TestKafka.read(Topics.JOB_CONTROL, jobId, 2, Duration.ofSeconds(3)))
                .as("only the first cancel was recorded").hasSize(1);
    }
}
