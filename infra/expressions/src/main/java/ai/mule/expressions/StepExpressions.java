package ai.mule.expressions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.CelType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelStandardFunctions;
import dev.cel.runtime.CelStandardFunctions.StandardFunction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The CEL expressions a workflow step may carry: {@code when} (a condition, must yield a bool) and
 * {@code for_each.items} (must yield a list). Both see two variables: {@code input}, the job's input, and
 * {@code steps}, a map from step name to the output of each step that has finished. Compiled with
 * cel-java ({@code dev.cel:cel}); the gateway compiles at save time so that a job never meets an expression that
 * does not compile, and the orchestrator compiles again (cheap, and a job carries only its snapshot's text).
 * <p>
 * Evaluation is bounded, as the orchestrator evaluates on the stream thread every job shares: comprehensions
 * ({@code map}, {@code filter}, {@code all}...) stop after {@link #MAX_ITERATIONS} iterations, and all the work of one
 * evaluation, matching regular expressions included, is paid from an {@link EvaluationBudget}.
 */
public final class StepExpressions {

    /** Most characters of one expression; a condition longer than this is a program, not a condition. */
    public static final int MAX_LENGTH = 4_096;
    /** Most iterations of all comprehensions of one evaluation. */
    public static final int MAX_ITERATIONS = 100_000;
    /** Most instructions of one regular expression's compiled program. */
    public static final int MAX_REGEX_PROGRAM_SIZE = 1_000;

    private static final CelOptions OPTIONS = CelOptions.current()
            .maxExpressionCodePointSize(MAX_LENGTH)
            .maxParseRecursionDepth(64)
            .comprehensionMaxIterations(MAX_ITERATIONS)
            .build();
    /** {@code matches} is bound per evaluation, by the budget that charges each match before it runs. */
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS)
            .setStandardEnvironmentEnabled(false)
            .setStandardFunctions(CelStandardFunctions.newBuilder().excludeFunctions(StandardFunction.MATCHES).build())
            .build();
    private static final CelCompiler CONDITIONS = compiler(SimpleType.BOOL);
    private static final CelCompiler LISTS = compiler(SimpleType.DYN);

    private StepExpressions() {
    }

    private static CelCompiler compiler(CelType result) {
        return CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addVar("input", SimpleType.DYN)
                .addVar("steps", MapType.create(SimpleType.STRING, SimpleType.DYN))
                .setResultType(result)
                .build();
    }

    /** Why {@code expression} is not a valid condition (a CEL bool over input and steps); empty when it is. */
    public static Optional<String> conditionProblem(String expression) {
        return problem(CONDITIONS, expression);
    }

    /** Why {@code expression} is not a valid items expression; empty when it compiles. */
    public static Optional<String> itemsProblem(String expression) {
        return problem(LISTS, expression);
    }

    private static Optional<String> problem(CelCompiler compiler, String expression) {
        if (expression == null || expression.isBlank()) {
            return Optional.of("the expression is empty");
        }
        if (expression.length() > MAX_LENGTH) {
            return Optional.of("the expression has " + expression.length() + " characters; at most " + MAX_LENGTH);
        }
        try {
            compiler.compile(expression).getAst();
            return Optional.empty();
        } catch (CelValidationException e) {
            return Optional.of(e.getMessage());
        } catch (RuntimeException e) {
            return Optional.of("the expression cannot be compiled: " + e.getMessage());
        }
    }

    /**
     * The step names an expression reads through {@code steps}: {@code steps.x}, {@code has(steps.x)} and
     * {@code steps["x"]}, found in its syntax tree (not by matching text). Empty for an expression that does not
     * compile (its problem is reported by {@link #conditionProblem} / {@link #itemsProblem}).
     */
    public static Set<String> stepsRead(String expression) {
        CelAbstractSyntaxTree ast;
        try {
            ast = LISTS.parse(expression).getAst();
        } catch (CelValidationException | RuntimeException e) {
            return Set.of();
        }
        return CelNavigableAst.fromAst(ast).getRoot().allNodes().map(node -> stepRead(node.expr()))
                .flatMap(Optional::stream).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Optional<String> stepRead(CelExpr expr) {
        if (expr.getKind() == CelExpr.ExprKind.Kind.SELECT && isSteps(expr.select().operand())) {
            return Optional.of(expr.select().field());
        }
        if (expr.getKind() == CelExpr.ExprKind.Kind.CALL && expr.call().function().equals("_[_]")
                && expr.call().args().size() == 2 && isSteps(expr.call().args().get(0))) {
            CelExpr key = expr.call().args().get(1);
            if (key.getKind() == CelExpr.ExprKind.Kind.CONSTANT
                    && key.constant().getKind() == CelConstant.Kind.STRING_VALUE) {
                return Optional.of(key.constant().stringValue());
            }
        }
        return Optional.empty();
    }

    private static boolean isSteps(CelExpr expr) {
        return expr.getKind() == CelExpr.ExprKind.Kind.IDENT && expr.ident().name().equals("steps");
    }

    /**
     * Evaluates a condition.
     *
     * @throws ExpressionException when it does not compile or its evaluation fails (e.g. a missing field)
     */
    public static boolean condition(String expression, JsonNode input, Map<String, JsonNode> steps) {
        Object value = eval(CONDITIONS, expression, input, steps);
        if (!(value instanceof Boolean b)) {
            throw new ExpressionException("the condition gave " + value + ", not a bool");
        }
        return b;
    }

    /**
     * Evaluates an items expression: it must yield a list.
     *
     * @throws ExpressionException when it does not compile, fails, or gives something else than a list
     */
    public static JsonNode items(String expression, JsonNode input, Map<String, JsonNode> steps) {
        Object value = eval(LISTS, expression, input, steps);
        if (!(value instanceof List<?>)) {
            throw new ExpressionException("the items expression gave a " + typeName(value) + ", not a list");
        }
        return CelJson.toJson(value);
    }

    private static Object eval(CelCompiler compiler, String expression, JsonNode input, Map<String, JsonNode> steps) {
        CelAbstractSyntaxTree ast;
        try {
            ast = compiler.compile(expression).getAst();
        } catch (CelValidationException e) {
            throw new ExpressionException(e.getMessage());
        }
        Map<String, Object> stepValues = new LinkedHashMap<>();
        steps.forEach((name, output) -> stepValues.put(name, CelJson.fromJson(output)));
        EvaluationBudget budget = new EvaluationBudget();
        Object value;
        try {
            value = RUNTIME.createProgram(ast).trace(Map.of("input", CelJson.fromJson(input), "steps", stepValues),
                    budget.functions(), budget);
        } catch (CelEvaluationException e) {
            if (!budget.exceeded()) {
                throw new ExpressionException(e.getMessage());
            }
            value = null;
        } catch (EvaluationBudget.Exceeded e) {
            value = null;
        }
        if (budget.exceeded()) {
            throw new ExpressionException("it needs more work than one evaluation may do (about "
                    + EvaluationBudget.LIMIT / 1_000_000 + " ms of CPU): make it loop over fewer items, or read"
                    + " smaller values (a long text scanned in a loop counts once per iteration)");
        }
        return value;
    }

    private static String typeName(Object value) {
        return value == null ? "null" : value.getClass().getSimpleName();
    }

    /** An expression could not be evaluated; the message says why, for the job's error. */
    public static final class ExpressionException extends RuntimeException {
        public ExpressionException(String message) {
            super(message);
        }
    }
}
