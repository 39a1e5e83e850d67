package ai.mule.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class ChatRequestTest {

    @Test
    void joinsEveryMessageContentWithNewlines() throws Exception {
        ChatRequest request = ChatRequest.from(json("""
                {"model": "workflow/w", "messages": [
                  {"role": "system", "content": "a"},
                  {"role": "assistant", "content": null},
                  {"role": "user", "content": [{"type": "text", "text": "b"}, {"type": "image_url", "image_url": {}},
                                               {"type": "text", "text": "c"}]}]}"""));

        assertThat(request.model()).isEqualTo("workflow/w");
        assertThat(request.prompt()).isEqualTo("a\nb\nc");
        assertThat(request.stream()).isFalse();
    }

    @Test
    void namesTheParameterThatIsWrong() {
        assertThatThrownBy(() -> ChatRequest.from(json("{\"messages\": []}")))
                .isInstanceOf(OpenAiException.class).hasMessageContaining("model parameter");
        assertThatThrownBy(() -> ChatRequest.from(json("{\"model\": 3, \"messages\": []}")))
                .hasMessageContaining("model must be a non-empty string");
        assertThatThrownBy(() -> ChatRequest.from(json("{\"model\": \"workflow/w\"}")))
                .hasMessageContaining("messages parameter");
        assertThatThrownBy(() -> ChatRequest.from(json("{\"model\": \"workflow/w\", \"messages\": [\"hi\"]}")))
                .hasMessageContaining("messages[0] must be an object");
        assertThatThrownBy(() -> ChatRequest.from(json("{\"model\": \"workflow/w\", \"messages\": [{\"content\": 1}]}")))
                .hasMessageContaining("messages[0].content");
        assertThatThrownBy(() -> ChatRequest.from(json("{\"model\": \"w\", \"messages\": [{}], \"stream\": \"yes\"}")))
                .hasMessageContaining("stream must be true or false");
        assertThatThrownBy(() -> ChatRequest.from(json("[1]"))).hasMessageContaining("JSON object");
    }

    @Test
    void readsModelIds() {
        assertThat(ModelRef.parse("workflow/sum")).contains(new ModelRef(ModelRef.Kind.WORKFLOW, "sum"));
        assertThat(ModelRef.parse("async/workflow/sum")).contains(new ModelRef(ModelRef.Kind.ASYNC_WORKFLOW, "sum"));
        assertThat(ModelRef.parse("agent/bot.v2")).contains(new ModelRef(ModelRef.Kind.AGENT, "bot.v2"));
        assertThat(ModelRef.parse("gpt-4o")).isEmpty();
        assertThat(ModelRef.parse("workflow/")).isEmpty();
        assertThat(ModelRef.parse("workflow/../x")).isEmpty();
        assertThat(ModelRef.parse("agent/a/b")).isEmpty();
    }

    @Test
    void takesTheReplyFromTheOutputsPrompt() throws Exception {
        assertThat(ChatCompletionService.content(json("{\"prompt\": \"hi\"}"))).isEqualTo("hi");
        assertThat(ChatCompletionService.content(json("{\"prompt\": [1, 2]}"))).isEqualTo("[1,2]");
        assertThat(ChatCompletionService.content(json("{\"other\": true}"))).isEqualTo("{\"other\":true}");
        assertThat(ChatCompletionService.content(null)).isEmpty();
    }

    private static JsonNode json(String text) {
        try {
            return JsonSerde.mapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
