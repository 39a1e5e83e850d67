package ai.mule.gateway.openai;

import ai.mule.schemas.TokenUsage;
import java.util.List;

/**
 * OpenAI's {@code chat.completion} response. {@code usage} sums the tokens the job's agent steps reported (zeros
 * when no provider reported any, e.g. a WASM-only workflow).
 */
record ChatCompletion(String id, String object, long created, String model, List<Choice> choices, Usage usage) {

    static ChatCompletion of(String jobId, String model, String content, long created) {
        return of(jobId, model, content, created, null);
    }

    static ChatCompletion of(String jobId, String model, String content, long created, TokenUsage usage) {
        return new ChatCompletion("chatcmpl-" + jobId, "chat.completion", created, model,
                List.of(new Choice(0, new Message("assistant", content), "stop")), Usage.of(usage));
    }

    record Choice(int index, Message message, String finishReason) {
    }

    record Message(String role, String content) {
    }

    record Usage(int promptTokens, int completionTokens, int totalTokens) {

        static Usage of(TokenUsage usage) {
            return usage == null ? new Usage(0, 0, 0)
                    : new Usage(usage.promptTokens(), usage.completionTokens(), usage.totalTokens());
        }
    }
}
