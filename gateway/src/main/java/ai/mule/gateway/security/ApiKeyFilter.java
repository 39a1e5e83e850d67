package ai.mule.gateway.security;

import ai.mule.gateway.web.ErrorBodies;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Asks for {@code Authorization: Bearer <key>} (the header OpenAI clients already send) on every endpoint except
 * {@code /health}, the probes under {@code /actuator/health} (and the dashboard's static files), as soon as any key
 * is configured ({@code /actuator/prometheus} takes a key like the API). Runs before any other filter, so a request without a valid
 * key is never read. {@code /api/v1/api-keys} takes only the admin key.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class ApiKeyFilter extends OncePerRequestFilter {

    static final String ADMIN_PATH = "/api/v1/api-keys";

    private final ApiKeys keys;
    private final FailedAuthLimiter failures;
    private final ObjectMapper mapper;

    ApiKeyFilter(ApiKeys keys, FailedAuthLimiter failures, ObjectMapper mapper) {
        this.keys = keys;
        this.failures = failures;
        this.mapper = mapper;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = path(request);
        if (path.equals("/health") || isProbe(path) || isDashboardAsset(request.getMethod(), path)) {
            chain.doFilter(request, response);
            return;
        }
        String key = bearer(request.getHeader("Authorization"));
        if (key == null && path.equals("/ws")) {
            // a browser cannot set a header on a WebSocket handshake (issue 16's /ws)
            key = request.getParameter("api_key");
        }
        if (path.equals(ADMIN_PATH) || path.startsWith(ADMIN_PATH + "/")) {
            if (!keys.adminConfigured()) {
                refuse(request, response, HttpStatus.FORBIDDEN, "API keys are managed with the admin key, and none is set: "
                        + "start the gateway with MULE_ADMIN_KEY=<a long random secret> and send it as "
                        + "Authorization: Bearer <admin key>", "admin_key_not_configured");
            } else if (key == null) {
                refuse(request, response, HttpStatus.UNAUTHORIZED, missing(), "missing_api_key");
            } else if (!keys.isAdmin(key)) {
                if (!limited(request, response)) {
                    failures.failed(request.getRemoteAddr(), System.currentTimeMillis());
                    refuse(request, response, HttpStatus.FORBIDDEN, "managing API keys needs the admin key "
                            + "(MULE_ADMIN_KEY)", "admin_key_required");
                }
            } else {
                Callers.keyed(request, key);
                chain.doFilter(request, response);
            }
            return;
        }
        if (!keys.required()) {
            chain.doFilter(request, response);
        } else if (key == null) {
            refuse(request, response, HttpStatus.UNAUTHORIZED, missing(), "missing_api_key");
        } else if (!keys.isKnownValid(key) && limited(request, response)) {
            return;
        } else if (!keys.isValid(key)) {
            failures.failed(request.getRemoteAddr(), System.currentTimeMillis());
            refuse(request, response, HttpStatus.UNAUTHORIZED, "the API key is not valid (unknown or revoked); send a "
                    + "current key as Authorization: Bearer <key>", "invalid_api_key");
        } else {
            Callers.keyed(request, key);
            chain.doFilter(request, response);
        }
    }

    /**
     * Refuses a client address that failed authentication too often lately (429 with {@code Retry-After}), before
     * its key is looked up; true when it did.
     */
    private boolean limited(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long retryAfter = failures.retryAfterSeconds(request.getRemoteAddr(), System.currentTimeMillis());
        if (retryAfter == 0) {
            return false;
        }
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
        refuse(request, response, HttpStatus.TOO_MANY_REQUESTS, "too many failed authentications from this address "
                + "(mule.security.failed-auth.max-per-address); retry after " + retryAfter + " s with a valid key",
                "too_many_failed_authentications");
        return true;
    }

    /** Liveness and readiness probes: a kubelet or load balancer sends no key; they tell no data. */
    static boolean isProbe(String path) {
        return path.equals("/actuator/health") || path.startsWith("/actuator/health/");
    }

    /**
     * The dashboard's static files hold no data and must load before the user has typed a key (a browser cannot send
     * one for a page load); every API call the dashboard makes carries the key like any other client's.
     */
    static boolean isDashboardAsset(String method, String path) {
        return ("GET".equals(method) || "HEAD".equals(method))
                && (path.equals("/") || path.equals("/index.html") || path.startsWith("/assets/"));
    }

    /**
     * The path as the servlet container resolved it: decoded, normalised, without {@code ;} parameters. Deciding on
     * the raw URI would let {@code /assets/%2e%2e/api/v1/jobs} or {@code /api/v1/%61pi-keys} past the checks.
     */
    static String path(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String pathInfo = request.getPathInfo();
        return (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    }

    private static String missing() {
        return "an API key is required: send Authorization: Bearer <key> (keys come from MULE_API_KEYS or "
                + "POST /api/v1/api-keys with the admin key)";
    }

    private static String bearer(String header) {
        if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String key = header.substring(7).trim();
        return key.isEmpty() || key.length() > 512 ? null : key;
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String message,
                        String code) throws IOException {
        if (status == HttpStatus.UNAUTHORIZED) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"mule\"");
        }
        ErrorBodies.write(mapper, request, response, status, message, code);
    }
}
