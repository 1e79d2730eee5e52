/* dealwright — errors and diagnostics.
 *
 * Functions return 0 (or a count) on success and a negative DW_E* code on failure, with
 * the detail for people in the caller's struct dw_error. Validation reports every problem
 * it finds in a struct dw_diags. */
#ifndef DEALWRIGHT_ERROR_H
#define DEALWRIGHT_ERROR_H

#include <stdbool.h>
#include <stddef.h>

#include <dealwright/export.h>

/* One list makes the enum, dw_strerror() and dw_errname(). */
#define DW_ERRNO_MAP(X)                                                                            \
    X(EINVAL, "invalid argument")                                                                  \
    X(ENOMEM, "out of memory")                                                                     \
    X(EIO, "input/output error")                                                                   \
    X(ENOENT, "not found")                                                                         \
    X(EEXIST, "already exists")                                                                    \
    X(EPARSE, "parse error")                                                                       \
    X(ETOOBIG, "size limit exceeded")                                                              \
    X(EPERM, "not permitted")                                                                      \
    X(ESTORE, "store error")                                                                       \
    X(EBUSY, "store busy")                                                                         \
    X(ESTATE, "not allowed in the current state")                                                  \
    X(EVALIDATE, "validation failed")                                                              \
    X(EINTEGRITY, "integrity check failed")                                                        \
    X(EAGAIN, "transient failure")                                                                 \
    X(EINTERNAL, "internal error")

enum dw_errno {
    DW_OK = 0,
#define DW__ERR_ENUM(name, text) DW_##name,
    DW_ERRNO_MAP(DW__ERR_ENUM)
#undef DW__ERR_ENUM
        DW__ERR_MAX
};

/* Text for a code; accepts the negative or positive form. Never NULL. */
DW_EXPORT const char *dw_strerror(int code);
/* "EINVAL" etc. Never NULL. */
DW_EXPORT const char *dw_errname(int code);
/* True for failures worth retrying (EBUSY, EAGAIN). */
DW_EXPORT bool dw_error_is_transient(int code);

/* Detail for people. The caller owns it (usually on the stack); functions fill it on
 * failure only. `file`/`line`/`col` point into a workspace file or input file, `field`
 * names a JSON field path ("contact.email"). Empty string / 0 when not applicable. */
struct dw_error {
    int code; /* negative DW_E* */
    int line, col;
    char file[256];
    char field[128];
    char msg[512];
};

/* Fill err (if not NULL) and return code (negative). printf-style message. A caller's own
 * checks report through the same struct with these. */
DW_EXPORT int dw_error_set(struct dw_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
DW_EXPORT int dw_error_at(struct dw_error *err, int code, const char *file, int line, int col,
                          const char *fmt, ...) __attribute__((format(printf, 6, 7)));
DW_EXPORT int dw_error_field(struct dw_error *err, int code, const char *field, const char *fmt,
                             ...) __attribute__((format(printf, 4, 5)));
/* "FILE:LINE:COL: msg", "field 'x': msg" or "msg" into buf. Returns buf. */
DW_EXPORT const char *dw_error_format(const struct dw_error *err, char *buf, size_t size);

/* A list of diagnostics (validation reports every problem, not the first), sorted by file,
 * line and column. The caller zero-initialises it and releases it. */
struct dw_diag {
    char *file;
    int line, col;
    char *msg;
};
struct dw_diags {
    struct dw_diag *v;
    size_t n, cap;
};
DW_EXPORT void dw_diags_release(struct dw_diags *d);

#endif
