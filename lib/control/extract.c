/* Extraction as an operation: the requirements of one message or one lead, read with the
 * workspace's prepared vocabulary — the same code and the same text the requirements agent
 * uses, without a store. */
#include <stdlib.h>
#include <string.h>

#include "agents/agent.h"
#include "engines/extract.h"
#include <dealwright/dealwright.h>

int dw_extract_text(const struct dw_workspace *ws, const char *text, size_t len,
                    dw_time_t received_at, json_t **ret, struct dw_error *err) {
    const struct dw_extractor *x = dw_ws_extractor(ws, err);
    if (!x)
        return err && err->code ? err->code : -DW_ENOMEM;
    return dw_extractor_run(x, text, len, received_at, ret, err);
}

int dw_extract_lead(const struct dw_workspace *ws, const json_t *lead, dw_time_t default_at,
                    json_t **ret, struct dw_error *err) {
    json_t *rec = NULL;
    int r = dw_lead_parse(lead, &rec, err);
    if (r < 0)
        return r;
    json_decref(rec);
    dw_time_t at = default_at;
    const char *ra = dw_json_str(lead, "received_at");
    if (ra && dw_time_parse(ra, &at) < 0)
        return dw_error_field(err, -DW_EINVAL, "received_at", "not an RFC 3339 time");
    char *text = dw__lead_text(lead);
    if (!text)
        return dw_error_set(err, -DW_ENOMEM, "extract: %s", dw_strerror(-DW_ENOMEM));
    json_t *out = NULL;
    r = dw_extract_text(ws, text, strlen(text), at, &out, err);
    if (r >= 0 && json_object_get(lead, "transcript") &&
        json_object_set_new(out, "source_text", json_string(text)) < 0)
        r = -DW_ENOMEM;
    free(text);
    if (r < 0) {
        json_decref(out);
        return r;
    }
    *ret = out;
    return 0;
}
