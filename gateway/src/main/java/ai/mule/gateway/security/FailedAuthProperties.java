package ai.mule.gateway.security;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What failed authentication may cost ({@code MULE_SECURITY_FAILED_AUTH_MAX_PER_ADDRESS=20}, ...).
 *
 * @param maxPerAddress       failed authentications one client address may have per {@code window}; past them it
 *                            is answered 429 with {@code Retry-After}, without a key lookup, until the window ends
 *                            (keys it used successfully a moment ago still pass)
 * @param window              the window those failures are counted in
 * @param trackedAddresses    client addresses remembered at once (the least recently failing are forgotten first)
 * @param unknownKeyCacheSize {@code mule_} keys remembered as unknown, so a repeated unknown key costs no query
 * @param unknownKeyTtl       how long an unknown key is remembered; a key created on this gateway is known at once,
 *                            one created on another gateway within this time
 */
@Validated
@ConfigurationProperties("mule.security.failed-auth")
public record FailedAuthProperties(@Positive @DefaultValue("20") int maxPerAddress,
                                   @NotNull @DefaultValue("1m") Duration window,
                                   @Positive @DefaultValue("10000") int trackedAddresses,
                                   @Positive @DefaultValue("10000") int unknownKeyCacheSize,
                                   @NotNull @DefaultValue("10s") Duration unknownKeyTtl) {
}
