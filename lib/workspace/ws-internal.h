/* workspace internals — shared by the files of lib/workspace/ and nothing else.
 *
 * A load runs in one context (struct dw__ws_ctx): it owns the bytes of every file read
 * (they are hashed at the end), the diagnostics list it appends to, and the name sets used
 * to check references between files. The snapshot being built lives in struct dw__ws,
 * whose memory is a chain of separately allocated chunks freed at once by the last unref;
 * nothing in a snapshot is freed on its own.
 *
 * YAML is read with libfyaml's document API. Positions come from the scalar tokens
 * (libfyaml 0.7 has no public start mark for collections): a mapping or sequence is placed
 * at its first scalar, and a node without any scalar (an empty value, `{}`) is placed at
 * the key that holds it. All positions in struct dw__yref are 1-based.
 */
#ifndef DW_WS_INTERNAL_H
#define DW_WS_INTERNAL_H

#include <libfyaml.h>

#include "workspace/workspace.h"

/* ---- snapshot memory ------------------------------------------------------------------ */

struct dw__ws_chunk;

struct dw__ws {
    struct dw_workspace pub; /* first: a struct dw_workspace * is a struct dw__ws * */
    struct dw__ws_chunk *mem;
    bool oom;                   /* an allocation failed: the load fails with -DW_ENOMEM */
    struct cel_program **progs; /* compiled rules, freed with the snapshot */
    size_t n_progs, cap_progs;
    void *memo[DW_WS_MEMO_N]; /* dw_ws_memo(): built on first use, freed with the snapshot */
    void (*memo_free[DW_WS_MEMO_N])(void *);
};

/* Keep a compiled rule for the life of the snapshot. */
int dw__ws_keep_program(struct dw__ws *w, struct cel_program *p);

static inline struct dw__ws *dw__ws_of(const struct dw_workspace *ws) {
    return (struct dw__ws *)ws;
}

/* Zeroed memory owned by the snapshot; NULL (and w->oom set) when out of memory. */
void *dw__ws_alloc(struct dw__ws *w, size_t size);
/* n elements of size bytes, overflow-checked; NULL for n == 0 or out of memory. */
void *dw__ws_array(struct dw__ws *w, size_t n, size_t size);
/* Copies owned by the snapshot. Never NULL: on out of memory they return "" and set oom. */
char *dw__ws_strndup(struct dw__ws *w, const char *s, size_t n);
char *dw__ws_strdup(struct dw__ws *w, const char *s);

/* ---- name sets (sorted pointer arrays, for reference checks) ------------------------ */

struct dw__names {
    const char **v; /* borrowed strings, sorted with strcmp */
    size_t n;
};
/* Build from n strings (copied pointers, then sorted). Returns 0 or -DW_ENOMEM. */
int dw__names_build(struct dw__names *s, const char *const *v, size_t n);
bool dw__names_has(const struct dw__names *s, const char *name);
void dw__names_release(struct dw__names *s);
/* The candidate closest to `s` by edit distance when it is a plausible typo, else NULL. */
const char *dw__closest(const char *s, const char *const *cands, size_t n);

/* ---- load context --------------------------------------------------------------------- */

struct dw__ws_file {
    char *rel;  /* relative path */
    char *data; /* bytes read, NUL-terminated */
    size_t len;
};

struct dw__ws_ctx {
    struct dw__ws *w;
    struct dw_workspace *ws;
    struct dw_diags *diags;
    const char *root;
    const char *file; /* relative path of the file being checked, owned by the snapshot */
    int line_offset;  /* lines before the YAML text in the file (front matter) */

    struct dw__ws_file *files; /* every file read, for the hash */
    size_t n_files, cap_files;

    /* What loaded well enough to check references against. */
    bool have_currencies, have_catalog, have_team;
    struct dw_ws_pos *currency_pos; /* parallel to ws->currencies */
    struct dw_pricebook *book;      /* the price book being read */
    struct dw__names skus, capabilities, units;
};

/* Read root/rel (at most DW_WS_MAX_FILE bytes, valid UTF-8, no NUL bytes) and record it
 * for the hash. Problems become diagnostics at rel:1:1 (or the offending byte). A missing
 * file is reported only when `required`. Returns 0, -DW_ENOENT or another -DW_E*; *ret_data
 * stays owned by the context. */
int dw__ws_read(struct dw__ws_ctx *c, const char *rel, bool required, const char **ret_data,
                size_t *ret_len);
/* Sorted relative paths of the regular files in root/sub ending in ext ("pricebooks/EUR.yaml"),
 * dot files skipped. A missing directory gives none. Caller frees each and the array. */
