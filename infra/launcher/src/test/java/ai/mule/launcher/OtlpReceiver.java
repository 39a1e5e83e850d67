package ai.mule.launcher;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * A tiny OTLP/HTTP trace receiver ({@code POST /v1/traces}, {@code http/protobuf}) that keeps every span the services
 * export, read from the protobuf wire format by hand: resource service name, trace id, span id, parent span id, name.
 */
final class OtlpReceiver implements AutoCloseable {

    record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name) {
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/v1/traces", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                byte[] bytes = body.readAllBytes();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    bytes = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes)).readAllBytes();
                }
                spans.addAll(parse(bytes));
            }
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** ExportTraceServiceRequest: resource_spans = 1 { resource = 1 { attributes = 1 }, scope_spans = 2 { spans = 2 } }. */
    static List<ReceivedSpan> parse(byte[] request) {
        List<ReceivedSpan> found = new ArrayList<>();
        for (Wire resourceSpans : new Wire(request).fields(1)) {
            String service = "";
            for (Wire resource : resourceSpans.fields(1)) {
                for (Wire attribute : resource.fields(1)) {
                    if ("service.name".equals(attribute.string(1))) {
                        service = attribute.fields(2).get(0).string(1);
                    }
                }
            }
            for (Wire scopeSpans : resourceSpans.fields(2)) {
                for (Wire span : scopeSpans.fields(2)) {
                    found.add(new ReceivedSpan(service, span.hex(1), span.hex(2), span.hex(4), span.string(5)));
                }
            }
        }
        return found;
    }

    /** One protobuf message: its length-delimited fields by number. */
    private record Wire(byte[] bytes) {

        List<Wire> fields(int number) {
            List<Wire> values = new ArrayList<>();
            int at = 0;
            while (at < bytes.length) {
                long[] key = varint(at);
                at = (int) key[1];
                int field = (int) (key[0] >>> 3);
                int type = (int) (key[0] & 7);
                switch (type) {
                    case 0 -> at = (int) varint(at)[1];
                    case 1 -> at += 8;
                    case 5 -> at += 4;
                    case 2 -> {
                        long[] length = varint(at);
                        int start = (int) length[1];
                        int end = start + (int) length[0];
                        if (field == number) {
                            values.add(new Wire(java.util.Arrays.copyOfRange(bytes, start, end)));
                        }
                        at = end;
                    }
                    default -> throw new IllegalArgumentException("unexpected wire type " + type);
                }
            }
            return values;
        }

        String string(int number) {
            List<Wire> values = fields(number);
            return values.isEmpty() ? null : new String(values.get(0).bytes(), StandardCharsets.UTF_8);
        }

        String hex(int number) {
            List<Wire> values = fields(number);
            return values.isEmpty() ? "" : HexFormat.of().formatHex(values.get(0).bytes());
        }

        /** The varint at {@code at}: its value and the index after it. */
        private long[] varint(int at) {
            long value = 0;
            int shift = 0;
            while (true) {
                byte b = bytes[at++];
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return new long[] {value, at};
                }
                shift += 7;
            }
        }
    }
}
