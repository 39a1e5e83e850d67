package ai.mule.gateway.web;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.ReportAsSingleViolation;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The name of a provider, agent, workflow or module. Names appear in model ids ({@code workflow/<name>}) and
 * may end up in paths and logs, so they are kept to a safe alphabet: no slashes, no spaces, not only dots
 * (which rejects path traversal such as {@code ../x} or {@code ..}).
 */
@Documented
@Constraint(validatedBy = {})
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
@Retention(RetentionPolicy.RUNTIME)
@NotNull
@Pattern(regexp = ResourceName.PATTERN)
@ReportAsSingleViolation
public @interface ResourceName {

    String PATTERN = "(?!\\.+$)[A-Za-z0-9._-]{1,100}";

    String message() default "must be 1 to 100 characters of letters, digits, '.', '_' or '-' (not only dots), "
            + "e.g. summarize-text";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
