/* base — the lowest layer: errors, buffers, time, money, ids, hashing, JSON helpers.
 *
 * Everything above may use this; this uses only libc, jansson and libsodium.
 * Nothing here prints or exits. Thread-safety: every function is reentrant; no globals
 * are written after dw_base_init().
 */
#ifndef DW_BASE_H
#define DW_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <dealwright/error.h>
#include <dealwright/util.h>

/* ---- errors ------------------------------------------------------------------------ */

/* enum dw_errno, struct dw_error, struct dw_diags and the calls on them are public
 * (include/dealwright/error.h); so are the time, money, id and JSON formats
 * (include/dealwright/util.h). */
void dw_diags_add(struct dw_diags *d, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Sort by file, line, col (stable output for people and tests). */
void dw_diags_sort(struct dw_diags *d);

/* ---- cleanup helpers (systemd style) ---------------------------------------------- */

static inline void dw__freep(void *p) {
    extern void free(void *);
    free(*(void **)p);
}
#ifndef _cleanup_free_ /* src/cli.h has the same for the CLI */
#define _cleanup_free_ __attribute__((cleanup(dw__freep)))
#endif
static inline void dw__json_decrefp(json_t **p) {
    if (*p)
        json_decref(*p);
}
#ifndef _cleanup_json_
#define _cleanup_json_ __attribute__((cleanup(dw__json_decrefp)))
#endif
/* A reference to a value shared read-only (the store's doc_peek, an agent's doc_get): the
 * holder drops its reference and changes nothing. */
static inline void dw__cjson_decrefp(const json_t **p) {
    if (*p)
        json_decref((json_t *)*p);
}
#define _cleanup_cjson_ __attribute__((cleanup(dw__cjson_decrefp)))
/* Hand over ownership out of a _cleanup_ variable. */
#define DW_TAKE_PTR(p)                                                                             \
    ({                                                                                             \
        __typeof__(p) dw__tmp = (p);                                                               \
        (p) = NULL;                                                                                \
        dw__tmp;                                                                                   \
    })
#ifndef DW_ARRAY_SIZE
#define DW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* ---- growable buffer ---------------------------------------------------------------- */

/* A NUL-terminated growable byte buffer with a hard size limit (0 = 64 MiB default).
 * Appends that would pass the limit fail with -DW_ETOOBIG and leave the buffer as it was. */
struct dw_buf {
    char *data; /* NULL until the first append; always NUL-terminated after */
    size_t len, cap, limit;
};
void dw_buf_init(struct dw_buf *b, size_t limit);
int dw_buf_append(struct dw_buf *b, const void *p, size_t n);
int dw_buf_puts(struct dw_buf *b, const char *s);
int dw_buf_putc(struct dw_buf *b, char c);
int dw_buf_printf(struct dw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dw_buf_vprintf(struct dw_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Give the string away (caller frees); the buffer is empty afterwards. Never NULL. */
char *dw_buf_steal(struct dw_buf *b);
void dw_buf_release(struct dw_buf *b);

/* ---- text --------------------------------------------------------------------------- */

/* ASCII lower-case copy (caller frees). */
char *dw_strdup_lower(const char *s);
/* Case-insensitive ASCII equality. */
bool dw_streq_ci(const char *a, const char *b);
/* Trim ASCII whitespace in place; returns s. */
char *dw_strtrim(char *s);

/* ---- time --------------------------------------------------------------------------- */

/* Days from civil date and back (proleptic Gregorian). */
int64_t dw_days_from_civil(int y, unsigned m, unsigned d);
void dw_civil_from_days(int64_t z, int *ret_y, unsigned *ret_m, unsigned *ret_d);
/* 0 = Monday .. 6 = Sunday. */
int dw_weekday(dw_time_t t);
/* A clock: the wall clock, or time pinned at one instant. The library keeps no clock of its
 * own and reads no environment: an engine owns one (struct dw_engine_opts.now_pin, set by
 * the surface, which may read DW_NOW) and hands it to its store and to every agent step
 * (ctx->now), so two engines in one process can run at different times. */
struct dw_clock {
    dw_time_t pin; /* 0: the wall clock; else every reading is this instant */
};
/* c NULL or unpinned: time(NULL). On hot paths (every step and store write): one branch and
 * a vDSO call, no getenv or parsing. */
dw_time_t dw_clock_now(const struct dw_clock *c);

/* ---- money -------------------------------------------------------------------------- */

/* a * b / c rounded half to even, with overflow checking (-DW_ETOOBIG). c > 0. */
int dw_muldiv_half_even(int64_t a, int64_t b, int64_t c, int64_t *ret);
/* Checked add/mul. */
int dw_add_checked(int64_t a, int64_t b, int64_t *ret);
int dw_mul_checked(int64_t a, int64_t b, int64_t *ret);
/* Percent strings "12.5" / "12.5%" into basis points (1250); at most 2 decimals. */
int dw_pct_parse(const char *s, int32_t *ret_bp);
const char *dw_pct_format(int32_t bp, char *buf, size_t size); /* 1250 -> "12.5" */

/* ---- hashing ------------------------------------------------------------------------ */

/* FNV-1a of p[0..n): a fast hash for in-memory tables keyed by short strings. Not for
 * anything an adversary may want to collide on purpose to slow a table down: bound the
 * table's input size instead. Two widths, for tables that index with a mask of either. */
static inline uint32_t dw_fnv1a32(const void *p, size_t n) {
    const unsigned char *s = p;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 16777619u;
    return h;
}
static inline uint64_t dw_fnv1a64(const void *p, size_t n) {
    const unsigned char *s = p;
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

/* ---- growing arrays ----------------------------------------------------------------- */

/* Make room for `need` elements of `elem` bytes in the array *p of capacity *cap elements:
 * when *cap < need, reallocates to the larger of twice *cap (8 at first) and need. Returns 0,
 * or -DW_ENOMEM when memory runs out or need * elem would overflow; on failure *p and *cap
 * are unchanged (the array stays valid and the caller still owns it). */
int dw_grow(void **p, size_t *cap, size_t need, size_t elem);
/* The typed form: DW_GROW(v, cap, n + 1) with `T *v; size_t cap`. */
#define DW_GROW(ptr, cap, need) dw_grow((void **)&(ptr), &(cap), (need), sizeof *(ptr))

/* ---- ids ---------------------------------------------------------------------------- */

/* dw_id_format() and dw_id_parse() are public (include/dealwright/util.h). */
#define DW_ID_MAX 24 /* the prefix, '-', a sign, 19 digits and the NUL */
/* The id as a string for one expression, in a buffer that lives until the end of the
 * enclosing block: dw_error_set(err, r, "no deal %s", DW_ID('D', id)). */
#define DW_ID(prefix, n) dw_id_format((prefix), (n), (char[DW_ID_MAX]){0}, DW_ID_MAX)

/* ---- hashing ------------------------------------------------------------------------ */

#define DW_SHA256_HEX 65
/* Lower-case hex SHA-256 of data into out (65 bytes). */
void dw_sha256_hex(const void *data, size_t len, char out[DW_SHA256_HEX]);
struct dw_sha256 {
    unsigned char state[128]; /* crypto_hash_sha256_state fits (104 bytes) */
};
void dw_sha256_init(struct dw_sha256 *h);
void dw_sha256_update(struct dw_sha256 *h, const void *data, size_t len);
void dw_sha256_final_hex(struct dw_sha256 *h, char out[DW_SHA256_HEX]);
/* Must be called once before any hashing (initialises libsodium). Returns 0 or -DW_EINTERNAL. */
int dw_base_init(void);

/* ---- JSON --------------------------------------------------------------------------- */

/* Canonical JSON (sorted keys, compact, UTF-8 as is) for hashing and storage. Caller frees. */
char *dw_json_canonical(const json_t *j);
/* jansson's compact dump (members in their order), written by the same writer; malloc'd,
 * NULL when out of memory. */
char *dw_json_compact(const json_t *j);
/* SHA-256 hex of the canonical form. */
void dw_json_hash(const json_t *j, char out[DW_SHA256_HEX]);
/* Money as a decimal string ("12345.60") — the contract for money in JSON. */
json_t *dw_json_money(int64_t minor, int digits);
/* Set key to a new reference (steals value); returns -DW_ENOMEM on failure. */
int dw_json_set(json_t *obj, const char *key, json_t *value);

#endif
