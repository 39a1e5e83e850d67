package ai.mule.netgate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 exchange on a socket connected to a checked address ({@code Connection: close}, so nothing is
 * pooled and every call is checked again). java.net.http cannot be told which address to use for a name, which is
 * why this exists: it connects to the {@link Destination}'s address and names the host in {@code Host} (and, over
 * TLS, in SNI and the certificate check).
 */
final class HttpExchange {

    /** How often a blocked read looks at the deadline and at the thread's interrupt. */
    private static final int SLICE_MS = 200;
    private static final int CONNECT_MS = 10_000;
    private static final int MAX_LINE = 16 * 1024;
    private static final int MAX_HEADERS = 64 * 1024;
    /** Set by the gate; a caller cannot send its own (request smuggling, a body of another length). */
    private static final Set<String> GATE_HEADERS = Set.of("host", "content-length", "connection", "transfer-encoding",
            "expect", "upgrade", "te", "trailer", "keep-alive", "proxy-connection");

    private HttpExchange() {
    }

    static GatedResponse run(Destination to, GatedRequest request, SSLSocketFactory factory) throws IOException {
        long deadline = System.nanoTime() + request.timeout().toNanos();
        String method = request.method().strip().toUpperCase(Locale.ROOT);
        byte[] head = head(to, request, method);
        try (Socket socket = new Socket()) {
            // a connect does not see an interrupt: it gets at most CONNECT_MS of the call's time
            socket.connect(new InetSocketAddress(to.address(), to.port()),
                    Math.min(CONNECT_MS, remainingMillis(deadline, request)));
            Socket channel = to.scheme().equals("https") ? tls(factory, socket, to, deadline, request) : socket;
            OutputStream out = channel.getOutputStream();
            out.write(head);
            out.write(request.body());
            out.flush();
            Input in = new Input(channel, deadline, request);
            int status;
            Map<String, List<String>> headers;
            do {
                status = status(in.line());
                headers = headers(in);
            } while (status >= 100 && status < 200 && status != 101); // 100 Continue and the like: the answer follows
            boolean noBody = method.equals("HEAD") || status == 204 || status == 304 || status < 200;
            return body(in, status, headers, noBody, request.maxBodyBytes());
        }
    }

