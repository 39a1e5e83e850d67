package ai.mule.runner.agent.commands;

import java.time.Duration;

/**
 * Counts step commands taken from Kafka and not yet finished, against a limit. When the limit is reached
 * the consumer pauses its partitions instead of buffering more: it keeps polling (so the group never
 * thinks it died and rebalances), but fetches nothing until a worker frees up.
 */
final class WorkInFlight {

    private final int limit;
    private int count;

    WorkInFlight(int limit) {
        this.limit = limit;
    }

    synchronized void add() {
        count++;
    }

    synchronized void remove() {
        count--;
        notifyAll();
    }

    synchronized boolean isFull() {
        return count >= limit;
    }

    synchronized int count() {
        return count;
    }

    /** Waits until there is room or {@code timeout} passes. */
    synchronized void awaitRoom(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long left;
        while (count >= limit && (left = deadline - System.nanoTime()) > 0) {
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
