package ai.mule.gateway.schedules;

import java.time.Duration;
import java.time.Instant;

/**
 * Decides what a due schedule fires now. A slot is on time while it is at most {@code grace} old: one due
 * slot on time simply fires. Anything else means slots were missed (no gateway ran, or the database was away
 * longer than the grace), and the schedule's {@link MissedRuns} policy decides.
 */
final class SlotPlanner {

    /** Missed slots are counted up to this many (an every-minute schedule down for a week has 10,080). */
    static final int MAX_COUNTED = 100_000;

    private SlotPlanner() {
    }

    static MissedRuns.Firing plan(ScheduleCron cron, Instant due, Instant now, Duration grace, MissedRuns policy) {
        Instant latest = cron.latestAtOrBefore(now).filter(slot -> slot.isAfter(due)).orElse(due);
        Instant next = cron.nextAfter(latest).orElse(null);
        boolean onTime = !latest.isBefore(now.minus(grace));
        int dueSlots = countSlots(cron, due, latest);
        if (dueSlots == 1 && onTime) {
            return new MissedRuns.Firing(latest, 1, 0, next);
        }
        return policy.firing(latest, dueSlots, onTime, next);
    }

    /** Slots from {@code first} to {@code last}, both included. */
    private static int countSlots(ScheduleCron cron, Instant first, Instant last) {
        int count = 1;
        Instant slot = first;
        while (slot.isBefore(last) && count < MAX_COUNTED) {
            slot = cron.nextAfter(slot).orElse(last);
            count++;
        }
        return count;
    }
}
