package ai.mule.gateway.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.Container;
import org.apache.catalina.Host;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;

/**
 * Answers the requests Tomcat refuses before any filter or handler sees them in JSON that says what was wrong, in the
 * shape of the path's API ({@link ErrorBodies}), where Tomcat wrote an HTML page saying only "HTTP Status 400 – Bad
 * Request": headers (with the request line) over {@code server.max-http-request-header-size}, as a long URL or a long
 * {@code Idempotency-Key} makes them, and a path holding an encoded NUL, slash or backslash, or a character a URL must
 * encode. Every other error keeps its answer: Spring's handlers and filters write their own bodies, and this writes
 * only when nothing was written.
 * <p>
 * It takes the place of the host's error report valve, the one Spring Boot adds too (with its report hidden, as
 * {@code server.error.include-stacktrace: never} asks), so it runs after Spring Boot's own customizer.
 */
@Component
class TomcatRefusals implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

    private static final Logger log = LoggerFactory.getLogger(TomcatRefusals.class);

    private final ObjectMapper mapper;
    private final long maxHeaderBytes;

    TomcatRefusals(ObjectMapper mapper, ServerProperties server) {
        this.mapper = mapper;
        this.maxHeaderBytes = server.getMaxHttpRequestHeaderSize().toBytes();
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addContextCustomizers(context -> {
            Container parent = context.getParent();
            if (!(parent instanceof Host host)) {
                return;
            }
            for (Valve valve : host.getPipeline().getValves()) {
                if (valve instanceof ErrorReportValve) {
                    host.getPipeline().removeValve(valve);
                }
            }
            if (host instanceof StandardHost standard) {
                // the host adds a valve of this class when it starts unless it has one: this one
                standard.setErrorReportValveClass(JsonReport.class.getName());
            }
            host.getPipeline().addValve(new JsonReport(this));
        });
    }

    /** A refusal's message, saying what a client can do about it, and its code. */
    record Refusal(String message, String code) {
    }

    /**
     * What a client can do about a request Tomcat refused with {@code status}, from what Tomcat said of it: the
     * response's message (a path it would not decode) or the exception that stopped it reading the request.
     * Tomcat's own words are kept in the message, as its English texts are what this recognises.
     */
    Refusal explain(int status, String tomcatMessage, Throwable cause) {
        String said = tomcatMessage != null && !tomcatMessage.isBlank() ? tomcatMessage
                : cause != null && cause.getMessage() != null ? cause.getMessage() : "";
        log.debug("refused a request with {}: {}", status, said.isEmpty() ? "(Tomcat gave no reason)" : said);
        if (status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED.value()) {
            return new Refusal("the gateway speaks HTTP/1.1 (and HTTP/1.0): send the request with one of them",
                    "http_version_not_supported");
        }
        if (said.startsWith("Request header is too large")) {
            return new Refusal("the request line and headers together are over the gateway's limit of " + maxHeaderBytes
                    + " bytes (server.max-http-request-header-size); a long URL or a long header such as "
                    + "Idempotency-Key counts: send a shorter URL or shorter headers", "request_header_too_large");
        }
        if (said.startsWith("Invalid URI")) {
            return new Refusal("the URL's path cannot be read (" + said + "): the gateway refuses an encoded NUL "
                    + "(%00), slash (%2F) or backslash (%5C) in a path, and a % not followed by two hex digits; no id "
                    + "or name holds them, and a % itself is sent as %25", "invalid_url");
        }
        if (said.startsWith("Invalid character found in the request target")) {
            return new Refusal("the URL holds a character that must be percent-encoded (RFC 3986), such as a space, "
                    + "a quote, {, }, | or ^: " + said, "invalid_url");
        }
        if (status >= 500) {
            return new Refusal("the gateway could not answer this request (HTTP " + status + "); its log says why",
                    "internal_error");
        }
        return new Refusal("the request is not valid HTTP/1.1, so the gateway could not read it"
                + (said.isEmpty() ? "; check its request line, its headers (names without spaces) and its "
                + "Content-Length or Transfer-Encoding" : ": " + said), "invalid_request");
    }

    /** The host's error report: JSON in place of Tomcat's HTML page, for the refusals no handler wrote a body for. */
    static final class JsonReport extends ErrorReportValve {

        private final TomcatRefusals refusals;

        JsonReport(TomcatRefusals refusals) {
            this.refusals = refusals;
        }

        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int status = response.getStatus();
            // as Tomcat's own report: only an error, only if nothing was written, and only once
            if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
                return;
            }
            AtomicBoolean ioAllowed = new AtomicBoolean();
            response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
            if (!ioAllowed.get()) {
                return;
            }
            String path = request.getRequestURI();
            Refusal refusal = refusals.explain(status, response.getMessage(), throwable);
            try {
                response.setContentType(ErrorBodies.contentType(path));
                response.setCharacterEncoding("utf-8");
                Writer writer = response.getReporter();
                if (writer != null) {
                    writer.write(refusals.mapper.writeValueAsString(ErrorBodies.of(path,
                            HttpStatusCode.valueOf(status), refusal.message(), refusal.code())));
                    response.finishResponse();
                }
            } catch (IOException | IllegalStateException e) {
                // the client is gone, or the response cannot take a body any more: nothing left to tell anyone
            }
        }
    }
}
