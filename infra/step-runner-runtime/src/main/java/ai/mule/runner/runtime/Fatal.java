package ai.mule.runner.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a loop the runner cannot work without dies of an {@code Error}: by default the process
 * exits non-zero, so that its supervisor (the launcher, Kubernetes) starts a new one. A runner whose consumer
 * loop is gone but whose process lives would keep its place in the consumer group's eyes for nothing, or
 * leave its partitions to nobody: never half-alive. Tests give one that records the call.
 */
@FunctionalInterface
public interface Fatal {

    /** The exit code of a runner that stopped this way (EX_SOFTWARE). */
    int EXIT_CODE = 70;

    void halt(String what, Throwable cause);

    /** Logs, then exits the JVM from a thread of its own (the shutdown hooks may join the dying loop). */
    static Fatal exitProcess() {
        return (what, cause) -> {
            Logger log = LoggerFactory.getLogger(Fatal.class);
            log.error("{} died; exiting with code {} so that the runner is restarted", what, EXIT_CODE, cause);
            Thread exit = new Thread(() -> System.exit(EXIT_CODE), "step-runner-fatal-exit");
            exit.start();
        };
    }
}
