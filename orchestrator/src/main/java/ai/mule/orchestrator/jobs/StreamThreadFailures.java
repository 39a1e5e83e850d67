package ai.mule.orchestrator.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a stream thread dies. Under exactly-once a replaced thread resumes from the last commit, so
 * nothing is lost or doubled, and a passing failure (a broker that was briefly away) is survived by replacing the
 * thread. A failure that comes back every time (the same input failing the same way) would make that a silent
 * loop in which no job on the partition moves while the process looks alive; so only {@code maxReplacements}
 * threads are replaced within {@code window}. The next failure, and any {@link Error} at once (an
 * {@code OutOfMemoryError} may have broken any thread), shuts the Streams client down: it goes to ERROR and
 * {@link OrchestratorStreams} exits the process non-zero, so that its supervisor restarts it and the crash loop,
 * if there is one, is in plain sight.
 */
final class StreamThreadFailures implements StreamsUncaughtExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(StreamThreadFailures.class);

    private final int maxReplacements;
    private final Duration window;
    private final Clock clock;
    private final Deque<Instant> replacements = new ArrayDeque<>();

    StreamThreadFailures(int maxReplacements, Duration window, Clock clock) {
        this.maxReplacements = maxReplacements;
        this.window = window;
        this.clock = clock;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        if (causedByError(exception)) {
            log.error("A stream thread died of an Error; the orchestrator shuts down so that its supervisor "
                    + "restarts it", exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        Instant now = clock.instant();
        while (!replacements.isEmpty() && replacements.peekFirst().isBefore(now.minus(window))) {
            replacements.removeFirst();
        }
        if (replacements.size() >= maxReplacements) {
            log.error("A stream thread failed again: {} were replaced within {}, so the failure is not passing; the "
                    + "orchestrator shuts down (exit code 1) so that its supervisor restarts it", replacements.size(),
                    window, exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        replacements.addLast(now);
        log.error("A stream thread failed; replacing it ({} of at most {} replacements within {})",
                replacements.size(), maxReplacements, window, exception);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    private static boolean causedByError(Throwable exception) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
            if (cause instanceof Error) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }
}
