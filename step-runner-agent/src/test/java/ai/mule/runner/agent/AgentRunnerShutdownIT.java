package ai.mule.runner.agent;

import static ai.mule.runner.agent.AgentSteps.agent;
import static ai.mule.runner.agent.AgentSteps.command;
import static ai.mule.runner.agent.AgentSteps.prompt;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.schemas.StepResult;
import ai.mule.schemas.Topics;
import ai.mule.testkit.FakeOpenAiServer;
import ai.mule.testkit.FakeOpenAiServer.Reply;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Stopping a runner (SIGTERM closes the Spring context) lets running steps finish and report within the
 * shutdown timeout; a step cut off after it is left uncommitted, so another runner runs it again.
 */
class AgentRunnerShutdownIT {

    @Test
    void aStepRunningWhenTheRunnerStopsStillReportsAndIsCommitted() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();
        try (FakeOpenAiServer openAi = FakeOpenAiServer.start()) {
            openAi.answerWith(request -> Reply.completion("finished while stopping").after(Duration.ofSeconds(1)));
            String provider = Providers.insert(db, openAi.baseUrl(), null);
            ConfigurableApplicationContext runner = startRunner(db);
            String job = UUID.randomUUID().toString();
            TestKafka.send(Topics.STEPS_AGENT, job, command(job, agent(provider, openAi.baseUrl(), ""), prompt("Hi")));
            assertThat(openAi.awaitRequests(1, Duration.ofSeconds(30))).as("the step has started").hasSize(1);

            runner.close();

            List<StepResult> results = TestKafka.read(Topics.STEP_RESULTS, job, 1, Duration.ofSeconds(5));
            assertThat(results).singleElement().extracting(StepResult::output)
                    .isEqualTo(TextNode.valueOf("finished while stopping"));
            assertThat(RunnerGroup.uncommitted()).as("committed before leaving").isEmpty();
            assertThat(RunnerGroup.members()).as("left the group").isZero();
        }
    }

    @Test
    void aStepAbandonedAtShutdownIsNotReportedAndRunsAgainOnTheNextRunner() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();
        try (FakeOpenAiServer openAi = FakeOpenAiServer.start()) {
            openAi.answerWith(request -> Reply.completion("answered on attempt " + openAi.requests().size())
                    .after(Duration.ofSeconds(1)));
            String provider = Providers.insert(db, openAi.baseUrl(), null);
            ConfigurableApplicationContext impatient = startRunner(db, "--mule.runner.agent.shutdown-timeout=0s");
            String job = UUID.randomUUID().toString();
            TestKafka.send(Topics.STEPS_AGENT, job, command(job, agent(provider, openAi.baseUrl(), ""), prompt("Hi")));
            assertThat(openAi.awaitRequests(1, Duration.ofSeconds(30))).as("the step has started").hasSize(1);

            impatient.close();

            assertThat(TestKafka.read(Topics.STEP_RESULTS, job, 1, Duration.ofSeconds(2)))
                    .as("a stopped step is not a failed step").isEmpty();
            assertThat(RunnerGroup.uncommitted()).as("its command stays uncommitted").isNotEmpty();

            try (ConfigurableApplicationContext next = startRunner(db)) {
                List<StepResult> results = TestKafka.read(Topics.STEP_RESULTS, job, 1, Duration.ofSeconds(30));
                assertThat(results).singleElement().extracting(StepResult::output)
                        .isEqualTo(TextNode.valueOf("answered on attempt 2"));
                RunnerGroup.awaitAllCommitted(Duration.ofSeconds(30));
            }
        }
    }

    private static ConfigurableApplicationContext startRunner(TestPostgres.Database db, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "--mule.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                "--spring.datasource.url=" + db.jdbcUrl(),
                "--spring.datasource.username=" + db.username(),
                "--spring.datasource.password=" + db.password()));
        args.addAll(List.of(more));
        return new SpringApplicationBuilder(AgentRunnerApplication.class).run(args.toArray(String[]::new));
    }
}
