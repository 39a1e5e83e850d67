package ai.mule.gateway.secrets;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param masterKey {@code MULE_MASTER_KEY}: base64 of 32 bytes, the AES-256 key provider API keys are sealed with
 *                  (the agent runner needs the same one). Without it, providers can be stored only without an
 *                  API key. {@code ./mule up} generates one into {@code .mule/master.key}.
 */
@Validated
@ConfigurationProperties("mule.secrets")
public record SecretsProperties(String masterKey) {
}
