/* CSV: one pass over the input with a small state machine. Field text is copied (unquoted)
 * into one buffer, NUL after each, and the table's pointers are made from offsets at the
 * end, so a table is three allocations however large it is.
 *
 * Positions: line and column are counted as the scanner moves; a quoted field may span
 * lines, so a row's line is where it starts, and an error inside it names where the
 * scanner stands.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engines/csv.h"

struct parser {
    const char *file, *p, *end;
    int line, col; /* of *p */
    char delim;
    struct dw_buf text;
    size_t *offs; /* field offsets into text, all rows */
    size_t n_offs, cap_offs;
    int *row_line;
    size_t *row_off;
    size_t n_rows, cap_rows, cap_offs_rows;
    size_t max_field;
    size_t n_cols; /* 0 until the header is read */
    struct dw_error *err;
};

static int at(struct parser *ps, int code, int line, int col, const char *what) {
    return dw_error_at(ps->err, code, ps->file, line, col, "%s", what);
}

static void advance(struct parser *ps) {
    if (*ps->p == '\n') {
        ps->line++;
        ps->col = 1;
    } else {
        ps->col++;
    }
    ps->p++;
}

/* Detect the delimiter from the header line: the most frequent of , ; TAB outside quotes. */
static char detect(const char *p, const char *end) {
    size_t comma = 0, semi = 0, tab = 0;
    bool quoted = false;
    for (; p < end; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && (*p == '\n' || *p == '\r'))
            break;
        else if (!quoted)
            comma += *p == ',', semi += *p == ';', tab += *p == '\t';
    }
    if (semi > comma && semi >= tab)
        return ';';
    if (tab > comma && tab > semi)
        return '\t';
    return ',';
}

/* Read one field starting at ps->p; leaves ps->p on the delimiter, line end or end. */
static int field(struct parser *ps) {
    if (ps->n_offs >= DW_CSV_MAX_CELLS)
        return dw_error_at(ps->err, -DW_ETOOBIG, ps->file, ps->line, ps->col,
                           "more than %d fields in all", DW_CSV_MAX_CELLS);
    int r = dw_grow((void **)&ps->offs, &ps->cap_offs, ps->n_offs + 1, sizeof *ps->offs);
    if (r < 0)
        return r;
    ps->offs[ps->n_offs++] = ps->text.len;
    size_t start = ps->text.len;
    if (ps->p < ps->end && *ps->p == '"') {
        int qline = ps->line, qcol = ps->col;
        advance(ps);
        for (;;) {
            if (ps->p >= ps->end)
                return at(ps, -DW_EPARSE, qline, qcol, "unterminated quoted field");
            if (*ps->p == '"') {
                if (ps->p + 1 < ps->end && ps->p[1] == '"') {
                    advance(ps);
                } else {
                    advance(ps);
                    break;
                }
            }
            if ((r = dw_buf_putc(&ps->text, *ps->p)) < 0)
                return r;
            advance(ps);
            if (ps->text.len - start > ps->max_field)
                return dw_error_at(ps->err, -DW_ETOOBIG, ps->file, qline, qcol,
                                   "field longer than %zu bytes", ps->max_field);
        }
        if (ps->p < ps->end && *ps->p != ps->delim && *ps->p != '\n' && *ps->p != '\r')
            return at(ps, -DW_EPARSE, ps->line, ps->col,
                      "text after the closing quote of a field (a quote inside a field is "
                      "written \"\")");
    } else {
        int fline = ps->line, fcol = ps->col;
        while (ps->p < ps->end && *ps->p != ps->delim && *ps->p != '\n' && *ps->p != '\r') {
            if (*ps->p == '"')
                return at(ps, -DW_EPARSE, ps->line, ps->col,
                          "quote inside an unquoted field (quote the whole field)");
            if ((r = dw_buf_putc(&ps->text, *ps->p)) < 0)
                return r;
            advance(ps);
            if (ps->text.len - start > ps->max_field)
                return dw_error_at(ps->err, -DW_ETOOBIG, ps->file, fline, fcol,
                                   "field longer than %zu bytes", ps->max_field);
        }
    }
    return dw_buf_putc(&ps->text, '\0');
}

