/* Calls Mule's env host functions as its input says ("call") and reports every code and value it got back
 * as a JSON object, so that tests can check each function against the real runner. Built with
 * infra/wasm-examples/src on the include path. */
#include "mule.h"
#include "mule_host.h"

static const char *or_empty(const char *s) { return s ? s : ""; }

static void field(const char *name, const char *value, int last) {
    printf("\"%s\":%s%s", name, value ? mule_json_quote(value) : "null", last ? "" : ",");
}

int main(void) {
    char *input = mule_read_stdin();
    const char *call = or_empty(mule_json_string(input, "call"));
    const char *url = or_empty(mule_json_string(input, "url"));
    const char *method = mule_json_string(input, "method") ? mule_json_string(input, "method") : "GET";
    const char *body = or_empty(mule_json_string(input, "body"));
    uint32_t code = 0, read = 0, status = 0, op_status = 0;
    char *response = NULL, *header = NULL, *op_result = NULL, *job = NULL;

    if (!strcmp(call, "http") || !strcmp(call, "http_headers")) {
        const char *headers = or_empty(mule_json_string(input, "headers_json"));
        code = !strcmp(call, "http")
                ? http_request(method, strlen(method), url, strlen(url), body, strlen(body))
                : http_request_with_headers(method, strlen(method), url, strlen(url), body, strlen(body), headers,
                                            strlen(headers));
        status = get_last_response_status();
        response = mule_read_back(get_last_response_body, &read);
        header = mule_read_back_for(get_last_response_header, or_empty(mule_json_string(input, "header")), &read);
    } else if (!strcmp(call, "trigger") || !strcmp(call, "job_output") || !strcmp(call, "wait_job")) {
        const char *type = or_empty(mule_json_string(input, "type"));
        const char *id = or_empty(mule_json_string(input, "id"));
        const char *params = or_empty(mule_json_string(input, "params_json"));
        code = trigger_workflow_or_agent(type, strlen(type), id, strlen(id), params, strlen(params));
        op_status = get_last_operation_status();
        op_result = mule_read_back(get_last_operation_result, &read);
        char *job_id = op_result ? mule_json_string(op_result, "job_id") : NULL;
        if (job_id && !strcmp(call, "job_output")) job = mule_read_back_for(get_job_output, job_id, &read);
        if (job_id && !strcmp(call, "wait_job")) job = mule_read_back_for(wait_for_job_and_get_output, job_id, &read);
    } else if (!strcmp(call, "foreign_job")) {
        job = mule_read_back_for(get_job_output, or_empty(mule_json_string(input, "job_id")), &read);
    }
    printf("{\"code\":%u,\"read\":%u,\"status\":%u,\"op_status\":%u,", code, read, status, op_status);
    field("body", response, 0);
    field("header", header, 0);
    field("op_result", op_result, 0);
    field("job", job, 1);
    puts("}");
    return 0;
}
