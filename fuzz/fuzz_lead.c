/* fuzz-lead — the lead contract (lib/agents/intake.c): any bytes are parsed as JSON and,
 * when that succeeds, checked and normalised by dw_lead_parse(). Nothing may crash, leak or
 * trip UBSan, whatever the input; rejections are the expected outcome for most inputs.
 *
 * JSON_DECODE_ANY and JSON_ALLOW_NUL widen what reaches dw_lead_parse() beyond what the CLI
 * lets through (objects, no "\u0000"): the function takes any json_t, and strings with
 * embedded NULs are exactly where a strlen/length mix-up would show.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "agents/agent.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    return dw_base_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > DW_LEAD_MAX_BYTES)
        return 0; /* the CLI rejects these before parsing; not worth the time here */
    json_error_t jerr;
    json_t *input = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!input)
        return 0;
    json_t *rec = NULL;
    struct dw_error err = {0};
    if (dw_lead_parse(input, &rec, &err) == 0) {
        /* The contract: on success a record object, and it serialises. */
        if (!json_is_object(rec))
            __builtin_trap();
        char *s = json_dumps(rec, JSON_COMPACT);
        free(s);
    } else if (rec) {
        __builtin_trap(); /* ret_* is set only on success */
    }
    json_decref(rec);
    json_decref(input);
    return 0;
}
