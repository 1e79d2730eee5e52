/* Errors and diagnostics: the X-macro list becomes names and texts; detail for people
 * lives in a struct the caller owns, never in a global. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

static const char *const err_text[] = {[DW_OK] = "success",
#define DW__ERR_TEXT(name, text) [DW_##name] = text,
                                       DW_ERRNO_MAP(DW__ERR_TEXT)
#undef DW__ERR_TEXT
};

static const char *const err_name[] = {[DW_OK] = "OK",
#define DW__ERR_NAME(name, text) [DW_##name] = #name,
                                       DW_ERRNO_MAP(DW__ERR_NAME)
#undef DW__ERR_NAME
};

static int err_index(int code) {
    if (code < 0)
        code = -code;
    return code < DW__ERR_MAX ? code : DW_EINTERNAL;
}

const char *dw_strerror(int code) {
    return err_text[err_index(code)];
}
const char *dw_errname(int code) {
    return err_name[err_index(code)];
}

bool dw_error_is_transient(int code) {
    int i = err_index(code);
    return i == DW_EBUSY || i == DW_EAGAIN;
}

__attribute__((format(printf, 3, 0))) static void err_vfill(struct dw_error *err, int code,
                                                            const char *fmt, va_list ap) {
    err->code = code < 0 ? code : -code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

int dw_error_set(struct dw_error *err, int code, const char *fmt, ...) {
    if (err) {
        va_list ap;
        err->file[0] = err->field[0] = '\0';
        err->line = err->col = 0;
        va_start(ap, fmt);
        err_vfill(err, code, fmt, ap);
        va_end(ap);
    }
    return code < 0 ? code : -code;
}

int dw_error_at(struct dw_error *err, int code, const char *file, int line, int col,
                const char *fmt, ...) {
    if (err) {
        va_list ap;
        snprintf(err->file, sizeof err->file, "%s", file ? file : "");
        err->field[0] = '\0';
        err->line = line;
        err->col = col;
        va_start(ap, fmt);
        err_vfill(err, code, fmt, ap);
        va_end(ap);
    }
    return code < 0 ? code : -code;
}

int dw_error_field(struct dw_error *err, int code, const char *field, const char *fmt, ...) {
    if (err) {
        va_list ap;
        err->file[0] = '\0';
        err->line = err->col = 0;
        snprintf(err->field, sizeof err->field, "%s", field ? field : "");
        va_start(ap, fmt);
        err_vfill(err, code, fmt, ap);
        va_end(ap);
    }
    return code < 0 ? code : -code;
}

const char *dw_error_format(const struct dw_error *err, char *buf, size_t size) {
    if (!err) {
        snprintf(buf, size, "unknown error");
    } else if (err->file[0] && err->line > 0) {
        snprintf(buf, size, "%s:%d:%d: %s", err->file, err->line, err->col > 0 ? err->col : 1,
                 err->msg);
    } else if (err->file[0] && err->field[0]) {
        snprintf(buf, size, "%s: field '%s': %s", err->file, err->field, err->msg);
    } else if (err->file[0]) {
        snprintf(buf, size, "%s: %s", err->file, err->msg);
    } else if (err->field[0]) {
        snprintf(buf, size, "field '%s': %s", err->field, err->msg);
    } else {
        snprintf(buf, size, "%s", err->msg[0] ? err->msg : dw_strerror(err->code));
    }
    return buf;
}

void dw_diags_add(struct dw_diags *d, const char *file, int line, int col, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (DW_GROW(d->v, d->cap, d->n + 1) < 0)
        return; /* out of memory: the diagnostic is dropped, the count stays honest */
    d->v[d->n] = (struct dw_diag){
        .file = strdup(file ? file : ""), .line = line, .col = col, .msg = strdup(msg)};
    d->n++;
}

void dw_diags_release(struct dw_diags *d) {
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].file);
        free(d->v[i].msg);
    }
    free(d->v);
    *d = (struct dw_diags){0};
}

static int diag_cmp(const void *pa, const void *pb) {
    const struct dw_diag *a = pa, *b = pb;
    int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");
    if (c)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return strcmp(a->msg ? a->msg : "", b->msg ? b->msg : "");
}

void dw_diags_sort(struct dw_diags *d) {
    if (d->n > 1)
        qsort(d->v, d->n, sizeof *d->v, diag_cmp);
}