/* Read one row (the line end included); *ret_fields is its field count. */
static int row(struct parser *ps, size_t *ret_fields) {
    size_t n = 0;
    for (;;) {
        if (ps->n_cols ? n >= ps->n_cols : n >= DW_CSV_MAX_COLUMNS) {
            if (ps->n_cols)
                return dw_error_at(ps->err, -DW_EPARSE, ps->file, ps->line, ps->col,
                                   "more fields than the header's %zu", ps->n_cols);
            return dw_error_at(ps->err, -DW_ETOOBIG, ps->file, ps->line, ps->col,
                               "more than %d columns", DW_CSV_MAX_COLUMNS);
        }
        int r = field(ps);
        if (r < 0)
            return r;
        n++;
        if (ps->p < ps->end && *ps->p == ps->delim) {
            advance(ps);
            continue;
        }
        break;
    }
    if (ps->p < ps->end && *ps->p == '\r') {
        advance(ps);
        if (ps->p < ps->end && *ps->p != '\n')
            return at(ps, -DW_EPARSE, ps->line, ps->col, "carriage return without a line feed");
    }
    if (ps->p < ps->end && *ps->p == '\n')
        advance(ps);
    *ret_fields = n;
    return 0;
}

static bool blank_line(const struct parser *ps) {
    return ps->p < ps->end &&
           (*ps->p == '\n' || (*ps->p == '\r' && ps->p + 1 < ps->end && ps->p[1] == '\n'));
}

static void skip_blank_lines(struct parser *ps) {
    while (blank_line(ps)) {
        if (*ps->p == '\r')
            advance(ps);
        advance(ps);
    }
}

static int check_bytes(const char *file, const char *data, size_t len, struct dw_error *err) {
    size_t bad = 0;
    const char *nul = memchr(data, '\0', len);
    bool utf8 = dw_utf8_valid(data, len, &bad);
    if (!nul && utf8)
        return 0;
    size_t nul_off = nul ? (size_t)(nul - data) : SIZE_MAX, bad_off = utf8 ? SIZE_MAX : bad;
    size_t off = nul_off < bad_off ? nul_off : bad_off;
    int line = 1, col = 1;
    for (size_t i = 0; i < off; i++) {
        if (data[i] == '\n')
            line++, col = 1;
        else
            col++;
    }
    return dw_error_at(err, -DW_EPARSE, file, line, col, "%s",
                       off == nul_off ? "NUL byte in the input" : "invalid UTF-8");
}

static void parser_release(struct parser *ps) {
    dw_buf_release(&ps->text);
    free(ps->offs);
    free(ps->row_line);
    free(ps->row_off);
}

int dw_csv_parse(const char *file, const char *data, size_t len, char delimiter,
                 struct dw_csv **ret, struct dw_error *err) {
    return dw_csv_parse_max(file, data, len, delimiter, 0, ret, err);
}

