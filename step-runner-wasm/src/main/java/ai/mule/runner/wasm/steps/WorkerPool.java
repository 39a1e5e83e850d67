package ai.mule.runner.wasm.steps;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed number of threads that run steps, with one permit per thread: a task is only accepted when a
 * thread is free, so commands wait in Kafka (paused partitions), never in an unbounded queue here.
 */
final class WorkerPool {

    private final ThreadPoolExecutor threads;
    private final Semaphore free;

    WorkerPool(int size) {
        AtomicInteger count = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(size, size, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread thread = new Thread(task, "wasm-step-" + count.incrementAndGet());
            thread.setDaemon(false);
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

    void shutdown() {
        threads.shutdown();
    }

    boolean awaitTermination(Duration max) throws InterruptedException {
        return threads.awaitTermination(max.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Interrupts the runs still going: Chicory stops them at their next call or loop iteration. */
    void interrupt() {
        threads.shutdownNow();
    }
}
