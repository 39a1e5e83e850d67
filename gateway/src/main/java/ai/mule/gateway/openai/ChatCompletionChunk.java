package ai.mule.gateway.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * OpenAI's {@code chat.completion.chunk}, one frame of a streamed completion. {@code usage} appears (as OpenAI
 * does) only on the last chunk of a stream that asked for it with {@code stream_options.include_usage}.
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
record ChatCompletionChunk(String id, String object, long created, String model, List<Choice> choices,
                           ChatCompletion.Usage usage) {

    static ChatCompletionChunk delta(String jobId, String model, long created, Delta delta, String finishReason) {
        return new ChatCompletionChunk("chatcmpl-" + jobId, "chat.completion.chunk", created, model,
                List.of(new Choice(0, delta, finishReason)), null);
    }

    static ChatCompletionChunk usageOnly(String jobId, String model, long created, ChatCompletion.Usage usage) {
        return new ChatCompletionChunk("chatcmpl-" + jobId, "chat.completion.chunk", created, model, List.of(), usage);
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Choice(int index, Delta delta, String finishReason) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delta(String role, String content) {
    }
}
