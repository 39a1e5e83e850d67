/* Writes a diagnostic to stderr and exits with code 3 (proc_exit(3)): the step fails with both. */
#include <stdio.h>

int main(void) {
    fputs("cannot continue: the frobnicator is missing\n", stderr);
    return 3;
}
