package ai.mule.gateway.events;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param startupTimeout   how long start-up waits for the job events listener to be positioned at the end of
 *                         every partition; past it the gateway starts anyway and the listener keeps trying
 * @param streamTimeout    longest life of one SSE stream ({@code GET /api/v1/jobs/{id}/events}, streamed chat)
 * @param heartbeatInterval how often an SSE stream sends a comment line, so proxies keep the connection open
 * @param allJobsMaxPending how many frames of {@code GET /api/v1/jobs/events} may wait for a slow client before its
 *                          stream is dropped (it reconnects and reloads); bounds the memory one stalled client holds
 */
@Validated
@ConfigurationProperties("mule.events")
public record EventsProperties(@NotNull Duration startupTimeout,
                               @NotNull @DefaultValue("1h") Duration streamTimeout,
                               @NotNull @DefaultValue("15s") Duration heartbeatInterval,
                               @Positive @DefaultValue("10000") int allJobsMaxPending) {
}
