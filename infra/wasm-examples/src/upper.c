/* Upper-cases the prompt (ASCII): {"prompt": "Hello"} -> "HELLO". */
#include <ctype.h>
#include "mule.h"

int main(void) {
    char *input = mule_read_stdin();
    char *text = mule_json_string(input, "prompt");
    if (!text) return mule_fail("input has no \"prompt\" string");
    for (char *p = text; *p; p++) *p = (char) toupper((unsigned char) *p);
    return mule_reply(text);
}
