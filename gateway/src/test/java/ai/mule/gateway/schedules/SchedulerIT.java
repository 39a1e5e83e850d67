package ai.mule.gateway.schedules;

import ai.mule.testkit.TestClock;
import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.jobs.JobPlanner;
import ai.mule.gateway.jobs.JobService;
import ai.mule.schemas.JobRequest;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Schedulers driven by hand with a clock the test moves, against the real PostgreSQL and broker of the gateway
 * tests. Every slot used here lies a day ahead or more, so the gateway's own scheduler (real clock) never finds
 * them due and only the test's fire them; the relay publishes their jobs to Kafka as it does any job.
 */
class SchedulerIT extends IntegrationTestBase {

    private static final Duration GRACE = Duration.ofMinutes(1);
    /** A day ahead, so no slot used here is due in real time. */
    private static final Instant BASE = Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.HOURS);

    @Autowired
    ScheduleRepository schedules;
    @Autowired
    JobPlanner planner;
    @Autowired
    JobService jobs;
    @Autowired
    TransactionTemplate transactions;

    private final TestClock clock = new TestClock(BASE);
    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @BeforeEach
    void noScheduleDueOnTheTestsClock() {
        // schedules of other tests would come due on this clock, a day ahead: they are paused
        jdbc.sql("UPDATE schedules SET enabled = FALSE").update();
    }

    @AfterEach
    void stopThreadsAndPauseSchedules() {
        threads.shutdownNow();
        // the test classes after this one share the database, and their gateways run the scheduler (ScheduleApiIT)
        jdbc.sql("UPDATE schedules SET enabled = FALSE").update();
    }

    @Test
    void twoSchedulersRacingOverTheSameDatabaseFireEverySlotExactlyOnce() throws Exception {
        String workflowId = workflowWithAStep();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(schedule(workflowId, "* * * * *", "UTC", "skip"));
        }
        ids.forEach(id -> startAt(id, BASE));
        Scheduler first = scheduler();
        Scheduler second = scheduler();

        int handled = 0;
        for (int minute = 0; minute < 5; minute++) {
            clock.set(BASE.plus(Duration.ofMinutes(minute)).plusSeconds(1));
            CountDownLatch start = new CountDownLatch(1);
            CompletableFuture<Integer> a = CompletableFuture.supplyAsync(() -> tickAfter(start, first), threads);
            CompletableFuture<Integer> b = CompletableFuture.supplyAsync(() -> tickAfter(start, second), threads);
            start.countDown();
            handled += a.get() + b.get();
        }

        assertThat(handled).as("every schedule was handled once per minute, by one of the two").isEqualTo(100);
        for (String id : ids) {
            List<Instant> slots = jdbc.sql("SELECT schedule_slot FROM jobs WHERE schedule_id = CAST(? AS UUID) "
                    + "ORDER BY schedule_slot").param(id).query((rs, n) -> rs.getTimestamp(1).toInstant()).list();
            assertThat(slots).containsExactly(BASE, BASE.plusSeconds(60), BASE.plusSeconds(120), BASE.plusSeconds(180),
                    BASE.plusSeconds(240));
            assertThat(runs(id)).isEqualTo(5);
        }
        String someJob = jdbc.sql("SELECT CAST(id AS TEXT) FROM jobs WHERE schedule_id = CAST(? AS UUID) LIMIT 1")
                .param(ids.get(0)).query(String.class).single();
        List<JobRequest> requests = TestKafka.read(Topics.JOB_REQUESTS, someJob, 1, Duration.ofSeconds(15));
        assertThat(requests).as("scheduled jobs go through the outbox to Kafka").hasSize(1);
        assertThat(requests.get(0).workflowId()).isEqualTo(workflowId);
    }

    @Test
    void aSlotAlreadyFiredStartsNoSecondJobEvenIfASchedulerSeesItDueAgain() {
        String id = schedule(workflowWithAStep(), "0 * * * *", "UTC", "skip");
        startAt(id, BASE);
        Scheduler scheduler = scheduler();
        clock.set(BASE.plusSeconds(5));
        assertThat(scheduler.tick()).isEqualTo(1);

        // a stale view of the schedule: its fired slot is due again
        startAt(id, BASE);
        assertThat(scheduler.tick()).isEqualTo(1);

        assertThat(jobsOf(id)).as("the schedule_runs primary key refused the second job").isEqualTo(1);
        assertThat(nextFireAt(id)).isEqualTo(BASE.plus(Duration.ofHours(1)));
    }

    @Test
    void afterADowntimeSkipStartsNothingAndRunOnceStartsOneJobForAllMissedSlots() {
        String workflowId = workflowWithAStep();
        String skip = schedule(workflowId, "0 * * * *", "UTC", "skip");
        String runOnce = schedule(workflowId, "0 * * * *", "UTC", "run_once");
        startAt(skip, BASE);
        startAt(runOnce, BASE);
        Scheduler scheduler = scheduler();

        // no gateway ran for five hours and ten minutes: slots BASE .. BASE+5h were missed
        clock.set(BASE.plus(Duration.ofHours(5)).plus(Duration.ofMinutes(10)));
        assertThat(scheduler.tick()).isEqualTo(2);

        assertThat(jobsOf(skip)).isZero();
        assertThat(nextFireAt(skip)).isEqualTo(BASE.plus(Duration.ofHours(6)));
        assertThat(jobsOf(runOnce)).isEqualTo(1);
        assertThat(jdbc.sql("SELECT slots FROM schedule_runs WHERE schedule_id = CAST(? AS UUID) AND slot = ?")
                .params(runOnce, Timestamp.from(BASE.plus(Duration.ofHours(5)))).query(Integer.class).single())
                .as("one job, as the latest slot, standing for all six").isEqualTo(6);
        assertThat(nextFireAt(runOnce)).isEqualTo(BASE.plus(Duration.ofHours(6)));

        // back to normal: the next slot fires on time for both
        clock.set(BASE.plus(Duration.ofHours(6)).plusSeconds(2));
        assertThat(scheduler.tick()).isEqualTo(2);
        assertThat(jobsOf(skip)).isEqualTo(1);
        assertThat(jobsOf(runOnce)).isEqualTo(2);
    }

    @Test
    void aDailyScheduleAcrossDaylightSavingChangesFiresOncePerExistingLocalTime() {
        String id = schedule(workflowWithAStep(), "30 2 * * *", "Europe/Berlin", "skip");
        // 2027-03-28 02:30 does not exist in Berlin; 2027-10-31 02:30 exists twice
        List<Instant> spring = walk(id, Instant.parse("2027-03-27T01:30:00Z"), Instant.parse("2027-03-30T12:00:00Z"));
        List<Instant> autumn = walk(id, Instant.parse("2027-10-30T00:30:00Z"), Instant.parse("2027-11-01T12:00:00Z"));

        assertThat(spring).containsExactly(Instant.parse("2027-03-27T01:30:00Z"), Instant.parse("2027-03-29T00:30:00Z"),
                Instant.parse("2027-03-30T00:30:00Z"));
        assertThat(autumn).containsExactly(Instant.parse("2027-10-30T00:30:00Z"), Instant.parse("2027-10-31T00:30:00Z"),
                Instant.parse("2027-11-01T01:30:00Z"));
    }

    @Test
    void aJobTheGatewayRefusesIsRecordedAsTheSlotsErrorAndTheScheduleMovesOn() {
        String empty = api.workflow().get("id").asText();
        String refused = schedule(empty, "0 * * * *", "UTC", "skip");
        String fine = schedule(workflowWithAStep(), "0 * * * *", "UTC", "skip");
        startAt(refused, BASE);
        startAt(fine, BASE.plusSeconds(3600));
        Scheduler scheduler = scheduler();

        clock.set(BASE.plus(Duration.ofHours(1)).plusSeconds(1));
        assertThat(scheduler.tick()).isEqualTo(2);

        assertThat(jobsOf(refused)).isZero();
        JsonNode schedule = http.get("/api/v1/schedules/" + refused).json().get("data");
        assertThat(schedule.get("last_error").asText()).contains("has no steps");
        assertThat(Instant.parse(schedule.get("next_fire_at").asText())).isEqualTo(BASE.plus(Duration.ofHours(2)));
        JsonNode run = http.get("/api/v1/schedules/" + refused + "/runs").json().at("/data/0");
        assertThat(run.get("job_id").isNull()).isTrue();
        assertThat(run.get("error").asText()).contains("has no steps");
        assertThat(jobsOf(fine)).as("the other schedule fired all the same").isEqualTo(1);
    }

    /** Moves the clock from slot to slot of the schedule, firing each; returns the slots of the jobs started. */
    private List<Instant> walk(String id, Instant first, Instant until) {
        startAt(id, first);
        Scheduler scheduler = scheduler();
        for (Instant next = first; next != null && next.isBefore(until); next = nextFireAt(id)) {
            clock.set(next.plusSeconds(1));
            scheduler.tick();
        }
        return jdbc.sql("SELECT schedule_slot FROM jobs WHERE schedule_id = CAST(? AS UUID) AND schedule_slot >= ? "
                        + "ORDER BY schedule_slot")
                .params(id, Timestamp.from(first)).query((rs, n) -> rs.getTimestamp(1).toInstant()).list();
    }

    private Scheduler scheduler() {
        return new Scheduler(schedules, planner, jobs, transactions,
                new SchedulesProperties(true, Duration.ofSeconds(1), GRACE, 100), clock);
    }

    private static int tickAfter(CountDownLatch start, Scheduler scheduler) {
        try {
            start.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return scheduler.tick();
    }

    private String workflowWithAStep() {
        JsonNode module = api.module("upper.wasm", "");
        String workflowId = api.workflow().get("id").asText();
        api.wasmStep(workflowId, module.get("id").asText(), map());
        return workflowId;
    }

    private String schedule(String workflowId, String cron, String zone, String missedRuns) {
        Http.Response created = http.post("/api/v1/schedules", map("workflow_id", workflowId, "cron", cron,
                "time_zone", zone, "missed_runs", missedRuns, "input_data", map("prompt", "tick"), "enabled", false));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().at("/data/id").asText();
    }

    /**
     * Enables the schedule with this next slot, as if it had been saved just before it (schedules are created
     * paused, so the gateway's own scheduler never sees their next real slot).
     */
    private void startAt(String id, Instant slot) {
        jdbc.sql("UPDATE schedules SET next_fire_at = ?, enabled = TRUE WHERE id = CAST(? AS UUID)")
                .params(Timestamp.from(slot), id).update();
    }

    private Instant nextFireAt(String id) {
        Timestamp next = jdbc.sql("SELECT next_fire_at FROM schedules WHERE id = CAST(? AS UUID)").param(id)
                .query(Timestamp.class).single();
        return next == null ? null : next.toInstant();
    }

    private long jobsOf(String id) {
        return jdbc.sql("SELECT count(*) FROM jobs WHERE schedule_id = CAST(? AS UUID)").param(id).query(Long.class)
                .single();
    }

    private long runs(String id) {
        return jdbc.sql("SELECT count(*) FROM schedule_runs WHERE schedule_id = ?").param(UUID.fromString(id))
                .query(Long.class).single();
    }
}
