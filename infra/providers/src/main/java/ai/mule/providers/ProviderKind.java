package ai.mule.providers;

import ai.mule.schemas.FailureKind;
import java.util.Locale;

/**
 * The protocol a provider speaks. {@code openai} is any OpenAI-compatible server (OpenAI, OpenRouter, vLLM,
 * LM Studio, llama.cpp), {@code ollama} Ollama's native API, {@code anthropic}, {@code gemini} (Google AI).
 */
public enum ProviderKind {
    OPENAI, OLLAMA, ANTHROPIC, GEMINI;

    /** The kind as stored and sent ({@code "openai"}). */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kind named {@code wire}; {@code openai} when none is named (providers created before kinds existed). An
     * unknown kind is refused, never guessed: a request in one protocol sent to a server of another fails in ways
     * that say nothing about the cause.
     */
    public static ProviderKind of(String wire) {
        if (wire == null || wire.isBlank()) {
            return OPENAI;
        }
        for (ProviderKind kind : values()) {
            if (kind.wire().equals(wire.strip().toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new ProviderFailure(FailureKind.INVALID_INPUT, "unknown provider kind '" + wire
                + "'; use openai, ollama, anthropic or gemini");
    }
}
