package ai.mule.runner.runtime;

import java.util.List;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * A step runner's health for Spring Boot's actuator, as the runners' probe groups use it: liveness is
 * {@link StepRunner#isAlive()} (its threads live; Kafka unreachable does not restart the process), readiness is
 * {@link StepRunner#isHealthy()} with {@link StepRunner#problems()} as the details.
 */
public final class StepRunnerHealth {

    private StepRunnerHealth() {
    }

    public static HealthIndicator liveness(StepRunner runner) {
        return () -> runner.isAlive() ? Health.up().build()
                : Health.down().withDetail("problems", runner.problems()).build();
    }

    public static HealthIndicator readiness(StepRunner runner) {
        return () -> {
            List<String> problems = runner.problems();
            return problems.isEmpty() ? Health.up().build()
                    : Health.outOfService().withDetail("problems", problems).build();
        };
    }
}
