package ai.mule.orchestrator.jobs;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the orchestrator topology for as long as the application runs, and closes it on shutdown so that its
 * open transaction is committed or aborted and its state stores are flushed.
 */
public final class OrchestratorStreams implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OrchestratorStreams.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(20);

    private final Topology topology;
    private final Properties config;
    private final StreamsUncaughtExceptionHandler threadFailures;
    private final Runnable onFatalError;
    private volatile KafkaStreams streams;

    /**
     * @param threadFailures decides whether a dead stream thread is replaced or the client shuts down
     * @param onFatalError   called (on its own thread) when Streams gives up for good, so that the process exits
     *                       and whatever supervises it restarts it, rather than lingering without processing
     */
    public OrchestratorStreams(Topology topology, Properties config, StreamsUncaughtExceptionHandler threadFailures,
                               Runnable onFatalError) {
        this.topology = topology;
        this.config = config;
        this.threadFailures = threadFailures;
        this.onFatalError = onFatalError;
    }

    @Override
    public synchronized void start() {
        if (streams != null) {
            return;
        }
        KafkaStreams created = new KafkaStreams(topology, config);
        created.setUncaughtExceptionHandler(threadFailures);
        created.setStateListener((now, before) -> {
            log.info("Orchestrator streams {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR) {
                log.error("Orchestrator streams stopped for good; the service exits so that it is restarted");
                new Thread(onFatalError, "orchestrator-fatal-error").start();
            }
        });
        created.start();
        streams = created;
    }

    @Override
    public synchronized void stop() {
        if (streams == null) {
            return;
        }
        if (!streams.close(CLOSE_TIMEOUT)) {
            log.warn("Orchestrator streams did not close within {}", CLOSE_TIMEOUT);
        }
        streams = null;
    }

    @Override
    public boolean isRunning() {
        return streams != null;
    }

    /** The Streams state, e.g. to wait for RUNNING; NOT_RUNNING when stopped. */
    public KafkaStreams.State state() {
        KafkaStreams current = streams;
        return current == null ? KafkaStreams.State.NOT_RUNNING : current.state();
    }

    /** The Streams client's metrics (its consumers' lag among them); empty when stopped. */
    public Map<MetricName, ? extends Metric> metrics() {
        KafkaStreams current = streams;
        return current == null ? Map.of() : current.metrics();
    }
}
