package ai.mule.orchestrator.jobs;

import java.nio.file.Path;
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
        orchestrator = new OrchestratorDriver(stateDir);
    }

    @AfterEach
    void closeDriver() {
        orchestrator.close();
    }
}
