package ai.mule.gateway.security;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ExposureGuardTest {

    private static final SecurityProperties NO_KEYS = new SecurityProperties("", "");

    @Test
    void refusesANetworkAddressWithoutKeysAndSaysHowToSetOne() {
        assertThatThrownBy(() -> new ExposureGuard("0.0.0.0", NO_KEYS))
                .hasMessageContaining("MULE_API_KEYS").hasMessageContaining("MULE_ADMIN_KEY")
                .hasMessageContaining("0.0.0.0");
        assertThatThrownBy(() -> new ExposureGuard("", NO_KEYS)).hasMessageContaining("every interface");
        assertThatThrownBy(() -> new ExposureGuard("10.1.2.3", new SecurityProperties(" , ", null)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void allowsLoopbackWithoutKeysAndAnyAddressWithKeys() {
        assertThatCode(() -> new ExposureGuard("127.0.0.1", NO_KEYS)).doesNotThrowAnyException();
        assertThatCode(() -> new ExposureGuard("localhost", NO_KEYS)).doesNotThrowAnyException();
        assertThatCode(() -> new ExposureGuard("::1", NO_KEYS)).doesNotThrowAnyException();
        assertThatCode(() -> new ExposureGuard("0.0.0.0", new SecurityProperties("k1,k2", null))).doesNotThrowAnyException();
        assertThatCode(() -> new ExposureGuard("0.0.0.0", new SecurityProperties(null, "admin"))).doesNotThrowAnyException();
    }
}
