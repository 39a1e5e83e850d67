package ai.mule.expressions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepExpressionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void namesTheStepsAnExpressionReadsFromItsSyntaxTree() {
        assertThat(StepExpressions.stepsRead("steps.classify.label == 'billing' && has(steps.score.value)"))
                .containsExactly("classify", "score");
        assertThat(StepExpressions.stepsRead("steps['split'].parts.map(p, p + input.suffix)"))
                .containsExactly("split");
        assertThat(StepExpressions.stepsRead("input.steps.a == 1 || 'steps.b' == input.x")).as("not a read of steps")
                .isEmpty();
        assertThat(StepExpressions.stepsRead("steps.a ==")).as("does not parse").isEmpty();
    }

    @Test
    void conditionsReadTheInputAndTheOutputsOfFinishedSteps() throws Exception {
        JsonNode input = json("{\"lang\": \"en\", \"n\": 3}");
        Map<String, JsonNode> steps = Map.of("classify", json("{\"label\": \"billing\", \"score\": 0.9}"));

        assertThat(StepExpressions.condition("steps.classify.label == 'billing'", input, steps)).isTrue();
        assertThat(StepExpressions.condition("input.n > 5 || steps.classify.score < 0.5", input, steps)).isFalse();
        assertThat(StepExpressions.condition("'other' in steps && steps.other.x", input, steps)).isFalse();
    }

    @Test
    void itemsYieldAJsonArray() throws Exception {
        JsonNode items = StepExpressions.items("steps.split.parts.map(p, p + '!')", json("{}"),
                Map.of("split", json("{\"parts\": [\"a\", \"b\"]}")));

        assertThat(items).isEqualTo(json("[\"a!\", \"b!\"]"));
        assertThat(StepExpressions.items("input.list", json("{\"list\": [1, {\"k\": null}, 2.5, true]}"), Map.of()))
                .isEqualTo(json("[1, {\"k\": null}, 2.5, true]"));
    }

    @Test
    void invalidExpressionsAreNamedAtCompileTime() {
        assertThat(StepExpressions.conditionProblem("steps.a.x ==")).isPresent();
        assertThat(StepExpressions.conditionProblem("unknown_var > 1")).get().asString().contains("unknown_var");
        assertThat(StepExpressions.conditionProblem("1 + 2")).get().asString().contains("bool");
        assertThat(StepExpressions.conditionProblem("")).isPresent();
        assertThat(StepExpressions.conditionProblem("(".repeat(10_000))).isPresent();
        assertThat(StepExpressions.itemsProblem("input.list")).isEmpty();
        assertThat(StepExpressions.conditionProblem("input.a == 'x\u0000'")).isEmpty();
    }

    @Test
    void evaluationFailuresAndRunawayComprehensionsAreErrorsNotHangs() throws Exception {
        assertThatThrownBy(() -> StepExpressions.condition("steps.missing.x == 1", json("{}"), Map.of()))
                .isInstanceOf(StepExpressions.ExpressionException.class);
        assertThatThrownBy(() -> StepExpressions.items("input.n", json("{\"n\": 1}"), Map.of()))
                .hasMessageContaining("not a list");
        // 1,000 x 1,000 nested iterations are past the bound
        JsonNode big = JSON.valueToTree(Map.of("l", java.util.Collections.nCopies(1_000, 1)));
        assertThatThrownBy(() -> StepExpressions.items("input.l.map(a, input.l.map(b, a + b))", big, Map.of()))
                .isInstanceOf(StepExpressions.ExpressionException.class);
    }

    /**
     * Each of these stays under the iteration cap but, unbudgeted, held a thread for minutes (300 x 300 regular
     * expression matches over 200,000 characters: over 13 minutes) or asked for tens of gigabytes (90,000
     * concatenations of that text); the orchestrator evaluates on the stream thread every job shares.
     */
    @Test
    void anExpressionThatWouldHoldTheThreadOrFillTheHeapFailsWithItsBudget() {
        JsonNode input = JSON.valueToTree(Map.of("l", java.util.Collections.nCopies(300, 1), "s", "z".repeat(200_000)));

        for (String runaway : java.util.List.of(
                "input.l.all(a, input.l.all(b, !input.s.matches('(z|zz)+y')))",
                "input.l.all(a, input.l.all(b, !input.s.contains('y')))",
                "size(input.l.map(a, input.l.map(b, input.s + input.s))) > 0",
                "input.l.all(a, input.l.all(b, a + b > 0 && a * b < 100000 && a - b < 1000))",
                // || absorbs the error that stops the evaluation: the budget is checked again at the end
                "input.l.all(a, input.l.all(b, input.s.contains('y') || true))")) {
            assertThatThrownBy(() -> StepExpressions.condition(runaway, input, Map.of())).as(runaway)
                    .isInstanceOf(StepExpressions.ExpressionException.class)
                    .hasMessageContaining("more work than one evaluation may do");
        }
        assertThatThrownBy(() -> StepExpressions.items("input.l.map(a, input.l.map(b, input.s))", input, Map.of()))
                .hasMessageContaining("more work than one evaluation may do");
    }

    @Test
    void regularExpressionsAreCheckedBeforeTheyRun() {
        JsonNode input = JSON.valueToTree(Map.of("s", "z".repeat(200_000)));

        assertThat(StepExpressions.condition("input.s.matches('^z+$') && matches(input.s, 'zz')", input, Map.of()))
                .as("one match over a long text is within the budget").isTrue();
        assertThatThrownBy(() -> StepExpressions.condition("input.s.matches('(')", input, Map.of()))
                .isInstanceOf(StepExpressions.ExpressionException.class)
                .hasMessageContaining("invalid regular expression");
        assertThatThrownBy(() -> StepExpressions.condition("'a'.matches('(a{1000}){1000}')", input, Map.of()))
                .isInstanceOf(StepExpressions.ExpressionException.class)
                .hasMessageContaining("at most " + StepExpressions.MAX_REGEX_PROGRAM_SIZE);
    }
}
