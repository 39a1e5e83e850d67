package ai.mule.tracing;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Gives every Mule service with this library on its classpath its {@link Tracing}, set up from the {@code OTEL_*}
 * variables; the service's name is {@code spring.application.name} unless {@code OTEL_SERVICE_NAME} says otherwise.
 */
@AutoConfiguration
public class TracingAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Tracing muleTracing(Environment environment) {
        return Tracing.fromEnvironment(environment.getProperty("spring.application.name", "mule"));
    }
}
