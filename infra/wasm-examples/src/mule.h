/* Helpers for Mule WASM modules: read the JSON input on stdin, pick a string field, write the result.
 * Mule's module contract (Mule v2's): stdin carries the module config merged with the step input;
 * a "message" field on stdout becomes the step output; "success": false fails the step. */
#ifndef MULE_H
#define MULE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *mule_read_stdin(void) {
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    buf[len] = '\0';
    return buf;
}

/* Decodes the JSON string whose text starts at *pos (just after its opening quote) into a new buffer, and moves
 * *pos past its closing quote. */
static char *mule_json_read_string(const char **pos) {
    const char *q = *pos;
    char *out = malloc(strlen(q) + 1), *o = out;
    while (*q && *q != '"') {
        if (*q == '\\' && q[1]) {
            q++;
            switch (*q) {
                case 'n': *o++ = '\n'; break;
                case 't': *o++ = '\t'; break;
                case 'r': *o++ = '\r'; break;
                case 'u': {
                    unsigned code = 0;
                    sscanf(q + 1, "%4x", &code);
                    q += 4;
                    if (code < 0x80) *o++ = (char) code;
                    else if (code < 0x800) { *o++ = (char) (0xC0 | (code >> 6)); *o++ = (char) (0x80 | (code & 0x3F)); }
                    else { *o++ = (char) (0xE0 | (code >> 12)); *o++ = (char) (0x80 | ((code >> 6) & 0x3F)); *o++ = (char) (0x80 | (code & 0x3F)); }
                    break;
                }
                default: *o++ = *q;
            }
            q++;
        } else {
            *o++ = *q++;
        }
    }
    *o = '\0';
    *pos = *q ? q + 1 : q;
    return out;
}

/* The string value of "key" at any depth of the input, unescaped, or NULL when absent or not a string. */
static char *mule_json_string(const char *json, const char *key) {
    size_t klen = strlen(key);
    for (const char *p = strchr(json, '"'); p; p = strchr(p + 1, '"')) {
        if (strncmp(p + 1, key, klen) != 0 || p[1 + klen] != '"') continue;
        const char *q = p + klen + 2;
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
        if (*q != ':') continue;
        q++;
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
        if (*q != '"') return NULL;
        q++;
        return mule_json_read_string(&q);
    }
    return NULL;
}

static void mule_put_json_string(const char *s) {
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;
        if (c == '"' || c == '\\') { putchar('\\'); putchar(c); }
        else if (c == '\n') fputs("\\n", stdout);
        else if (c == '\r') fputs("\\r", stdout);
        else if (c == '\t') fputs("\\t", stdout);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

/* This text as a JSON string literal (quoted and escaped), in a new buffer. */
static char *mule_json_quote(const char *s) {
    char *out = malloc(strlen(s) * 6 + 3), *o = out;
    *o++ = '"';
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;
        if (c == '"' || c == '\\') { *o++ = '\\'; *o++ = (char) c; }
        else if (c == '\n') { *o++ = '\\'; *o++ = 'n'; }
        else if (c < 0x20) o += sprintf(o, "\\u%04x", c);
        else *o++ = (char) c;
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

/* Succeeds with this text as the step output. */
static int mule_reply(const char *message) {
    fputs("{\"message\":", stdout);
    mule_put_json_string(message);
    fputs("}\n", stdout);
    return 0;
}

/* Fails the step with this reason. */
static int mule_fail(const char *reason) {
    fputs("{\"success\":false,\"message\":", stdout);
    mule_put_json_string(reason);
    fputs("}\n", stdout);
    return 0;
}

#endif
