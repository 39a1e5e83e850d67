package ai.mule.runner.runtime;

import ai.mule.tracing.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A step runner: a member of a consumer group on a step topic that runs each command with a
 * {@link StepHandler} and publishes its result. {@link #start()} starts the consumer thread (not a daemon: in a
 * service without a web server it is what keeps the JVM alive), the workers and the job control listener;
 * {@link #close()} lets running steps finish up to the grace period, commits what was published and leaves the
 * group. If the consumer thread or the control listener dies of an {@code Error}, or the consumer keeps failing,
 * {@link Fatal} ends the process.
 */
public final class StepRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StepRunner.class);

    private final RunnerSettings settings;
    private final StepHandler handler;
    private final Clock clock;
    private final Fatal fatal;
    private final RunnerMetrics metrics;
    private final Tracing tracing;
    private volatile boolean running;
    private Thread thread;
    private ConsumerLoop loop;
    private JobControlListener control;

    public StepRunner(RunnerSettings settings, StepHandler handler) {
        this(settings, handler, Clock.systemUTC(), Fatal.exitProcess(), null, Tracing.off());
    }

    /**
     * @param meters  where the runner's metrics go ({@code mule_step_duration_seconds}, {@code mule_consumer_lag_records},
     *                {@code mule_job_cancels_received_total})
     * @param tracing a span per step run, in its job's trace
     */
    public StepRunner(RunnerSettings settings, StepHandler handler, MeterRegistry meters, Tracing tracing) {
        this(settings, handler, Clock.systemUTC(), Fatal.exitProcess(), meters, tracing);
    }

    public StepRunner(RunnerSettings settings, StepHandler handler, Clock clock, Fatal fatal) {
        this(settings, handler, clock, fatal, null, Tracing.off());
    }

    /** @param meters where the runner's metrics go; null keeps them in a registry nobody reads */
    public StepRunner(RunnerSettings settings, StepHandler handler, Clock clock, Fatal fatal, MeterRegistry meters,
                      Tracing tracing) {
        this.settings = settings;
        this.handler = handler;
        this.clock = clock;
        this.fatal = fatal;
        this.metrics = new RunnerMetrics(meters, settings.groupId());
        this.tracing = tracing;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        String name = settings.groupId();
        KafkaClients kafka = settings.kafka();
        RunningSteps steps = new RunningSteps(clock);
        WorkerPool workers = new WorkerPool(settings.concurrency(), name + "-step");
        ResultPublisher publisher = new ResultPublisher(new KafkaProducer<>(kafka.producer(name + "-results"),
                new StringSerializer(), new ByteArraySerializer()), name);
        StepWork work = new StepWork(handler, steps, publisher, workers, settings.limits(), clock,
                metrics, tracing, settings.commands().name());
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                kafka.commandConsumer(name), new StringDeserializer(),
                new ByteArrayDeserializer());
        metrics.watchLag(consumer, name);
        loop = new ConsumerLoop(consumer, settings.commands(), workers, work, settings.shutdownGrace(),
                () -> running);
        control = new JobControlListener(() -> new KafkaConsumer<>(kafka.assignedConsumer(), new StringDeserializer(),
                new ByteArrayDeserializer()), steps, metrics, fatal, name);
        running = true;
        thread = new Thread(() -> consume(loop, publisher), name + "-consumer");
        thread.start();
        control.start();
        log.info("consuming {} in group {} with {} workers", settings.commands().name(), name, settings.concurrency());
    }

    private void consume(ConsumerLoop loop, ResultPublisher publisher) {
        try {
            loop.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            // an Error on this thread (out of memory while polling), or a consumer that keeps failing: nothing is
            // consumed any more, so the process must not go on pretending
            running = false;
            fatal.halt("the step command consumer of " + settings.groupId(), e);
        } finally {
            publisher.close();
        }
    }

    /** Empty when the runner works; otherwise what is wrong, in words. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        Thread consumer = thread;
        if (consumer == null || !consumer.isAlive()) {
            problems.add("the step command consumer of " + settings.groupId() + " is not running");
        } else if (loop.failing()) {
            problems.add("the step command consumer of " + settings.groupId() + " keeps failing (see the log)");
        }
        if (control == null || !control.isAlive()) {
            problems.add("the job control listener is not running: cancels would not stop steps");
        }
        return problems;
    }

    /**
     * Whether the runner's own threads live (the step command consumer and the job control listener), whatever
     * Kafka's state: a liveness probe, which restarts the process when false. Reaching Kafka is readiness.
     */
    public boolean isAlive() {
        Thread consumer = thread;
        return consumer != null && consumer.isAlive() && control != null && control.isAlive();
    }

    public boolean isHealthy() {
        return problems().isEmpty();
    }

    public boolean isRunning() {
        return running;
    }

    /** Stops consuming: running steps may finish for the grace period, published results are committed. */
    @Override
    public void close() {
        Thread stopping;
        synchronized (this) {
            running = false;
            stopping = thread;
        }
        if (stopping == null) {
            return;
        }
        try {
            // the loop's own shutdown is bounded by the grace period plus a few client timeouts
            stopping.join(settings.shutdownGrace().plusSeconds(20).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        control.stop();
        if (stopping.isAlive()) {
            log.warn("the step command consumer of {} did not stop in time", settings.groupId());
        } else {
            log.info("stopped consuming {}", settings.commands().name());
        }
    }

}
