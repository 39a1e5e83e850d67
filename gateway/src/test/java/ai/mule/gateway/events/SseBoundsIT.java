package ai.mule.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.mule.gateway.IntegrationTestBase;
import ai.mule.gateway.JobEvents;
import ai.mule.schemas.Topics;
import ai.mule.testkit.TestKafka;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Event streams are bounded in bytes per subscriber and in number, per key and in total. The tests play the
 * orchestrator: they publish events of jobs on mule.jobs.events. Heartbeats every 200 ms let the gateway notice a
 * client that left at once.
 */
@TestPropertySource(properties = {"mule.security.api-keys=sse-key-a,sse-key-b,sse-key-c,sse-key-slow",
        "mule.events.max-pending-bytes=1MB", "mule.events.max-subscribers=3",
        "mule.events.max-subscribers-per-key=2", "mule.events.heartbeat-interval=200ms"})
class SseBoundsIT extends IntegrationTestBase {

    private final HttpClient client = HttpClient.newHttpClient();

    @Autowired
    private SubscriberLimits limits;

    @Test
    void aClientThatStopsReadingIsDisconnectedWithAReasonOnceItsBytesPassTheBound() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setReceiveBufferSize(64 * 1024);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/v1/jobs/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                    + "Authorization: Bearer sse-key-slow\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[256];
            assertThat(new String(head, 0, in.read(head), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");

            // the client reads no more: 24 events of 500 KB each (12 MB) are published for it; socket buffers take
            // up to 4 MB (the kernel's largest send buffer), the gateway no more than 1 MB
            String big = "x".repeat(500_000);
            for (int i = 0; i < 24; i++) {
                String jobId = UUID.randomUUID().toString();
                TestKafka.send(Topics.JOB_EVENTS, jobId, JobEvents.jobCompleted(jobId, 2, big, null));
            }
            Thread.sleep(3_000);

            // then it reads: what the socket buffers held, then a last event saying why, then the end of the stream
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            boolean ended = readUntilEnd(socket, in, rest, System.nanoTime() + TimeUnit.SECONDS.toNanos(20));
            String tail = rest.toString(StandardCharsets.UTF_8);
            assertThat(tail).as("%d bytes, ended %s, ends with %s", rest.size(), ended, tail.substring(Math.max(0, tail.length() - 300))).contains("event: disconnected");
            assertThat(ended).as("the stream ended").isTrue();
            assertThat(tail.substring(tail.indexOf("event: disconnected"))).contains("mule.events.max-pending-bytes");
            assertThat(rest.size()).as("far less than the 12 MB published").isLessThan(7_000_000);
        }
    }

    @Test
    void streamsAreCappedPerKeyAndInTotalAndAClosedOneFreesItsPlace() throws Exception {
        List<HttpResponse<Stream<String>>> open = new ArrayList<>();
        try {
            open.add(stream("sse-key-a"));
            open.add(stream("sse-key-a"));
            open.forEach(r -> assertThat(r.statusCode()).isEqualTo(200));

            HttpResponse<Stream<String>> third = stream("sse-key-a");
            assertThat(third.statusCode()).isEqualTo(429);
            assertThat(third.headers().firstValue("Retry-After")).isPresent();
            assertThat(String.join("\n", third.body().toList())).contains("mule.events.max-subscribers-per-key");

            open.add(stream("sse-key-b"));
            assertThat(open.get(2).statusCode()).isEqualTo(200);
            HttpResponse<Stream<String>> overTotal = stream("sse-key-c");
            assertThat(overTotal.statusCode()).isEqualTo(503);
            assertThat(overTotal.headers().firstValue("Retry-After")).isPresent();
            assertThat(String.join("\n", overTotal.body().toList())).contains("mule.events.max-subscribers");

            open.remove(0).body().close();
            HttpResponse<Stream<String>> again = CompletableFuture.supplyAsync(() -> {
                for (int i = 0; i < 50; i++) {
                    HttpResponse<Stream<String>> r = stream("sse-key-c");
                    if (r.statusCode() == 200) {
                        return r;
                    }
                    r.body().close();
                    sleep(100);
                }
                return null;
            }).get(10, TimeUnit.SECONDS);
            assertThat(again).as("a closed stream's place is free again").isNotNull();
            open.add(again);
        } finally {
            open.forEach(r -> r.body().close());
            // the gateway notices a client that left at its next heartbeat: the other test needs the places
            await().atMost(Duration.ofSeconds(10)).until(() -> limits.open() == 0);
        }
    }

    /** Reads into {@code out} until the server ends the response (true) or the deadline passes (false). */
    private static boolean readUntilEnd(Socket socket, InputStream in, ByteArrayOutputStream out, long deadline)
            throws java.io.IOException {
        socket.setSoTimeout(500);
        byte[] buffer = new byte[64 * 1024];
        while (System.nanoTime() < deadline) {
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    return true;
                }
                out.write(buffer, 0, n);
                // chunked encoding's last chunk: the response is complete even if the connection stays open
                byte[] last = java.util.Arrays.copyOfRange(buffer, Math.max(0, n - 5), n);
                if (new String(last, StandardCharsets.ISO_8859_1).equals("0\r\n\r\n")) {
                    return true;
                }
            } catch (java.net.SocketTimeoutException e) {
                // nothing yet: look at the deadline
            }
        }
        return false;
    }

    private HttpResponse<Stream<String>> stream(String key) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/jobs/events"))
                    .header("Accept", "text/event-stream").header("Authorization", "Bearer " + key)
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofLines());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
