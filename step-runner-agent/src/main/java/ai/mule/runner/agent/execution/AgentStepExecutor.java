package ai.mule.runner.agent.execution;

import ai.mule.providers.ProviderErrors;
import ai.mule.providers.ProviderFailure;
import ai.mule.runner.agent.tools.AgentToolbox;
import ai.mule.runner.runtime.CancelSignal;
import ai.mule.runner.runtime.StepHandler;
import ai.mule.schemas.AgentStep;
import ai.mule.schemas.FailureKind;
import ai.mule.schemas.StepCaller;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one agent step: asks the step's provider (of its kind: OpenAI-compatible, Ollama, Anthropic, Gemini) the
 * step's model, with the agent's system prompt (skills included) and the step input as the user message, lets the
 * model call the agent's tools (at most {@code max_tool_calls} calls), and returns the final reply text as the step
 * output with the tokens of every call summed. The whole run is bounded by the step policy's {@code timeout_ms}.
 * Every failure, from a missing provider to an HTTP 429, becomes a failed {@link StepResult} with a readable error
 * and a {@link FailureKind} (429, 5xx and timeouts are retried by the orchestrator, a 4xx is not). A cancel of the
 * job interrupts the provider or tool call under way and no further call is made ({@link TimedCalls}).
 */
public class AgentStepExecutor implements StepHandler {

    private static final Logger log = LoggerFactory.getLogger(AgentStepExecutor.class);
    /** Mule v2's default of setting {@code max_tool_calls}, for a snapshot that carries none. */
    static final int DEFAULT_MAX_TOOL_CALLS = 10;

    private final ProviderCredentials credentials;
    private final ChatModels models;
    private final Clock clock;
    private final AgentToolbox toolbox;
    private final TimedCalls calls;

    public AgentStepExecutor(ProviderCredentials credentials, ChatModels models, Clock clock, AgentToolbox toolbox) {
        this.calls = new TimedCalls();
        this.credentials = credentials;
        this.models = models;
        this.clock = clock;
        this.toolbox = toolbox;
    }

    /** An executor for agents without tools (a step that has some fails saying so). */
    public AgentStepExecutor(ProviderCredentials credentials, ChatModels models, Clock clock) {
        this(credentials, models, clock, null);
    }

    @Override
    public StepResult handle(StepCommand command, CancelSignal cancel) {
        long started = System.nanoTime();
        try {
            Reply reply = ask(agentStep(command), command, cancel);
            return StepResult.succeeded(command, TextNode.valueOf(reply.text()), null, null, micros(started),
                    clock.instant(), reply.usage());
        } catch (AgentStepFailure e) {
            // a cancel that interrupted something else (the key's database read) is still a cancel
            AgentStepFailure failure = cancel.isCancelled() && e.kind() != FailureKind.CANCELLED
                    ? TimedCalls.cancelled() : e;
            log.info("job {} step {} attempt {} failed ({}): {}", command.jobId(), command.stepIndex(), command.attempt(),
                    failure.kind(), failure.getMessage());
            return StepResult.failed(command, failure.kind(), failure.getMessage(), null, null, micros(started),
                    clock.instant());
        }
    }

    private Reply ask(AgentStep step, StepCommand command, CancelSignal cancel) {
        String userMessage = AgentPrompt.userMessage(command.input());
        String apiKey = apiKey(step.providerId());
        // the step's own limit (its policy's timeout_ms) bounds the whole run, tool calls included; the client's
        // timeout is the shorter of it and the provider timeout, and each call is cut at the time left
        Duration stepTimeout = Duration.ofMillis(step.policy().timeoutMs());
        Duration clientTimeout = stepTimeout.compareTo(models.timeout()) < 0 ? stepTimeout : models.timeout();
        ChatModel model = models.get(step.providerKindOrDefault(), step.apiBaseUrl(), step.model(), apiKey,
                clientTimeout);
        List<ToolSpecification> tools = step.tools().isEmpty() ? List.of() : toolbox().specifications(step.tools());
        int maxToolCalls = step.maxToolCalls() == null ? DEFAULT_MAX_TOOL_CALLS : step.maxToolCalls();

        List<ChatMessage> messages = messages(step, userMessage);
        ai.mule.schemas.TokenUsage total = null;
        int toolCalls = 0;
        while (true) {
            ChatRequest request = request(step, messages, tools);
            ChatResponse response = calls.call(cancel, stepTimeout, () -> chat(model, request, step, command,
                    clientTimeout));
            total = add(total, usage(response.tokenUsage()));
            AiMessage answer = response.aiMessage();
            if (answer != null && answer.hasToolExecutionRequests()) {
                messages.add(answer);
                for (ToolExecutionRequest call : answer.toolExecutionRequests()) {
                    toolCalls++;
                    if (toolCalls > maxToolCalls) {
                        throw new AgentStepFailure(FailureKind.LIMIT_EXCEEDED, "agent " + step.agentName()
                                + " asked for more than " + maxToolCalls + " tool calls (setting max_tool_calls)");
                    }
                    log.info("job {} step {}: agent {} calls tool {}", command.jobId(), command.stepIndex(),
                            step.agentName(), call.name());
                    String result = calls.call(cancel, stepTimeout, () -> runTool(step, command, call, cancel));
                    messages.add(ToolExecutionResultMessage.from(call, result));
                }
                continue;
            }
            String text = answer == null ? null : answer.text();
            if (text == null || text.isBlank()) {
                throw new AgentStepFailure(FailureKind.PROVIDER_UNAVAILABLE,
                        "provider returned an empty reply (finish reason " + response.finishReason() + ")");
            }
            logUsage(command, step, total, toolCalls);
            return new Reply(text, total);
        }
    }

