package ai.mule.netgate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gate against a real local socket server that answers whatever bytes a test gives it. */
class NetworkGateTest {

    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private ServerSocket server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void refusesInternalAddressesUnlessTheOperatorListsThem() throws Exception {
        serve(out -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        NetworkGate closed = new NetworkGate(NetworkGate.InternalAccess.none(), "set X");
        NetworkGate open = new NetworkGate(NetworkGate.InternalAccess.listed(List.of("127.0.0.1:" + port())), "set X");

        assertThatThrownBy(() -> closed.send(get("http://127.0.0.1:" + port() + "/"))).isInstanceOf(GateRefusal.class)
                .hasMessage("host '127.0.0.1' resolves to the internal address 127.0.0.1; set X");
        assertThatThrownBy(() -> closed.send(get("http://0x7f.1:" + port() + "/"))).isInstanceOf(GateRefusal.class)
                .hasMessageContaining("internal address 127.0.0.1");
        assertThatThrownBy(() -> closed.check(URI.create("http://user@example.com/"))).hasMessageContaining("user info");
        assertThatThrownBy(() -> closed.check(URI.create("file:///etc/passwd"))).hasMessageContaining("only http");
        assertThat(requests).isEmpty();

        GatedResponse response = open.send(get("http://127.0.0.1:" + port() + "/a?b=c"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text()).isEqualTo("ok");
        assertThat(requests.get(0)).startsWith("GET /a?b=c HTTP/1.1\r\nHost: 127.0.0.1:" + port() + "\r\n")
                .contains("Connection: close");
    }

    @Test
    void aNameIsResolvedOnceAndTheCheckedAddressIsTheOneConnectedTo() throws Exception {
        serve(out -> write(out, "HTTP/1.1 204 No Content\r\n\r\n"));
        NetworkGate gate = new NetworkGate(NetworkGate.InternalAccess.listed(List.of("localhost")), "set X");

        Destination destination = gate.check(URI.create("http://localhost:" + port() + "/"));
        GatedResponse response = gate.send(get("http://localhost:" + port() + "/"));

        assertThat(destination.address().isLoopbackAddress()).isTrue();
        assertThat(response.status()).isEqualTo(204);
        assertThat(requests.get(0)).contains("Host: localhost:" + port());
    }

    @Test
    void aRedirectIsTheAnswer() throws Exception {
        serve(out -> write(out, "HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/\r\nContent-Length: 0\r\n\r\n"));

        GatedResponse response = openGate().send(get("http://127.0.0.1:" + port() + "/"));

        assertThat(response.status()).isEqualTo(302);
        assertThat(response.header("Location")).hasValue("http://169.254.169.254/");
        assertThat(requests).hasSize(1);
    }

    @Test
    void bodiesAreCutAtTheBoundAndTheRestIsNeverRead() throws Exception {
        serve(out -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\n");
            endless(out);
        });

        GatedResponse response = openGate().send(new GatedRequest("GET", URI.create("http://127.0.0.1:" + port()),
                java.util.Map.of(), null, Duration.ofSeconds(10), 1000));

        assertThat(response.body()).hasSize(1000);
        assertThat(response.truncated()).isTrue();
        Thread.sleep(300);
        assertThat(sent.get()).isLessThan(32L * 1024 * 1024);
    }

    @Test
    void chunkedAndUntilCloseBodies() throws Exception {
        serve(out -> write(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;x=y\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
        assertThat(openGate().send(get("http://127.0.0.1:" + port() + "/")).text()).isEqualTo("hello world");
        server.close();

        serve(out -> write(out, "HTTP/1.0 200 OK\r\n\r\nuntil close"));
        GatedResponse response = openGate().send(get("http://127.0.0.1:" + port() + "/"));
        assertThat(response.text()).isEqualTo("until close");
        assertThat(response.truncated()).isFalse();
    }

    @Test
    void stopsAtTheTimeoutAndWhenInterrupted() throws Exception {
        serve(out -> sleep());
        GatedRequest slow = new GatedRequest("GET", URI.create("http://127.0.0.1:" + port() + "/"), java.util.Map.of(),
                null, Duration.ofMillis(500), 100);

        long started = System.nanoTime();
        assertThatThrownBy(() -> openGate().send(slow)).isInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining("within 500 ms");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(2000);

        Thread caller = Thread.currentThread();
        CompletableFuture.runAsync(() -> caller.interrupt(), CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));
        GatedRequest long_ = new GatedRequest("GET", slow.uri(), java.util.Map.of(), null, Duration.ofSeconds(30), 100);
        started = System.nanoTime();
        assertThatThrownBy(() -> openGate().send(long_)).isInstanceOf(InterruptedIOException.class);
        assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(1500);
    }

    @Test
    void headersThatWouldSplitTheRequestAreRefused() throws Exception {
        serve(out -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        GatedRequest request = get("http://127.0.0.1:" + port() + "/");

        assertThatThrownBy(() -> openGate().send(request.withHeader("X-A", "b\r\nHost: evil")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> openGate().send(request.withHeader("Content-Length", "5")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(requests).isEmpty();
    }

    private NetworkGate openGate() {
        return new NetworkGate(NetworkGate.InternalAccess.listed(List.of("127.0.0.1")), "set X");
    }

    private static GatedRequest get(String url) {
        return GatedRequest.get(URI.create(url), Duration.ofSeconds(5), 1_000_000);
    }

    private int port() {
        return server.getLocalPort();
    }

    /** Accepts connections; reads each request's head, then answers with {@code answer}. */
    private void serve(Consumer<OutputStream> answer) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ServerSocket listening = server;
        Thread thread = new Thread(() -> {
            while (!listening.isClosed()) {
                try (Socket socket = listening.accept()) {
                    requests.add(head(socket.getInputStream()));
                    answer.accept(socket.getOutputStream());
                } catch (IOException | RuntimeException e) {
                    // closed by the test, or the client went away
                }
            }
        });
        thread.setDaemon(true);
        thread.start();
    }

    private static String head(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        return head.toString();
    }

    private static void write(OutputStream out, String text) {
        try {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void endless(OutputStream out) {
        byte[] chunk = new byte[64 * 1024];
        try {
            for (long i = 0; i < 32768; i++) {
                out.write(chunk);
                sent.addAndGet(chunk.length);
            }
        } catch (IOException e) {
            // the client closed: expected
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
