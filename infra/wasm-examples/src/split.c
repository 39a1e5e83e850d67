/* Splits the prompt into its words (separated by spaces or commas), for a for-each step to run over:
 * {"prompt": "alpha beta, gamma"} -> {"parts": ["alpha", "beta", "gamma"]}. */
#include "mule.h"

int main(void) {
    char *input = mule_read_stdin();
    char *text = mule_json_string(input, "prompt");
    if (!text) return mule_fail("input has no \"prompt\" string");
    fputs("{\"message\":{\"parts\":[", stdout);
    int count = 0;
    for (char *word = strtok(text, " ,\t\r\n"); word; word = strtok(NULL, " ,\t\r\n")) {
        if (count++) putchar(',');
        mule_put_json_string(word);
    }
    fputs("]}}\n", stdout);
    return 0;
}
