package ai.mule.gateway.schedules;

import ai.mule.gateway.jobs.JobPlan;
import ai.mule.gateway.jobs.JobPlanner;
import ai.mule.gateway.jobs.JobService;
import ai.mule.gateway.kafka.BackgroundLoop;
import ai.mule.gateway.web.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Fires due schedules: every {@code tick}, each due schedule in its own transaction that
 * <ol>
 *   <li>locks the schedule {@code FOR UPDATE SKIP LOCKED} (other gateways' schedulers pass it by),</li>
 *   <li>decides what is due ({@link SlotPlanner}, the {@code missed_runs} policy),</li>
 *   <li>inserts the slot into {@code schedule_runs}, whose primary key refuses a slot fired before,</li>
 *   <li>accepts the job through {@link JobService#acceptScheduled} (the jobs row and its outbox row),</li>
 *   <li>and moves {@code next_fire_at} past the slot.</li>
 * </ol>
 * All of it commits or none of it does, so a slot fires exactly once however many gateways run: a scheduler that
 * dies mid-way leaves the slot due for the next tick of any gateway. A job the gateway refuses (the workflow lost
 * its steps, its snapshot outgrew the limits) rolls back; the slot is then recorded with the refusal as its error
 * in a second transaction, and the schedule moves on.
 */
@Component
public class Scheduler extends BackgroundLoop {

    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    private final ScheduleRepository schedules;
    private final JobPlanner planner;
    private final JobService jobs;
    private final TransactionTemplate transactions;
    private final SchedulesProperties properties;
    private final Clock clock;
    private final Object wakeup = new Object();

    @Autowired
    Scheduler(ScheduleRepository schedules, JobPlanner planner, JobService jobs, TransactionTemplate transactions,
              SchedulesProperties properties) {
        this(schedules, planner, jobs, transactions, properties, Clock.systemUTC());
    }

    /** For tests: a clock they move, to see slots come due and be missed. */
    Scheduler(ScheduleRepository schedules, JobPlanner planner, JobService jobs, TransactionTemplate transactions,
              SchedulesProperties properties, Clock clock) {
        super("mule-scheduler", Duration.ofSeconds(10));
        this.schedules = schedules;
        this.planner = planner;
        this.jobs = jobs;
        this.transactions = transactions;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    protected boolean enabled() {
        return properties.enabled();
    }

    @Override
    protected void wakeForStop() {
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
    }

    @Override
    protected void loop() {
        while (isRunning()) {
            tick();
            alive();
            synchronized (wakeup) {
                try {
                    if (isRunning()) {
                        wakeup.wait(properties.tick().toMillis());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    halt();
                }
            }
        }
    }

    /** A tick that fires up to {@code batch-size} schedules should end well within a minute. */
    @Override
    protected Duration stallAfter() {
        return properties.tick().plusMinutes(1);
    }

    /** Fires what is due now; returns how many schedules it handled. */
    int tick() {
        int handled = 0;
        while (handled < properties.batchSize() && fireNextDue()) {
            handled++;
        }
        return handled;
    }

    /** Handles the schedule due longest, if any. */
    private boolean fireNextDue() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        AtomicReference<ScheduleRepository.Due> claimed = new AtomicReference<>();
        try {
            Boolean handled = transactions.execute(status -> schedules.lockNextDue(now).map(due -> {
                claimed.set(due);
                fire(due, now);
                return true;
            }).orElse(false));
            return Boolean.TRUE.equals(handled);
        } catch (ApiException refused) {
            ScheduleRepository.Due due = claimed.get();
            if (due == null) {
                throw refused;
            }
            transactions.executeWithoutResult(status -> schedules.lockIfStillDue(due.id(), due.nextFireAt())
                    .ifPresent(still -> recordRefused(still, now, refused.getMessage())));
            return true;
        }
    }

    private void fire(ScheduleRepository.Due due, Instant now) {
        MissedRuns.Firing firing = plan(due, now);
        if (firing.skipped() > 0) {
            log.info("schedule {} skipped {} missed slot(s) from {} (missed_runs: skip)", due.id(), firing.skipped(),
                    due.nextFireAt());
        }
        UUID jobId = null;
        if (firing.slot() != null) {
            jobId = UUID.randomUUID();
            if (schedules.claimSlot(due.id(), firing.slot(), jobId, firing.slots(), null, now)) {
                JobPlan plan = planner.workflow(due.workflowId()).orElseThrow(() -> ApiException.unprocessable(
                        "workflow " + due.workflowId() + " no longer exists"));
                jobs.acceptScheduled(jobId, plan, due.input(), due.id(), firing.slot());
            } else {
                log.warn("schedule {} slot {} was already fired; it starts no second job", due.id(), firing.slot());
                jobId = null;
            }
        }
        schedules.advance(due.id(), firing.next(), jobId == null ? null : firing.slot(), jobId, null, now);
    }

    private void recordRefused(ScheduleRepository.Due due, Instant now, String reason) {
        MissedRuns.Firing firing = plan(due, now);
        log.warn("schedule {} slot {} started no job: {}", due.id(), firing.slot(), reason);
        if (firing.slot() != null) {
            schedules.claimSlot(due.id(), firing.slot(), null, firing.slots(), reason, now);
        }
        schedules.advance(due.id(), firing.next(), firing.slot(), null, reason, now);
    }

    private MissedRuns.Firing plan(ScheduleRepository.Due due, Instant now) {
        ScheduleCron cron = ScheduleCron.stored(due.cron(), due.timeZone());
        return SlotPlanner.plan(cron, due.nextFireAt(), now, properties.misfireGrace(), due.missedRuns());
    }
}
