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
    void keepsTheConversationsRolesForAgents() throws Exception {
        ChatRequest request = ChatRequest.from(json("""
                {"model": "agent/a", "temperature": 0.5, "max_tokens": 9, "messages": [
                  {"role": "developer", "content": "rules"},
                  {"role": "user", "content": "q1"},
                  {"role": "assistant", "content": null, "tool_calls": []},
                  {"role": "tool", "content": "tool output", "tool_call_id": "t"},
                  {"role": "assistant", "content": "a1"},
                  {"content": "q2"}]}"""));

        assertThat(request.turns()).containsExactly(
                new ai.mule.gateway.agentcall.Turn(ai.mule.gateway.agentcall.Turn.Role.SYSTEM, "rules"),
                new ai.mule.gateway.agentcall.Turn(ai.mule.gateway.agentcall.Turn.Role.USER, "q1"),
                new ai.mule.gateway.agentcall.Turn(ai.mule.gateway.agentcall.Turn.Role.ASSISTANT, "a1"),
                new ai.mule.gateway.agentcall.Turn(ai.mule.gateway.agentcall.Turn.Role.USER, "q2"));
        assertThat(request.prompt()).as("workflows still get every content").isEqualTo("rules\nq1\ntool output\na1\nq2");
        assertThat(request.temperature()).isEqualTo(0.5);
        assertThat(request.maxTokens()).isEqualTo(9);
        assertThatThrownBy(() -> ChatRequest.from(json("{\"model\": \"agent/a\", \"messages\": [{\"role\": \"robot\", "
                + "\"content\": \"x\"}]}"))).hasMessageContaining("messages[0].role must be one of");
        assertThatThrownBy(() -> ChatRequest.from(json("{\"model\": \"agent/a\", \"max_tokens\": 0, \"messages\": "
                + "[{\"content\": \"x\"}]}"))).hasMessageContaining("max_tokens must be a whole number");
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
