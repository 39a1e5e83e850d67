package ai.mule.runner.runtime;

import java.util.List;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A step runner's health for Spring Boot's actuator, as the runners' probe groups use it: liveness is
 * {@link StepRunner#isAlive()} (its threads live; Kafka unreachable does not restart the process), readiness is
 * {@link StepRunner#isHealthy()} with {@link StepRunner#problems()} as the details. A runner imports this
 * configuration; its {@code application.yml} puts {@code stepRunnerLoops} in the liveness group and
 * {@code stepRunner} in the readiness group.
 */
@Configuration(proxyBeanMethods = false)
public class StepRunnerHealth {

    @Bean
    HealthIndicator stepRunnerLoopsHealthIndicator(StepRunner runner) {
        return liveness(runner);
    }

    @Bean
    HealthIndicator stepRunnerHealthIndicator(StepRunner runner) {
        return readiness(runner);
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
