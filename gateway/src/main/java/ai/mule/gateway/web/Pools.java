package ai.mule.gateway.web;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The three bounded pools, as beans named for what runs on them (inject with {@code @Qualifier}). */
@Configuration(proxyBeanMethods = false)
class Pools {

    @Bean(destroyMethod = "close")
    BoundedPool agentCallPool(PoolsProperties properties) {
        return new BoundedPool("mule.pools.agent-calls", properties.agentCalls(), properties.retryAfter());
    }

    @Bean(destroyMethod = "close")
    BoundedPool sseWritePool(PoolsProperties properties) {
        return new BoundedPool("mule.pools.sse-writes", properties.sseWrites(), properties.retryAfter());
    }

    @Bean(destroyMethod = "close")
    BoundedPool answerPool(PoolsProperties properties) {
        return new BoundedPool("mule.pools.answers", properties.answers(), properties.retryAfter());
    }
}
