package ai.mule.runner.agent;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A small real HTTP server for tests: a web page for the HTTP fetch tool, or a stand-in for the gateway's API that
 * the workflow, agent and WASM module tools call. Answers per path; records every request.
 */
public final class StubHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, Function<Request, Answer>> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private StubHttpServer(HttpServer server) {
        this.server = server;
    }

    public static StubHttpServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            StubHttpServer stub = new StubHttpServer(server);
            server.createContext("/", exchange -> {
                try (exchange) {
                    Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                            exchange.getRequestHeaders().getFirst("Authorization"),
                            new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                            Map.copyOf(exchange.getRequestHeaders()));
                    stub.requests.add(request);
                    Function<Request, Answer> route = stub.routes.get(request.path());
                    Answer answer = route == null ? new Answer(404, "text/plain", "no route") : route.apply(request);
                    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", answer.contentType());
                    exchange.sendResponseHeaders(answer.status(), bytes.length);
                    exchange.getResponseBody().write(bytes);
                }
            });
            // a handler may wait (as the gateway waits for a workflow's job): the others answer meanwhile
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.start();
            return stub;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public StubHttpServer route(String path, Function<Request, Answer> answer) {
        routes.put(path, answer);
        return this;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** @param headers every header as sent, under the name as the server keeps it (first letter upper-case) */
    public record Request(String method, String path, String authorization, String body,
                          Map<String, List<String>> headers) {

        /** The first value of the header {@code name} (any case), or null. */
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    public record Answer(int status, String contentType, String body) {

        public static Answer json(String body) {
            return new Answer(200, "application/json", body);
        }

        public static Answer text(String body) {
            return new Answer(200, "text/plain", body);
        }
    }
}
