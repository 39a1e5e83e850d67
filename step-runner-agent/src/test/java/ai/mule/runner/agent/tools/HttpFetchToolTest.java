package ai.mule.runner.agent.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ai.mule.schemas.AgentTool;
import ai.mule.schemas.JsonSerde;
import ai.mule.schemas.StepCaller;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's {@code http_fetch} tool against a real local HTTP server: the tool's allowlist alone never opens the
 * runner's own network (loopback in any spelling, the cloud metadata address), a redirect is answered as it is and
 * not followed, and a huge body is cut at the bound without being read whole.
 */
class HttpFetchToolTest {

    private static final long TWO_GB = 2L * 1024 * 1024 * 1024;

    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicLong bytesSent = new AtomicLong();
    private final HttpServer server = server();
    private final int port = server.getAddress().getPort();

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void loopbackOnTheToolsAllowlistIsStillRefused() {
        String result = fetch(toolbox(List.of()), "http://127.0.0.1:" + port + "/page", "127.0.0.1");

        assertThat(result).startsWith("error:").contains("internal address");
        assertThat(requests).as("nothing reached the local server").hasValue(0);
    }

    @Test
    void localhostOnTheToolsAllowlistIsStillRefused() {
        String result = fetch(toolbox(List.of()), "http://localhost:" + port + "/page", "localhost");

        assertThat(result).startsWith("error:").contains("internal address");
        assertThat(requests).hasValue(0);
    }

    @Test
    void theCloudMetadataAddressIsRefusedWithoutConnecting() {
        String result = fetch(toolbox(List.of()), "http://169.254.169.254/latest/meta-data/", "169.254.169.254");

        assertThat(result).startsWith("error:").contains("internal address 169.254.169.254");
    }

    @Test
    void loopbackSpelledAsOneNumberOrInOctalOrHexIsRefused() {
        for (String host : List.of("2130706433", "0177.0.0.1", "0x7f.1", "[::ffff:127.0.0.1]")) {
            String result = fetch(toolbox(List.of()), "http://" + host + ":" + port + "/page",
                    host.replace("[", "").replace("]", ""));

            assertThat(result).as(host).startsWith("error:").contains("internal address");
        }
        assertThat(requests).hasValue(0);
    }

    @Test
    void aRedirectIsAnsweredAsItIsAndNeverFollowed() {
        String result = fetch(toolbox(List.of("127.0.0.1:" + port)), "http://127.0.0.1:" + port + "/redirect",
                "127.0.0.1");

        assertThat(result).startsWith("HTTP 302");
        assertThat(requests).as("only the redirecting request").hasValue(1);
    }

    @Test
    void anOperatorListedInternalHostCanBeFetched() {
        String result = fetch(toolbox(List.of("127.0.0.1:" + port)), "http://127.0.0.1:" + port + "/page",
                "127.0.0.1");

        assertThat(result).isEqualTo("HTTP 200\nhello");
    }

    @Test
    void aTwoGigabyteBodyIsCutAtTheBoundWithoutReadingItAll() {
        String result = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> fetch(
                toolbox(List.of("127.0.0.1:" + port)), "http://127.0.0.1:" + port + "/huge", "127.0.0.1"));

        assertThat(result).startsWith("HTTP 200\n").endsWith("[truncated]");
        assertThat(result.length()).isLessThan(AgentToolbox.MAX_RESULT_CHARS + 100);
        // the server writes until the client stops reading: socket buffers hold a few MB at most
        assertThat(bytesSent.get()).as("bytes the server managed to send").isLessThan(64L * 1024 * 1024);
    }

    private static AgentToolbox toolbox(List<String> internalHosts) {
        return new AgentToolbox("http://127.0.0.1:1", null, Duration.ofSeconds(3), internalHosts);
    }

    private static String fetch(AgentToolbox toolbox, String url, String allowedHost) {
        ObjectNode config = JsonSerde.mapper().createObjectNode();
        config.putArray("allowed_hosts").add(allowedHost);
        AgentTool tool = new AgentTool("fetch", AgentTool.Kind.HTTP_FETCH, "fetches", null, config);
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("call_1").name("fetch")
                .arguments(JsonSerde.mapper().createObjectNode().put("url", url).toString()).build();
        return toolbox.run(List.of(tool), call, Duration.ofSeconds(10), new StepCaller("job-1", 0));
    }

    private HttpServer server() {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.createContext("/page", exchange -> {
                requests.incrementAndGet();
                byte[] body = "hello".getBytes();
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            http.createContext("/redirect", exchange -> {
                requests.incrementAndGet();
                exchange.getResponseHeaders().set("Location", "http://169.254.169.254/latest/meta-data/");
                exchange.sendResponseHeaders(302, -1);
                exchange.close();
            });
            http.createContext("/huge", exchange -> {
                requests.incrementAndGet();
                exchange.sendResponseHeaders(200, TWO_GB);
                byte[] chunk = new byte[64 * 1024];
                java.util.Arrays.fill(chunk, (byte) 'a');
                try (OutputStream out = exchange.getResponseBody()) {
                    for (long sent = 0; sent < TWO_GB; sent += chunk.length) {
                        out.write(chunk);
                        bytesSent.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    // the client stopped reading: what this test wants
                } finally {
                    exchange.close();
                }
            });
            http.start();
            return http;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
