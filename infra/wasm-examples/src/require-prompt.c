/* Validates its input: fails the step with "success": false unless the prompt is a non-empty string;
 * otherwise passes the prompt through unchanged. */
#include "mule.h"

int main(void) {
    char *input = mule_read_stdin();
    char *text = mule_json_string(input, "prompt");
    if (!text || !*text) return mule_fail("a non-empty \"prompt\" is required");
    return mule_reply(text);
}
