package ai.mule.gateway.events;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param startupTimeout how long start-up waits for the job events listener to be positioned at the end of
 *                       every partition; past it the gateway starts anyway and the listener keeps trying
 */
@Validated
@ConfigurationProperties("mule.events")
public record EventsProperties(@NotNull Duration startupTimeout) {
}
