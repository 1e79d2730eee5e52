/* CSV (engines layer): a table of text cells from RFC 4180 text, for the scoring engine's
 * training data (lib/engines/score.h).
 *
 * The grammar is RFC 4180's with the usual extensions: the delimiter may be ',', ';' or
 * TAB (given, or detected from the header line: the one of the three that occurs most often
 * outside quotes; ',' on a tie or none); lines end in CRLF or LF; a quoted field may hold the
 * delimiter, line breaks and doubled quotes (""); the last line may lack its line end; a
 * UTF-8 byte-order mark before the header is skipped. The first row is the header: its names
 * must be non-empty and distinct. Every row must have as many fields as the header; empty
 * lines are skipped.
 *
 * Errors are FILE:LINE:COL (1-based; the column counts bytes) with what is wrong: an
 * unterminated quote (at the opening quote), text after a closing quote, a quote inside an
 * unquoted field, a row with too many or too few fields, a NUL byte, invalid UTF-8, or a
 * limit passed (-DW_ETOOBIG).
 *
 * Thread-safety: reentrant; a table is immutable after parsing.
 */
#ifndef DW_CSV_H
#define DW_CSV_H

#include "base/base.h"

#define DW_CSV_MAX_BYTES (64u * 1024 * 1024) /* whole input */
#define DW_CSV_MAX_ROWS 1000000              /* data rows */
#define DW_CSV_MAX_COLUMNS 512
#define DW_CSV_MAX_FIELD 4096     /* bytes of one field after unquoting */
#define DW_CSV_MAX_CELLS 20000000 /* fields in all, header included */

struct dw_csv {
    size_t n_cols, n_rows; /* n_rows: data rows, without the header */
    char delimiter;
    char **header;   /* n_cols names */
    char **cells;    /* n_rows * n_cols, row-major; NUL-terminated, never NULL */
    int *row_line;   /* the input line each data row starts on */
    size_t *row_off; /* the byte offset in the input each data row starts at */
    char *text;      /* the storage the names and cells point into */
};

/* Parse data[0..len) (file names it in errors). delimiter 0 detects it. On success *ret is
 * a new table (free with dw_csv_free). */
int dw_csv_parse(const char *file, const char *data, size_t len, char delimiter,
                 struct dw_csv **ret, struct dw_error *err);
void dw_csv_free(struct dw_csv *t);
/* The same with another limit on one field (bytes after unquoting; 0: DW_CSV_MAX_FIELD),
 * for inputs whose cells are longer texts (a CRM export's lead descriptions). */
int dw_csv_parse_max(const char *file, const char *data, size_t len, char delimiter,
                     size_t max_field, struct dw_csv **ret, struct dw_error *err);
/* Where the cell (r, c) starts in data[0..len) (the input t was parsed from): its line and
 * column (1-based, bytes), for errors about a cell's content. */
void dw_csv_cell_pos(const struct dw_csv *t, const char *data, size_t len, size_t r, size_t c,
                     int *ret_line, int *ret_col);

/* The cell at row r, column c. */
static inline const char *dw_csv_cell(const struct dw_csv *t, size_t r, size_t c) {
    return t->cells[r * t->n_cols + c];
}
/* Index of the named column, or -1. */
int dw_csv_column(const struct dw_csv *t, const char *name);

#endif
