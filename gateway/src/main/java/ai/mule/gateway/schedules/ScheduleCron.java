package ai.mule.gateway.schedules;

import ai.mule.gateway.web.ApiException;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * A schedule's cron expression in its time zone, and its slots: every computation of a slot is cron-utils'
 * ({@link ExecutionTime}); this class only adds the zone and refuses what cannot be a schedule.
 *
 * <p>Expressions are Unix cron, five fields ({@code minute hour day-of-month month day-of-week}), so the
 * smallest interval between two slots is one minute: a six-field expression with seconds
 * ({@code * * * * * *}) is refused rather than run every second. Slots are computed in the zone's local time,
 * as cron-utils does: a local time the zone skips (the spring-forward gap) has no slot that day, a local time the
 * zone passes twice (the autumn overlap) fires once for a fixed time of day ({@code 30 2 * * *}) and at every
 * real instant for an interval ({@code *}{@code /15 * * * *}).
 */
final class ScheduleCron {

    static final int MAX_EXPRESSION_LENGTH = 200;
    static final int MAX_ZONE_LENGTH = 64;

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private final String expression;
    private final ZoneId zone;
    private final ExecutionTime executions;

    private ScheduleCron(String expression, ZoneId zone, ExecutionTime executions) {
        this.expression = expression;
        this.zone = zone;
        this.executions = executions;
    }

    /** Parses what a caller sent; every refusal is a 400 naming {@code cron} or {@code time_zone}. */
    static ScheduleCron parse(String expression, String timeZone) {
        ZoneId zone = zone(timeZone);
        if (expression == null || expression.isBlank()) {
            throw ApiException.badRequest("cron is required: five fields 'minute hour day-of-month month day-of-week', "
                    + "e.g. '0 7 * * *' for every day at 07:00");
        }
        if (expression.length() > MAX_EXPRESSION_LENGTH || !expression.chars().allMatch(c -> c >= 32 && c < 127)) {
            throw ApiException.badRequest("cron must be at most " + MAX_EXPRESSION_LENGTH + " printable ASCII "
                    + "characters, e.g. '0 7 * * *'");
        }
        String trimmed = expression.trim();
        int fields = trimmed.split("\\s+").length;
        if (fields != 5) {
            throw ApiException.badRequest("cron must have five fields 'minute hour day-of-month month day-of-week', got "
                    + fields + " in '" + trimmed + "'; schedules fire at most once a minute, so there is no seconds "
                    + "field");
        }
        ExecutionTime executions;
        try {
            executions = ExecutionTime.forCron(PARSER.parse(trimmed).validate());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("cron '" + trimmed + "' is not a valid expression: " + e.getMessage());
        }
        ScheduleCron cron = new ScheduleCron(trimmed, zone, executions);
        if (cron.nextAfter(Instant.now()).isEmpty()) {
            throw ApiException.badRequest("cron '" + trimmed + "' never fires (e.g. February 30th); give a date that "
                    + "exists");
        }
        return cron;
    }

    /** Parses a stored schedule, which was checked when it was saved. */
    static ScheduleCron stored(String expression, String timeZone) {
        return new ScheduleCron(expression, ZoneId.of(timeZone),
                ExecutionTime.forCron(PARSER.parse(expression).validate()));
    }

    private static ZoneId zone(String timeZone) {
        if (timeZone == null || timeZone.isBlank()) {
            throw ApiException.badRequest("time_zone is required: an IANA zone such as 'Europe/Berlin' or 'UTC'");
        }
        if (timeZone.length() > MAX_ZONE_LENGTH || !timeZone.chars().allMatch(c -> c > 32 && c < 127)) {
            throw ApiException.badRequest("time_zone must be an IANA zone such as 'Europe/Berlin' or 'UTC' (at most "
                    + MAX_ZONE_LENGTH + " visible ASCII characters)");
        }
        try {
            return ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw ApiException.badRequest("time_zone '" + timeZone + "' is not a known time zone; use an IANA zone "
                    + "such as 'Europe/Berlin' or 'UTC'");
        }
    }

    String expression() {
        return expression;
    }

    ZoneId zone() {
        return zone;
    }

    /** The first slot strictly after {@code instant}, if the expression has one. */
    Optional<Instant> nextAfter(Instant instant) {
        return executions.nextExecution(instant.atZone(zone)).map(ZonedDateTime::toInstant);
    }

    /** The last slot at or before {@code instant} (slots fall on whole minutes). */
    Optional<Instant> latestAtOrBefore(Instant instant) {
        ZonedDateTime justAfter = instant.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1).atZone(zone);
        return executions.lastExecution(justAfter).map(ZonedDateTime::toInstant);
    }
}
