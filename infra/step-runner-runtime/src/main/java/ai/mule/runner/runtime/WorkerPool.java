package ai.mule.runner.runtime;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The threads that run steps, with one permit per step the runner's concurrency allows: a task is only accepted
 * when a permit is free, so commands wait in Kafka (paused partitions), never in an unbounded queue here.
 * <p>
 * A step that waits for other steps of Mule (an agent tool that runs a workflow through the gateway) gives its
 * permit back while it waits ({@link #givenBackWhile}): the steps it waits for may need this very runner, and with
 * every permit held by a step waiting on them they would never start (every agent step calling a workflow of
 * agents at once deadlocked the runner until the tool calls timed out). So there may be more threads than
 * permits: one per step running plus one per step waiting. The threads are daemons: a step that ignores every
 * interrupt (a tight loop in native code, a wedged library) cannot keep a stopping runner alive past its bounded
 * shutdown.
 */
final class WorkerPool {

    /** The permit of the step the current worker thread runs; absent on any other thread. */
    private static final ThreadLocal<Permit> PERMIT = new ThreadLocal<>();

    private final ThreadPoolExecutor threads;
    private final Semaphore free;
    private volatile boolean abandoned;

    WorkerPool(int size, String name) {
        AtomicInteger count = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(size, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                task -> {
                    Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.free = new Semaphore(size);
    }

    /** Runs the task if a permit is free; false (and nothing done) otherwise. */
    boolean trySubmit(Runnable task) {
        if (!free.tryAcquire()) {
            return false;
        }
        try {
            threads.execute(() -> {
                Permit permit = new Permit(free);
                PERMIT.set(permit);
                try {
                    task.run();
                } finally {
                    PERMIT.remove();
                    permit.giveBack();
                }
            });
            return true;
        } catch (RuntimeException e) {
            free.release();
            throw e;
        }
    }

    /**
     * Runs {@code wait} with the calling step's permit given back, so that another command can start meanwhile;
     * afterwards the step takes a permit again if one is free, and otherwise goes on without (the runner then runs
     * one step more than its concurrency until this one ends: waiting for a permit could hold it past its timeout
     * behind steps that started while it waited). Off a worker thread it just runs {@code wait}.
     */
    static <T> T givenBackWhile(Supplier<T> wait) {
        Permit permit = PERMIT.get();
        if (permit == null) {
            return wait.get();
        }
        permit.giveBack();
        try {
            return wait.get();
        } finally {
            permit.takeIfFree();
        }
    }

    boolean hasFreeThread() {
        return free.availablePermits() > 0;
    }

    /** Waits until a thread is free, at most {@code max}. */
    void awaitFreeThread(Duration max) throws InterruptedException {
        if (free.tryAcquire(max.toNanos(), TimeUnit.NANOSECONDS)) {
            free.release();
        }
    }

    int busy() {
        return threads.getActiveCount();
    }

    /** Takes no more tasks and lets running ones finish, up to {@code grace}; then interrupts them. */
    void shutdown(Duration grace) throws InterruptedException {
        threads.shutdown();
        if (!threads.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) {
            abandoned = true;
            threads.shutdownNow();
            threads.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Whether running steps were interrupted because the runner stops: their outcome is not theirs to report. */
    boolean abandoned() {
        return abandoned;
    }

    void abandonNow() {
        abandoned = true;
        threads.shutdownNow();
    }

    /** One step's permit; used only by the worker thread that runs the step. */
    private static final class Permit {

        private final Semaphore free;
        private boolean held = true;

        Permit(Semaphore free) {
            this.free = free;
        }

        void giveBack() {
            if (held) {
                held = false;
                free.release();
            }
        }

        void takeIfFree() {
            held = free.tryAcquire();
        }
    }
}
