/* Mule's env host functions (Mule v2's names and calling convention): strings go in as (ptr, len);
 * results are u32, 0xFFFFFFxx meaning an error; data comes back in two calls, the first with a zero-length
 * buffer to learn the size. Each function is off unless the module's config enables it under
 * "host_functions" (then a call answers 0xFFFFFFFE and says why on stderr). */
#ifndef MULE_HOST_H
#define MULE_HOST_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MULE_IMPORT(name) __attribute__((import_module("env"), import_name(#name)))

MULE_IMPORT(http_request) uint32_t http_request(const char *method, uint32_t method_len, const char *url,
                                                uint32_t url_len, const char *body, uint32_t body_len);
MULE_IMPORT(http_request_with_headers) uint32_t http_request_with_headers(const char *method, uint32_t method_len,
        const char *url, uint32_t url_len, const char *body, uint32_t body_len, const char *headers, uint32_t headers_len);
MULE_IMPORT(get_last_response_body) uint32_t get_last_response_body(char *buf, uint32_t len);
MULE_IMPORT(get_last_response_status) uint32_t get_last_response_status(void);
MULE_IMPORT(get_last_response_header) uint32_t get_last_response_header(const char *name, uint32_t name_len, char *buf,
                                                                        uint32_t len);
MULE_IMPORT(trigger_workflow_or_agent) uint32_t trigger_workflow_or_agent(const char *type, uint32_t type_len,
        const char *id, uint32_t id_len, const char *params, uint32_t params_len);
MULE_IMPORT(get_last_operation_result) uint32_t get_last_operation_result(char *buf, uint32_t len);
MULE_IMPORT(get_last_operation_status) uint32_t get_last_operation_status(void);
MULE_IMPORT(get_job_output) uint32_t get_job_output(const char *job_id, uint32_t job_id_len, char *buf, uint32_t len);
MULE_IMPORT(wait_for_job_and_get_output) uint32_t wait_for_job_and_get_output(const char *job_id, uint32_t job_id_len,
                                                                              char *buf, uint32_t len);

#define MULE_IS_ERROR(code) ((code) >= 0xFFFFFF00u)

/* The two-call protocol for functions taking (buf, len): NULL on an error code (left in *code). */
static char *mule_read_back(uint32_t (*fn)(char *, uint32_t), uint32_t *code) {
    uint32_t size = fn(NULL, 0);
    *code = size;
    if (MULE_IS_ERROR(size)) return NULL;
    char *buf = malloc(size + 1);
    uint32_t got = size == 0 ? 0 : fn(buf, size);
    *code = got;
    if (MULE_IS_ERROR(got)) return NULL;
    buf[got] = '\0';
    return buf;
}

/* The same for functions that also take a string argument first (header name, job id). */
static char *mule_read_back_for(uint32_t (*fn)(const char *, uint32_t, char *, uint32_t), const char *arg,
                                uint32_t *code) {
    uint32_t size = fn(arg, strlen(arg), NULL, 0);
    *code = size;
    if (MULE_IS_ERROR(size)) return NULL;
    char *buf = malloc(size + 1);
    uint32_t got = size == 0 ? 0 : fn(arg, strlen(arg), buf, size);
    *code = got;
    if (MULE_IS_ERROR(got)) return NULL;
    buf[got] = '\0';
    return buf;
}

#endif
