package ai.mule.gateway.web;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The gateway's separate thread pools ({@code MULE_POOLS_AGENT_CALLS_THREADS=32}, ...). A full pool answers 503 with
 * {@code Retry-After: retryAfter}.
 *
 * @param agentCalls direct {@code agent/<name>} chat completions; each holds a thread for the provider's whole answer
 *                   (up to {@code mule.agent-calls.timeout}), so this pool is the number of such calls at once
 * @param sseWrites  writes of Server-Sent Events; one task per stream with frames waiting, so its queue should hold
 *                   {@code mule.events.max-subscribers}
 * @param answers    a synchronous workflow chat or module-execute call whose wait timed out (one read of its job's
 *                   row), and the last chunk of a streamed workflow chat; a call whose job's end arrives is answered
 *                   on the events listener's thread, no pool in between
 */
@Validated
@ConfigurationProperties("mule.pools")
public record PoolsProperties(@Valid @NotNull @DefaultValue Pool agentCalls,
                              @Valid @NotNull @DefaultValue Pool sseWrites,
                              @Valid @NotNull @DefaultValue Pool answers,
                              @NotNull @DefaultValue("5s") Duration retryAfter) {

    /** Threads of a pool, and how many tasks may wait for one before new ones are refused. */
    public record Pool(@Positive @DefaultValue("16") int threads, @PositiveOrZero @DefaultValue("1000") int queue) {
    }
}
