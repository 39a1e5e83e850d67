package ai.mule.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitsTest {

    private static final Limits LIMITS = Limits.DEFAULTS;

    @Test
    void depthCountsContainersNotScalars() {
        assertThat(Limits.depthOf(JsonNodeFactory.instance.textNode("x"), 100)).isZero();
        assertThat(Limits.depthOf(nested(1), 100)).isEqualTo(1);
        assertThat(Limits.depthOf(nested(64), 100)).isEqualTo(64);
    }

    @Test
    void aValueAtTheDepthLimitPassesAndOneLevelMoreNamesTheLimit() {
        assertThat(LIMITS.checkStepOutput(nested(64))).isEmpty();

        assertThat(LIMITS.checkStepOutput(nested(65))).hasValueSatisfying(v -> {
            assertThat(v.setting()).isEqualTo("mule.limits.max-json-depth");
            assertThat(v.message()).contains("the step output nests deeper than the limit of 64 levels");
        });
    }

    @Test
    void aValueDeeperThanJacksonReadsIsMeasuredWithoutOverflowingTheStack() {
        assertThat(Limits.depthOf(nested(100_000), 64)).isEqualTo(65);
    }

    @Test
    void sizeIsTheCompactJsonSize() {
        ObjectNode value = JsonNodeFactory.instance.objectNode().put("prompt", "abc");

        assertThat(Limits.sizeOf(value)).isEqualTo("{\"prompt\":\"abc\"}".length());
    }

    @Test
    void anOversizedConfigNamesItsLimitAndTheSizes() {
        ObjectNode config = JsonNodeFactory.instance.objectNode().put("blob", "x".repeat(200_000));

        assertThat(LIMITS.checkStepConfig(config)).hasValueSatisfying(v -> {
            assertThat(v.setting()).isEqualTo("mule.limits.max-step-config-bytes");
            assertThat(v.message()).contains("the step config is 200011 bytes as JSON, over the limit of 131072 bytes");
        });
    }

    @Test
    void theDefaultsFitTogetherInOneRecord() {
        int commandEnvelope = 4_096;
        assertThat(LIMITS.maxSnapshotBytes() + LIMITS.maxStepOutputBytes() + commandEnvelope)
                .isLessThan(LIMITS.maxRecordBytes());
        assertThat(LIMITS.maxStepOutputBytes() + 2 * 64 * 1024 + commandEnvelope).isLessThan(LIMITS.maxRecordBytes());
        assertThat(LIMITS.maxJobInputBytes()).isLessThanOrEqualTo(LIMITS.maxStepOutputBytes());
    }

    @Test
    void limitsAreReadFromPropertiesAndFallBackToTheDefaults() {
        Map<String, String> properties = Map.of("mule.limits.max-json-depth", "32", "mule.limits.max-record-bytes", " 2000000");

        Limits limits = Limits.from(properties::get);

        assertThat(limits.maxJsonDepth()).isEqualTo(32);
        assertThat(limits.maxRecordBytes()).isEqualTo(2_000_000);
        assertThat(limits.maxStepOutputBytes()).isEqualTo(Limits.DEFAULTS.maxStepOutputBytes());
    }

    @Test
    void aCallDepthAtTheLimitPassesAndOneMoreNamesTheLimit() {
        assertThat(LIMITS.maxCallDepth()).isEqualTo(5);
        assertThat(LIMITS.checkCallDepth(0)).isEmpty();
        assertThat(LIMITS.checkCallDepth(5)).isEmpty();

        assertThat(LIMITS.checkCallDepth(6)).hasValueSatisfying(v -> {
            assertThat(v.setting()).isEqualTo("mule.limits.max-call-depth");
            assertThat(v.message()).isEqualTo("workflow calls from steps (agent tools, module host functions) nest "
                    + "6 deep; at most 5 (mule.limits.max-call-depth): a step of a workflow started by a step starts a "
                    + "workflow again");
        });
    }

    @Test
    void forEachItemsAreCountedAgainstTheirLimitAndReadLikeTheOtherLimits() {
        assertThat(LIMITS.checkForEachItems("each", 1_000)).isEmpty();
        assertThat(LIMITS.checkForEachItems("each", 1_001)).hasValueSatisfying(v ->
                assertThat(v.setting()).isEqualTo("mule.limits.max-for-each-items"));

        Limits more = Limits.from(Map.of("mule.limits.max-for-each-items", "5000")::get);
        assertThat(more.checkForEachItems("each", 5_000)).isEmpty();
        assertThat(more.withMaxRecordBytes(2_000_000).maxForEachItems()).as("kept by withMaxRecordBytes").isEqualTo(5_000);
        assertThatThrownBy(() -> Limits.from(Map.of("mule.limits.max-for-each-items", "0")::get))
                .hasMessageContaining("mule.limits.max-for-each-items >= 1");
    }

    @Test
    void descendantJobsAreCountedAgainstTheirLimitAndZeroForbidsThem() {
        assertThat(LIMITS.maxDescendantJobs()).isEqualTo(10_000);
        assertThat(LIMITS.checkDescendantJobs("root-1", 10_000)).isEmpty();
        assertThat(LIMITS.checkDescendantJobs("root-1", 10_001)).hasValueSatisfying(v -> {
            assertThat(v.setting()).isEqualTo("mule.limits.max-descendant-jobs");
            assertThat(v.message()).isEqualTo("the steps of job root-1 and of the jobs they started have started 10000 "
                    + "jobs, at most 10000 (mule.limits.max-descendant-jobs): a for_each over a sub-workflow, or a "
                    + "tool or module that starts workflows, multiplies its jobs; give it fewer items, or start the "
                    + "batches as jobs of their own");
        });

        Limits none = Limits.from(Map.of("mule.limits.max-descendant-jobs", "0")::get);
        assertThat(none.checkDescendantJobs("root-1", 1)).isPresent();
        assertThat(none.withMaxRecordBytes(2_000_000).maxDescendantJobs()).as("kept by withMaxRecordBytes").isZero();
        assertThat(new Limits(1_000_000, 64, 1, 1, 1, 1).maxDescendantJobs()).as("the six-limit constructor")
                .isEqualTo(10_000);
        assertThatThrownBy(() -> Limits.from(Map.of("mule.limits.max-descendant-jobs", "-1")::get))
                .hasMessageContaining("mule.limits.max-descendant-jobs >= 0");
    }

    @Test
    void aStepCallerSaysTheDepthOfTheJobItStartsAndItsOwnJob() {
        StepCaller caller = new StepCaller("job-1", 2);

        assertThat(caller.headers()).containsExactly("Mule-Call-Depth", "3", "Mule-Started-By", "job-1");
    }

    @Test
    void theCallDepthIsReadLikeTheOtherLimitsAndZeroForbidsCallsThroughTools() {
        Limits none = Limits.from(Map.of("mule.limits.max-call-depth", "0")::get);

        assertThat(none.maxCallDepth()).isZero();
        assertThat(none.checkCallDepth(1)).isPresent();
        assertThat(Limits.from(Map.<String, String>of()::get)).isEqualTo(Limits.DEFAULTS);
        assertThat(new Limits(1_000_000, 64, 1, 1, 1, 1).maxCallDepth()).as("the six-limit constructor").isEqualTo(5);
        assertThatThrownBy(() -> Limits.from(Map.of("mule.limits.max-call-depth", "-1")::get))
                .hasMessageContaining("mule.limits.max-call-depth >= 0");
    }

    @Test
    void aLimitThatIsNotANumberIsRefusedByName() {
        assertThatThrownBy(() -> Limits.from(Map.of("mule.limits.max-json-depth", "deep")::get))
                .hasMessageContaining("mule.limits.max-json-depth must be a whole number, got \"deep\"");
    }

    static JsonNode nested(int depth) {
        ArrayNode outer = JsonNodeFactory.instance.arrayNode();
        ArrayNode current = outer;
        for (int i = 1; i < depth; i++) {
            ArrayNode inner = JsonNodeFactory.instance.arrayNode();
            current.add(inner);
            current = inner;
        }
        return outer;
    }
}
