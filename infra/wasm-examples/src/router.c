/* Routes the prompt to another workflow through the trigger_workflow_or_agent host function and answers
 * with that workflow's output. The config names the target: "workflow" (default route) and, optionally,
 * "keyword" with "keyword_workflow": a prompt containing the keyword goes there instead. The config must
 * also allow the targets: "host_functions": {"workflows": ["<name>", ...]}.
 * {"prompt": "hello", "workflow": "shout"} -> the output of workflow "shout" for {"prompt": "hello"}. */
#include "mule.h"
#include "mule_host.h"

int main(void) {
    char *input = mule_read_stdin();
    char *prompt = mule_json_string(input, "prompt");
    char *target = mule_json_string(input, "workflow");
    char *keyword = mule_json_string(input, "keyword");
    char *keyword_target = mule_json_string(input, "keyword_workflow");
    if (!prompt) prompt = "";
    if (keyword && *keyword && keyword_target && strstr(prompt, keyword)) target = keyword_target;
    if (!target || !*target) return mule_fail("config.workflow must name the workflow to route to");

    /* params: {"prompt": <prompt>} */
    char *quoted = mule_json_quote(prompt);
    char *params = malloc(strlen(quoted) + 16);
    sprintf(params, "{\"prompt\":%s}", quoted);

    uint32_t code = trigger_workflow_or_agent("workflow", 8, target, strlen(target), params, strlen(params));
    if (code != 0) {
        char reason[128];
        sprintf(reason, "starting workflow failed with code 0x%08x", code);
        return mule_fail(reason);
    }
    char *started = mule_read_back(get_last_operation_result, &code);
    char *job_id = started ? mule_json_string(started, "job_id") : NULL;
    if (!job_id) return mule_fail("the started job has no job_id");
    char *result = mule_read_back_for(wait_for_job_and_get_output, job_id, &code);
    if (!result) {
        char reason[160];
        sprintf(reason, "workflow job %s did not complete (code 0x%08x)", job_id, code);
        return mule_fail(reason);
    }
    char *answer = mule_json_string(result, "prompt");
    return mule_reply(answer ? answer : result);
}
