/* Reading a deal's leads: helpers several agents share, so that "the deal's contact",
 * "a repeated message" and "when the customer last wrote" mean the same everywhere. */
#include <string.h>

#include "agents/agent.h"

bool dw__lead_is_duplicate(const json_t *lead) {
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(json_object_get(lead, "intake"), "flags"), i, f) {
        if (json_is_string(f) && strcmp(json_string_value(f), "duplicate_content") == 0)
            return true;
    }
    return false;
}

json_t *dw__deal_contact(const json_t *leads) {
    json_t *contact = json_object();
    size_t i;
    json_t *lead;
    json_array_foreach(leads, i, lead) {
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(json_object_get(lead, "intake"), "contact"), key, v) {
            if (json_is_string(v) && json_string_length(v) > 0 &&
                json_object_set(contact, key, v) < 0) {
                json_decref(contact);
                return NULL;
            }
        }
    }
    return contact;
}

int dw__latest_received(const json_t *leads, dw_time_t *ret) {
    int r = -DW_ENOENT;
    size_t i;
    json_t *lead;
    json_array_foreach(leads, i, lead) {
        dw_time_t t;
        if (!dw__lead_is_duplicate(lead) &&
            dw_time_parse(dw_json_str(lead, "received_at"), &t) == 0) {
            *ret = t;
            r = 0;
        }
    }
    return r;
}
