package ai.mule.runner.agent;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The agent step runner: a member of consumer group {@code mule-step-runner-agent} on
 * {@code mule.steps.agent} that calls each step's provider and reports to {@code mule.steps.results}.
 * No web server; scale by starting more processes.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class AgentRunnerApplication {

    public static void main(String[] args) {
        SpringApplication.run(AgentRunnerApplication.class, args);
    }
}
