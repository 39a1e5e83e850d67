package ai.mule.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import ai.mule.gateway.jobs.JobService;
import ai.mule.gateway.jobs.StepCall;
import ai.mule.gateway.web.ApiException;
import ai.mule.schemas.JobRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** OpenAI's {@code POST /v1/chat/completions}, answered by running a Mule workflow or agent as a job. */
@RestController
class ChatCompletionController {

    private final ChatCompletionService chat;
    private final LateAnswers lateAnswers;

    ChatCompletionController(ChatCompletionService chat, LateAnswers lateAnswers) {
        this.chat = chat;
        this.lateAnswers = lateAnswers;
    }

    /**
     * Answers JSON, or Server-Sent Events for {@code "stream": true}. {@code Idempotency-Key} makes an async model's
     * retried call return the first call's job instead of starting another. An answer known at once (an async
     * model's job id, a stream's emitter, a refusal) is Spring's to write; one that waits for its job or agent is
     * written by {@link LateAnswers} when it comes. {@code Mule-Call-Depth} is sent by an agent runner's tool: the
     * depth of the job a workflow model starts; {@code Mule-Started-By} with it, the job it is counted under
     * ({@link StepCall}).
     */
    @PostMapping(path = "/v1/chat/completions")
    CompletableFuture<Object> complete(@RequestBody JsonNode body,
                                       @RequestHeader(name = "Idempotency-Key", required = false) String key,
                                       @RequestHeader(name = JobRequest.CALL_DEPTH_HEADER, required = false)
                                       String depth,
                                       @RequestHeader(name = JobRequest.STARTED_BY_HEADER, required = false)
                                       String startedBy,
                                       HttpServletRequest request, HttpServletResponse response) {
        String idempotencyKey;
        try {
            idempotencyKey = JobService.idempotencyKey(key);
        } catch (ApiException e) {
            throw OpenAiException.invalidRequest(e.getMessage(), null, "invalid_idempotency_key");
        }
        int callDepth;
        try {
            callDepth = StepCall.callDepth(depth);
        } catch (ApiException e) {
            throw OpenAiException.invalidRequest(e.getMessage(), null, "invalid_call_depth");
        }
        UUID startingJob;
        try {
            startingJob = StepCall.startedBy(startedBy);
        } catch (ApiException e) {
            throw OpenAiException.invalidRequest(e.getMessage(), null, "invalid_started_by");
        }
        CompletableFuture<Object> answer = chat.complete(ChatRequest.from(body), idempotencyKey,
                new StepCall(callDepth, startingJob));
        if (answer.isDone()) {
            return answer;
        }
        lateAnswers.answerWhenDone(request, response, answer);
        return null;
    }
}
