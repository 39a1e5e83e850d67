package ai.mule.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The worked examples of the README's "Workflow graphs" section, read from the README itself: for each of its
 * {@code sh} snippets, the JSON bodies its {@code step '...'} lines send, with the shell variables they splice in
 * ({@code "'$A1'"}) replaced by the values given. So the end-to-end test runs the examples exactly as a reader
 * would, and a README edit that breaks one fails the test.
 */
final class ReadmeGraphExamples {

    private static final String SECTION = "## Workflow graphs";
    private static final Pattern SPLICED = Pattern.compile("'\\$([A-Z0-9_]+)'");

    private ReadmeGraphExamples() {
    }

    /** The step bodies of the section's snippet {@code index} (from 0); each variable it uses must be in {@code values}. */
    static List<String> stepBodies(Path readme, int index, Map<String, String> values) throws IOException {
        String text = Files.readString(readme);
        int start = text.indexOf(SECTION);
        if (start < 0) {
            throw new IllegalStateException(readme + " has no section '" + SECTION + "'");
        }
        int end = text.indexOf("\n## ", start + SECTION.length());
        String section = text.substring(start, end < 0 ? text.length() : end);
        List<String> snippets = new ArrayList<>();
        for (int open = section.indexOf("```sh\n"); open >= 0; open = section.indexOf("```sh\n", open + 1)) {
            snippets.add(section.substring(open + 6, section.indexOf("\n```", open + 6)));
        }
        if (index >= snippets.size()) {
            throw new IllegalStateException("the README's section '" + SECTION + "' has " + snippets.size()
                    + " snippets, not " + (index + 1));
        }
        String snippet = snippets.get(index);
        List<String> bodies = new ArrayList<>();
        for (int at = snippet.indexOf("step '"); at >= 0; at = snippet.indexOf("step '", at + 1)) {
            bodies.add(quoted(snippet, at + "step '".length(), values));
        }
        return bodies;
    }

    /** The shell word that starts inside single quotes at {@code from}, splicing {@code '$NAME'} in. */
    private static String quoted(String snippet, int from, Map<String, String> values) {
        StringBuilder body = new StringBuilder();
        int at = from;
        while (true) {
            int quote = snippet.indexOf('\'', at);
            if (quote < 0) {
                throw new IllegalStateException("unterminated step '...' in the README: " + snippet.substring(from));
            }
            body.append(snippet, at, quote);
            Matcher spliced = SPLICED.matcher(snippet).region(quote, snippet.length());
            if (!spliced.lookingAt()) {
                return body.toString();
            }
            String value = values.get(spliced.group(1));
            if (value == null) {
                throw new IllegalStateException("the README's example uses $" + spliced.group(1) + ", not given");
            }
            body.append(value);
            at = spliced.end();
        }
    }
}
