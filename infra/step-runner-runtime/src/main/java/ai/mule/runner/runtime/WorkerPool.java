package ai.mule.runner.runtime;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed number of threads that run steps, with one permit per thread: a task is only accepted when a
 * thread is free, so commands wait in Kafka (paused partitions), never in an unbounded queue here. The
 * threads are daemons: a step that ignores every interrupt (a tight loop in native code, a wedged library)
 * cannot keep a stopping runner alive past its bounded shutdown.
 */
final class WorkerPool {

    private final ThreadPoolExecutor threads;
    private final Semaphore free;
    private volatile boolean abandoned;

    WorkerPool(int size, String name) {
        AtomicInteger count = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(size, size, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.free = new Semaphore(size);
    }

    /** Runs the task if a thread is free; false (and nothing done) otherwise. */
    boolean trySubmit(Runnable task) {
        if (!free.tryAcquire()) {
            return false;
        }
        try {
            threads.execute(() -> {
                try {
                    task.run();
                } finally {
                    free.release();
                }
            });
            return true;
        } catch (RuntimeException e) {
            free.release();
            throw e;
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
}
