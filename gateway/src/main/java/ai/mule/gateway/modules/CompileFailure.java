package ai.mule.gateway.modules;

import java.util.List;

/** The compiler refused the source: its messages, and each error or warning with the line and column it names. */
final class CompileFailure extends RuntimeException {

    private final transient List<Diagnostic> diagnostics;
    private final String output;

    CompileFailure(String message, List<Diagnostic> diagnostics, String output) {
        super(message, null, false, false);
        this.diagnostics = List.copyOf(diagnostics);
        this.output = output;
    }

    List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    /** The compiler's output as it printed it (capped). */
    String output() {
        return output;
    }

    /** One message of the compiler about the source: line and column from 1, severity error or warning. */
    record Diagnostic(int line, int column, String severity, String message) {
    }
}