    private static byte[] head(Destination to, GatedRequest request, String method) {
        if (!method.matches("[A-Z]{1,20}")) {
            throw new IllegalArgumentException("'" + request.method() + "' is not an HTTP method");
        }
        String path = request.uri().getRawPath() == null || request.uri().getRawPath().isEmpty() ? "/"
                : request.uri().getRawPath();
        String query = request.uri().getRawQuery() == null ? "" : "?" + request.uri().getRawQuery();
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(query).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(to.hostHeader()).append("\r\n");
        for (Map.Entry<String, String> header : request.headers().entrySet()) {
            String name = header.getKey();
            String value = header.getValue() == null ? "" : header.getValue();
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+") || value.matches("(?s).*[\\r\\n\\x00].*")) {
                throw new IllegalArgumentException("invalid header '" + name + "'");
            }
            if (GATE_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("the header '" + name + "' cannot be set");
            }
            head.append(name).append(": ").append(value).append("\r\n");
        }
        if (request.body().length > 0 || method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
            head.append("Content-Length: ").append(request.body().length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        if (path.chars().anyMatch(c -> c <= ' ') || query.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("the URL's path has spaces or control characters");
        }
        return head.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Socket tls(SSLSocketFactory factory, Socket socket, Destination to, long deadline,
                              GatedRequest request) throws IOException {
        SSLSocket tls = (SSLSocket) factory.createSocket(socket, to.host(), to.port(), true);
        SSLParameters parameters = tls.getSSLParameters();
        // the certificate must name the URL's host, though the socket was opened to an address
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (Addresses.numericIpv4(to.host()).isEmpty() && !to.host().contains(":")) {
            parameters.setServerNames(List.of(new SNIHostName(to.host())));
        }
        tls.setSSLParameters(parameters);
        tls.setSoTimeout(remainingMillis(deadline, request));
        tls.startHandshake();
        return tls;
    }

    private static int status(String line) throws IOException {
        if (line == null) {
            throw new IOException("the server closed the connection without answering");
        }
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("\\d{3}")) {
            throw new IOException("the server did not answer HTTP: '" + shorten(line) + "'");
        }
        return Integer.parseInt(parts[1]);
    }

    private static Map<String, List<String>> headers(Input in) throws IOException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        int size = 0;
        for (String line = in.line(); line != null && !line.isEmpty(); line = in.line()) {
            size += line.length();
            if (size > MAX_HEADERS) {
                throw new IOException("the response headers are larger than " + MAX_HEADERS + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).strip());
            }
        }
        headers.replaceAll((name, values) -> List.copyOf(values));
        return headers;
    }

    private static GatedResponse body(Input in, int status, Map<String, List<String>> headers, boolean noBody,
                                      int max) throws IOException {
        if (noBody) {
            return new GatedResponse(status, headers, new byte[0], false);
        }
        String encoding = headers.getOrDefault("transfer-encoding", List.of()).toString().toLowerCase(Locale.ROOT);
        List<String> length = headers.getOrDefault("content-length", List.of());
        Body body;
        if (encoding.contains("chunked")) {
            body = new Chunked(in);
        } else if (!length.isEmpty()) {
            try {
                body = new Counted(in, Long.parseLong(length.get(0)));
            } catch (NumberFormatException e) {
                throw new IOException("the server sent an invalid Content-Length");
            }
        } else {
            body = in::read; // until the server closes
        }
        long limit = (long) max + 1;
        ByteArrayOutputStream read = new ByteArrayOutputStream((int) Math.min(limit, 64 * 1024));
        byte[] buffer = new byte[16 * 1024];
        while (read.size() < limit) {
            int n = body.read(buffer, 0, (int) Math.min(buffer.length, limit - read.size()));
            if (n < 0) {
                break;
            }
            read.write(buffer, 0, n);
        }
        byte[] bytes = read.toByteArray();
        if (bytes.length > max) {
            // the rest is never read: the socket closes with it unread
            byte[] cut = new byte[max];
            System.arraycopy(bytes, 0, cut, 0, max);
            return new GatedResponse(status, headers, cut, true);
        }
        return new GatedResponse(status, headers, bytes, false);
    }

    private static int remainingMillis(long deadline, GatedRequest request) throws SocketTimeoutException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw timedOut(request);
        }
        return (int) Math.min(left, Integer.MAX_VALUE);
    }

    private static SocketTimeoutException timedOut(GatedRequest request) {
        return new SocketTimeoutException(request.uri().getHost() + " did not answer within "
                + request.timeout().toMillis() + " ms");
    }

    private static String shorten(String text) {
        return text.length() <= 100 ? text : text.substring(0, 100) + "...";
    }

    /** A response body's bytes, -1 at its end. */
    private interface Body {
        int read(byte[] into, int offset, int length) throws IOException;
    }

    /** A body of a stated length. */
    private static final class Counted implements Body {
        private final Input in;
        private long left;

        Counted(Input in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(into, offset, (int) Math.min(length, left));
            if (n < 0) {
                throw new IOException("the server closed the connection before the end of the body");
            }
            left -= n;
            return n;
        }
    }

    /** A chunked body (RFC 9112 7.1); trailers are not read, the connection closes after the last chunk. */
    private static final class Chunked implements Body {
        private final Input in;
        private long left;
        private boolean done;

        Chunked(Input in) {
            this.in = in;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = in.line();
                if (size == null) {
                    throw new IOException("the server closed the connection inside a chunked body");
                }
                int extension = size.indexOf(';');
                try {
                    left = Long.parseLong((extension < 0 ? size : size.substring(0, extension)).strip(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("the server sent an invalid chunk size");
                }
                if (left <= 0) {
                    done = true;
                    return -1;
                }
            }
            int n = in.read(into, offset, (int) Math.min(length, left));
            if (n < 0) {
                throw new IOException("the server closed the connection inside a chunk");
            }
            left -= n;
            if (left == 0) {
                in.line(); // the CRLF after the chunk's data
            }
            return n;
        }
    }

    /**
     * The socket's bytes, buffered, read in slices of {@link #SLICE_MS}: between slices it gives up at the
     * deadline or when the thread was interrupted (a blocking socket read does not see an interrupt by itself).
     */
    private static final class Input {
        private final Socket socket;
        private final InputStream raw;
        private final long deadline;
        private final GatedRequest request;
        private final byte[] buffer = new byte[16 * 1024];
        private int position;
        private int limit;

        Input(Socket socket, long deadline, GatedRequest request) throws IOException {
            this.socket = socket;
            this.raw = socket.getInputStream();
            this.deadline = deadline;
            this.request = request;
        }

        int read(byte[] into, int offset, int length) throws IOException {
            if (position == limit && !fill()) {
                return -1;
            }
            int n = Math.min(length, limit - position);
            System.arraycopy(buffer, position, into, offset, n);
            position += n;
            return n;
        }

        /** One line without its CRLF (ISO-8859-1, as HTTP's head is); null at the end of the stream. */
        String line() throws IOException {
            StringBuilder line = new StringBuilder();
            while (true) {
                if (position == limit && !fill()) {
                    return line.length() == 0 ? null : line.toString();
                }
                char c = (char) (buffer[position++] & 0xff);
                if (c == '\n') {
                    int end = line.length();
                    return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
                }
                if (line.length() >= MAX_LINE) {
                    throw new IOException("the server sent a line longer than " + MAX_LINE + " bytes");
                }
                line.append(c);
            }
        }

        private boolean fill() throws IOException {
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("interrupted while waiting for " + request.uri().getHost());
                }
                socket.setSoTimeout(Math.min(SLICE_MS, remainingMillis(deadline, request)));
                try {
                    int n = raw.read(buffer, 0, buffer.length);
                    if (n < 0) {
                        return false;
                    }
                    position = 0;
                    limit = n;
                    return true;
                } catch (SocketTimeoutException slice) {
                    // a slice passed without data: look at the deadline and the interrupt again
                }
            }
        }
    }
}
