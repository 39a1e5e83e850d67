package ai.mule.expressions;

import com.google.protobuf.ByteString;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.values.CelByteString;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelEvaluationListener;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelLateFunctionBindings;
import java.util.Collection;
import java.util.Map;

/**
 * What one evaluation of an expression may spend, so that an expression cannot hold the orchestrator's stream
 * thread, which every job shares, for more than a moment, nor fill its heap. The iteration cap alone does not do
 * that: 300 x 300 nested iterations are within it, and each may scan a 256 KB input string or concatenate two.
 * <p>
 * The cost is counted in units of about a nanosecond of this VM's work, from what the evaluation has done so far,
 * so it is the same for the same expression and values on every run (a job fails the same way after a replay): every
 * expression node evaluated costs {@link #NODE}, every value it yields costs its size (a string's characters, a
 * list's or map's entries, a byte string's bytes), which also bounds what it can allocate, as each new value is
 * built from values already paid for; and a regular expression match costs the text's length times the pattern's
 * program size before it runs, as RE2's matching is linear in both but cannot be stopped once started.
 */
final class EvaluationBudget implements CelEvaluationListener {

    /** What one evaluation may spend: 30-100 ms of CPU on the 2-core VM Mule is measured on. */
    static final long LIMIT = 100_000_000;
    /** One expression node evaluated, traced: cel-java's interpreter took 0.6-1 microseconds for one. */
    static final long NODE = 1_000;
    /** One character of text times one instruction of a regular expression's program. */
    static final long REGEX_STEP = 8;

    private long spent;

    /** The overloads of {@code matches} (global and member), charging each match before it runs. */
    CelLateFunctionBindings functions() {
        return CelLateFunctionBindings.from(
                CelFunctionBinding.from("matches", String.class, String.class, this::matches),
                CelFunctionBinding.from("matches_string", String.class, String.class, this::matches));
    }

    @Override
    public void callback(CelExpr expr, Object value) {
        charge(NODE + sizeOf(value));
    }

    /** Whether the evaluation spent more than its limit; checked after it ends, as CEL's {@code ||} absorbs errors. */
    boolean exceeded() {
        return spent > LIMIT;
    }

    private boolean matches(String text, String regex) throws CelEvaluationException {
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new CelEvaluationException("invalid regular expression: " + e.getMessage());
        }
        if (pattern.programSize() > StepExpressions.MAX_REGEX_PROGRAM_SIZE) {
            throw new CelEvaluationException("the regular expression compiles to " + pattern.programSize()
                    + " instructions; at most " + StepExpressions.MAX_REGEX_PROGRAM_SIZE);
        }
        charge(REGEX_STEP * (text.length() + 1L) * pattern.programSize());
        return pattern.matcher(text).find();
    }

    private void charge(long cost) {
        spent += cost;
        if (spent > LIMIT) {
            throw new Exceeded();
        }
    }

    private static long sizeOf(Object value) {
        if (value instanceof String s) {
            return s.length();
        }
        if (value instanceof Collection<?> c) {
            return c.size();
        }
        if (value instanceof Map<?, ?> m) {
            return m.size();
        }
        if (value instanceof ByteString b) {
            return b.size();
        }
        if (value instanceof CelByteString b) {
            return b.size();
        }
        return 0;
    }

    /** Thrown from inside the evaluation to stop it; {@link StepExpressions} turns it into the job's error. */
    static final class Exceeded extends RuntimeException {
        Exceeded() {
            super(null, null, false, false);
        }
    }
}
