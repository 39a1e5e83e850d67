package ai.mule.gateway.schedules;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The schedules API, and a slot fired by the scheduler this gateway runs (tick 1 s), through the outbox to Kafka. */
class ScheduleApiIT extends IntegrationTestBase {

    /**
     * Pauses the schedules these tests made. The test classes after this one share its database (and its cached
     * gateway contexts run the scheduler): an every-minute schedule left enabled started a job at each minute's turn,
     * in the middle of another class's row counts (MalformedRequestsIT).
     */
    @AfterEach
    void pauseSchedules() {
        jdbc.sql("UPDATE schedules SET enabled = FALSE").update();
    }


    @Test
    void createsReadsListsByWorkflowPausesResumesAndDeletesASchedule() {
        String workflowId = api.workflow().get("id").asText();
        String otherWorkflow = api.workflow().get("id").asText();

        Http.Response created = http.post("/api/v1/schedules", map("workflow_id", workflowId, "name", "digest",
                "cron", "0 7 * * *", "time_zone", "Europe/Berlin", "input_data", map("topic", "news"),
                "missed_runs", "run_once"));

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode schedule = created.json().get("data");
        String id = schedule.get("id").asText();
        assertThat(schedule.get("enabled").asBoolean()).isTrue();
        assertThat(schedule.get("missed_runs").asText()).isEqualTo("run_once");
        assertThat(schedule.at("/input_data/topic").asText()).isEqualTo("news");
        Instant next = Instant.parse(schedule.get("next_fire_at").asText());
        assertThat(next).isAfter(Instant.now()).isBefore(Instant.now().plus(Duration.ofHours(25)));
        assertThat(next.atZone(java.time.ZoneId.of("Europe/Berlin")).getHour()).isEqualTo(7);
        http.post("/api/v1/schedules", map("workflow_id", otherWorkflow, "cron", "0 * * * *", "time_zone", "UTC"));

        JsonNode listed = http.get("/api/v1/schedules?workflow_id=" + workflowId).json();
        assertThat(listed.get("data")).hasSize(1);
        assertThat(listed.at("/data/0/id").asText()).isEqualTo(id);
        assertThat(listed.at("/data/0/workflow_name").asText()).isEqualTo(
                http.get("/api/v1/workflows/" + workflowId).json().at("/data/name").asText());

        JsonNode paused = http.put("/api/v1/schedules/" + id, map("enabled", false)).json().get("data");
        assertThat(paused.get("enabled").asBoolean()).isFalse();
        assertThat(paused.get("next_fire_at").isNull()).as("a paused schedule has no next slot").isTrue();
        assertThat(paused.get("cron").asText()).as("fields left out keep their value").isEqualTo("0 7 * * *");

        JsonNode resumed = http.put("/api/v1/schedules/" + id, map("enabled", true, "cron", "30 6 * * 1-5"))
                .json().get("data");
        assertThat(resumed.get("enabled").asBoolean()).isTrue();
        assertThat(Instant.parse(resumed.get("next_fire_at").asText())).isAfter(Instant.now());
        assertThat(http.get("/api/v1/schedules/" + id).json().at("/data/cron").asText()).isEqualTo("30 6 * * 1-5");

        // what a GET answered can be sent back, the fields only the gateway sets (id, next_fire_at...) ignored
        JsonNode read = http.get("/api/v1/schedules/" + id).json().get("data");
        Http.Response sentBack = http.put("/api/v1/schedules/" + id, read);
        assertThat(sentBack.status()).as(sentBack.toString()).isEqualTo(200);
        assertThat(sentBack.json().at("/data/cron").asText()).isEqualTo("30 6 * * 1-5");
        Http.Response copied = http.post("/api/v1/schedules", read);
        assertThat(copied.status()).as(copied.toString()).isEqualTo(201);
        assertThat(copied.json().at("/data/id").asText()).isNotEqualTo(id);
        assertThat(http.delete("/api/v1/schedules/" + copied.json().at("/data/id").asText()).status()).isEqualTo(204);

        assertThat(http.get("/api/v1/schedules/" + id + "/runs?limit=100").status()).isEqualTo(200);
        for (String limit : List.of("0", "101")) {
            Http.Response refused = http.get("/api/v1/schedules/" + id + "/runs?limit=" + limit);
            assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
            assertThat(refused.json().get("detail").asText()).isEqualTo("limit must be between 1 and 100, got " + limit);
        }

        assertThat(http.delete("/api/v1/schedules/" + id).status()).isEqualTo(204);
        assertThat(http.get("/api/v1/schedules/" + id).status()).isEqualTo(404);
        assertThat(http.delete("/api/v1/schedules/" + id).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/schedules/not-a-uuid").status()).isEqualTo(404);
    }

    @Test
    void refusesHostileSchedulesNamingTheField() {
        String workflowId = api.workflow().get("id").asText();

        assertRefused(400, "cron must have five fields", map("workflow_id", workflowId, "cron", "* * * * * *",
                "time_zone", "UTC"));
        assertRefused(400, "is not a valid expression", map("workflow_id", workflowId, "cron", "0 25 * * *",
                "time_zone", "UTC"));
        assertRefused(400, "time_zone 'Moon/Base' is not a known time zone", map("workflow_id", workflowId,
                "cron", "0 7 * * *", "time_zone", "Moon/Base"));
        assertRefused(400, "time_zone is required", map("workflow_id", workflowId, "cron", "0 7 * * *"));
        assertRefused(400, "workflow_id is required", map("cron", "0 7 * * *", "time_zone", "UTC"));
        assertRefused(400, "workflow_id must be a UUID", map("workflow_id", "nope", "cron", "0 7 * * *",
                "time_zone", "UTC"));
        assertRefused(422, "names no workflow", map("workflow_id", "0f8fad5b-d9cb-469f-a165-70867728950e",
                "cron", "0 7 * * *", "time_zone", "UTC"));
        assertRefused(400, "missed_runs must be 'skip'", map("workflow_id", workflowId, "cron", "0 7 * * *",
                "time_zone", "UTC", "missed_runs", "catch_up"));
        assertRefused(400, "name", map("workflow_id", workflowId, "cron", "0 7 * * *", "time_zone", "UTC",
                "name", "bad\u0000name"));
        assertRefused(400, "input", map("workflow_id", workflowId, "cron", "0 7 * * *", "time_zone", "UTC",
                "input_data", map("text", "nul\u0000here")));
        assertRefused(400, "input_data must be a JSON object", map("workflow_id", workflowId, "cron", "0 7 * * *",
                "time_zone", "UTC", "input_data", List.of(1, 2)));
        Http.Response huge = http.post("/api/v1/schedules", map("workflow_id", workflowId, "cron", "0 7 * * *",
                "time_zone", "UTC", "input_data", map("prompt", "y".repeat(300_000))));
        assertThat(huge.status()).as(huge.toString()).isEqualTo(413);
        assertThat(huge.json().get("limit").asText()).isEqualTo("mule.limits.max-job-input-bytes");
        Http.Response deep = http.postRaw("/api/v1/schedules", "{\"workflow_id\": \"" + workflowId
                + "\", \"cron\": \"0 7 * * *\", \"time_zone\": \"UTC\", \"input_data\": {\"a\": "
                + "[".repeat(100) + "]".repeat(100) + "}}");
        assertThat(deep.status()).as(deep.toString()).isEqualTo(400);

        assertThat(jdbc.sql("SELECT count(*) FROM schedules WHERE workflow_id = CAST(? AS UUID)").param(workflowId)
                .query(Long.class).single()).as("nothing refused was stored").isZero();
        Http.Response valid = http.post("/api/v1/schedules", map("workflow_id", workflowId, "cron", "0 7 * * *",
                "time_zone", "UTC"));
        Http.Response badUpdate = http.put("/api/v1/schedules/" + valid.json().at("/data/id").asText(),
                map("time_zone", "Nowhere/Land"));
        assertThat(badUpdate.status()).isEqualTo(400);
        assertThat(badUpdate.json().get("detail").asText()).contains("time_zone");
    }

    @Test
    void aDueSlotStartsOneJobThatSaysWhichScheduleAndSlotStartedIt() {
        JsonNode module = api.module("upper.wasm", "");
        String workflowId = api.workflow().get("id").asText();
        api.wasmStep(workflowId, module.get("id").asText(), map());
        String id = http.post("/api/v1/schedules", map("workflow_id", workflowId, "cron", "* * * * *",
                "time_zone", "UTC", "input_data", map("prompt", "scheduled"), "missed_runs", "run_once"))
                .json().at("/data/id").asText();

        // the slot of this minute comes due now (instead of waiting for the next minute)
        jdbc.sql("UPDATE schedules SET next_fire_at = date_trunc('minute', now()) WHERE id = CAST(? AS UUID)")
                .param(id).update();

        JsonNode fired = await().atMost(Duration.ofSeconds(15)).until(
                () -> http.get("/api/v1/schedules/" + id).json().get("data"), s -> !s.get("last_job_id").isNull());
        String jobId = fired.get("last_job_id").asText();
        Instant slot = Instant.parse(fired.get("last_slot").asText());
        assertThat(slot.getEpochSecond() % 60).as("slots fall on whole minutes").isZero();
        assertThat(Instant.parse(fired.get("next_fire_at").asText())).isAfter(slot);

        JsonNode job = http.get("/api/v1/jobs/" + jobId).json().get("data");
        assertThat(job.get("schedule_id").asText()).isEqualTo(id);
        assertThat(Instant.parse(job.get("schedule_slot").asText())).isEqualTo(slot);
        assertThat(job.get("source").asText()).isEqualTo("schedule");
        assertThat(job.at("/input_data/prompt").asText()).isEqualTo("scheduled");

        JsonNode runs = http.get("/api/v1/schedules/" + id + "/runs").json().get("data");
        assertThat(runs.get(0).get("job_id").asText()).isEqualTo(jobId);
        assertThat(Instant.parse(runs.get(0).get("slot").asText())).isEqualTo(slot);

        List<JobRequest> requests = TestKafka.read(Topics.JOB_REQUESTS, jobId, 1, Duration.ofSeconds(15));
        assertThat(requests).as("the job went through the outbox to Kafka").hasSize(1);
        assertThat(requests.get(0).workflowId()).isEqualTo(workflowId);
        assertThat(requests.get(0).input().get("prompt").asText()).isEqualTo("scheduled");
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE schedule_id = CAST(? AS UUID) AND schedule_slot = ?")
                .params(id, java.sql.Timestamp.from(slot)).query(Long.class).single()).isEqualTo(1);
    }

    private void assertRefused(int status, String detail, Map<String, Object> body) {
        Http.Response refused = http.post("/api/v1/schedules", body);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(status);
        assertThat(refused.json().get("detail").asText()).contains(detail);
    }
}
