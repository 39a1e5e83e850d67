package ai.mule.gateway.web;

import ai.mule.schemas.Limits;
import ai.mule.schemas.PostgresText;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * How request JSON is read, and the {@link Limits} bean every check of the gateway uses.
 * <ul>
 *   <li>Unknown fields are refused (a misspelt field is a mistake the client should hear about, not a silently
 *       ignored value), so is anything after the JSON value.</li>
 *   <li>Types are strict: Jackson's coercions (a number into a string, {@code "true"} into a boolean, {@code 1.5}
 *       into an integer, {@code ""} into null, one value into an array, null into a primitive) are all refused, so
 *       {@code {"name": 123}} is a 400 naming {@code name} rather than a workflow called "123".</li>
 *   <li>A string holding text PostgreSQL cannot store (NUL, an unpaired surrogate) is refused where it is read,
 *       naming the field; free JSON (configs, inputs) is checked by {@link RequestLimits}.</li>
 *   <li>Nesting is capped while parsing, so a deeply nested body cannot exhaust the stack. The cap is
 *       {@code mule.limits.max-json-depth} plus {@link #ENVELOPE_LEVELS}: a value inside a body (a step config, a
 *       job input) sits a level or two below the body's root, and only a value that reached its field can be
 *       refused with a message naming that field ({@link RequestLimits}); past the cap the parser stops and the
 *       message can only say the body is too deep.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class JsonLimits {

    /** The levels a request body may add around a limited value (the body itself, a list of tools...). */
    static final int ENVELOPE_LEVELS = 8;

    /** The pipeline's limits, from {@code mule.limits.*} (or {@code MULE_LIMITS_*}); see {@link Limits}. */
    @Bean
    Limits limits(Environment environment) {
        return Limits.from(environment::getProperty);
    }

    @Bean
    Jackson2ObjectMapperBuilderCustomizer strictRequestJson(Limits limits) {
        int maxNesting = bodyNestingCap(limits);
        return builder -> builder
                .failOnUnknownProperties(true)
                .featuresToEnable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                        DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .featuresToDisable(MapperFeature.ALLOW_COERCION_OF_SCALARS,
                        DeserializationFeature.ACCEPT_FLOAT_AS_INT,
                        DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY,
                        DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS,
                        DeserializationFeature.ACCEPT_EMPTY_STRING_AS_NULL_OBJECT,
                        DeserializationFeature.ACCEPT_EMPTY_ARRAY_AS_NULL_OBJECT)
                .deserializerByType(String.class, new StorableString())
                .postConfigurer(mapper -> {
                    refuseCoercions(mapper);
                    mapper.getFactory().setStreamReadConstraints(
                            StreamReadConstraints.builder().maxNestingDepth(maxNesting).build());
                });
    }

    static int bodyNestingCap(Limits limits) {
        return limits.maxJsonDepth() + ENVELOPE_LEVELS;
    }

    /**
     * Every coercion from a JSON shape that is not the target's own. A JSON number is one type, so an integer
     * into a decimal field ({@code "backoff_multiplier": 2}) is not a coercion and stays allowed.
     */
    static void refuseCoercions(ObjectMapper mapper) {
        mapper.coercionConfigDefaults()
                .setAcceptBlankAsEmpty(false)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                // "" is a string: only into other types is it a coercion
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.TryConvert);
        mapper.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Float)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        for (LogicalType type : new LogicalType[] {LogicalType.Enum, LogicalType.DateTime, LogicalType.OtherScalar}) {
            mapper.coercionConfigFor(type)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        }
    }

    /** A string read from a request, refused when PostgreSQL could not store it; the refusal names the field. */
    static final class StorableString extends StdScalarDeserializer<String> {

        StorableString() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = StringDeserializer.instance.deserialize(p, ctxt);
            if (value != null && PostgresText.problem(value, "").isPresent()) {
                throw new UnstorableText(p, value);
            }
            return value;
        }

        @Override
        public LogicalType logicalType() {
            return LogicalType.Textual;
        }

        @Override
        public boolean isCachable() {
            return true;
        }

        @Override
        public Object getEmptyValue(DeserializationContext ctxt) {
            return "";
        }
    }

    /** A string PostgreSQL cannot store; {@link RequestErrors} names where it was once Jackson added the path. */
    static final class UnstorableText extends JsonMappingException {

        private final transient String text;

        UnstorableText(JsonParser p, String text) {
            super(p, "the text cannot be stored");
            this.text = text;
        }

        String text() {
            return text;
        }
    }
}
