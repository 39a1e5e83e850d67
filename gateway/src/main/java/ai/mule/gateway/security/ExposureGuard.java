package ai.mule.gateway.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Refuses to start a gateway that would listen beyond this machine with no API key: without keys every endpoint,
 * provider keys' use included, would be open to the network. On 127.0.0.1 (what {@code ./mule up} binds) keys are
 * optional.
 */
@Component
class ExposureGuard {

    ExposureGuard(@Value("${server.address:}") String address, SecurityProperties security) {
        if (!isLoopback(address) && !security.hasEnvironmentKeys()) {
            throw new UnsafeExposureException(address.isBlank() ? "every interface" : address);
        }
    }

    /** Thrown at start-up; {@link UnsafeExposureFailureAnalyzer} turns it into Spring Boot's start-up report. */
    static final class UnsafeExposureException extends IllegalStateException {

        static final String HOW = "set MULE_API_KEYS=<key>[,<key>...] or MULE_ADMIN_KEY=<secret> (then create keys with "
                + "POST /api/v1/api-keys), e.g. MULE_API_KEYS=$(openssl rand -hex 32); or bind MULE_HTTP_ADDRESS=127.0.0.1";

        UnsafeExposureException(String address) {
            super("refusing to listen on " + address + " (MULE_HTTP_ADDRESS) without API keys: " + HOW);
        }
    }

    static boolean isLoopback(String address) {
        if (address == null || address.isBlank()) {
            return false;
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
