package ai.mule.gateway.openai;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.PoolFullException;
import ai.mule.gateway.web.RequestErrors;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Errors of the OpenAI-compatible endpoints in OpenAI's shape. Ordered before the /api/v1 problem-detail
 * handler and limited to these controllers, so OpenAI clients never see a problem detail.
 */
@RestControllerAdvice(assignableTypes = {ChatCompletionController.class, ModelsController.class})
@Order(Ordered.HIGHEST_PRECEDENCE)
class OpenAiExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(OpenAiExceptionHandler.class);

    /** The answer to {@code error}, as the handlers below give it: for an answer written outside Spring MVC. */
    ResponseEntity<OpenAiError> answer(Throwable error) {
        if (error instanceof OpenAiException e) {
            return handle(e);
        }
        if (error instanceof PoolFullException e) {
            return handlePoolFull(e);
        }
        if (error instanceof ApiException e) {
            return handleApi(e);
        }
        return handleUnexpected(error instanceof Exception e ? e : new IllegalStateException(error));
    }

    @ExceptionHandler(OpenAiException.class)
    ResponseEntity<OpenAiError> handle(OpenAiException e) {
        return ResponseEntity.status(e.status()).body(e.body());
    }

    /** A full pool ({@code mule.pools.*}): OpenAI SDKs retry a 503 after {@code Retry-After}. */
    @ExceptionHandler(PoolFullException.class)
    ResponseEntity<OpenAiError> handlePoolFull(PoolFullException e) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds())
                .body(new OpenAiException(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage(), "server_error", null,
                        "overloaded", null).body());
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<OpenAiError> handleApi(ApiException e) {
        String type = e.status().is4xxClientError() ? "invalid_request_error" : "server_error";
        // a broken limit: OpenAI's param names the limit's setting, the code says what kind of refusal it is
        ResponseEntity<OpenAiError> answer = handle(new OpenAiException(e.status(), e.getMessage(), type, e.limit(),
                e.limit() == null ? null : "limit_exceeded", null));
        return e.retryAfter() == null ? answer
                : ResponseEntity.status(answer.getStatusCode()).header(HttpHeaders.RETRY_AFTER, e.retryAfter())
                        .body(answer.getBody());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<OpenAiError> handleUnreadable(HttpMessageNotReadableException e) {
        ApiException reason = RequestErrors.unreadable(e);
        String code = reason.status() == HttpStatus.PAYLOAD_TOO_LARGE ? "request_too_large"
                : reason.limit() != null ? "limit_exceeded" : "invalid_json";
        return handle(new OpenAiException(reason.status(), reason.getMessage(), "invalid_request_error", reason.limit(),
                code, null));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<OpenAiError> handleMediaType(HttpMediaTypeNotSupportedException e) {
        return handle(new OpenAiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "send the request as JSON with "
                + "Content-Type: application/json", "invalid_request_error", null, "unsupported_media_type", null));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<OpenAiError> handleUnexpected(Exception e) {
        if (e.getCause() instanceof OutOfMemoryError) {
            // only this request's work failed; the background loops restart on their own
            log.error("out of memory in an OpenAI endpoint", e);
            return handle(new OpenAiException(HttpStatus.SERVICE_UNAVAILABLE, "the gateway ran out of memory on this "
                    + "request; retry later, or send less data", "server_error", null, "overloaded", null));
        }
        String reference = UUID.randomUUID().toString();
        log.error("unexpected error in an OpenAI endpoint (reference {})", reference, e);
        return handle(new OpenAiException(HttpStatus.INTERNAL_SERVER_ERROR, "the gateway failed unexpectedly; the log "
                + "has the details under reference " + reference, "server_error", null, null, null));
    }
}
