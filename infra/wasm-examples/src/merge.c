/* Merges what a join step receives: each top-level field of the input object becomes a line "name: value" (a
 * string as its text, any other value as its JSON), in the order of the fields.
 * {"concise": "Fine.", "critic": "Risky.", "expert": {"error": {...}}}
 *   -> "concise: Fine.\ncritic: Risky.\nexpert: {\"error\": {...}}" */
#include "mule.h"

static const char *skip_space(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* Where the JSON value starting at p ends: at the comma or closing bracket after it. */
static const char *skip_value(const char *p) {
    int depth = 0;
    while (*p && !(depth == 0 && (*p == ',' || *p == '}' || *p == ']'))) {
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1]) p++;
            }
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            depth--;
        }
        if (*p) p++;
    }
    return p;
}

int main(void) {
    char *input = mule_read_stdin();
    const char *p = skip_space(input);
    if (*p != '{') return mule_fail("the input is not a JSON object");
    /* decoded text is never longer than its JSON, and a line costs no more than its field's quotes, colon, comma */
    char *merged = malloc(strlen(input) + 1);
    size_t len = 0;
    merged[0] = '\0';
    for (p = skip_space(p + 1); *p == '"'; ) {
        p++;
        char *name = mule_json_read_string(&p);
        p = skip_space(p);
        if (*p != ':') return mule_fail("the input is not a JSON object");
        p = skip_space(p + 1);
        if (len) merged[len++] = '\n';
        len += (size_t) sprintf(merged + len, "%s: ", name);
        if (*p == '"') {
            p++;
            len += (size_t) sprintf(merged + len, "%s", mule_json_read_string(&p));
        } else {
            const char *end = skip_value(p);
            while (end > p && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\t' || end[-1] == '\r')) end--;
            memcpy(merged + len, p, (size_t) (end - p));
            len += (size_t) (end - p);
            merged[len] = '\0';
            p = end;
        }
        p = skip_space(p);
        if (*p == ',') p = skip_space(p + 1);
    }
    return mule_reply(merged);
}
