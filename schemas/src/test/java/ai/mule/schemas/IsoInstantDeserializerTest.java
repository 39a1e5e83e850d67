package ai.mule.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoInstantDeserializerTest {

    /** jackson-datatype-jsr310 alone: what every instant must read as. */
    private static final ObjectMapper STANDARD = new ObjectMapper().registerModule(new JavaTimeModule());
    private static final ObjectMapper MULE = JsonSerde.mapper();

    @Test
    void everyInstantAServiceWritesReadsBackAsItself() throws Exception {
        SplittableRandom random = new SplittableRandom(14);
        List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("2024-02-29T12:00:00.5Z"),
                Instant.parse("1969-12-31T23:59:59.000001Z")));
        for (int i = 0; i < 20_000; i++) {
            long seconds = random.nextLong(Instant.parse("1900-01-01T00:00:00Z").getEpochSecond(),
                    Instant.parse("2200-01-01T00:00:00Z").getEpochSecond());
            // whole seconds, milliseconds, microseconds and nanoseconds: 0, 3, 6 and 9 digits written
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            instants.add(Instant.ofEpochSecond(seconds, nanos));
        }
        for (Instant instant : instants) {
            byte[] json = MULE.writeValueAsBytes(instant);
            assertThat(MULE.readValue(json, Instant.class)).as(new String(json)).isEqualTo(instant);
            char[] text = instant.toString().toCharArray(); // what the mapper wrote, without the quotes
            assertThat(IsoInstantDeserializer.read(text, 0, text.length)).as("read by digits").isEqualTo(instant);
        }
    }

    @Test
    void readsEveryTextAsTheStandardDeserializerDoes() {
        List<String> texts = List.of("2026-12-04T08:20:46Z", "2026-12-04T08:20:46.1Z", "2026-12-04T08:20:46.12Z",
                "2026-12-04T08:20:46.1234Z", "2026-12-04T08:20:46.12345678Z", "2026-12-04T08:20:46.000000000Z",
                "2026-12-04t08:20:46z", "2026-12-04T08:20:46+02:00", "2026-12-04T08:20:46.5-01:30",
                "+12026-12-04T08:20:46Z", "2026-12-04T08:20Z", "2026-06-30T23:59:60Z", " 2026-12-04T08:20:46Z",
                "2026-12-04T24:00:00Z", "2026-12-04T08:20:46.Z");
        for (String text : texts) {
            String json = '"' + text + '"';
            assertThat(outcome(MULE, json)).as(text).isEqualTo(outcome(STANDARD, json));
        }
        for (String json : List.of("1733300000", "1733300000.5", "\"1733300000\"", "null", "{}")) {
            assertThat(outcome(MULE, json)).as(json).isEqualTo(outcome(STANDARD, json));
        }
    }

    @Test
    void refusesWhatTheStandardDeserializerRefuses() {
        for (String text : List.of("2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-04T08:60:00Z",
                "2026-12-04T08:20:46.1234567890Z", "2026-12-04 08:20:46Z", "2026-12-0aT08:20:46Z",
                "２０２６-12-04T08:20:46Z", "not a time")) {
            String json = '"' + text + '"';
            assertThat(outcome(MULE, json)).as(text).isEqualTo(outcome(STANDARD, json)).isInstanceOf(Class.class);
        }
    }

    @Test
    void readsTheInstantsOfAStepCommand() {
        StepCommand command = Messages.stepCommand();
        JsonSerde<StepCommand> serde = new JsonSerde<>(StepCommand.class);

        StepCommand read = serde.deserialize("t", serde.serialize("t", command));

        assertThat(read.issuedAt()).isEqualTo(command.issuedAt()).isNotNull();
        assertThat(read.deadline()).isEqualTo(command.deadline());
    }

    /** The instant read, or the kind of exception thrown. */
    private static Object outcome(ObjectMapper mapper, String json) {
        try {
            return String.valueOf(mapper.readValue(json, Instant.class));
        } catch (Exception e) {
            return e.getClass();
        }
    }
}
