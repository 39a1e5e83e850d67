package ai.mule.gateway.providers;

import static ai.mule.gateway.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.gateway.Http;
import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.TestApi;
import ai.mule.schemas.SecretBox;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An API-key holder must not be able to move a provider's sealed key to a server of their choosing, nor use model
 * listing as a reach into the gateway's network or as a way to make it read an endless body.
 */
class ProviderKeyTheftIT extends IntegrationTestBase {

    private static final long TWO_GB = 2L * 1024 * 1024 * 1024;

    /** The Authorization headers that reached the "attacker's" server. */
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final AtomicLong bytesSent = new AtomicLong();
    private final HttpServer attacker = server();
    private final String attackerUrl = "http://127.0.0.1:" + attacker.getAddress().getPort() + "/v1";

    @AfterEach
    void stop() {
        attacker.stop(0);
    }

    @Test
    void movingAStoredKeyToAnotherOriginNeedsTheKeyAgain() {
        String id = api.provider("sk-stolen").get("id").asText();
        String name = TestApi.unique("p");

        Http.Response moved = http.put("/api/v1/providers/" + id, map("name", name, "api_base_url", attackerUrl));
        Http.Response masked = http.put("/api/v1/providers/" + id, map("name", name, "api_base_url", attackerUrl,
                "api_key", "********"));
        Http.Response https = http.put("/api/v1/providers/" + id, map("name", name,
                "api_base_url", "https://127.0.0.1:11434/v1"));
        http.get("/api/v1/providers/" + id + "/models");

        assertThat(moved.status()).as(moved.toString()).isEqualTo(400);
        assertThat(moved.json().get("detail").asText()).startsWith("api_key is required")
                .contains("http://127.0.0.1:11434").doesNotContain("sk-stolen");
        assertThat(masked.status()).isEqualTo(400);
        assertThat(https.status()).as("a new scheme is a new origin").isEqualTo(400);
        assertThat(http.get("/api/v1/providers/" + id).json().at("/data/api_base_url").asText())
                .isEqualTo("http://127.0.0.1:11434/v1");
        assertThat(received).as("the key never reached the new URL").noneMatch(h -> h.contains("sk-stolen"));
    }

    @Test
    void aNewPathOnTheSameOriginKeepsTheKey() {
        String id = api.provider("sk-same").get("id").asText();

        Http.Response moved = http.put("/api/v1/providers/" + id, map("name", TestApi.unique("p"),
                "api_base_url", "http://127.0.0.1:11434/api"));

        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        String stored = jdbc.sql("SELECT api_key FROM providers WHERE id = ?").param(UUID.fromString(id))
                .query(String.class).single();
        assertThat(SecretBox.fromBase64(MASTER_KEY).open(stored, id)).isEqualTo("sk-same");
    }

    @Test
    void aMovedProviderWithANewKeySendsOnlyThatKey() {
        String id = api.provider("sk-old").get("id").asText();

        Http.Response moved = http.put("/api/v1/providers/" + id, map("name", TestApi.unique("p"),
                "api_base_url", attackerUrl, "api_key", "sk-new"));
        http.get("/api/v1/providers/" + id + "/models");

        assertThat(moved.status()).isEqualTo(200);
        assertThat(received).containsExactly("Bearer sk-new");
    }

    @Test
    void modelListingRefusesInternalAddressesTheOperatorDidNotAllow() {
        String metadata = http.post("/api/v1/providers", map("name", TestApi.unique("meta"),
                "api_base_url", "http://169.254.169.254/v1", "api_key", "sk-x")).json().at("/data/id").asText();
        String decimal = http.post("/api/v1/providers", map("name", TestApi.unique("dec"),
                "api_base_url", "http://2130706433:" + attacker.getAddress().getPort() + "/v1", "api_key", "sk-dec"))
                .json().at("/data/id").asText();

        Http.Response toMetadata = http.get("/api/v1/providers/" + metadata + "/models");
        Http.Response toDecimal = http.get("/api/v1/providers/" + decimal + "/models");

        assertThat(toMetadata.status()).isEqualTo(502);
        assertThat(toMetadata.json().get("detail").asText()).contains("internal address 169.254.169.254")
                .contains("MULE_PROVIDERS_INTERNAL_HOSTS");
        assertThat(toDecimal.status()).isEqualTo(502);
        assertThat(toDecimal.json().get("detail").asText()).contains("internal address 127.0.0.1");
        assertThat(received).as("nothing reached the loopback server through its decimal name").isEmpty();
    }

    @Test
    void modelListingReadsABoundedBody() {
        String id = http.post("/api/v1/providers", map("name", TestApi.unique("huge"),
                "api_base_url", attackerUrl.replace("/v1", "/huge"))).json().at("/data/id").asText();

        long started = System.nanoTime();
        Http.Response models = http.get("/api/v1/providers/" + id + "/models");

        assertThat(models.status()).isEqualTo(502);
        assertThat(models.json().get("detail").asText()).contains("larger than");
        assertThat(bytesSent.get()).as("bytes the server managed to send").isLessThan(64L * 1024 * 1024);
        assertThat((System.nanoTime() - started) / 1_000_000).as("ms").isLessThan(10_000);
    }

    private HttpServer server() {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.createContext("/v1/models", exchange -> {
                String authorization = exchange.getRequestHeaders().getFirst("Authorization");
                received.add(authorization == null ? "" : authorization);
                byte[] body = "{\"object\": \"list\", \"data\": [{\"id\": \"stolen\"}]}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            http.createContext("/huge/models", exchange -> {
                exchange.sendResponseHeaders(200, TWO_GB);
                byte[] chunk = new byte[64 * 1024];
                java.util.Arrays.fill(chunk, (byte) ' ');
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write('[');
                    for (long sent = 1; sent < TWO_GB; sent += chunk.length) {
                        out.write(chunk);
                        bytesSent.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    // the client stopped reading
                } finally {
                    exchange.close();
                }
            });
            http.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            http.start();
            return http;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
