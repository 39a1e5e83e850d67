package ai.mule.providers;

import ai.mule.netgate.GateRefusal;
import ai.mule.netgate.GatedRequest;
import ai.mule.netgate.GatedResponse;
import ai.mule.netgate.NetworkGate;
import ai.mule.schemas.FailureKind;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * langchain4j's HTTP client SPI on the {@link NetworkGate}: every provider call checks the address its host resolves
 * to now and connects to that very address, so a name that answers differently between a check and the call (DNS
 * rebinding) cannot move it to an internal address; the answer is read up to {@link #MAX_BODY_BYTES}. Whole
 * answers only: streamed calls keep langchain4j's own client (the gateway checks their URL before each call).
 * Failures keep the shapes {@link ProviderErrors} reads: an HTTP error status is an {@link HttpException}, no
 * answer in time an {@link HttpTimeoutException}, a refused address a {@link ProviderFailure} ({@code INVALID_INPUT}).
 */
final class GatedHttpClient implements HttpClient {

    /** A chat answer is a few KB; a provider that sends more than this is cut off, not held in memory. */
    static final int MAX_BODY_BYTES = 8 * 1024 * 1024;
    /** Set by the gate itself. */
    private static final Set<String> GATE_HEADERS = Set.of("host", "content-length", "connection",
            "transfer-encoding", "expect", "upgrade", "te", "trailer", "keep-alive", "proxy-connection");

    private final NetworkGate gate;
    private final Duration timeout;

    GatedHttpClient(NetworkGate gate, Duration timeout) {
        this.gate = gate;
        this.timeout = timeout;
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        GatedResponse response;
        try {
            response = gate.send(new GatedRequest(request.method().name(), URI.create(request.url()),
                    headers(request.headers()), request.body() == null ? null
                    : request.body().getBytes(StandardCharsets.UTF_8), timeout, MAX_BODY_BYTES));
        } catch (GateRefusal e) {
            throw new ProviderFailure(FailureKind.INVALID_INPUT, "the provider at " + request.url()
                    + " is refused: " + e.getMessage());
        } catch (SocketTimeoutException e) {
            throw new UncheckedIOException(new HttpTimeoutException(e.getMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (response.status() < 200 || response.status() >= 300) {
            throw new HttpException(response.status(), response.text());
        }
        return SuccessfulHttpResponse.builder().statusCode(response.status()).headers(response.headers())
                .body(response.body()).build();
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        throw new UnsupportedOperationException("streamed provider calls use langchain4j's own HTTP client");
    }

    private static Map<String, String> headers(Map<String, List<String>> headers) {
        Map<String, String> flat = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            if (!GATE_HEADERS.contains(name.toLowerCase(Locale.ROOT)) && values != null && !values.isEmpty()) {
                flat.put(name, String.join(", ", values));
            }
        });
        return flat;
    }

    /** What the model builders take: the timeout they set (connect or read, the longer) bounds the whole call. */
    static final class Builder implements HttpClientBuilder {

        private final NetworkGate gate;
        private Duration connectTimeout;
        private Duration readTimeout;

        Builder(NetworkGate gate) {
            this.gate = gate;
        }

        @Override
        public Duration connectTimeout() {
            return connectTimeout;
        }

        @Override
        public HttpClientBuilder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        @Override
        public Duration readTimeout() {
            return readTimeout;
        }

        @Override
        public HttpClientBuilder readTimeout(Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        @Override
        public HttpClient build() {
            Duration timeout = readTimeout != null ? readTimeout : connectTimeout != null ? connectTimeout
                    : Duration.ofSeconds(60);
            return new GatedHttpClient(gate, timeout);
        }
    }
}
