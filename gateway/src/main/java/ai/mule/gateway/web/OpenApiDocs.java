package ai.mule.gateway.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document at {@code /v3/api-docs}: every controller, plus the bearer API key they ask for. */
@Configuration(proxyBeanMethods = false)
class OpenApiDocs {

    @Bean
    OpenAPI muleOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Mule API").version("v1").description("Mule v2's REST API under /api/v1 and the "
                        + "OpenAI-compatible /v1. When API keys are configured every endpoint but /health needs "
                        + "Authorization: Bearer <key>."))
                .components(new Components().addSecuritySchemes("bearer",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }
}
