package ai.mule.gateway.openai;

import java.util.List;

/** OpenAI's {@code chat.completion} response. Token usage is not measured yet and reported as zeros. */
record ChatCompletion(String id, String object, long created, String model, List<Choice> choices, Usage usage) {

    static ChatCompletion of(String jobId, String model, String content, long created) {
        return new ChatCompletion("chatcmpl-" + jobId, "chat.completion", created, model,
                List.of(new Choice(0, new Message("assistant", content), "stop")), new Usage(0, 0, 0));
    }

    record Choice(int index, Message message, String finishReason) {
    }

    record Message(String role, String content) {
    }

    record Usage(int promptTokens, int completionTokens, int totalTokens) {
    }
}
