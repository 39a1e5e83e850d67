package ai.mule.gateway.openai;

import com.fasterxml.jackson.annotation.JsonInclude;

/** OpenAI's error body. {@code param} and {@code code} are always present (null when they do not apply). */
record OpenAiError(Detail error) {

    record Detail(String message, String type, String param, String code,
                  @JsonInclude(JsonInclude.Include.NON_NULL) String jobId) {
    }
}