int dw__ws_list(struct dw__ws_ctx *c, const char *sub, const char *ext, char ***ret, size_t *ret_n);
/* Set c->file to a snapshot-owned copy of rel and return it. */
const char *dw__ws_set_file(struct dw__ws_ctx *c, const char *rel);
void dw__ws_diag(struct dw__ws_ctx *c, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- YAML ------------------------------------------------------------------------------ */

struct dw__yref {      /* a node and where to blame it */
    struct fy_node *n; /* may be NULL (empty value) */
    int line, col;
};

struct dw__ydoc {
    struct fy_diag *diag;
    struct fy_parser *parser;
    struct fy_document *doc;
};

/* Parse text as one YAML document. Syntax errors, aliases and extra documents are reported
 * at c->file; returns 0 with *ret_root set (n NULL for an empty document) or -DW_EPARSE.
 * Release the document with dw__ydoc_release() in any case. */
int dw__y_parse(struct dw__ws_ctx *c, const char *text, size_t len, struct dw__ydoc *doc,
                struct dw__yref *ret_root);
void dw__ydoc_release(struct dw__ydoc *doc);

void dw__y_err(struct dw__ws_ctx *c, const struct dw__yref *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A position for n, or the fallback's when n has no scalar in it. */
struct dw__yref dw__y_ref(struct dw__ws_ctx *c, struct fy_node *n, const struct dw__yref *fallback);
bool dw__y_is_null(const struct dw__yref *r);
bool dw__y_is_map(const struct dw__yref *r);
/* Raw scalar text (owned by the document) or NULL when not a scalar. */
const char *dw__y_text(const struct dw__yref *r);

/* The keys a mapping may have. dw__y_fields() fills present/k/v, reports unknown keys
 * (with a did-you-mean hint) and missing required ones. False when r is not a mapping. */
struct dw__yfield {
    const char *key;
    bool required;
    bool present;
    struct dw__yref k, v;
};
bool dw__y_fields(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                  struct dw__yfield *f, size_t n);
/* The value of key, or NULL when absent. */
const struct dw__yref *dw__y_get(const struct dw__yfield *f, size_t n, const char *key);
#define DW__REQ(k)                                                                                 \
    { .key = (k), .required = true }
#define DW__OPT(k)                                                                                 \
    { .key = (k) }
#define DW__YGET(f, key) dw__y_get((f), DW_ARRAY_SIZE(f), (key))
/* Where key itself stands (the key, not its value), or NULL when absent. */
const struct dw__yref *dw__y_key(const struct dw__yfield *f, size_t n, const char *key);

/* Sequence entries (null counts as empty). *ret_items is malloc'd (NULL when empty); at most
 * DW_WS_MAX_ITEMS entries. False (reported) when r is not a sequence or too long. */
bool dw__y_seq(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
               struct dw__yref **ret_items, size_t *ret_n);
/* Mapping pairs as key/value refs (keys must be scalars); same rules as dw__y_seq. */
bool dw__y_pairs(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                 struct dw__yref **ret_keys, struct dw__yref **ret_values, size_t *ret_n);

/* Typed values. Each reports its own problem at r and returns false. */
/* The scalar's text (owned by the document), or NULL after reporting why there is none. */
const char *dw__y_scalar(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what);
bool dw__y_str(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what, char **ret);
bool dw__y_int(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what, int64_t min,
               int64_t max, int64_t *ret);
bool dw__y_bool(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what, bool *ret);
bool dw__y_money(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                 const char *currency, int digits, int64_t *ret);
bool dw__y_pct(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what, int32_t *ret_bp);

/* A list of strings; check (may be NULL) validates each entry where it stands. */
typedef bool dw__y_check_fn(struct dw__ws_ctx *c, const struct dw__yref *r, const char *value,
                            void *arg);
bool dw__y_strlist(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                   dw__y_check_fn *check, void *arg, char ***ret, size_t *ret_n);

/* ---- value shapes ------------------------------------------------------------------------ */

bool dw__is_country(const char *s);  /* two upper-case ASCII letters */
bool dw__is_currency(const char *s); /* three upper-case ASCII letters */
dw__y_check_fn dw__check_country;    /* arg: unused */
/* A sku of the catalog; otherwise reported at r with a did-you-mean hint. */
bool dw__sku_exists(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                    const char *sku);

/* ---- shared checks --------------------------------------------------------------------- */

/* Parse rel (a YAML file) and hand its root to fn. Read and syntax problems are reported;
 * fn is not called then. Returns what dw__ws_read() or dw__y_parse() returned. */
int dw__ws_load_yaml(struct dw__ws_ctx *c, const char *rel, bool required,
                     void (*fn)(struct dw__ws_ctx *c, const struct dw__yref *root));

/* Names with where they were defined, for duplicate detection in the current file. */
struct dw__named {
    const char *name;
    int line, col;
};
/* Report every later occurrence of a name already seen ("duplicate sku 'X' (first at line
 * 3)"). Sorts v. */
void dw__report_dups(struct dw__ws_ctx *c, struct dw__named *v, size_t n, const char *what);

/* One of a fixed set of words (with a did-you-mean hint); *ret is its index. */
bool dw__y_enum(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                const char *const *names, size_t n, int *ret);

/* The roles the engine knows (rep, manager, ...). */
extern const char *const dw__roles[];
extern const size_t dw__n_roles;

/* ---- the loaders (one per file family) ------------------------------------------------ */

void dw__load_company(struct dw__ws_ctx *c);
/* dealwright.yaml mail: and webhooks: (mail-config.c) */
void dw__parse_mail(struct dw__ws_ctx *c, const struct dw__yref *r);
void dw__parse_webhooks(struct dw__ws_ctx *c, const struct dw__yref *r);
/* CEL rules (rules.c): the environments of each kind of rule, and one rule compiled from a
 * YAML scalar with its errors reported where they stand in the file. */
bool dw__y_rule(struct dw__ws_ctx *c, const struct dw__yref *r, enum dw_rule_kind kind,
                const char *name, struct dw_rule *out);
void dw__load_catalog(struct dw__ws_ctx *c);
void dw__load_pricebooks(struct dw__ws_ctx *c);
void dw__load_team(struct dw__ws_ctx *c);
void dw__load_policies(struct dw__ws_ctx *c);
void dw__load_qualification(struct dw__ws_ctx *c);
void dw__load_knowledge(struct dw__ws_ctx *c);
void dw__load_templates(struct dw__ws_ctx *c);
void dw__load_models(struct dw__ws_ctx *c); /* models.yaml and prompts/ (modelcfg.c) */

#endif
