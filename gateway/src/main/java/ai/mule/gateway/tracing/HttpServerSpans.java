package ai.mule.gateway.tracing;

import ai.mule.tracing.SpanNames;
import ai.mule.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;

/**
 * A server span for each API request ({@code /api/...}, {@code /v1/...}), named by method and route
 * ({@code POST /api/v1/jobs}): the root of a job's trace, or a child of the caller's when the request carries a
 * W3C {@code traceparent}. A job the request creates stores this span's context with its outbox row, so the job's
 * spans in the orchestrator and the runners join this trace. First among the filters, so a refused request (401,
 * 413) is a span too. Health probes, metrics scrapes and the dashboard's files are not traced.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class HttpServerSpans extends OncePerRequestFilter {

    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

    private final Tracing tracing;

    HttpServerSpans(Tracing tracing) {
        this.tracing = tracing;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !tracing.enabled() || !(path.startsWith("/api/") || path.startsWith("/v1/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String method = request.getMethod();
        Span span = tracing.tracer().spanBuilder(method)
                .setParent(tracing.extract(request, RequestHeaders.INSTANCE))
                .setSpanKind(SpanKind.SERVER)
                .setAttribute(METHOD, method)
                .setAttribute(PATH, request.getRequestURI())
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            // the route is known once a handler was chosen; unmatched requests keep the bare method
            if (request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE) instanceof String route) {
                span.updateName(SpanNames.http(method, route));
                span.setAttribute(ROUTE, route);
            }
            span.setAttribute(STATUS, (long) response.getStatus());
            if (response.getStatus() >= 500) {
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        }
    }

    /** Request headers as a carrier of the caller's trace context. */
    private enum RequestHeaders implements TextMapGetter<HttpServletRequest> {
        INSTANCE;

        @Override
        public Iterable<String> keys(HttpServletRequest request) {
            return Collections.list(request.getHeaderNames());
        }

        @Override
        public String get(HttpServletRequest request, String key) {
            return request == null ? null : request.getHeader(key);
        }
    }
}