int dw_csv_parse_max(const char *file, const char *data, size_t len, char delimiter,
                     size_t max_field, struct dw_csv **ret, struct dw_error *err) {
    if (!file)
        file = "-";
    if (!data && len)
        return dw_error_set(err, -DW_EINVAL, "no CSV data");
    if (len > DW_CSV_MAX_BYTES)
        return dw_error_at(err, -DW_ETOOBIG, file, 1, 1, "CSV larger than %u bytes",
                           (unsigned)DW_CSV_MAX_BYTES);
    if (delimiter && delimiter != ',' && delimiter != ';' && delimiter != '\t')
        return dw_error_set(err, -DW_EINVAL, "the CSV delimiter must be ',', ';' or TAB");
    int r = check_bytes(file, data ? data : "", len, err);
    if (r < 0)
        return r;
    struct parser ps = {.file = file,
                        .p = data,
                        .end = data + len,
                        .line = 1,
                        .col = 1,
                        .err = err,
                        .max_field = max_field ? max_field : DW_CSV_MAX_FIELD};
    dw_buf_init(&ps.text, 2 * (size_t)DW_CSV_MAX_BYTES);
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        ps.p += 3;
    ps.delim = delimiter ? delimiter : detect(ps.p, ps.end);

    skip_blank_lines(&ps);
    if (ps.p >= ps.end) {
        parser_release(&ps);
        return dw_error_at(err, -DW_EPARSE, file, ps.line, ps.col, "no header row");
    }
    int hline = ps.line;
    size_t n;
    if ((r = row(&ps, &n)) < 0)
        goto fail;
    ps.n_cols = n;
    for (size_t c = 0; c < n; c++) {
        const char *name = ps.text.data + ps.offs[c];
        if (!*name) {
            r = dw_error_at(err, -DW_EPARSE, file, hline, 1, "header column %zu has no name",
                            c + 1);
            goto fail;
        }
        for (size_t d = 0; d < c; d++)
            if (strcmp(name, ps.text.data + ps.offs[d]) == 0) {
                r = dw_error_at(err, -DW_EPARSE, file, hline, 1,
                                "header names column '%s' twice (columns %zu and %zu)", name, d + 1,
                                c + 1);
                goto fail;
            }
    }
    while (ps.p < ps.end) {
        if (blank_line(&ps)) {
            skip_blank_lines(&ps);
            continue;
        }
        if (ps.n_rows >= DW_CSV_MAX_ROWS) {
            r = dw_error_at(err, -DW_ETOOBIG, file, ps.line, 1, "more than %d data rows",
                            DW_CSV_MAX_ROWS);
            goto fail;
        }
        int line = ps.line;
        size_t off = (size_t)(ps.p - data);
        if ((r = row(&ps, &n)) < 0)
            goto fail;
        if (n != ps.n_cols) {
            r = dw_error_at(err, -DW_EPARSE, file, line, 1, "%zu fields where the header has %zu",
                            n, ps.n_cols);
            goto fail;
        }
        if ((r = dw_grow((void **)&ps.row_line, &ps.cap_rows, ps.n_rows + 1, sizeof(int))) < 0)
            goto fail;
        if ((r = dw_grow((void **)&ps.row_off, &ps.cap_offs_rows, ps.n_rows + 1, sizeof(size_t))) <
            0)
            goto fail;
        ps.row_off[ps.n_rows] = off;
        ps.row_line[ps.n_rows++] = line;
    }

    struct dw_csv *t = calloc(1, sizeof *t);
    char **ptrs = calloc(ps.n_offs ? ps.n_offs : 1, sizeof *ptrs);
    if (!t || !ptrs) {
        free(t);
        free(ptrs);
        r = -DW_ENOMEM;
        goto fail;
    }
    t->text = dw_buf_steal(&ps.text);
    for (size_t i = 0; i < ps.n_offs; i++)
        ptrs[i] = t->text + ps.offs[i];
    t->header = ptrs;
    t->cells = ptrs + ps.n_cols;
    t->n_cols = ps.n_cols;
    t->n_rows = ps.n_rows;
    t->delimiter = ps.delim;
    t->row_line = DW_TAKE_PTR(ps.row_line);
    t->row_off = DW_TAKE_PTR(ps.row_off);
    parser_release(&ps);
    *ret = t;
    return 0;
fail:
    parser_release(&ps);
    return r;
}

void dw_csv_free(struct dw_csv *t) {
    if (!t)
        return;
    free(t->header);
    free(t->row_line);
    free(t->row_off);
    free(t->text);
    free(t);
}

int dw_csv_column(const struct dw_csv *t, const char *name) {
    for (size_t c = 0; t && name && c < t->n_cols; c++)
        if (strcmp(t->header[c], name) == 0)
            return (int)c;
    return -1;
}

void dw_csv_cell_pos(const struct dw_csv *t, const char *data, size_t len, size_t r, size_t c,
                     int *ret_line, int *ret_col) {
    *ret_line = r < t->n_rows ? t->row_line[r] : 1;
    *ret_col = 1;
    if (r >= t->n_rows || !t->row_off || t->row_off[r] > len)
        return;
    /* walk the row again as the parser did: delimiters outside quotes end a field */
    const char *p = data + t->row_off[r], *end = data + len;
    int line = t->row_line[r], col = 1;
    bool quoted = false;
    for (size_t k = 0; k < c && p < end; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && *p == t->delimiter)
            k++;
        if (*p == '\n')
            line++, col = 1;
        else
            col++;
    }
    *ret_line = line;
    *ret_col = col;
}
