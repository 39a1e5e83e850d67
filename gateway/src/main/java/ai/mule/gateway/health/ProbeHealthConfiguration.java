package ai.mule.gateway.health;

import ai.mule.gateway.kafka.BackgroundLoop;
import java.util.List;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The gateway's probes for an orchestrator such as Kubernetes ({@code management.endpoint.health.group.*} in
 * application.yml); {@code /health} stays as it is.
 * <ul>
 *   <li>liveness ({@code gatewayLoops}): no background loop has ended for good. A loop that failed and waits to
 *       be restarted is supervised, not dead, and Kafka or PostgreSQL out of reach is no reason to restart.</li>
 *   <li>readiness ({@code pipeline}): what {@code /health} says, {@link Readiness}, its problems as details.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class ProbeHealthConfiguration {

    @Bean
    HealthIndicator gatewayLoopsHealthIndicator(List<BackgroundLoop> loops) {
        return () -> {
            List<String> dead = loops.stream()
                    .filter(loop -> !loop.isRunning())
                    .flatMap(loop -> loop.problem().stream())
                    .toList();
            return dead.isEmpty() ? Health.up().build() : Health.down().withDetail("problems", dead).build();
        };
    }

    @Bean
    HealthIndicator pipelineHealthIndicator(Readiness readiness) {
        return () -> {
            Readiness.Result result = readiness.check();
            return result.ready() ? Health.up().build()
                    : Health.outOfService().withDetail("problems", result.problems()).build();
        };
    }
}
