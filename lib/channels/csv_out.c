/* CSV and JSON tables out (csv_out.h). */
#include <stdlib.h>
#include <string.h>

#include "channels/csv_out.h"

int dw_csv_out_begin(struct dw_csv_out *o, const char *format, const char *const *cols,
                     size_t n_cols, struct dw_error *err) {
    memset(o, 0, sizeof *o);
    if (!format || strcmp(format, "csv") == 0)
        o->json = false;
    else if (strcmp(format, "json") == 0)
        o->json = true;
    else
        return dw_error_field(err, -DW_EINVAL, "format", "'%s' is not csv or json", format);
    o->cols = cols;
    o->n_cols = n_cols;
    if (o->json)
        return (o->rows = json_array()) ? 0 : -DW_ENOMEM;
    dw_buf_init(&o->b, DW_CSV_OUT_MAX);
    const char *bom = "\xEF\xBB\xBF";
    int r = dw_buf_puts(&o->b, bom);
    for (size_t c = 0; c < n_cols && r == 0; c++)
        r = dw_buf_printf(&o->b, "%s%s", c ? "," : "", cols[c]);
    if (r == 0)
        r = dw_buf_puts(&o->b, "\r\n");
    if (r < 0)
        dw_csv_out_release(o);
    return r;
}

static int put_cell(struct dw_buf *b, const char *s, bool numeric) {
    if (!s)
        return 0;
    bool guard = !numeric && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                              s[0] == '\t' || s[0] == '\r');
    bool quote = guard || strpbrk(s, ",\"\r\n") != NULL;
    int r = 0;
    if (quote)
        r = dw_buf_putc(b, '"');
    if (guard && r == 0)
        r = dw_buf_putc(b, '\'');
    for (const char *p = s; *p && r == 0; p++)
        r = *p == '"' ? dw_buf_puts(b, "\"\"") : dw_buf_putc(b, *p);
    if (quote && r == 0)
        r = dw_buf_putc(b, '"');
    return r;
}

int dw_csv_out_row(struct dw_csv_out *o, const char *const *cells, const bool *numeric) {
    if (o->json) {
        json_t *row = json_object();
        if (!row || json_array_append_new(o->rows, row) < 0)
            return -DW_ENOMEM;
        for (size_t c = 0; c < o->n_cols; c++)
            if (json_object_set_new(row, o->cols[c],
                                    cells[c] ? json_string(cells[c]) : json_null()) < 0)
                return -DW_ENOMEM;
        return 0;
    }
    int r = 0;
    for (size_t c = 0; c < o->n_cols && r == 0; c++) {
        if (c)
            r = dw_buf_putc(&o->b, ',');
        if (r == 0)
            r = put_cell(&o->b, cells[c], numeric && numeric[c]);
    }
    return r < 0 ? r : dw_buf_puts(&o->b, "\r\n");
}

int dw_csv_out_finish(struct dw_csv_out *o, char **ret, size_t *ret_len) {
    if (o->json) {
        char *s = json_dumps(o->rows, JSON_INDENT(2));
        dw_csv_out_release(o);
        if (!s)
            return -DW_ENOMEM;
        *ret_len = strlen(s);
        *ret = s;
        return 0;
    }
    *ret_len = o->b.len;
    *ret = dw_buf_steal(&o->b);
    dw_csv_out_release(o);
    return *ret ? 0 : -DW_ENOMEM;
}

void dw_csv_out_release(struct dw_csv_out *o) {
    json_decref(o->rows);
    o->rows = NULL;
    if (!o->json)
        dw_buf_release(&o->b);
    o->json = false;
}
