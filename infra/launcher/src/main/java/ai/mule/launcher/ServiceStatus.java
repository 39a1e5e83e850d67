package ai.mule.launcher;

import java.time.Instant;

/**
 * One service as {@code ./mule up} last saw it, written to {@code status.json} for {@code ./mule status}.
 *
 * @param pid          the process id of its current (or last) process; 0 before it started
 * @param startedAt    when its current process started
 * @param restarts     how often the supervisor started it again after it died
 * @param lastExitCode how its last process ended; null while the first one runs
 */
public record ServiceStatus(String name, long pid, Instant startedAt, int restarts, Integer lastExitCode, String log) {
}
