/* Tables out as CSV for spreadsheets and CRM re-import, or as JSON with the same keys
 * (channels layer; include/dealwright/csv.h says what users get).
 *
 * CSV: RFC 4180 — a header row, CRLF after every row, a field quoted when it holds a
 * comma, a quote, CR or LF (quotes doubled) — after a UTF-8 byte-order mark, which
 * spreadsheet applications need to read UTF-8. A text cell starting with = + - @ TAB or CR
 * is prefixed with ' so that no spreadsheet evaluates it as a formula (a customer's name
 * is customer data); a cell the caller marks as a number is written as it is.
 */
#ifndef DW_CSV_OUT_H
#define DW_CSV_OUT_H

#include "base/base.h"

#define DW_CSV_OUT_MAX (256u << 20) /* bytes of one export */

struct dw_csv_out {
    bool json;
    const char *const *cols;
    size_t n_cols;
    struct dw_buf b; /* csv */
    json_t *rows;    /* json */
};

/* format "csv" or "json" (-DW_EINVAL naming "format" otherwise). */
int dw_csv_out_begin(struct dw_csv_out *o, const char *format, const char *const *cols,
                     size_t n_cols, struct dw_error *err);
/* One row of n_cols cells (NULL: empty); numeric[c] true for a number of ours. */
int dw_csv_out_row(struct dw_csv_out *o, const char *const *cells, const bool *numeric);
/* The text (malloc'd) and its length; o is released either way. */
int dw_csv_out_finish(struct dw_csv_out *o, char **ret, size_t *ret_len);
void dw_csv_out_release(struct dw_csv_out *o);

#endif
