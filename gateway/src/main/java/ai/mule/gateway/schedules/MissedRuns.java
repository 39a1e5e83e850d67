package ai.mule.gateway.schedules;

import ai.mule.gateway.web.ApiException;
import java.time.Instant;

/**
 * What a schedule does with slots that passed while no gateway ran (or longer ago than
 * {@code mule.schedules.misfire-grace}): {@code skip} them, or {@code run_once}, one job for them all.
 */
enum MissedRuns {

    /** Missed slots start nothing; the latest slot still starts its job if it is within the grace. */
    SKIP("skip") {
        @Override
        Firing firing(Instant latest, int dueSlots, boolean latestOnTime, Instant next) {
            return latestOnTime ? new Firing(latest, 1, dueSlots - 1, next) : new Firing(null, 0, dueSlots, next);
        }
    },
    /** One job for every missed slot, started as the latest of them (its run records how many it stands for). */
    RUN_ONCE("run_once") {
        @Override
        Firing firing(Instant latest, int dueSlots, boolean latestOnTime, Instant next) {
            return new Firing(latest, dueSlots, 0, next);
        }
    };

    private final String wire;

    MissedRuns(String wire) {
        this.wire = wire;
    }

    String wire() {
        return wire;
    }

    /**
     * What to fire when more than one slot is due, or the one due slot is older than the grace.
     *
     * @param latest       the latest due slot
     * @param dueSlots     how many slots are due (from the stored next slot up to {@code latest})
     * @param latestOnTime whether {@code latest} is within the grace
     * @param next         the first slot after {@code latest}, or null when there is none
     */
    abstract Firing firing(Instant latest, int dueSlots, boolean latestOnTime, Instant next);

    static MissedRuns fromWire(String value) {
        if (value == null) {
            return SKIP;
        }
        for (MissedRuns policy : values()) {
            if (policy.wire.equals(value)) {
                return policy;
            }
        }
        throw ApiException.badRequest("missed_runs must be 'skip' (slots missed while no gateway ran start nothing) "
                + "or 'run_once' (one job for all of them), got '" + value + "'");
    }

    /**
     * One scheduler decision for one schedule.
     *
     * @param slot    the slot whose job to start, or null when none starts
     * @param slots   how many slots that job stands for
     * @param skipped how many due slots start nothing
     * @param next    the schedule's next slot after this decision, or null when the cron has no more
     */
    record Firing(Instant slot, int slots, int skipped, Instant next) {
    }
}
