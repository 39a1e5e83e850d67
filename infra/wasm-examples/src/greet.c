/* Greets the prompt: {"prompt": "World"} -> "Hello, World!". The config's "greeting" replaces "Hello". */
#include "mule.h"

int main(void) {
    char *input = mule_read_stdin();
    char *name = mule_json_string(input, "prompt");
    char *greeting = mule_json_string(input, "greeting");
    const char *who = name && *name ? name : "World";
    char *out = malloc(strlen(who) + (greeting ? strlen(greeting) : 5) + 4);
    sprintf(out, "%s, %s!", greeting ? greeting : "Hello", who);
    return mule_reply(out);
}
