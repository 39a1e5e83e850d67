package ai.mule.gateway.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/**
 * The error body of a request answered where Spring MVC's handlers cannot answer it: in a servlet filter, or by
 * Tomcat before any filter ran ({@link TomcatRefusals}). It has the shape the path's handlers give their errors:
 * OpenAI's {@code {"error": {...}}} for the OpenAI-compatible endpoints ({@code /v1/chat/completions},
 * {@code /v1/models}), an RFC 9457 problem detail everywhere else, {@code /v1/wasm/execute} (Mule's own) included.
 */
public final class ErrorBodies {

    private ErrorBodies() {
    }

    /** Answers {@code request} with {@code status} and the error body for its path. */
    public static void write(ObjectMapper mapper, HttpServletRequest request, HttpServletResponse response,
                             HttpStatusCode status, String message, String code) throws IOException {
        write(mapper, request, response, status, message, code, null);
    }

    /** The same, for a refusal by the configured limit {@code limit} (a {@code mule.limits.*} setting). */
    public static void write(ObjectMapper mapper, HttpServletRequest request, HttpServletResponse response,
                             HttpStatusCode status, String message, String code, String limit) throws IOException {
        String path = request.getRequestURI();
        response.setStatus(status.value());
        response.setContentType(contentType(path));
        mapper.writeValue(response.getOutputStream(), of(path, status, message, code, limit));
    }

    /** The media type of the error body for {@code path} (null when Tomcat could not read the request's path). */
    public static String contentType(String path) {
        return isOpenAi(path) ? MediaType.APPLICATION_JSON_VALUE : MediaType.APPLICATION_PROBLEM_JSON_VALUE;
    }

    /** The error body for {@code path}: {@code code} is OpenAI's error code, and the problem detail's {@code code}. */
    public static Object of(String path, HttpStatusCode status, String message, String code) {
        return of(path, status, message, code, null);
    }

    /**
     * The same, naming the configured limit the request broke, if any: as OpenAI's {@code param}, and as the
     * problem detail's {@code limit}, as the handlers name it ({@code ApiExceptionHandler},
     * {@code OpenAiExceptionHandler}).
     */
    public static Object of(String path, HttpStatusCode status, String message, String code, String limit) {
        if (isOpenAi(path)) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("message", message);
            error.put("type", status.is5xxServerError() ? "server_error" : "invalid_request_error");
            error.put("param", limit);
            error.put("code", code);
            return Map.of("error", error);
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, message);
        instance(path).ifPresent(problem::setInstance);
        if (code != null) {
            problem.setProperty("code", code);
        }
        if (limit != null) {
            problem.setProperty("limit", limit);
        }
        return problem;
    }

    /** The paths of the controllers {@code OpenAiExceptionHandler} answers for: keep the two in step. */
    private static boolean isOpenAi(String path) {
        return path != null && (path.startsWith("/v1/chat/") || path.equals("/v1/models")
                || path.startsWith("/v1/models/"));
    }

    /** The path as the problem's {@code instance}, unless it is not a URI. */
    private static Optional<URI> instance(String path) {
        if (path == null || path.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(URI.create(path));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
