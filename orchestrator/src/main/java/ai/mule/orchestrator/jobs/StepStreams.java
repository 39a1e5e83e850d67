package ai.mule.orchestrator.jobs;

import ai.mule.schemas.StepResult;

/**
 * What a WASM module wrote to stdout and stderr, as carried on a step's {@code StepCompleted} or
 * {@code StepFailed} event. The runner caps each stream at 1 MiB, far more than fits next to a step output of up
 * to {@code mule.limits.max-step-output-bytes} in one Kafka record, so each is cut here to {@link #MAX_JSON_BYTES}
 * bytes as written in the event's JSON, ending in {@link #TRUNCATED} when cut; the job's events then fit the
 * record limit with the default limits, and the orchestrator's record check fails the job if raised ones do not.
 */
record StepStreams(String stdout, String stderr) {

    /** The most bytes each stream takes in an event's JSON (quotes aside), the marker included. */
    static final int MAX_JSON_BYTES = 64 * 1024;

    static final String TRUNCATED = "…[truncated]";

    /** No streams: the step produced no result (a timeout, a lost runner). */
    static final StepStreams NONE = new StepStreams(null, null);

    static StepStreams of(StepResult result) {
        return new StepStreams(capped(result.stdout()), capped(result.stderr()));
    }

    static String capped(String text) {
        return capped(text, MAX_JSON_BYTES);
    }

    /** {@code text} cut to {@code maxJsonBytes} as written in JSON, ending in {@link #TRUNCATED} when cut. */
    static String capped(String text, int maxJsonBytes) {
        if (text == null) {
            return null;
        }
        int budget = maxJsonBytes - jsonBytes(TRUNCATED);
        int bytes = 0;
        int cut = -1;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            bytes += jsonBytes(codePoint);
            if (cut < 0 && bytes > budget) {
                cut = i;
            }
            if (bytes > maxJsonBytes) {
                return text.substring(0, cut) + TRUNCATED;
            }
            i += Character.charCount(codePoint);
        }
        return text;
    }

    private static int jsonBytes(String text) {
        return text.codePoints().map(StepStreams::jsonBytes).sum();
    }

    /** How many bytes a code point takes in JSON as Jackson writes it (UTF-8, control characters escaped). */
    private static int jsonBytes(int codePoint) {
        if (codePoint == '"' || codePoint == '\\' || codePoint == '\n' || codePoint == '\r' || codePoint == '\t'
                || codePoint == '\b' || codePoint == '\f') {
            return 2;
        }
        if (codePoint < 0x20) {
            return 6; // escaped as backslash, u and four hex digits
        }
        if (codePoint < 0x80) {
            return 1;
        }
        if (codePoint < 0x800) {
            return 2;
        }
        return codePoint < 0x10000 ? 3 : 4;
    }
}
