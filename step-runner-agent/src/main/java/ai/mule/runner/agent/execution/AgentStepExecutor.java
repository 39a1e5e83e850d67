package ai.mule.runner.agent.execution;

import ai.mule.schemas.AgentStep;
import ai.mule.schemas.StepCommand;
import ai.mule.schemas.StepResult;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one agent step: asks the step's provider (any OpenAI-compatible endpoint) the step's model, with
 * the agent's system prompt and the step input as the user message, and returns the reply text as the
 * step output. Every failure, from a missing provider to an HTTP 429, becomes a failed {@link StepResult}
 * with a readable error: this method does not throw, so one bad step never stops the runner.
 */
public class AgentStepExecutor {

    private static final Logger log = LoggerFactory.getLogger(AgentStepExecutor.class);

    private final ProviderCredentials credentials;
    private final ChatModels models;
    private final Clock clock;

    public AgentStepExecutor(ProviderCredentials credentials, ChatModels models, Clock clock) {
        this.credentials = credentials;
        this.models = models;
        this.clock = clock;
    }

    public StepResult execute(StepCommand command) {
        long started = System.nanoTime();
        try {
            Reply reply = ask(agentStep(command), command);
            return StepResult.succeeded(command, TextNode.valueOf(reply.text()), null, null, micros(started),
                    clock.instant(), reply.usage());
        } catch (AgentStepFailure e) {
            log.info("job {} step {} attempt {} failed: {}", command.jobId(), command.stepIndex(), command.attempt(),
                    e.getMessage());
            return StepResult.failed(command, e.getMessage(), null, null, micros(started), clock.instant());
        } catch (RuntimeException e) {
            // a bug here must fail the step, not the runner
            log.error("job {} step {} attempt {}: unexpected error", command.jobId(), command.stepIndex(),
                    command.attempt(), e);
            return StepResult.failed(command, "agent runner error: " + e, null, null, micros(started), clock.instant());
        }
    }

    private Reply ask(AgentStep step, StepCommand command) {
        String userMessage = AgentPrompt.userMessage(command.input());
        String apiKey = apiKey(step.providerId());
        ChatModel model = models.get(step.providerId(), step.apiBaseUrl(), step.model(), apiKey);

        ChatResponse response;
        try {
            response = model.chat(ChatRequest.builder().messages(messages(step, userMessage)).build());
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                // the runner is stopping; the caller does not report this, the step runs again elsewhere
                throw new AgentStepFailure("interrupted: the agent runner is stopping");
            }
            log.debug("provider call of job {} step {} failed", command.jobId(), command.stepIndex(), e);
            throw new AgentStepFailure(ProviderErrors.describe(e, step.apiBaseUrl(), models.timeout()));
        }

        AiMessage answer = response.aiMessage();
        String text = answer == null ? null : answer.text();
        if (text == null || text.isBlank()) {
            throw new AgentStepFailure("provider returned an empty reply (finish reason " + response.finishReason() + ")");
        }
        logUsage(command, step, response.tokenUsage());
        return new Reply(text, usage(response.tokenUsage()));
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
            throw new AgentStepFailure("cannot read the API key of provider " + providerId + ": " + e.getMessage());
        }
    }

    private static List<ChatMessage> messages(AgentStep step, String userMessage) {
        List<ChatMessage> messages = new ArrayList<>(2);
        if (!isBlank(step.systemPrompt())) {
            messages.add(SystemMessage.from(step.systemPrompt()));
        }
        messages.add(UserMessage.from(userMessage));
        return messages;
    }

    private static void logUsage(StepCommand command, AgentStep step, TokenUsage usage) {
        if (usage == null) {
            log.info("job {} step {} attempt {}: agent {} ({}) answered; no token usage reported", command.jobId(),
                    command.stepIndex(), command.attempt(), step.agentName(), step.model());
        } else {
            log.info("job {} step {} attempt {}: agent {} ({}) answered; tokens in={} out={} total={}", command.jobId(),
                    command.stepIndex(), command.attempt(), step.agentName(), step.model(), usage.inputTokenCount(),
                    usage.outputTokenCount(), usage.totalTokenCount());
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static long micros(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startedNanos);
    }
}
