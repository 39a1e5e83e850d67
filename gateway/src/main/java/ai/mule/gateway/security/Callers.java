package ai.mule.gateway.security;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Who a request comes from, for per-caller limits (event streams per key): its API key (as a short hash, never the
 * key), or its client address when the gateway asks for no key.
 */
public final class Callers {

    static final String ATTRIBUTE = Callers.class.getName();

    private Callers() {
    }

    /** The caller of a request that passed the API key filter. */
    public static String of(HttpServletRequest request) {
        Object caller = request.getAttribute(ATTRIBUTE);
        return caller != null ? caller.toString() : "address:" + request.getRemoteAddr();
    }

    /** Marks the request as sent with this key. */
    static void keyed(HttpServletRequest request, String key) {
        request.setAttribute(ATTRIBUTE, "key:" + ApiKeys.hash(key).substring(0, 16));
    }
}
