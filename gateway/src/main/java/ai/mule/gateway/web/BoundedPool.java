package ai.mule.gateway.web;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed number of threads and a bounded queue for one kind of work, so that one kind cannot starve another
 * (eight 120 s agent calls once held every thread SSE writes and workflow answers needed). When both are full a task
 * is refused with {@link PoolFullException}, naming the setting that sizes the pool.
 */
public final class BoundedPool implements Executor, AutoCloseable {

    private final ThreadPoolExecutor executor;

    /**
     * @param setting    the property prefix that sizes this pool ({@code mule.pools.agent-calls}), for messages and
     *                   thread names
     * @param retryAfter what a refused caller is told to wait
     */
    BoundedPool(String setting, PoolsProperties.Pool size, Duration retryAfter) {
        String name = setting.substring(setting.lastIndexOf('.') + 1);
        AtomicInteger threads = new AtomicInteger();
        BlockingQueue<Runnable> queue = size.queue() == 0 ? new SynchronousQueue<>()
                : new ArrayBlockingQueue<>(size.queue());
        this.executor = new ThreadPoolExecutor(size.threads(), size.threads(), 60, TimeUnit.SECONDS, queue, r -> {
            Thread t = new Thread(r, "mule-" + name + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, (task, pool) -> {
            throw new PoolFullException("the gateway is busy: all " + size.threads() + " threads of " + setting
                    + " are working and " + size.queue() + " tasks wait; retry after " + retryAfter.toSeconds()
                    + " s, or raise " + setting + ".threads / .queue", retryAfter);
        });
        executor.allowCoreThreadTimeOut(true);
    }

    /** Runs the task on this pool, or throws {@link PoolFullException} at once when the pool is full. */
    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
