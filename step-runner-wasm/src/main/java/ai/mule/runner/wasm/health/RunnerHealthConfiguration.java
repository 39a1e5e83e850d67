package ai.mule.runner.wasm.health;

import ai.mule.runner.runtime.StepRunner;
import ai.mule.runner.runtime.StepRunnerHealth;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The runner's probes ({@code management.endpoint.health.group.*} in application.yml):
 * {@code /actuator/health/liveness} is up while the runner's threads live, {@code /actuator/health/readiness}
 * while it consumes without failing, with what is wrong as details.
 */
@Configuration(proxyBeanMethods = false)
class RunnerHealthConfiguration {

    @Bean
    HealthIndicator stepRunnerLoopsHealthIndicator(StepRunner runner) {
        return StepRunnerHealth.liveness(runner);
    }

    @Bean
    HealthIndicator stepRunnerHealthIndicator(StepRunner runner) {
        return StepRunnerHealth.readiness(runner);
    }
}
