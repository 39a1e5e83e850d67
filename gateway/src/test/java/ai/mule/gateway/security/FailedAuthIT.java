package ai.mule.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.IntegrationTestBase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

/**
 * Failed authentication costs (almost) no database query: unknown {@code mule_} keys are remembered as unknown for a
 * while, and an address that keeps failing is told 429 without a lookup. Every key lookup is counted where it
 * happens: a wrapper around the real DataSource counts the statements that read {@code api_keys} by hash. Requests
 * come from separate loopback addresses (127.0.0.x), so each test is its own client address.
 */
@TestPropertySource(properties = {"mule.security.api-keys=" + FailedAuthIT.STATIC_KEY,
        "mule.security.admin-key=" + FailedAuthIT.ADMIN_KEY, "mule.security.failed-auth.max-per-address=20"})
@Import(FailedAuthIT.CountingDataSource.class)
class FailedAuthIT extends IntegrationTestBase {

    static final String STATIC_KEY = "failed-auth-static-key";
    static final String ADMIN_KEY = "failed-auth-admin-key";
    static final AtomicInteger LOOKUPS = new AtomicInteger();

    private record Answer(int status, String retryAfter) {
    }

    /** The keys this test stored would make every later test class on the shared database need a key. */
    @AfterEach
    void forgetStoredKeys() {
        jdbc.sql("DELETE FROM api_keys").update();
    }

    @BeforeEach
    void resetCount() {
        LOOKUPS.set(0);
    }

    @Test
    void aRepeatedUnknownKeyCostsOneLookupUntilAKeyIsCreated() {
        String unknown = "mule_" + UUID.randomUUID();
        for (int i = 0; i < 15; i++) {
            assertThat(get("127.0.0.2", unknown).status()).isEqualTo(401);
        }
        assertThat(LOOKUPS).as("one lookup for 15 requests").hasValue(1);

        createKey();
        assertThat(get("127.0.0.2", unknown).status()).isEqualTo(401);
        assertThat(LOOKUPS).as("a created key clears what was remembered as unknown").hasValue(2);
    }

    @Test
    void aThousandUnknownKeysCostABoundedNumberOfLookupsAndValidKeysKeepWorking() {
        String stored = createKey();
        LOOKUPS.set(0);
        List<Answer> unknown = new ArrayList<>();
        int validAnswered = 0;
        for (int i = 0; i < 1000; i++) {
            unknown.add(get("127.0.0.3", "mule_" + UUID.randomUUID()));
            if (i % 50 == 0) {
                // meanwhile: the static key from the same address, a stored key from another
                assertThat(get("127.0.0.3", STATIC_KEY).status()).isEqualTo(200);
                assertThat(get("127.0.0.4", stored).status()).isEqualTo(200);
                validAnswered += 2;
            }
        }
        assertThat(validAnswered).isEqualTo(40);
        assertThat(unknown.stream().filter(a -> a.status() == 401)).hasSize(20);
        List<Answer> limited = unknown.stream().filter(a -> a.status() == 429).toList();
        assertThat(limited).hasSize(980);
        assertThat(limited.get(0).retryAfter()).isNotNull();
        // 20 unknown keys looked up before the address was limited, and the stored key once per 5 s at most
        assertThat(LOOKUPS.get()).isLessThanOrEqualTo(20 + 20);
    }

    private String createKey() {
        String response = request("127.0.0.1", "POST", "/api/v1/api-keys", ADMIN_KEY, "{\"name\":\"k-"
                + UUID.randomUUID() + "\"}");
        assertThat(response).startsWith("HTTP/1.1 201");
        int at = response.indexOf("\"key\":\"") + 7;
        return response.substring(at, response.indexOf('"', at));
    }

    private Answer get(String from, String key) {
        String response = request(from, "GET", "/api/v1/workflows", key, null);
        int status = Integer.parseInt(response.substring(9, 12));
        String retryAfter = response.lines().takeWhile(l -> !l.isEmpty())
                .filter(l -> l.regionMatches(true, 0, "Retry-After:", 0, 12))
                .map(l -> l.substring(12).strip()).findFirst().orElse(null);
        return new Answer(status, retryAfter);
    }

    /** One HTTP/1.1 exchange from a chosen loopback address; answers the whole response as text. */
    private String request(String from, String method, String path, String key, String body) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Authorization: Bearer " + key + "\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + content.length
                    + "\r\n") + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(content);
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Wraps the real DataSource: counts each statement prepared to look an API key up by its hash. */
    @TestConfiguration
    static class CountingDataSource {

        @Bean
        static BeanPostProcessor countApiKeyLookups() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    return bean instanceof DataSource dataSource ? counting(dataSource) : bean;
                }
            };
        }

        private static DataSource counting(DataSource target) {
            return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                    new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                        Object result = invoke(target, method, args);
                        return result instanceof Connection connection ? counting(connection) : result;
                    });
        }

        private static Connection counting(Connection target) {
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().startsWith("prepare") && args != null && args[0] instanceof String sql
                                && sql.contains("FROM api_keys WHERE key_hash")) {
                            LOOKUPS.incrementAndGet();
                        }
                        return invoke(target, method, args);
                    });
        }

        private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
