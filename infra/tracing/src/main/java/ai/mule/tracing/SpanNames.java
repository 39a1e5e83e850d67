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
 * The orchestrator names its span after the command it applies ({@code StartJob}, {@code StepFinished},
 * {@code RunnerStarted}, {@code CancelJob}, {@code WakeUp}).
 */
public final class SpanNames {

    private SpanNames() {
    }

    public static final String INGRESS = "gateway ingress";

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
