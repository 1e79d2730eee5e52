/* fuzz-mail — inbound mail (lib/channels/mail-in.c): any bytes are read as a message. A
 * failure must say where or what; a success is a lead, a bounce, an auto-reply or our own
 * copy, and a lead must pass the lead contract (dw_lead_parse) as it is, since `lead add`
 * submits it unchanged. Nothing may crash, leak or trip UBSan.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "agents/agent.h"
#include "channels/mail.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    dw__mail_init();
    return dw_base_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 20)
        return 0;
    json_t *out = NULL;
    struct dw_error err = {0};
    if (dw_mail_parse((const char *)data, size, "fuzz.eml", &out, &err) < 0) {
        if (out || !err.msg[0])
            __builtin_trap(); /* a failure says what, and returns nothing */
        return 0;
    }
    const char *kind = dw_json_str(out, "kind");
    json_t *lead = json_object_get(out, "lead");
    if (!kind)
        __builtin_trap();
    if (strcmp(kind, "lead") == 0) {
        json_t *rec = NULL;
        if (!json_is_object(lead) || dw_lead_parse(lead, &rec, &err) < 0)
            __builtin_trap(); /* every lead a mail makes is a valid lead */
        json_decref(rec);
    } else if (!json_is_null(lead) || !dw_json_str(out, "reason")) {
        __builtin_trap();
    }
    json_decref(out);
    return 0;
}
