package ai.mule.orchestrator;

import static org.awaitility.Awaitility.await;

import ai.mule.orchestrator.jobs.OrchestratorStreams;
import ai.mule.testkit.TestKafka;
import ai.mule.testkit.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The orchestrator started as its application for an IT: against the shared test broker and the test's own
 * database, under the Streams application id and status-writer group the test names (so tests never share state),
 * returned once its streams run.
 */
final class TestOrchestrator {

    private static final Duration STARTUP = Duration.ofSeconds(90);

    private TestOrchestrator() {
    }

    /** @param settings further {@code --name=value} arguments, e.g. shorter timeouts or other limits */
    static ConfigurableApplicationContext start(TestPostgres.Database db, Path stateDir, String applicationId,
                                                String writerGroup, String... settings) {
        List<String> args = new ArrayList<>(List.of(
                "--mule.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                "--mule.orchestrator.application-id=" + applicationId,
                "--mule.orchestrator.state-dir=" + stateDir,
                "--mule.orchestrator.status-writer.group-id=" + writerGroup,
                "--spring.datasource.url=" + db.jdbcUrl(),
                "--spring.datasource.username=" + db.username(),
                "--spring.datasource.password=" + db.password()));
        args.addAll(List.of(settings));
        ConfigurableApplicationContext app = new SpringApplicationBuilder(OrchestratorApplication.class)
                .run(args.toArray(String[]::new));
        OrchestratorStreams streams = app.getBean(OrchestratorStreams.class);
        await().atMost(STARTUP).until(() -> streams.state() == KafkaStreams.State.RUNNING);
        return app;
    }
}
