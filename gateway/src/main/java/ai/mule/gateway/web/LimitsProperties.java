package ai.mule.gateway.web;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Request size limits. JSON bodies are capped by {@link JsonBodyLimitFilter}; module uploads by the multipart
 * settings (spring.servlet.multipart.*), which application.yml derives from these values.
 */
@Validated
@ConfigurationProperties("mule.limits")
public record LimitsProperties(@NotNull DataSize maxJsonBody, @NotNull DataSize maxModuleSize,
                               @NotNull DataSize maxModuleRequestSize) {
}
