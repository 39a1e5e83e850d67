package ai.mule.gateway.openai;

import org.springframework.http.HttpStatus;

/**
 * An error of the OpenAI-compatible endpoints, answered in OpenAI's shape
 * ({@code {"error": {"message", "type", "param", "code"}}}) so that OpenAI SDKs raise their usual exceptions.
 * {@code jobId} is set when a job exists, so the caller can look it up under /api/v1/jobs.
 */
class OpenAiException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String param;
    private final String code;
    private final String jobId;

    OpenAiException(HttpStatus status, String message, String type, String param, String code, String jobId) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.jobId = jobId;
    }

    static OpenAiException invalidRequest(String message, String param, String code) {
        return new OpenAiException(HttpStatus.BAD_REQUEST, message, "invalid_request_error", param, code, null);
    }

    HttpStatus status() {
        return status;
    }

    OpenAiError body() {
        return new OpenAiError(new OpenAiError.Detail(getMessage(), type, param, code, jobId));
    }
}
