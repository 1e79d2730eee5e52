/* Reading a file of leads (include/dealwright/leads.h): one JSON object, or JSON Lines for
 * bulk import. The whole input is parsed before anything is stored: a malformed line, an
 * oversized lead or invalid UTF-8 anywhere is reported as FILE:LINE:COL. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include <dealwright/leads.h>

#define LEADS_MAX_COUNT 1000000

static int parse_line(const char *path, int lineno, const char *s, size_t n, json_t *out,
                      struct dw_error *err) {
    if (n > DW_LEAD_MAX_BYTES)
        return dw_error_at(err, -DW_ETOOBIG, path, lineno, 1, "lead is %zu bytes, the limit is %d",
                           n, DW_LEAD_MAX_BYTES);
    size_t bad;
    if (!dw_utf8_valid(s, n, &bad))
        return dw_error_at(err, -DW_EINVAL, path, lineno, (int)bad + 1, "invalid UTF-8");
    json_error_t je;
    json_t *j = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return dw_error_at(err, -DW_EPARSE, path, lineno + je.line - 1,
                           je.column > 0 ? je.column : 1, "%s", je.text);
    if (json_array_size(out) >= LEADS_MAX_COUNT) {
        json_decref(j);
        return dw_error_at(err, -DW_ETOOBIG, path, lineno, 1, "more than %d leads in one import",
                           LEADS_MAX_COUNT);
    }
    json_array_append_new(out, j);
    return 0;
}

int dw_leads_read_file(const char *path, json_t **ret, struct dw_error *err) {
    char *data;
    size_t len;
    int r = dw_read_file(path, DW_LEADS_MAX_FILE, &data, &len, err);
    if (r < 0)
        return r;
    r = dw_leads_read_data(strcmp(path, "-") == 0 ? "<stdin>" : path, data, len, ret, err);
    free(data);
    return r;
}

int dw_leads_read_data(const char *name, const char *data, size_t len, json_t **ret,
                       struct dw_error *err) {
    int r = 0;
    json_t *out = json_array();
    if (!out)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    /* A single object may span lines; JSON Lines has one object a line. Decide by whether
     * the whole input parses as one value. */
    json_error_t je;
    json_t *whole = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (whole && json_is_object(whole) && len <= DW_LEAD_MAX_BYTES) {
        json_array_append_new(out, whole);
    } else {
        json_decref(whole);
        int lineno = 1;
        for (size_t off = 0; off < len && r >= 0;) {
            const char *nl = memchr(data + off, '\n', len - off);
            size_t n = nl ? (size_t)(nl - (data + off)) : len - off;
            const char *s = data + off;
            size_t k = 0;
            while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
                k++;
            if (k < n)
                r = parse_line(name, lineno, s, n, out, err);
            off += n + 1;
            lineno++;
        }
    }
    if (r < 0) {
        json_decref(out);
        return r;
    }
    if (json_array_size(out) == 0) {
        json_decref(out);
        return dw_error_at(err, -DW_EINVAL, name, 1, 1, "no lead in the input");
    }
    *ret = out;
    return 0;
}
