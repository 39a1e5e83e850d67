package ai.mule.gateway.schedules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.gateway.web.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

class SlotPlannerTest {

    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final ScheduleCron HOURLY = ScheduleCron.parse("0 * * * *", "UTC");
    private static final Instant NINE = Instant.parse("2027-01-04T09:00:00Z");

    @Test
    void aSlotDueWithinTheGraceFiresAndTheNextSlotFollows() {
        MissedRuns.Firing firing = SlotPlanner.plan(HOURLY, NINE, NINE.plusSeconds(3), GRACE, MissedRuns.SKIP);

        assertThat(firing).isEqualTo(new MissedRuns.Firing(NINE, 1, 0, NINE.plus(Duration.ofHours(1))));
    }

    @Test
    void skipStartsNothingForSlotsMissedDuringADowntime() {
        Instant now = NINE.plus(Duration.ofHours(5)).plusSeconds(600);

        MissedRuns.Firing firing = SlotPlanner.plan(HOURLY, NINE, now, GRACE, MissedRuns.SKIP);

        assertThat(firing.slot()).isNull();
        assertThat(firing.skipped()).isEqualTo(6);
        assertThat(firing.next()).isEqualTo(NINE.plus(Duration.ofHours(6)));
    }

    @Test
    void skipStillFiresTheLatestSlotWhenItIsOnTime() {
        Instant now = NINE.plus(Duration.ofHours(5)).plusSeconds(20);

        MissedRuns.Firing firing = SlotPlanner.plan(HOURLY, NINE, now, GRACE, MissedRuns.SKIP);

        assertThat(firing).isEqualTo(new MissedRuns.Firing(NINE.plus(Duration.ofHours(5)), 1, 5,
                NINE.plus(Duration.ofHours(6))));
    }

    @Test
    void runOnceStartsOneJobAsTheLatestSlotStandingForAllMissedSlots() {
        Instant now = NINE.plus(Duration.ofHours(5)).plusSeconds(600);

        MissedRuns.Firing firing = SlotPlanner.plan(HOURLY, NINE, now, GRACE, MissedRuns.RUN_ONCE);

        assertThat(firing).isEqualTo(new MissedRuns.Firing(NINE.plus(Duration.ofHours(5)), 6, 0,
                NINE.plus(Duration.ofHours(6))));
    }

    @Test
    void aSingleSlotOlderThanTheGraceIsAMissedRun() {
        Instant now = NINE.plus(Duration.ofMinutes(30));

        assertThat(SlotPlanner.plan(HOURLY, NINE, now, GRACE, MissedRuns.SKIP).slot()).isNull();
        assertThat(SlotPlanner.plan(HOURLY, NINE, now, GRACE, MissedRuns.RUN_ONCE).slot()).isEqualTo(NINE);
    }

    @Test
    void aWeekOfMissedMinutesIsCountedWithoutRunningAway() {
        ScheduleCron everyMinute = ScheduleCron.parse("* * * * *", "UTC");
        Instant now = NINE.plus(Duration.ofDays(7));

        MissedRuns.Firing firing = SlotPlanner.plan(everyMinute, NINE, now, GRACE, MissedRuns.RUN_ONCE);

        assertThat(firing.slot()).isEqualTo(now);
        assertThat(firing.slots()).isEqualTo(7 * 24 * 60 + 1);
    }

    @Test
    void aDailyTimeInTheSpringForwardGapHasNoSlotThatDay() {
        // Europe/Berlin, 2027-03-28: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist that day
        ScheduleCron cron = ScheduleCron.parse("30 2 * * *", "Europe/Berlin");

        assertThat(slots(cron, Instant.parse("2027-03-26T12:00:00Z"), 4)).containsExactly(
                Instant.parse("2027-03-27T01:30:00Z"),
                Instant.parse("2027-03-29T00:30:00Z"),
                Instant.parse("2027-03-30T00:30:00Z"),
                Instant.parse("2027-03-31T00:30:00Z"));
    }

    @Test
    void aDailyTimeInTheAutumnOverlapFiresOnceAndAnIntervalFiresAtEveryRealInstant() {
        // Europe/Berlin, 2027-10-31: 03:00 CEST goes back to 02:00 CET, so 02:00-02:59 happens twice
        ScheduleCron daily = ScheduleCron.parse("30 2 * * *", "Europe/Berlin");
        assertThat(slots(daily, Instant.parse("2027-10-30T12:00:00Z"), 2)).containsExactly(
                Instant.parse("2027-10-31T00:30:00Z"),
                Instant.parse("2027-11-01T01:30:00Z"));

        ScheduleCron halfHourly = ScheduleCron.parse("*/30 2 * * *", "Europe/Berlin");
        assertThat(slots(halfHourly, Instant.parse("2027-10-30T12:00:00Z"), 5)).containsExactly(
                Instant.parse("2027-10-31T00:00:00Z"),
                Instant.parse("2027-10-31T00:30:00Z"),
                Instant.parse("2027-10-31T01:00:00Z"),
                Instant.parse("2027-10-31T01:30:00Z"),
                Instant.parse("2027-11-01T01:00:00Z"));
    }

    @Test
    void refusesWhatCannotBeASchedule() {
        assertRefused("* * * * * *", "UTC", "cron must have five fields");
        assertRefused("61 * * * *", "UTC", "cron '61 * * * *' is not a valid expression");
        assertRefused("0 0 30 2 *", "UTC", "never fires");
        assertRefused("@daily", "UTC", "cron must have five fields");
        assertRefused("", "UTC", "cron is required");
        assertRefused("0 7 * * *\u0000", "UTC", "printable ASCII");
        assertRefused("0 ".repeat(200), "UTC", "at most 200");
        assertRefused("0 7 * * *", "Mars/Olympus_Mons", "time_zone 'Mars/Olympus_Mons' is not a known time zone");
        assertRefused("0 7 * * *", null, "time_zone is required");
        assertRefused("0 7 * * *", "Europe/\u0000", "time_zone must be an IANA zone");
        assertRefused("0 7 * * *", "x".repeat(10_000), "time_zone must be an IANA zone");
    }

    private static void assertRefused(String cron, String zone, String message) {
        assertThatThrownBy(() -> ScheduleCron.parse(cron, zone))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(HttpStatus.BAD_REQUEST))
                .hasMessageContaining(message);
    }

    private static List<Instant> slots(ScheduleCron cron, Instant from, int count) {
        List<Instant> slots = new ArrayList<>();
        Instant at = from;
        for (int i = 0; i < count; i++) {
            at = cron.nextAfter(at).orElseThrow();
            slots.add(at);
        }
        return slots;
    }
}
