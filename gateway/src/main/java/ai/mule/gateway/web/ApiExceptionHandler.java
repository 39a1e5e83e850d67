package ai.mule.gateway.web;

import ai.mule.schemas.Limits;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.tomcat.util.http.fileupload.impl.FileCountLimitExceededException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.ConversionNotSupportedException;
import org.springframework.beans.TypeMismatchException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.lang.Nullable;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentConversionNotSupportedException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;

/**
 * The one place where /api/v1 errors become RFC 9457 problem details. Every message says what is wrong and how
 * to fix it; nothing internal (no stack trace, no SQL) reaches the client. The OpenAI endpoints have their own
 * handler, ordered before this one, because their clients expect OpenAI's error shape.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Object> handleApi(ApiException e, HttpServletRequest request) {
        return problem(e, URI.create(request.getRequestURI()));
    }

    @ExceptionHandler(DuplicateKeyException.class)
    ResponseEntity<Object> handleDuplicate(DuplicateKeyException e, HttpServletRequest request) {
        // Repositories turn the expected unique clashes into named conflicts; this is the race that slipped past.
        return problem(HttpStatus.CONFLICT, "it clashes with something stored meanwhile (a name or step order is "
                + "already taken); read the current state and try again", request);
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<Object> handleIntegrity(DataIntegrityViolationException e, HttpServletRequest request) {
        return problem(HttpStatus.CONFLICT, "it refers to something that was changed or deleted meanwhile; read the "
                + "current state and try again", request);
    }

    /** A full pool ({@code mule.pools.*}): the caller may come back after {@code Retry-After}. */
    @ExceptionHandler(PoolFullException.class)
    ResponseEntity<Object> handlePoolFull(PoolFullException e, HttpServletRequest request) {
        ProblemDetail problem = problemBody(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage(),
                URI.create(request.getRequestURI()));
        problem.setProperty("code", "overloaded");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER,
                e.retryAfterSeconds()).body(problem);
    }

    /**
     * A multipart body that cannot be parsed (cut short, no boundary) is the client's to fix: a 400 saying what is
     * wrong. An upload over a limit, of size or of parts, is a {@code MaxUploadSizeExceededException}, which is more
     * specific and answered 413 below.
     */
    @ExceptionHandler(MultipartException.class)
    ResponseEntity<Object> handleMultipart(MultipartException e, HttpServletRequest request) {
        Throwable root = e.getMostSpecificCause();
        String what = root.getMessage() == null || root.getMessage().isBlank() ? root.getClass().getSimpleName()
                : root.getMessage();
        return problem(HttpStatus.BAD_REQUEST, "the multipart/form-data body cannot be read (" + what + "); send one "
                + "well-formed body with a part per field, as curl -F name=my-module -F module_data=@module.wasm does",
                request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> handleUnexpected(Exception e, HttpServletRequest request) {
        if (outOfMemory(e)) {
            // Spring hands an Error thrown by a handler over wrapped in a ServletException. Only this request's
            // work failed (its garbage is gone by now); the background loops restart on their own.
            log.error("out of memory on {} {}", request.getMethod(), request.getRequestURI(), e);
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "5")
                    .body(problemBody(HttpStatus.SERVICE_UNAVAILABLE, "the gateway ran out of memory on this request; "
                            + "retry later, or send less data", URI.create(request.getRequestURI())));
        }
        String reference = UUID.randomUUID().toString();
        log.error("unexpected error on {} {} (reference {})", request.getMethod(), request.getRequestURI(), reference, e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "the gateway failed unexpectedly; the log has the details "
                + "under reference " + reference, request);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = e.getBindingResult().getFieldErrors().stream()
                .map(f -> Map.of("field", snakeCase(f.getField()), "message", message(f)))
                .toList();
        String detail = errors.stream().map(m -> m.get("field") + " " + m.get("message"))
                .reduce((a, b) -> a + "; " + b).orElse("the request is invalid");
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        body.setProperty("errors", errors);
        body.setInstance(instance(request));
        return ResponseEntity.badRequest().body(body);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException e,
                                                                            HttpHeaders headers, HttpStatusCode status,
                                                                            WebRequest request) {
        String detail = e.getAllErrors().stream().map(err -> err.getDefaultMessage())
                .reduce((a, b) -> a + "; " + b).orElse("the request is invalid");
        return problem(HttpStatus.BAD_REQUEST, detail, instance(request));
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException e, HttpHeaders headers,
                                                        HttpStatusCode status, WebRequest request) {
        String name = e instanceof MethodArgumentTypeMismatchException m ? m.getName() : e.getPropertyName();
        String expected = e.getRequiredType() == null ? "another type" : e.getRequiredType().getSimpleName().toLowerCase();
        return problem(HttpStatus.BAD_REQUEST, "parameter '" + name + "' must be " + article(expected) + " "
                + expected + ", got '" + e.getValue() + "'", instance(request));
    }

    /**
     * A text parameter that came as a file part ({@code curl -F config=@file.json}): Spring cannot make a string of
     * it and would answer 500, though the request is what is wrong.
     */
    @Override
    protected ResponseEntity<Object> handleConversionNotSupported(ConversionNotSupportedException e,
                                                                  HttpHeaders headers, HttpStatusCode status,
                                                                  WebRequest request) {
        if (e.getValue() instanceof MultipartFile || e.getValue() instanceof Part) {
            String name = e instanceof MethodArgumentConversionNotSupportedException m ? m.getName()
                    : e.getPropertyName();
            return problem(HttpStatus.BAD_REQUEST, "'" + name + "' must be a text field, but came as a file; with "
                    + "curl, -F '" + name + "=<file' sends a file's content as text (-F '" + name + "=@file' sends "
                    + "the file itself)", instance(request));
        }
        return super.handleConversionNotSupported(e, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        return problem(RequestErrors.unreadable(e), instance(request));
    }

    @Override
    protected ResponseEntity<Object> handleNoResourceFoundException(NoResourceFoundException e, HttpHeaders headers,
                                                                    HttpStatusCode status, WebRequest request) {
        return problem(HttpStatus.NOT_FOUND, "no endpoint " + e.getHttpMethod() + " /" + e.getResourcePath()
                + "; the API lives under /api/v1 and /v1", instance(request));
    }

    @Override
    protected ResponseEntity<Object> handleMaxUploadSizeExceededException(MaxUploadSizeExceededException e,
                                                                          HttpHeaders headers, HttpStatusCode status,
                                                                          WebRequest request) {
        // Spring reports Tomcat's limit on the number of parts as a size too
        Optional<FileCountLimitExceededException> tooMany = cause(e, FileCountLimitExceededException.class);
        if (tooMany.isPresent()) {
            return problem(HttpStatus.PAYLOAD_TOO_LARGE, "the upload has more than " + tooMany.get().getLimit()
                    + " parts; a module upload needs four at most (name, description, config, module_data)",
                    instance(request));
        }
        return problem(ApiException.limitExceeded(HttpStatus.PAYLOAD_TOO_LARGE, "the upload is larger than the "
                + "gateway accepts (module_data up to mule.limits.max-module-size, MULE_LIMITS_MAX_MODULE_SIZE); strip "
                + "debug sections or raise the limit", Limits.PREFIX + "max-module-size"), instance(request));
    }

    /** An {@link ApiException}'s problem; one that broke a configured limit names its setting as {@code limit}. */
    private static ResponseEntity<Object> problem(ApiException e, @Nullable URI instance) {
        ProblemDetail body = problemBody(e.status(), e.getMessage(), instance);
        if (e.limit() != null) {
            body.setProperty("limit", e.limit());
        }
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(e.status());
        if (e.retryAfter() != null) {
            answer.header(HttpHeaders.RETRY_AFTER, e.retryAfter());
        }
        return answer.body(body);
    }

    static boolean outOfMemory(Throwable e) {
        return cause(e, OutOfMemoryError.class).isPresent();
    }

    /** The first throwable of {@code type} in {@code e}'s chain of causes, {@code e} itself included. */
    private static <T extends Throwable> Optional<T> cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }

    private static ProblemDetail problemBody(HttpStatusCode status, String detail, @Nullable URI instance) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setInstance(instance);
        return body;
    }

    private static ResponseEntity<Object> problem(HttpStatusCode status, String detail, HttpServletRequest request) {
        return problem(status, detail, URI.create(request.getRequestURI()));
    }

    private static ResponseEntity<Object> problem(HttpStatusCode status, String detail, @Nullable URI instance) {
        return ResponseEntity.status(status).body(problemBody(status, detail, instance));
    }

    @Nullable
    private static URI instance(WebRequest request) {
        if (request instanceof NativeWebRequest nativeRequest
                && nativeRequest.getNativeRequest() instanceof HttpServletRequest servlet) {
            return URI.create(servlet.getRequestURI());
        }
        return null;
    }

    private static String message(FieldError f) {
        return f.getDefaultMessage() == null ? "is invalid" : f.getDefaultMessage();
    }

    static String snakeCase(String field) {
        return field.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
    }

    private static String article(String word) {
        return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
    }
}
