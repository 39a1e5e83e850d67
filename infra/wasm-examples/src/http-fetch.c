/* Fetches a URL through the http_request host function; the response body becomes the output. The URL is
 * the input's "url" (else the prompt); the config must allow its host: "host_functions": {"http": ["host"]}.
 * A failed request or a status of 400 or more fails the step with "success": false.
 * {"url": "https://example.com/hello.txt"} -> "<body of the response>". */
#include "mule.h"
#include "mule_host.h"

int main(void) {
    char *input = mule_read_stdin();
    char *url = mule_json_string(input, "url");
    if (!url) url = mule_json_string(input, "prompt");
    if (!url || !*url) return mule_fail("give the URL to fetch as \"url\"");
    uint32_t code = http_request("GET", 3, url, strlen(url), "", 0);
    if (code != 0) {
        char *reason = malloc(strlen(url) + 64);
        sprintf(reason, "fetching %s failed with code 0x%08x", url, code);
        return mule_fail(reason);
    }
    uint32_t status = get_last_response_status();
    char *body = mule_read_back(get_last_response_body, &code);
    if (!body) return mule_fail("the response body could not be read");
    if (status >= 400) {
        char *reason = malloc(strlen(url) + 64);
        sprintf(reason, "%s answered HTTP %u", url, status);
        return mule_fail(reason);
    }
    return mule_reply(body);
}
