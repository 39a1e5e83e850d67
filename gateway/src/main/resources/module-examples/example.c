/* A Mule module in C (WASI preview 1): reads its input (JSON) from stdin and writes a JSON answer to stdout.
 * Here it upper-cases the whole input and answers {"message": "<that>"}; a step's output is the "message" field. */
#include <ctype.h>
#include <stdio.h>

int main(void) {
    char input[4096];
    size_t n = fread(input, 1, sizeof input - 1, stdin);
    input[n] = '\0';
    printf("{\"message\": \"");
    for (size_t i = 0; i < n; i++) {
        char c = (char) toupper((unsigned char) input[i]);
        if (c == '"' || c == '\\') {
            putchar('\\');
        }
        if ((unsigned char) c >= 0x20) {
            putchar(c);
        }
    }
    printf("\"}\n");
    return 0;
}
