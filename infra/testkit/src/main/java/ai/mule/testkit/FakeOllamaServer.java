package ai.mule.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A local server speaking Ollama's native API for tests: {@code GET /api/tags} (the model list) and
 * {@code POST /api/chat} (a chat, whole or streamed as NDJSON, with {@code prompt_eval_count}/{@code eval_count}),
 * so that tests drive langchain4j's real Ollama client over HTTP. By default it echoes the last user message.
 */
public final class FakeOllamaServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService handlers;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private volatile Function<JsonNode, Answer> responder = body -> Answer.text("echo: " + lastUser(body));
    private volatile List<String> models = List.of("llama3.2:latest");

    private FakeOllamaServer(HttpServer server, ExecutorService handlers) {
        this.server = server;
        this.handlers = handlers;
    }

    public static FakeOllamaServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ExecutorService handlers = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "fake-ollama");
                t.setDaemon(true);
                return t;
            });
            FakeOllamaServer fake = new FakeOllamaServer(server, handlers);
            server.setExecutor(handlers);
            server.createContext("/", fake::handle);
            server.start();
            return fake;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fake Ollama server", e);
        }
    }

    /** Ollama's base URL (its native API, no {@code /v1}). */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public FakeOllamaServer replyWith(String content) {
        return answerWith(body -> Answer.text(content));
    }

    public FakeOllamaServer answerWith(Function<JsonNode, Answer> responder) {
        this.responder = Objects.requireNonNull(responder);
        return this;
    }

    public FakeOllamaServer models(String... names) {
        this.models = List.of(names);
        return this;
    }

    /** The {@code /api/chat} request bodies received, oldest first. */
    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    public void clear() {
        requests.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if ("GET".equals(exchange.getRequestMethod()) && "/api/tags".equals(path)) {
                ObjectNode root = JSON.createObjectNode();
                ArrayNode list = root.putArray("models");
                for (String name : models) {
                    list.addObject().put("name", name).put("model", name).put("size", 1);
                }
                send(exchange, 200, root);
            } else if ("POST".equals(exchange.getRequestMethod()) && "/api/chat".equals(path)) {
                JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
                requests.add(body);
                Answer answer = responder.apply(body);
                if (answer.status() != 200) {
                    send(exchange, answer.status(), JSON.createObjectNode().put("error", answer.content()));
                } else if (body.path("stream").asBoolean(true)) {
                    stream(exchange, body, answer);
                } else {
                    send(exchange, 200, message(body, answer, true));
                }
            } else {
                send(exchange, 404, JSON.createObjectNode().put("error", "not found: " + path));
            }
        }
    }

    private static ObjectNode message(JsonNode request, Answer answer, boolean done) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", request.path("model").asText());
        root.put("created_at", Instant.now().toString());
        ObjectNode message = root.putObject("message");
        message.put("role", "assistant");
        message.put("content", answer.content() == null ? "" : answer.content());
        if (answer.toolName() != null) {
            ObjectNode call = message.putArray("tool_calls").addObject().putObject("function");
            call.put("name", answer.toolName());
            try {
                call.set("arguments", JSON.readTree(answer.toolArguments()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        root.put("done", done);
        if (done) {
            root.put("done_reason", "stop");
            int prompt = 0;
            for (JsonNode m : request.path("messages")) {
                prompt += words(m.path("content").asText(""));
            }
            root.put("prompt_eval_count", prompt);
            root.put("eval_count", words(answer.content() == null ? "" : answer.content()));
        }
        return root;
    }

    private static void stream(HttpExchange exchange, JsonNode request, Answer answer) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        String content = answer.content() == null ? "" : answer.content();
        java.util.regex.Matcher pieces = java.util.regex.Pattern.compile("\\S+\\s*|\\s+").matcher(content);
        while (pieces.find()) {
            ObjectNode piece = message(request, Answer.text(pieces.group()), false);
            out.write((JSON.writeValueAsString(piece) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        ObjectNode last = message(request, new Answer(200, "", answer.toolName(), answer.toolArguments()), true);
        last.put("eval_count", words(content));
        out.write((JSON.writeValueAsString(last) + "\n").getBytes(StandardCharsets.UTF_8));
        out.close();
    }

    private static String lastUser(JsonNode body) {
        String last = null;
        for (JsonNode m : body.path("messages")) {
            if ("user".equals(m.path("role").asText())) {
                last = m.path("content").asText();
            }
        }
        return last;
    }

    private static int words(String text) {
        String trimmed = text.trim();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** The answer to one chat: text, or a tool call ({@code arguments} as JSON text), or an error status. */
    public record Answer(int status, String content, String toolName, String toolArguments) {

        public static Answer text(String content) {
            return new Answer(200, content, null, null);
        }

        public static Answer toolCall(String name, String arguments) {
            return new Answer(200, "", name, arguments);
        }

        public static Answer error(int status, String message) {
            return new Answer(status, message, null, null);
        }

        /** The messages of a request with this role, contents in order. */
        public static List<String> messages(JsonNode request, String role) {
            List<String> contents = new ArrayList<>();
            for (JsonNode m : request.path("messages")) {
                if (role.equals(m.path("role").asText())) {
                    contents.add(m.path("content").asText());
                }
            }
            return contents;
        }
    }
}
