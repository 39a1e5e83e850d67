package ai.mule.schemas;

import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Every topic of the pipeline, in one place, with one naming scheme: {@code mule.<area>.<what>}. */
public final class Topics {

    /** The version written into every message; readers accept this version and older ones. */
    public static final int SCHEMA_VERSION = 1;

    /** Jobs accepted by the gateway (through its outbox), with the snapshot of their workflow. */
    public static final Topic<String, JobRequest> JOB_REQUESTS = topic("mule.jobs.requests", JobRequest.class, "job-request");
    /** Commands for WASM steps, consumed by step-runner-wasm. */
    public static final Topic<String, StepCommand> STEPS_WASM = topic("mule.steps.wasm", StepCommand.class, "step-command");
    /** Commands for agent steps, consumed by step-runner-agent. */
    public static final Topic<String, StepCommand> STEPS_AGENT = topic("mule.steps.agent", StepCommand.class, "step-command");
    /** What the runners report back, consumed by the orchestrator. */
    public static final Topic<String, StepResult> STEP_RESULTS = topic("mule.steps.results", StepResult.class, "step-result");
    /**
     * A runner saying it has started a step whose run may end after the command's deadline (it waited in a queue),
     * consumed by the orchestrator, which then waits for the run's own timeout from that start.
     */
    public static final Topic<String, StepStarted> STEPS_STARTED = topic("mule.steps.started", StepStarted.class,
            "step-started");
    /** One event per job state change, consumed by the job status writer and the gateway. */
    public static final Topic<String, JobEvent> JOB_EVENTS = topic("mule.jobs.events", JobEvent.class, "job-event");
    /** Control messages for running jobs (cancel), produced by the gateway. */
    public static final Topic<String, JobControl> JOB_CONTROL = topic("mule.jobs.control", JobControl.class, "job-control");
    /** Jobs asked for by integrations over Kafka, consumed by the gateway (which makes them jobs or rejects them). */
    public static final Topic<String, JobIngressRequest> JOB_INGRESS =
            topic("mule.jobs.ingress", JobIngressRequest.class, "job-ingress");
    /**
     * Child jobs of sub-workflow steps, asked for by the orchestrator and made by the gateway's ingress (a request
     * with a {@code parent}); a topic of its own so that only the orchestrator can link a job to a parent.
     */
    public static final Topic<String, JobIngressRequest> JOB_CHILDREN =
            topic("mule.jobs.children", JobIngressRequest.class, "job-ingress");
    /**
     * Rejected ingress records, exactly as they came (they may not even be JSON), with the reason in the
     * {@link #DLQ_REASON_HEADER} header and where they came from in the {@code mule.dlq.source.*} headers.
     */
    public static final Topic<String, byte[]> JOB_INGRESS_DLQ =
            new Topic<>("mule.jobs.ingress.dlq", Serdes.String(), Serdes.ByteArray(), null);

    /** The header of a dead-lettered record that says why it was rejected (UTF-8 text). */
    public static final String DLQ_REASON_HEADER = "mule.dlq.reason";

    private Topics() {
    }

    public static List<Topic<String, ?>> all() {
        return List.of(JOB_REQUESTS, STEPS_WASM, STEPS_AGENT, STEP_RESULTS, STEPS_STARTED, JOB_EVENTS, JOB_CONTROL, JOB_INGRESS,
                JOB_INGRESS_DLQ, JOB_CHILDREN);
    }

    private static <V> Topic<String, V> topic(String name, Class<V> type, String schema) {
        Serde<String> keys = Serdes.String();
        return new Topic<>(name, keys, new JsonSerde<>(type), "schemas/" + schema + ".schema.json");
    }
}
