package ai.mule.gateway.health;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * What {@code GET /health} requires.
 *
 * @param requiredGroups consumer groups that must each have an active member: without them jobs are accepted
 *                       but never run (set empty to check only PostgreSQL and Kafka)
 * @param cacheTtl       how long one check's answer is reused, so load balancers polling /health cost nothing
 * @param timeout        how long each dependency may take to answer
 */
@Validated
@ConfigurationProperties("mule.health")
public record HealthProperties(List<String> requiredGroups, @NotNull Duration cacheTtl, @NotNull Duration timeout) {

    public HealthProperties {
        requiredGroups = requiredGroups == null ? List.of()
                : requiredGroups.stream().map(String::trim).filter(g -> !g.isEmpty()).toList();
    }
}
