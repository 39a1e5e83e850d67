package ai.mule.gateway.ws;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code WS /ws}, Mule v2's job updates.
 *
 * @param maxSessions   sockets open at once; one more is closed at once with 1013 (try again later)
 * @param maxBuffered   what may wait for one slow client; past it the socket is closed (the client reconnects
 *                      and reloads, as with the SSE stream of every job)
 */
@Validated
@ConfigurationProperties("mule.ws")
record WsProperties(@Positive @DefaultValue("100") int maxSessions,
                    @NotNull @DefaultValue("1MB") DataSize maxBuffered) {
}
