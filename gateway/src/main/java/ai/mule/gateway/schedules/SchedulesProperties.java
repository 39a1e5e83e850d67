package ai.mule.gateway.schedules;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The scheduler every gateway runs.
 *
 * @param enabled      whether this gateway fires schedules at all (the API works either way); with several
 *                     gateways any number may run it, the database makes each slot fire once
 * @param tick         how often due schedules are looked for: a slot's job starts within one tick of the slot;
 *                     a tick that finds nothing is one indexed query
 * @param misfireGrace how late a slot may still fire as on time; a slot older than this was missed (no gateway
 *                     ran) and the schedule's {@code missed_runs} policy decides
 * @param batchSize    schedules fired per tick at most (each in its own transaction); the rest wait a tick
 */
@Validated
@ConfigurationProperties("mule.schedules")
record SchedulesProperties(boolean enabled, @NotNull Duration tick, @NotNull Duration misfireGrace,
                           @Positive int batchSize) {
}
