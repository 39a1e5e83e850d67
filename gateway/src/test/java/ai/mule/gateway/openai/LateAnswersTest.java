package ai.mule.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.schemas.JsonSerde;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** A waiting chat completion's answer, written when it comes as Spring MVC would have written it. */
class LateAnswersTest {

    private final ObjectMapper mapper = JsonSerde.mapper();
    private final LateAnswers answers = new LateAnswers(mapper, new OpenAiExceptionHandler());
    private final MockHttpServletResponse response = new MockHttpServletResponse();
    private final MockHttpServletRequest request = new MockHttpServletRequest();

    LateAnswersTest() {
        request.setAsyncSupported(true);
    }

    @Test
    void writesNothingUntilTheAnswerComesThenItsStatusHeadersAndJsonAndCompletesTheRequest() throws Exception {
        CompletableFuture<Object> answer = new CompletableFuture<>();
        answers.answerWhenDone(request, response, answer);
        assertThat(request.isAsyncStarted()).isTrue();
        assertThat(response.getContentAsByteArray()).isEmpty();

        answer.complete(ResponseEntity.status(HttpStatus.BAD_GATEWAY).header("x-should-retry", "false")
                .body(new OpenAiException(HttpStatus.BAD_GATEWAY, "job j failed: trapped", "workflow_error", null,
                        "job_failed", "j").body()));

        assertThat(response.getStatus()).isEqualTo(502);
        assertThat(response.getHeader("x-should-retry")).isEqualTo("false");
        assertThat(response.getContentType()).isEqualTo("application/json");
        JsonNode error = mapper.readTree(response.getContentAsByteArray()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("job_failed");
        assertThat(error.get("job_id").asText()).isEqualTo("j");
        assertThat(response.getContentLength()).isEqualTo(response.getContentAsByteArray().length);
        assertThat(request.isAsyncStarted()).as("the request is complete").isFalse();
    }

    @Test
    void answersAFailureInOpenAisShape() throws Exception {
        CompletableFuture<Object> answer = new CompletableFuture<>();
        answers.answerWhenDone(request, response, answer);

        answer.completeExceptionally(new CompletionException(OpenAiException.invalidRequest("no such agent", "model",
                "model_not_found")));

        assertThat(response.getStatus()).isEqualTo(400);
        JsonNode error = mapper.readTree(response.getContentAsByteArray()).get("error");
        assertThat(error.get("message").asText()).isEqualTo("no such agent");
        assertThat(error.get("code").asText()).isEqualTo("model_not_found");
        assertThat(request.isAsyncStarted()).isFalse();
    }

    @Test
    void answersAnUnexpectedFailureOrValueWith500AndALogReferenceNeverTheException() throws Exception {
        CompletableFuture<Object> failed = new CompletableFuture<>();
        answers.answerWhenDone(request, response, failed);
        failed.completeExceptionally(new IllegalStateException("secret internals"));

        assertThat(response.getStatus()).isEqualTo(500);
        String message = mapper.readTree(response.getContentAsByteArray()).at("/error/message").asText();
        assertThat(message).contains("reference").doesNotContain("secret internals");
    }

    @Test
    void answersAValueThatIsNoResponseEntityWith500() throws Exception {
        CompletableFuture<Object> answer = new CompletableFuture<>();
        answers.answerWhenDone(request, response, answer);
        answer.complete("not an entity");

        assertThat(response.getStatus()).isEqualTo(500);
        assertThat(mapper.readTree(response.getContentAsByteArray()).at("/error/type").asText()).isEqualTo("server_error");
        assertThat(request.isAsyncStarted()).isFalse();
    }

    /** Before, the container's refusal vanished into the future nobody reads, and the request never ended. */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void anAnswerTheContainerRefusesIsLoggedAndItsRequestEnded(CapturedOutput log) {
        List<String> calls = new ArrayList<>();
        AsyncContext refusing = (AsyncContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {AsyncContext.class}, (proxy, method, args) -> {
                    calls.add(method.getName());
                    if (method.getName().equals("start")) {
                        throw new IllegalStateException("the connector is stopping");
                    }
                    return null;
                });
        MockHttpServletRequest refusingRequest = new MockHttpServletRequest() {
            @Override
            public AsyncContext startAsync(ServletRequest req, ServletResponse res) {
                return refusing;
            }
        };
        CompletableFuture<Object> answer = new CompletableFuture<>();
        answers.answerWhenDone(refusingRequest, response, answer);

        answer.complete(ResponseEntity.ok("late"));

        assertThat(calls).containsSubsequence("start", "complete");
        assertThat(log.getOut()).contains("the web server did not take a chat completion's answer; ending its "
                + "request: java.lang.IllegalStateException: the connector is stopping");
    }
}
