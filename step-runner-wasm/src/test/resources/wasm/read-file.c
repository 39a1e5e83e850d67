/* Reads the file at input "path" and, if "write" is given, tries to create that file: reports
 * {"read": <content or "failed">, "write": "created" | "refused"}. For the read-only mount. */
#include "mule.h"

int main(void) {
    char *input = mule_read_stdin();
    char *path = mule_json_string(input, "path");
    char *write = mule_json_string(input, "write");
    char content[256] = "failed";
    FILE *f = path ? fopen(path, "r") : NULL;
    if (f) {
        size_t n = fread(content, 1, sizeof content - 1, f);
        content[n] = '\0';
        fclose(f);
    }
    const char *wrote = "skipped";
    if (write) {
        FILE *w = fopen(write, "w");
        wrote = w ? "created" : "refused";
        if (w) fclose(w);
    }
    printf("{\"read\":%s,\"write\":\"%s\"}\n", mule_json_quote(content), wrote);
    return 0;
}
