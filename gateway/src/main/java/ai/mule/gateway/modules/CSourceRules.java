package ai.mule.gateway.modules;

import ai.mule.gateway.web.ApiException;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a C source may ask of the gateway host's compiler. clang reads any file the gateway can read when a source
 * says {@code #include "/etc/passwd"} (or a macro that expands to it, or {@code .incbin} in inline assembly) and shows
 * its lines in its error messages, which go back to the caller. So a source may include only system headers by a
 * plain name ({@code #include <stdio.h>}), use only the ordinary directives, and no assembly or pragmas.
 * The check runs on the text as the preprocessor sees it: line splices joined, {@code %:} read as {@code #},
 * comments removed.
 */
final class CSourceRules {

    private static final Set<String> DIRECTIVES = Set.of("include", "define", "undef", "if", "ifdef", "ifndef", "elif",
            "else", "endif", "error", "warning");
    private static final Pattern DIRECTIVE = Pattern.compile("(?m)^[ \\t]*#[ \\t]*([A-Za-z_]*)(.*)$");
    private static final Pattern SYSTEM_HEADER = Pattern.compile("[ \\t]*<[A-Za-z0-9_][A-Za-z0-9_/.-]*\\.h>[ \\t]*");
    private static final List<String> FORBIDDEN = List.of("asm", "__asm", "__asm__", "_Pragma", "incbin", "__has_include",
            "__has_embed", "__FILE__", "__BASE_FILE__");
    private static final Pattern WORD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private CSourceRules() {
    }

    static void check(String source) {
        String text = withoutComments(source.replace("\\\r\n", "").replace("\\\n", "").replace("%:", "#"));
        Matcher directive = DIRECTIVE.matcher(text);
        while (directive.find()) {
            String name = directive.group(1);
            if (!DIRECTIVES.contains(name)) {
                throw refused("the directive #" + name + " is not allowed; use #include <header.h>, #define, #if and "
                        + "their kind");
            }
            if (name.equals("include") && (!SYSTEM_HEADER.matcher(directive.group(2)).matches()
                    || directive.group(2).contains(".."))) {
                throw refused("only system headers by a plain name can be included, e.g. #include <stdio.h>, not "
                        + "'#include" + directive.group(2).strip() + "'");
            }
        }
        Matcher word = WORD.matcher(text);
        while (word.find()) {
            if (FORBIDDEN.contains(word.group())) {
                throw refused("'" + word.group() + "' is not allowed: no assembly, pragmas or file names in a source "
                        + "compiled on the server");
            }
        }
    }

    private static String withoutComments(String text) {
        // string literals are kept as they are, so that "//" inside one is not taken for a comment
        return text.replaceAll("(\"(?:\\\\.|[^\"\\\\\\n])*\")|/\\*(?s:.*?)\\*/|//[^\\n]*", "$1 ");
    }

    private static ApiException refused(String why) {
        return ApiException.unprocessable("source_code: " + why);
    }
}