    private static ChatResponse chat(ChatModel model, ChatRequest request, AgentStep step, StepCommand command,
                                     Duration clientTimeout) {
        try {
            return model.chat(request);
        } catch (AgentStepFailure failure) {
            throw failure;
        } catch (RuntimeException e) {
            log.debug("provider call of job {} step {} failed", command.jobId(), command.stepIndex(), e);
            ProviderFailure failure = ProviderErrors.of(e, step.apiBaseUrl(), clientTimeout);
            throw new AgentStepFailure(failure.kind(), failure.getMessage());
        }
    }

    /** A tool that waits for other steps (a workflow, a module) waits with this step's runner place given back. */
    private String runTool(AgentStep step, StepCommand command, ToolExecutionRequest call, CancelSignal cancel) {
        StepCaller caller = StepCaller.of(command);
        if (toolbox().waitsForOtherSteps(step.tools(), call)) {
            return cancel.whileWaitingForOtherSteps(() -> toolbox().run(step.tools(), call, cancel.remaining(), caller));
        }
        return toolbox().run(step.tools(), call, cancel.remaining(), caller);
    }

    private AgentToolbox toolbox() {
        if (toolbox == null) {
            throw new AgentStepFailure("this agent runner has no toolbox, and the agent has tools");
        }
        return toolbox;
    }

    private static ChatRequest request(AgentStep step, List<ChatMessage> messages, List<ToolSpecification> tools) {
        ChatRequest.Builder request = ChatRequest.builder().messages(messages).temperature(step.temperature())
                .maxOutputTokens(step.maxTokens());
        if (!tools.isEmpty()) {
            request.toolSpecifications(tools);
        }
        return request.build();
    }

    private static ai.mule.schemas.TokenUsage add(ai.mule.schemas.TokenUsage total, ai.mule.schemas.TokenUsage more) {
        if (total == null) {
            return more;
        }
        return total.plus(more);
    }

    /** The provider's token counts in the contract's shape; null when it reported none. */
    static ai.mule.schemas.TokenUsage usage(TokenUsage usage) {
        if (usage == null || (usage.inputTokenCount() == null && usage.outputTokenCount() == null)) {
            return null;
        }
        int in = usage.inputTokenCount() == null ? 0 : usage.inputTokenCount();
        int out = usage.outputTokenCount() == null ? 0 : usage.outputTokenCount();
        int total = usage.totalTokenCount() == null ? in + out : usage.totalTokenCount();
        return new ai.mule.schemas.TokenUsage(in, out, total);
    }

    private record Reply(String text, ai.mule.schemas.TokenUsage usage) {
    }

    private static AgentStep agentStep(StepCommand command) {
        if (!(command.step() instanceof AgentStep step)) {
            String type = command.step() == null ? "no step" : "a " + command.step().getClass().getSimpleName();
            throw new AgentStepFailure("the agent runner was sent " + type + ", not an agent step");
        }
        if (isBlank(step.model())) {
            throw new AgentStepFailure("agent " + step.agentName() + " has no model");
        }
        if (isBlank(step.apiBaseUrl()) || !step.apiBaseUrl().matches("(?i)https?://.+")) {
            throw new AgentStepFailure("provider base URL '" + step.apiBaseUrl() + "' is not an http(s) URL");
        }
        return step;
    }

    private String apiKey(String providerId) {
        try {
            return credentials.apiKey(providerId).orElse(null);
        } catch (UnknownProviderException e) {
            throw new AgentStepFailure(e.getMessage());
        } catch (RuntimeException e) {
            // the database is unreachable, or the key does not open: worth another attempt later
            throw new AgentStepFailure(FailureKind.INFRASTRUCTURE, "cannot read the API key of provider " + providerId
                    + ": " + e.getMessage());
        }
    }

    private static List<ChatMessage> messages(AgentStep step, String userMessage) {
        List<ChatMessage> messages = new ArrayList<>();
        if (!isBlank(step.systemPrompt())) {
            messages.add(SystemMessage.from(step.systemPrompt()));
        }
        messages.add(UserMessage.from(userMessage));
        return messages;
    }

    private static void logUsage(StepCommand command, AgentStep step, ai.mule.schemas.TokenUsage usage, int toolCalls) {
        log.info("job {} step {} attempt {}: agent {} ({}) answered after {} tool calls; tokens {}", command.jobId(),
                command.stepIndex(), command.attempt(), step.agentName(), step.model(), toolCalls,
                usage == null ? "not reported" : "in=" + usage.promptTokens() + " out=" + usage.completionTokens()
                        + " total=" + usage.totalTokens());
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static long micros(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startedNanos);
    }
}
