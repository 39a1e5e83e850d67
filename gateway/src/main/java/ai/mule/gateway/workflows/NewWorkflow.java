package ai.mule.gateway.workflows;

import ai.mule.gateway.web.ResourceName;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Size;

record NewWorkflow(
        @ResourceName String name,
        @Size(max = 10_000, message = "must be at most 10000 characters") String description,
        @JsonProperty("is_async") Boolean isAsync) {
}
