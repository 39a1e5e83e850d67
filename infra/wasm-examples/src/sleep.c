/* Keeps busy for a while, for trying cancel and timeouts: {"seconds": 5} (or {"prompt": "5"}) spins for 5 s of
 * wall-clock time (at most 600), then answers "slept 5 s". It busy-loops on the WASI clock rather than sleeping,
 * as a runaway module would, so whatever stops it early (a cancel, the step's timeout) must interrupt real work. */
#include <time.h>
#include "mule.h"

static double mule_json_number(const char *json, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    const char *p = strstr(json, pattern);
    if (!p) return -1;
    p = strchr(p + strlen(pattern), ':');
    if (!p) return -1;
    p++;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '"') p++;
    char *end;
    double value = strtod(p, &end);
    return end == p ? -1 : value;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int main(void) {
    char *input = mule_read_stdin();
    double seconds = mule_json_number(input, "seconds");
    if (seconds < 0) seconds = mule_json_number(input, "prompt");
    if (seconds < 0) return mule_fail("input needs \"seconds\" (a number), e.g. {\"seconds\": 5}");
    if (seconds > 600) seconds = 600;
    double until = now_seconds() + seconds;
    volatile unsigned long spins = 0;
    while (now_seconds() < until) spins++;
    char reply[64];
    snprintf(reply, sizeof reply, "slept %g s", seconds);
    return mule_reply(reply);
}
