package ai.mule.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.tomcat.util.http.fileupload.impl.FileCountLimitExceededException;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;

/**
 * The answers {@link ApiExceptionHandler} picks by what lies deep in an exception's causes: an out-of-memory error
 * however Spring wrapped it, Tomcat's limit on parts inside Spring's upload-size error, and a multipart parser's own
 * reason. The integration tests reach the last two over HTTP; no request can make a handler run out of memory.
 */
class ApiExceptionCausesTest {

    private final ApiExceptionHandler handler = new ApiExceptionHandler();
    private final MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/wasm-modules");

    @Test
    void anOutOfMemoryErrorWrappedBySpringIsA503ToRetryNotA500() {
        Exception wrapped = new ServletException("Handler dispatch failed",
                new IllegalStateException(new OutOfMemoryError("Java heap space")));

        ResponseEntity<Object> answer = handler.handleUnexpected(wrapped, request);

        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
        assertThat(detail(answer)).contains("ran out of memory");
    }

    @Test
    void anyOtherUnexpectedErrorIsA500WithAReference() {
        ResponseEntity<Object> answer = handler.handleUnexpected(new IllegalStateException("boom"), request);

        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
        assertThat(detail(answer)).contains("under reference").doesNotContain("boom");
    }

    @Test
    void tooManyPartsNamesThePartLimitNotTheSizeLimit() {
        MaxUploadSizeExceededException e = new MaxUploadSizeExceededException(-1,
                new IllegalStateException(new FileCountLimitExceededException("attachment", 50)));

        ResponseEntity<Object> answer = handler.handleMaxUploadSizeExceededException(e, new HttpHeaders(),
                HttpStatus.PAYLOAD_TOO_LARGE, new ServletWebRequest(request));

        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
        assertThat(detail(answer)).startsWith("the upload has more than 50 parts");
    }

    @Test
    void anUploadOverItsSizeKeepsTheSizeMessage() {
        ResponseEntity<Object> answer = handler.handleMaxUploadSizeExceededException(
                new MaxUploadSizeExceededException(1024), new HttpHeaders(), HttpStatus.PAYLOAD_TOO_LARGE,
                new ServletWebRequest(request));

        assertThat(detail(answer)).contains("mule.limits.max-module-size");
    }

    @Test
    void aMultipartBodyThatCannotBeParsedIsA400GivingTheParsersReason() {
        MultipartException e = new MultipartException("Failed to parse multipart servlet request",
                new IOException("wrapper", new IOException("Stream ended unexpectedly")));

        ResponseEntity<Object> answer = handler.handleMultipart(e, request);

        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(detail(answer)).startsWith("the multipart/form-data body cannot be read (Stream ended unexpectedly)");
    }

    private static String detail(ResponseEntity<Object> answer) {
        return ((ProblemDetail) answer.getBody()).getDetail();
    }
}
