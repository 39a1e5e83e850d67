package ai.mule.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The step events carry a {@link StepRef}, yet their JSON on {@code mule.jobs.events} is the flat shape that the
 * events had when each repeated the step's fields: the status writer, the gateway (sync answers, SSE) and the
 * dashboard read it. Each string below is exactly what the orchestrator wrote before {@code StepRef} existed.
 */
class JobEventWireFormatTest {

    private static final Instant AT = Instant.parse("2026-11-21T10:15:30.123Z");
    private static final String STEP = "6a1f5c0e-0000-4000-8000-000000000001";

    static Stream<Arguments> eventsAsThePreviousShapeWroteThem() {
        return Stream.of(
                Arguments.of("""
                        {"type":"step_started","version":1,"job_id":"j","seq":2,"at":"2026-11-21T10:15:30.123Z",\
                        "step_index":0,"step_order":1,"workflow_step_id":"6a1f5c0e-0000-4000-8000-000000000001",\
                        "attempt":1,"input":{"prompt":"World"}}""",
                        new JobEvent.StepStarted(1, "j", 2, AT, new StepRef(0, 1, STEP, 1), Messages.prompt("World"))),
                Arguments.of("""
                        {"type":"step_started","version":1,"job_id":"j","seq":2,"at":"2026-11-21T10:15:30.123Z",\
                        "step_index":0,"step_order":1,"attempt":1,"input":{"prompt":"World"}}""",
                        new JobEvent.StepStarted(1, "j", 2, AT, new StepRef(0, 1, null, 1), Messages.prompt("World"))),
                Arguments.of("""
                        {"type":"step_completed","version":1,"job_id":"j","seq":3,"at":"2026-11-21T10:15:30.123Z",\
                        "step_index":0,"step_order":1,"workflow_step_id":"6a1f5c0e-0000-4000-8000-000000000001",\
                        "attempt":1,"output":"HELLO","duration_micros":35,\
                        "usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19},\
                        "stdout":"{\\"message\\":\\"HELLO\\"}","stderr":"greeting\\n"}""",
                        new JobEvent.StepCompleted(1, "j", 3, AT, new StepRef(0, 1, STEP, 1),
                                JsonNodeFactory.instance.textNode("HELLO"), 35, new TokenUsage(12, 7, 19),
                                "{\"message\":\"HELLO\"}", "greeting\n")),
                Arguments.of("""
                        {"type":"step_failed","version":1,"job_id":"j","seq":4,"at":"2026-11-21T10:15:30.123Z",\
                        "step_index":1,"step_order":2,"workflow_step_id":"6a1f5c0e-0000-4000-8000-000000000001",\
                        "attempt":3,"error":"module returned success: false","duration_micros":12,\
                        "failure_kind":"module_failed","stdout":"{\\"success\\":false}","stderr":"bad\\n"}""",
                        new JobEvent.StepFailed(1, "j", 4, AT, new StepRef(1, 2, STEP, 3),
                                "module returned success: false", 12, FailureKind.MODULE_FAILED,
                                "{\"success\":false}", "bad\n")),
                Arguments.of("""
                        {"type":"step_retrying","version":1,"job_id":"j","seq":4,"at":"2026-11-21T10:15:30.123Z",\
                        "step_index":1,"step_order":2,"workflow_step_id":"6a1f5c0e-0000-4000-8000-000000000001",\
                        "attempt":1,"error":"provider answered 503","failure_kind":"provider_unavailable",\
                        "duration_micros":1200,"retry_at":"2026-11-21T10:15:31.123Z"}""",
                        new JobEvent.StepRetrying(1, "j", 4, AT, new StepRef(1, 2, STEP, 1), "provider answered 503",
                                FailureKind.PROVIDER_UNAVAILABLE, 1200, AT.plusMillis(1000))));
    }

    @ParameterizedTest
    @MethodSource("eventsAsThePreviousShapeWroteThem")
    void aStepEventOfThePreviousShapeReadsIntoItsStepRefAndWritesBackByteForByte(String previous,
                                                                               JobEvent expected) {
        JobEvent read = Topics.JOB_EVENTS.valueSerde().deserializer()
                .deserialize(Topics.JOB_EVENTS.name(), previous.getBytes(StandardCharsets.UTF_8));

        assertThat(read).isEqualTo(expected);
        assertThat(new String(Topics.JOB_EVENTS.valueSerde().serializer().serialize(Topics.JOB_EVENTS.name(), read),
                StandardCharsets.UTF_8)).isEqualTo(previous);
    }
}
