package ai.mule.gateway.settings;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** @param cacheTtl how long a setting read from the {@code settings} table is reused before it is read again */
@Validated
@ConfigurationProperties("mule.settings")
public record SettingsProperties(@NotNull Duration cacheTtl) {
}
