package ai.mule.netgate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * https through the gate: the socket is opened to the checked address, yet the server is sent the host name (SNI)
 * and its certificate must name that host. A certificate made by keytool for {@code localhost} only.
 */
class TlsTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    Path dir;
    private SSLContext context;
    private SSLServerSocket server;
    private final List<String> serverNames = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor()).as(output).isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keys);
        context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trust.getTrustManagers(), null);
        server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        Thread thread = new Thread(this::serve);
        thread.setDaemon(true);
        thread.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void theHostNameIsSentAsSniAndVerifiedAgainstTheCertificate() throws Exception {
        GatedResponse response = gate().send(GatedRequest.get(URI.create("https://localhost:" + server.getLocalPort()
                + "/"), Duration.ofSeconds(10), 1000));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text()).isEqualTo("secure");
        assertThat(serverNames).containsExactly("localhost");
    }

    @Test
    void aCertificateThatDoesNotNameTheUrlsHostIsRefused() {
        // the same server, reached as 127.0.0.1: its certificate names localhost only
        assertThatThrownBy(() -> gate().send(GatedRequest.get(URI.create("https://127.0.0.1:" + server.getLocalPort()
                + "/"), Duration.ofSeconds(10), 1000))).isInstanceOf(SSLHandshakeException.class);
    }

    private NetworkGate gate() {
        return new NetworkGate(NetworkGate.InternalAccess.listed(List.of("localhost", "127.0.0.1")), "set X",
                context.getSocketFactory());
    }

    private void serve() {
        while (!server.isClosed()) {
            try (SSLSocket socket = (SSLSocket) server.accept()) {
                socket.startHandshake();
                ((ExtendedSSLSession) socket.getSession()).getRequestedServerNames()
                        .forEach(name -> serverNames.add(((SNIHostName) name).getAsciiName()));
                InputStream in = socket.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    int c = in.read();
                    if (c < 0) {
                        break;
                    }
                    head.append((char) c);
                }
                socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure"
                        .getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
            } catch (IOException e) {
                // a refused handshake, or the test closed the server
            }
        }
    }
}
