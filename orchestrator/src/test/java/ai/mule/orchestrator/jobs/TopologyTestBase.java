package ai.mule.orchestrator.jobs;

import ai.mule.schemas.Limits;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh orchestrator topology per test, with its state in a directory of its own, closed after the test. */
abstract class TopologyTestBase {

    @TempDir
    Path stateDir;
    OrchestratorDriver orchestrator;

    @BeforeEach
    void startDriver() {
        orchestrator = new OrchestratorDriver(stateDir, Limits.DEFAULTS, settings());
    }

    /**
     * The orchestrator's settings ({@code mule.orchestrator.*} names) besides its defaults: each step in a command of
     * its own, as these tests follow a job one step at a time ({@code CarriedStepsTopologyTest} covers the commands
     * that carry the steps after theirs).
     */
    Map<String, String> settings() {
        return Map.of("steps-per-command", "1");
    }

    @AfterEach
    void closeDriver() {
        orchestrator.close();
    }
}
