package ai.mule.gateway.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * Writes the answer of a chat completion that waits for its job (or its agent) on a container thread once it is
 * there, instead of handing it back to Spring MVC. Spring answers a returned {@code CompletableFuture} with an async
 * dispatch: the container runs the request through the DispatcherServlet a second time to write the value. On a
 * lone client's sync calls that second pass was 1.7 ms of the 2.8 between the job's end reaching the gateway and
 * the client having its answer, and about an eighth of the gateway's CPU per call (issue 14). The answer is what
 * Spring would have written: the entity's status, headers and body as JSON through the application's
 * {@code ObjectMapper}, and an exception in the shape {@link OpenAiExceptionHandler} gives it.
 */
@Component
class LateAnswers {

    private static final Logger log = LoggerFactory.getLogger(LateAnswers.class);

    private final ObjectMapper mapper;
    private final OpenAiExceptionHandler errors;

    LateAnswers(ObjectMapper mapper, OpenAiExceptionHandler errors) {
        this.mapper = mapper;
        this.errors = errors;
    }

    /**
     * Puts {@code request} into asynchronous mode and answers it on {@code response} when {@code answer} completes,
     * with the {@code ResponseEntity} it holds or the error it failed with. The handler then returns null: nothing is left
     * for Spring to write.
     */
    void answerWhenDone(HttpServletRequest request, HttpServletResponse response, CompletableFuture<?> answer) {
        AsyncContext async = request.startAsync(request, response);
        // no container timeout, as spring.mvc.async.request-timeout says: every answer completes by its own timeout
        // (timeout_workflow_seconds for a job, the provider's for an agent)
        async.setTimeout(0);
        // written on a container thread, as Spring's dispatch was: a client slow to read its answer holds one of
        // Tomcat's threads, never one of the bounded pools that complete answers (mule.pools.answers, agent-calls)
        answer.whenComplete((value, error) -> handOver(async, response, value, error));
    }

    /**
     * Gives the answer to a container thread. Should the container refuse it (it is stopping, or the request ended
     * some other way), nothing would write the answer or end the request, which has no timeout, and the exception
     * would vanish into the future nobody reads: so it is logged and the request ended here.
     */
    private void handOver(AsyncContext async, HttpServletResponse response, Object value, Throwable error) {
        try {
            async.start(() -> write(async, response, value, error));
        } catch (RuntimeException e) {
            log.warn("the web server did not take a chat completion's answer; ending its request: {}", e.toString());
            complete(async);
        }
    }

    private void write(AsyncContext async, HttpServletResponse response, Object value, Throwable error) {
        try {
            ResponseEntity<?> entity = error != null ? errors.answer(unwrap(error))
                    : value instanceof ResponseEntity<?> answer ? answer
                    : errors.answer(new IllegalStateException("a waiting chat completion was answered with "
                            + (value == null ? "nothing" : value.getClass().getName())));
            byte[] body = mapper.writeValueAsBytes(entity.getBody());
            response.setStatus(entity.getStatusCode().value());
            entity.getHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        } catch (IOException e) {
            // most often the client hung up while its job ran; nobody is left to tell
            log.debug("could not write a chat completion's answer: {}", e.toString());
        } catch (RuntimeException e) {
            log.warn("could not write a chat completion's answer", e);
        } finally {
            complete(async);
        }
    }

    private static void complete(AsyncContext async) {
        try {
            async.complete();
        } catch (RuntimeException e) {
            log.warn("could not end a chat completion's request: {}", e.toString());
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
