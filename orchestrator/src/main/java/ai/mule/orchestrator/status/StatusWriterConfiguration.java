package ai.mule.orchestrator.status;

import ai.mule.kafka.KafkaClientConfig;
import ai.mule.orchestrator.metrics.JobEventMetrics;
import ai.mule.tracing.Tracing;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
class StatusWriterConfiguration {

    @Bean
    JobStatusRepository jobStatusRepository(NamedParameterJdbcTemplate jdbc, TransactionTemplate transaction) {
        return new JobStatusRepository(jdbc, transaction);
    }

    @Bean
    JobStatusWriter jobStatusWriter(StatusWriterProperties properties, KafkaClientConfig kafka,
                                    JobStatusRepository repository, JobEventMetrics metrics,
                                    Tracing tracing, ConfigurableApplicationContext context) {
        return new JobStatusWriter(properties, kafka, repository, metrics::count,
                () -> System.exit(SpringApplication.exit(context, () -> 1)), tracing);
    }
}
