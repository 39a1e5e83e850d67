package ai.mule.gateway.agentcall;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Direct {@code agent/<name>} calls ({@code MULE_AGENT_CALLS_TIMEOUT=60s}).
 *
 * @param timeout     how long one provider call may take (connect and reply; for a stream, between tokens)
 * @param clientCache provider clients kept between calls (one per provider, model and key)
 */
@ConfigurationProperties("mule.agent-calls")
@Validated
public record AgentCallProperties(@NotNull @DurationMin(millis = 1) @DefaultValue("120s") Duration timeout,
                                  @Positive @DefaultValue("64") int clientCache) {
}
