package ai.mule.gateway.events;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * @param startupTimeout        how long start-up waits for the job events listener to be positioned at the end of
 *                              every partition; past it the gateway starts anyway and the listener keeps trying
 * @param streamTimeout         longest life of one SSE stream ({@code GET /api/v1/jobs/{id}/events}, streamed chat)
 * @param heartbeatInterval     how often an SSE stream sends a comment line, so proxies keep the connection open
 * @param maxPendingBytes       how many bytes of events may wait for one subscriber that reads slowly before it is
 *                              disconnected (with a last {@code event: disconnected} saying why); an event can carry
 *                              a 768 KB output, so a bound in frames would not bound memory
 * @param maxSubscribers        event streams open at once, all callers together; with {@code maxPendingBytes} this
 *                              bounds the memory slow clients can hold (100 x 4 MB = 400 MB at most)
 * @param maxSubscribersPerKey  event streams open at once per API key (per client address when no key is asked for)
 */
@Validated
@ConfigurationProperties("mule.events")
public record EventsProperties(@NotNull Duration startupTimeout,
                               @NotNull @DefaultValue("1h") Duration streamTimeout,
                               @NotNull @DefaultValue("15s") Duration heartbeatInterval,
                               @NotNull @DefaultValue("4MB") DataSize maxPendingBytes,
                               @Positive @DefaultValue("100") int maxSubscribers,
                               @Positive @DefaultValue("10") int maxSubscribersPerKey) {

    public static final String MAX_PENDING_BYTES = "mule.events.max-pending-bytes";
}
