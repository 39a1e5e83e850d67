package ai.mule.orchestrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.orchestrator.TestJobs;
import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

/** The sinks and the store send what the record check wrote of the very object it measured, and nothing else. */
class WrittenJsonTest {

    private final WrittenJson written = new WrittenJson();
    private final Serializer<JobState> serializer = written.serde(new JsonSerde<>(JobState.class)).serializer();

    @Test
    void theSerializerSendsTheBytesWrittenOfTheSameObjectUntilTheyAreForgotten() {
        JobState state = JobState.starting(TestJobs.threeMixedSteps(TestJobs.newJobId()), Duration.ofSeconds(1));
        byte[] bytes = written.write(state);

        assertThat(bytes).isEqualTo(new JsonSerde<>(JobState.class).serialize("t", state));
        assertThat(serializer.serialize("t", state)).isSameAs(bytes);

        written.forget();
        byte[] again = serializer.serialize("t", state);
        assertThat(again).isNotSameAs(bytes).isEqualTo(bytes);
    }

    @Test
    void anEqualCopyOrAnotherThreadsObjectIsWrittenAfresh() throws Exception {
        Serializer<JsonNode> json = written.serializer(new JsonSerde<>(JsonNode.class));
        JsonNode value = TestJobs.prompt("hello");
        JsonNode copy = TestJobs.prompt("hello");
        byte[] bytes = written.write(value);

        assertThat(copy).isEqualTo(value);
        assertThat(json.serialize("t", copy)).isNotSameAs(bytes).isEqualTo(bytes);
        byte[] elsewhere = CompletableFuture.supplyAsync(() -> json.serialize("t", value)).get();
        assertThat(elsewhere).isNotSameAs(bytes).isEqualTo(bytes);
        assertThat(json.serialize("t", value)).isSameAs(bytes);
        assertThat(json.serialize("t", null)).isNull();
    }

    @Test
    void aValueNestedTooDeepToWriteIsRefusedAndNothingIsKept() {
        JsonNode deep = JsonNodeFactory.instance.arrayNode();
        ArrayNode inner = (ArrayNode) deep;
        for (int i = 0; i < 1_100; i++) {
            inner = inner.addArray();
        }
        JsonNode value = deep;

        assertThatThrownBy(() -> written.write(value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be written as JSON");
        assertThat(written.written(value)).isNull();
    }
}
