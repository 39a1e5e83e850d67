package ai.mule.gateway.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.gateway.ingress.IngressRequestReader.IngressRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class IngressRequestReaderTest {

    @Test
    void readsAFullRequest() {
        IngressRequest request = read("{\"version\": 1, \"workflow\": \"hello\", \"input\": {\"prompt\": \"World\"},"
                + " \"idempotency_key\": \"order-42\", \"reply_topic\": \"orders.replies\"}");

        assertThat(request.workflow()).isEqualTo("hello");
        assertThat(request.input().get("prompt").asText()).isEqualTo("World");
        assertThat(request.idempotencyKey()).isEqualTo("order-42");
        assertThat(request.replyTopic()).isEqualTo("orders.replies");
    }

    @Test
    void aRequestWithoutInputRunsWithAnEmptyObject() {
        IngressRequest request = read("{\"workflow\": \"hello\", \"input\": null}");

        assertThat(request.input().isEmpty()).isTrue();
        assertThat(request.idempotencyKey()).isNull();
        assertThat(request.replyTopic()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|has no value",
            "{not json|not JSON",
            "[1, 2]|must be a JSON object, got array",
            "{\"input\": {}}|workflow is required",
            "{\"workflow\": \"  \"}|workflow is required",
            "{\"workflow\": 7}|workflow is required",
            "{\"workflow\": \"w\", \"input\": \"hi\"}|input must be a JSON object",
            "{\"workflow\": \"w\", \"idempotency_key\": \"has space\"}|idempotency_key must be",
            "{\"workflow\": \"w\", \"idempotency_key\": 42}|idempotency_key must be a string",
            "{\"workflow\": \"w\", \"reply_topic\": \"bad/topic\"}|reply_topic must be a Kafka topic name",
            "{\"workflow\": \"w\", \"reply_topic\": \"mule.jobs.events\"}|one of Mule's own topics",
            "{\"workflow\": \"w\", \"wokflow\": \"typo\"}|unknown field 'wokflow'"})
    void refusesWhatCanNeverBeAJobSayingWhy(String value, String reason) {
        assertThatThrownBy(() -> read(value)).isInstanceOf(IngressRejected.class).hasMessageContaining(reason);
    }

    private static IngressRequest read(String value) {
        return IngressRequestReader.read(value.getBytes(StandardCharsets.UTF_8));
    }
}
