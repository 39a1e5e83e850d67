package ai.mule.gateway.openai;

import ai.mule.gateway.agentcall.AgentAnswer;
import ai.mule.gateway.agentcall.AgentCallFailure;
import ai.mule.gateway.agentcall.AgentCalls;
import ai.mule.gateway.agentcall.CallableAgent;
import ai.mule.gateway.agentcall.CallableAgents;
import ai.mule.gateway.events.SseStream;
import ai.mule.gateway.events.SseStreams;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * {@code agent/<name>} chat completions, answered directly as Mule v2 does: no job, no Kafka, the gateway calls the
 * agent's provider itself with the whole conversation. A chat client talking to one agent waits on the model
 * alone, and {@code stream: true} relays the model's tokens as they arrive, which a job (whose output is known only
 * at its end) could not. Workflows, which need the pipeline, still run as jobs.
 */
@Component
class DirectAgentCompletion {

    private static final String DONE = "data: [DONE]\n\n";

    private final CallableAgents agents;
    private final AgentCalls calls;
    private final SseStreams streams;
    private final Executor executor;

    DirectAgentCompletion(CallableAgents agents, AgentCalls calls, SseStreams streams,
                          @Qualifier("agentCallPool") Executor executor) {
        this.agents = agents;
        this.calls = calls;
        this.streams = streams;
        this.executor = executor;
    }

    CompletableFuture<Object> complete(ChatRequest request, ModelRef model) {
        CallableAgent stored = agents.named(model.name()).orElse(null);
        if (stored == null) {
            return null;
        }
        // the caller's sampling settings, when given, over the agent's own
        CallableAgent agent = new CallableAgent(stored.name(), stored.providerId(), stored.providerKind(),
                stored.baseUrl(), stored.apiKey(), stored.model(), stored.systemPrompt(),
                request.temperature() != null ? request.temperature() : stored.temperature(),
                request.maxTokens() != null ? request.maxTokens() : stored.maxTokens());
        if (request.turns().isEmpty()) {
            throw OpenAiException.invalidRequest("messages must hold at least one system, user or assistant message "
                    + "with content", "messages", "invalid_value");
        }
        String id = UUID.randomUUID().toString();
        if (request.stream()) {
            return CompletableFuture.completedFuture(stream(id, agent, model, request));
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                AgentAnswer answer = calls.call(agent, request.turns());
                return (Object) ResponseEntity.ok(ChatCompletion.of(id, model.id(), answer.text(), now(), answer.usage()));
            } catch (AgentCallFailure e) {
                OpenAiException error = error(agent, e);
                return ResponseEntity.status(error.status()).body(error.body());
            }
        }, executor);
    }

    private Object stream(String id, CallableAgent agent, ModelRef model, ChatRequest request) {
        SseStream stream = streams.open(() -> { });
        long created = now();
        stream.send(SseStream.frame(null, null, ChatCompletionChunk.delta(id, model.id(), created,
                new ChatCompletionChunk.Delta("assistant", ""), null)));
        calls.stream(agent, request.turns(), new AgentCalls.Listener() {
            @Override
            public void onToken(String text) {
                stream.send(SseStream.frame(null, null, ChatCompletionChunk.delta(id, model.id(), created,
                        new ChatCompletionChunk.Delta(null, text), null)));
            }

            @Override
            public void onComplete(AgentAnswer answer) {
                List<String> frames = new ArrayList<>();
                frames.add(SseStream.frame(null, null, ChatCompletionChunk.delta(id, model.id(), created,
                        new ChatCompletionChunk.Delta(null, null), "stop")));
                if (request.includeUsage()) {
                    frames.add(SseStream.frame(null, null, ChatCompletionChunk.usageOnly(id, model.id(), created,
                            ChatCompletion.Usage.of(answer.usage()))));
                }
                frames.add(DONE);
                stream.sendLast(frames);
            }

            @Override
            public void onError(AgentCallFailure failure) {
                stream.sendLast(List.of(SseStream.frame(null, null, Map.of("error", error(agent, failure).body().error())),
                        DONE));
            }
        }, stream::isClosed);
        return stream.emitter();
    }

    /**
     * The provider's failure in OpenAI's terms: its 429 stays a 429 (so SDKs back off and retry), a refused request
     * is the caller's 400 with the provider's message, an unreachable or failing provider a 502, no answer a 504.
     */
    private static OpenAiException error(CallableAgent agent, AgentCallFailure failure) {
        String message = "agent " + agent.name() + ": " + failure.getMessage();
        switch (failure.kind()) {
            case PROVIDER_RATE_LIMITED:
                return new OpenAiException(HttpStatus.TOO_MANY_REQUESTS, message, "rate_limit_error", null,
                        "provider_rate_limited", null);
            case PROVIDER_REJECTED:
            case INVALID_INPUT:
                return new OpenAiException(HttpStatus.BAD_REQUEST, message, "invalid_request_error", null,
                        "provider_rejected", null);
            case TIMEOUT:
                return new OpenAiException(HttpStatus.GATEWAY_TIMEOUT, message, "timeout_error", null,
                        "provider_timeout", null);
            default:
                return new OpenAiException(HttpStatus.BAD_GATEWAY, message, "provider_error", null,
                        "provider_unavailable", null);
        }
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }
}
