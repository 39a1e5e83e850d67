package ai.mule.orchestrator.status;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the job status writer consumes {@code mule.jobs.events}.
 *
 * @param groupId        its consumer group (the gateway's health check looks for members of the default one)
 * @param maxPollRecords the most events written in one PostgreSQL transaction
 * @param pollTimeout    how long one poll waits for events
 * @param retryBackoff   how long to wait before writing a batch again after PostgreSQL failed
 */
@ConfigurationProperties("mule.orchestrator.status-writer")
@Validated
public record StatusWriterProperties(
        @DefaultValue("mule-job-status-writer") @NotBlank String groupId,
        @DefaultValue("500") @Positive int maxPollRecords,
        @DefaultValue("1s") @NotNull @DurationMin(millis = 1) Duration pollTimeout,
        @DefaultValue("1s") @NotNull @DurationMin(millis = 1) Duration retryBackoff) {
}
