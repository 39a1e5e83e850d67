package ai.mule.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** OpenAI's {@code POST /v1/chat/completions}, answered by running a Mule workflow or agent as a job. */
@RestController
class ChatCompletionController {

    private final ChatCompletionService chat;

    ChatCompletionController(ChatCompletionService chat) {
        this.chat = chat;
    }

    @PostMapping(path = "/v1/chat/completions", produces = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<ResponseEntity<Object>> complete(@RequestBody JsonNode body) {
        return chat.complete(ChatRequest.from(body));
    }
}
