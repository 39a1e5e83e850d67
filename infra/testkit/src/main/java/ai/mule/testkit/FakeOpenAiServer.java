package ai.mule.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local OpenAI-compatible server for tests: {@code POST /v1/chat/completions} answers a real
 * {@code chat.completion} document (with {@code usage}) over HTTP, so that tests drive the real client
 * library (langchain4j, the OpenAI SDKs, curl) rather than a mock. It records every request it receives,
 * so tests can assert what was sent (model, system prompt, user message, {@code Authorization} header).
 *
 * <p>By default it echoes the last user message ({@code "echo: <message>"}); {@link #replyWith},
 * {@link #failWith} and {@link #answerWith} change that. {@link #requireApiKey} makes it answer 401 to any
 * other key, as OpenAI does. Only the JDK's HTTP server and Jackson: nothing to start but this class.
 */
public final class FakeOpenAiServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService handlers;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private final AtomicLong completions = new AtomicLong();
    private volatile Responder responder = request -> Reply.completion("echo: " + request.userMessage());
    private volatile String requiredApiKey;
    private volatile List<String> models = List.of("fake-model");

    private FakeOpenAiServer(HttpServer server, ExecutorService handlers) {
        this.server = server;
        this.handlers = handlers;
    }

    /** Starts a server on 127.0.0.1 and a free port. */
    public static FakeOpenAiServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            AtomicInteger threads = new AtomicInteger();
            // one thread per request, so tests that run steps concurrently see concurrent requests
            ExecutorService handlers = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "fake-openai-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            FakeOpenAiServer fake = new FakeOpenAiServer(server, handlers);
            server.setExecutor(handlers);
            server.createContext("/", fake::handle);
            server.start();
            return fake;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fake OpenAI server", e);
        }
    }

    /** The base URL an OpenAI client is configured with, e.g. {@code http://127.0.0.1:41234/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Every chat completion reply from now on has this content. */
    public FakeOpenAiServer replyWith(String content) {
        return answerWith(request -> Reply.completion(content));
    }

    /** Every request from now on fails with this HTTP status and an OpenAI error document. */
    public FakeOpenAiServer failWith(int status, String message) {
        return answerWith(request -> Reply.error(status, message));
    }

    public FakeOpenAiServer answerWith(Responder responder) {
        this.responder = Objects.requireNonNull(responder);
        return this;
    }

    /** Requests that do not carry {@code Authorization: Bearer <apiKey>} get a 401, as from OpenAI. */
    public FakeOpenAiServer requireApiKey(String apiKey) {
        this.requiredApiKey = apiKey;
        return this;
    }

    /** The models {@code GET /v1/models} lists. */
    public FakeOpenAiServer models(String... ids) {
        this.models = List.of(ids);
        return this;
    }

    /** The chat completion requests received so far, oldest first. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Waits (up to {@code timeout}) until at least {@code count} requests have been received. */
    public List<Request> awaitRequests(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (requests.size() < count && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return requests();
    }

    /** The most requests that were being answered at the same time. */
    public int maxConcurrentRequests() {
        return maxConcurrent.get();
    }

    /** Forgets recorded requests and the concurrency high-water mark; keeps the responder. */
    public void clear() {
        requests.clear();
        maxConcurrent.set(0);
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if ("GET".equals(method) && "/v1/models".equals(path)) {
                send(exchange, 200, modelList());
            } else if ("POST".equals(method) && "/v1/chat/completions".equals(path)) {
                handleChatCompletion(exchange);
            } else {
                send(exchange, 404, errorDocument("Unknown request URL: " + method + " " + path, "invalid_request_error"));
            }
        }
    }

    private void handleChatCompletion(HttpExchange exchange) throws IOException {
        int now = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        boolean answering = true;
        try {
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    lowerCaseHeaders(exchange), readJson(exchange.getRequestBody()));
            requests.add(request);
            String key = requiredApiKey;
            if (key != null && !("Bearer " + key).equals(request.authorization())) {
                send(exchange, 401, errorDocument("Incorrect API key provided.", "invalid_api_key"));
                return;
            }
            Reply reply = responder.answer(request);
            if (!reply.delay().isZero()) {
                Thread.sleep(reply.delay().toMillis());
            }
            if (reply.status() == 200 && request.body().path("stream").asBoolean(false)) {
                stream(exchange, request, reply);
            } else {
                JsonNode body = reply.status() == 200 ? completion(request, reply)
                        : errorDocument(reply.content(), "fake_error");
                // A client may send its next request the moment it has this answer, before this thread gets on:
                // counted until then, the two would look concurrent to maxConcurrentRequests.
                answering = false;
                concurrent.decrementAndGet();
                send(exchange, reply.status(), body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (answering) {
                concurrent.decrementAndGet();
            }
        }
    }

    private ObjectNode completion(Request request, Reply reply) {
        String content = reply.content();
        ObjectNode root = JSON.createObjectNode();
        root.put("id", "chatcmpl-fake-" + completions.incrementAndGet());
        root.put("object", "chat.completion");
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", request.model());
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (reply.toolCalls().isEmpty()) {
            message.put("content", content);
            choice.put("finish_reason", "stop");
        } else {
            message.putNull("content");
            ArrayNode calls = message.putArray("tool_calls");
            for (ToolCall call : reply.toolCalls()) {
                ObjectNode c = calls.addObject();
                c.put("id", call.id());
                c.put("type", "function");
                c.putObject("function").put("name", call.name()).put("arguments", call.arguments());
            }
            choice.put("finish_reason", "tool_calls");
        }
        root.set("usage", usage(request, content));
        return root;
    }

    private static ObjectNode usage(Request request, String content) {
        int promptTokens = 0;
        for (JsonNode m : request.body().path("messages")) {
            promptTokens += words(text(m.path("content")));
        }
        int completionTokens = content == null ? 0 : words(content);
        ObjectNode usage = JSON.createObjectNode();
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        return usage;
    }

    /**
     * OpenAI's streamed answer: one {@code chat.completion.chunk} per word of the content, each written and flushed
     * (after the first word, held until {@link Reply#rest} is counted down, if set), a chunk with
     * {@code finish_reason}, a usage chunk when {@code stream_options.include_usage} asked for one, then
     * {@code data: [DONE]}.
     */
    private void stream(HttpExchange exchange, Request request, Reply reply) throws IOException, InterruptedException {
        String id = "chatcmpl-fake-" + completions.incrementAndGet();
        long created = System.currentTimeMillis() / 1000;
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        java.io.OutputStream out = exchange.getResponseBody();
        ObjectNode first = chunk(id, created, request.model());
        first.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                .putObject("delta").put("role", "assistant").put("content", "");
        writeEvent(out, JSON.writeValueAsString(first));
        String content = reply.content() == null ? "" : reply.content();
        java.util.regex.Matcher pieces = java.util.regex.Pattern.compile("\\S+\\s*|\\s+").matcher(content);
        boolean firstWord = true;
        while (pieces.find()) {
            if (!firstWord && reply.rest() != null
                    && !reply.rest().await(Reply.REST_HELD_AT_MOST.toMillis(), TimeUnit.MILLISECONDS)) {
                out.close(); // the client never saw the first word: the answer ends there, without [DONE]
                return;
            }
            firstWord = false;
            ObjectNode delta = chunk(id, created, request.model());
            delta.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                    .putObject("delta").put("content", pieces.group());
            writeEvent(out, JSON.writeValueAsString(delta));
        }
        ObjectNode last = chunk(id, created, request.model());
        last.withArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("delta");
        writeEvent(out, JSON.writeValueAsString(last));
        if (request.body().path("stream_options").path("include_usage").asBoolean(false)) {
            ObjectNode usage = chunk(id, created, request.model());
            usage.putArray("choices");
            usage.set("usage", usage(request, content));
            writeEvent(out, JSON.writeValueAsString(usage));
        }
        writeEvent(out, "[DONE]");
        out.close();
    }

    private static ObjectNode chunk(String id, long created, String model) {
        ObjectNode chunk = JSON.createObjectNode();
        chunk.put("id", id);
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", created);
        chunk.put("model", model);
        return chunk;
    }

    private static void writeEvent(java.io.OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private ObjectNode modelList() {
        ObjectNode root = JSON.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (String id : models) {
            data.addObject().put("id", id).put("object", "model").put("owned_by", "fake");
        }
        return root;
    }

    private static ObjectNode errorDocument(String message, String type) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.putNull("param");
        error.putNull("code");
        return root;
    }

    /** A message's content: a string, or (OpenAI's multi-part form) the text of its text parts. */
    private static String text(JsonNode content) {
        if (!content.isArray()) {
            return content.asText("");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if ("text".equals(part.path("type").asText())) {
                text.append(part.path("text").asText());
            }
        }
        return text.toString();
    }

    private static int words(String text) {
        String trimmed = text.trim();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }

    private static Map<String, List<String>> lowerCaseHeaders(HttpExchange exchange) {
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        return headers;
    }

    private static JsonNode readJson(InputStream body) throws IOException {
        byte[] bytes = body.readAllBytes();
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            // kept as text so that a test can see what a broken client sent
            return JSON.getNodeFactory().textNode(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Decides the answer to one chat completion request. */
    @FunctionalInterface
    public interface Responder {
        Reply answer(Request request);
    }

    /**
     * What to answer: a completion with {@code content} (status 200) or an OpenAI error document with
     * {@code content} as its message, after {@code delay}.
     */
    public record Reply(int status, String content, Duration delay, List<ToolCall> toolCalls, CountDownLatch rest) {

        /** How long the words after a stream's first wait for {@link #rest} (see streamedHoldingTheRestUntil). */
        public static final Duration REST_HELD_AT_MOST = Duration.ofSeconds(10);

        public Reply {
            toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        }

        public Reply(int status, String content, Duration delay) {
            this(status, content, delay, List.of(), null);
        }

        public static Reply completion(String content) {
            return new Reply(200, content, Duration.ZERO);
        }

        public static Reply error(int status, String message) {
            return new Reply(status, message, Duration.ZERO);
        }

        /** An assistant message asking for tool calls ({@code finish_reason: "tool_calls"}), no content. */
        public static Reply toolCalls(ToolCall... calls) {
            return new Reply(200, null, Duration.ZERO, List.of(calls), null);
        }

        /** The same answer, sent only after {@code delay} (for timeouts and concurrency tests). */
        public Reply after(Duration delay) {
            return new Reply(status, content, delay, toolCalls, rest);
        }

        /**
         * When streamed, the words after the first are written only once {@code rest} is counted down, as a test does
         * when the first word reaches it. Past {@link #REST_HELD_AT_MOST} the answer ends after the first word, so a
         * stream that reaches its client only whole is a wrong answer, not a slow one.
         */
        public Reply streamedHoldingTheRestUntil(CountDownLatch rest) {
            return new Reply(status, content, delay, toolCalls, rest);
        }
    }

    /** A function call the fake model asks for; {@code arguments} is the JSON text OpenAI sends. */
    public record ToolCall(String id, String name, String arguments) {
    }

    /** One request as received; header names are lower case. */
    public record Request(String method, String path, Map<String, List<String>> headers, JsonNode body) {

        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public String authorization() {
            return header("authorization");
        }

        public String model() {
            return body.path("model").asText(null);
        }

        /** The {@code content} of the messages with this role, in order. */
        public List<String> messages(String role) {
            List<String> contents = new ArrayList<>();
            for (JsonNode message : body.path("messages")) {
                if (role.equals(message.path("role").asText())) {
                    contents.add(text(message.path("content")));
                }
            }
            return contents;
        }

        /** The system message, or null if none was sent. */
        public String systemPrompt() {
            List<String> system = messages("system");
            return system.isEmpty() ? null : system.get(0);
        }

        /** The {@code role: "tool"} messages sent back (results of tool calls), content in order. */
        public List<String> toolResults() {
            return messages("tool");
        }

        /** The tools offered ({@code tools[].function.name}), in order. */
        public List<String> toolNames() {
            List<String> names = new ArrayList<>();
            for (JsonNode tool : body.path("tools")) {
                names.add(tool.path("function").path("name").asText());
            }
            return names;
        }

        /** The last user message, or null if none was sent. */
        public String userMessage() {
            List<String> user = messages("user");
            return user.isEmpty() ? null : user.get(user.size() - 1);
        }
    }
}
