package ai.mule.tracing;

/**
 * Names of Mule's spans, one trace per job:
 * <pre>
 * POST /api/v1/jobs                      gateway, server (any HTTP request: method and route)
 *                                        or gateway ingress: a job request read from mule.jobs.ingress
 *  └ orchestrator StartJob               orchestrator, a job request from the outbox
 *     └ run step wasm_module             a runner runs the first step
 *        └ orchestrator StepFinished     the result: the next step is dispatched...
 *           └ run step wasm_module       ... and so on, until the job's terminal event
 * </pre>
 * A wake-up of the job's timers ({@code orchestrator WakeUp}) is a child of its {@code StartJob}; the status writer's
 * {@link #STATUS_WRITE} of a job's events is a child of the orchestrator span that emitted the last of them.
 * The orchestrator names its span after the command it applies ({@code StartJob}, {@code StepFinished},
 * {@code RunnerStarted}, {@code CancelJob}, {@code WakeUp}).
 */
public final class SpanNames {

    private SpanNames() {
    }

    public static final String INGRESS = "gateway ingress";
    public static final String STATUS_WRITE = "job status write";

    public static String orchestrator(String command) {
        return "orchestrator " + command;
    }

    public static String runStep(String stepType) {
        return "run step " + stepType;
    }

    public static String http(String method, String route) {
        return method + " " + route;
    }
}
