package ai.mule.kafka;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Gives every Mule service that has this library on its classpath the same {@link KafkaClientConfig}, bound from
 * {@code mule.kafka.*} ({@code MULE_KAFKA_*}), and creates the missing Mule topics when it starts.
 */
@AutoConfiguration
@EnableConfigurationProperties(KafkaProperties.class)
public class KafkaAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    KafkaClientConfig kafkaClientConfig(KafkaProperties properties) {
        KafkaClientConfig config = new KafkaClientConfig(properties);
        if (properties.createTopics()) {
            new TopicProvisioner(config).ensureMuleTopics();
        }
        return config;
    }
}
