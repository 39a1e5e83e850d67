/* Extracts one field: the config's "field" names a key; its string value, found at any depth of the input
 * (or inside a prompt that is itself JSON text, as a previous step's output often is), becomes the output.
 * {"field": "city", "user": {"name": "Ada", "city": "London"}} -> "London".
 * A missing field fails the step with "success": false. */
#include "mule.h"

int main(void) {
    char *input = mule_read_stdin();
    char *field = mule_json_string(input, "field");
    if (!field || !*field) return mule_fail("config.field must name the field to extract");
    char *value = strcmp(field, "field") == 0 ? NULL : mule_json_string(input, field);
    if (!value) {
        char *prompt = mule_json_string(input, "prompt");
        if (prompt) value = mule_json_string(prompt, field);
    }
    if (!value) {
        char *reason = malloc(strlen(field) + 64);
        sprintf(reason, "the input has no string field \"%s\"", field);
        return mule_fail(reason);
    }
    return mule_reply(value);
}
