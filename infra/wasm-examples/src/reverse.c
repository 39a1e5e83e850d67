/* Reverses the prompt byte by byte (ASCII): {"prompt": "abc"} -> "cba". */
#include "mule.h"

int main(void) {
    char *input = mule_read_stdin();
    char *text = mule_json_string(input, "prompt");
    if (!text) return mule_fail("input has no \"prompt\" string");
    size_t n = strlen(text);
    for (size_t i = 0; i < n / 2; i++) {
        char c = text[i];
        text[i] = text[n - 1 - i];
        text[n - 1 - i] = c;
    }
    return mule_reply(text);
}
