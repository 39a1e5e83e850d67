package ai.mule.orchestrator.health;

import ai.mule.orchestrator.jobs.OrchestratorStreams;
import ai.mule.orchestrator.status.JobStatusWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams.State;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The orchestrator's probes ({@code management.endpoint.health.group.*} in application.yml).
 * <ul>
 *   <li>liveness ({@code orchestratorLoops}): the Streams client has not stopped for good (ERROR, or shutting down
 *       without being asked) and the status writer's thread lives. A broker out of reach is
 *       not a reason to restart the process: Streams and the writer wait for it.</li>
 *   <li>readiness ({@code orchestrator}): Streams processes (RUNNING, or REBALANCING, which is part of running)
 *       and the status writer runs.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class OrchestratorHealthConfiguration {

    @Bean
    HealthIndicator orchestratorLoopsHealthIndicator(OrchestratorStreams streams, JobStatusWriter writer) {
        return () -> {
            List<String> problems = new ArrayList<>();
            State state = streams.state();
            if (state == State.ERROR || state == State.PENDING_ERROR || state == State.NOT_RUNNING) {
                problems.add("orchestrator streams are " + state);
            }
            if (!writer.isRunning()) {
                problems.add("the job status writer is not running");
            }
            return health(problems, Health.down(), state);
        };
    }

    @Bean
    HealthIndicator orchestratorHealthIndicator(OrchestratorStreams streams, JobStatusWriter writer) {
        return () -> {
            List<String> problems = new ArrayList<>();
            State state = streams.state();
            if (state != State.RUNNING && state != State.REBALANCING) {
                problems.add("orchestrator streams are " + state + ", not RUNNING");
            }
            if (!writer.isRunning()) {
                problems.add("the job status writer is not running");
            }
            return health(problems, Health.outOfService(), state);
        };
    }

    private static Health health(List<String> problems, Health.Builder unhealthy, State state) {
        Health.Builder builder = problems.isEmpty() ? Health.up() : unhealthy.withDetail("problems", problems);
        return builder.withDetail("streams", state.name()).build();
    }
}
