/* Private to lib/rules/cel_*.c: the syntax tree, types, the overload table and the
 * evaluation context. docs/internals/cel.md walks through how they fit. */
#ifndef DW_CEL_INTERNAL_H
#define DW_CEL_INTERNAL_H

#include "rules/cel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- types ---------------------------------------------------------------------------- */

enum cel_tkind {
    CT_DYN,
    CT_NULL,
    CT_BOOL,
    CT_INT,
    CT_UINT,
    CT_DOUBLE,
    CT_STRING,
    CT_BYTES,
    CT_LIST,
    CT_MAP,
    CT_TIMESTAMP,
    CT_DURATION,
    CT_TYPE,
    CT_RECORD,
    CT_ERROR, /* the checker's "already reported" type */
};

struct cel_field {
    const char *name;
    const struct cel_type *type;
};

struct cel_type {
    enum cel_tkind kind;
    const struct cel_type *p1, *p2; /* list elem; map key, value; type(p1) */
    const char *name;               /* type() name: "int", "list", record name */
    const struct cel_field *fields; /* records, sorted by name */
    size_t n_fields;
};

extern const struct cel_type cel_t_dyn, cel_t_null, cel_t_bool, cel_t_int, cel_t_uint, cel_t_double,
    cel_t_string, cel_t_bytes, cel_t_list, cel_t_map, cel_t_timestamp, cel_t_duration, cel_t_type,
    cel_t_error;

/* The runtime type of a value (for type()). */
const struct cel_type *cel_type_of(cel_value v);
/* A type denotation by name ("int", "google.protobuf.Timestamp"), or NULL. */
const struct cel_type *cel_type_by_name(const char *name, size_t len);
bool cel_type_assignable(const struct cel_type *to, const struct cel_type *from);
const char *cel_type_format(const struct cel_type *t, char *buf, size_t size);

/* ---- syntax tree ---------------------------------------------------------------------- */

enum cel_op {
    N_CONST,
    N_IDENT,  /* a declared variable: slot; or a resolved type denotation (CONST) */
    N_QIDENT, /* unchecked: candidate dotted names, longest first */
    N_LOCAL,  /* a comprehension variable: local index */
    N_SELECT, /* target.name */
    N_HAS,    /* has(target.name) */
    N_CALL,   /* name(args) or args[0].name(args[1..]) */
    N_LIST,
    N_MAP,
    N_AND,
    N_OR,
    N_COND,
    N_COMP, /* comprehension macro */
};

enum cel_comp {
    COMP_ALL,
    COMP_EXISTS,
    COMP_EXISTS_ONE,
    COMP_MAP,        /* map(x, t) / map(x, p, t) */
    COMP_FILTER,     /* filter(x, p) */
    COMP_TLIST,      /* transformList(i, v, [p,] t) */
    COMP_TMAP,       /* transformMap(k, v, [p,] t) */
    COMP_TMAP_ENTRY, /* transformMapEntry(k, v, [p,] t) */
};

struct cel_overload;
struct cel_cand { /* one candidate resolution of a dotted name (unchecked programs) */
    const char *name;
    int slot;     /* declared slot or -1: look the name up among extra bindings */
    int n_select; /* how many trailing selections apply to what it finds */
};

struct cel_node {
    uint8_t op;
    uint8_t comp;  /* enum cel_comp */
    bool receiver; /* N_CALL written as target.f(...) */
    int32_t pos;   /* byte offset of the node's token */
    int32_t id;    /* pre-order number, for messages */
    const struct cel_type *type;
    cel_value c;      /* N_CONST */
    const char *name; /* ident, field, function (NUL-terminated, arena) */
    size_t name_len;
    struct cel_str *key; /* N_SELECT/N_HAS: field name as a string value */
    struct cel_node **args;
    int nargs;
    int slot; /* N_IDENT: variable slot; N_LOCAL: local index; N_COMP: first local */
    struct cel_cand *cands;
    int n_cands;
    const struct cel_overload *const *ovl; /* N_CALL: candidate overloads */
    int n_ovl;
    /* N_COMP: args[0] range, args[1] predicate or transform, args[2] transform (3-part) */
    const char *v1, *v2; /* iteration variable names; v2 NULL for one-variable forms */
};

/* ---- overloads ------------------------------------------------------------------------ */

enum { K_ANY = 100 }; /* a parameter kind matching every value */

struct cel_ctx;
typedef cel_value (*cel_fn)(struct cel_ctx *c, const cel_value *args, int32_t pos);

enum cel_rt { /* how the checker derives the result type */
              RT_FIXED,
              RT_ARG0,     /* same as the first argument (list + list) */
              RT_ELEM0,    /* element of a list / value of a map (index) */
              RT_TYPE_OF0, /* type(x) */
              RT_DYN,
};

struct cel_overload {
    const char *fn;
    bool receiver;
    uint8_t nargs;
    uint8_t kinds[3]; /* enum cel_kind or K_ANY */
    enum cel_rt rt;
    const struct cel_type *result; /* RT_FIXED */
    cel_fn impl;
};
extern const struct cel_overload cel_overloads[];
extern const size_t cel_n_overloads;
/* Overloads named `fn` with `nargs` arguments and the call style; *n set. */
size_t cel_overloads_find(const char *fn, bool receiver, int nargs, const struct cel_overload **out,
                          size_t cap);
bool cel_function_known(const char *fn);

/* ---- evaluation ----------------------------------------------------------------------- */

struct cel_program {
    const struct cel_env *env;
    struct cel_arena arena; /* the tree and its constants */
    struct cel_node *root;
    char *src;
    size_t src_len; /* src may hold NUL bytes inside string literals */
    int n_locals;
    uint64_t max_cost;
    const struct cel_type *result;
};

struct cel_ctx {
    const struct cel_program *p;
    const struct cel_activation *act;
    struct cel_arena *a;
    uint64_t cost, max_cost;
    cel_value *locals;
};

/* Charges `n` steps; false (and *out set to an error) once the budget is spent. */
static inline bool cel_charge(struct cel_ctx *c, uint64_t n) {
    return (c->cost += n) <= c->max_cost;
}
cel_value cel_err_oom(struct cel_ctx *c, int32_t pos);
cel_value cel_err_cost(struct cel_ctx *c, int32_t pos);

/* Values */
int cel_compare(cel_value a, cel_value b, int *ret); /* 0 ok, -1 no ordering overload */
bool cel_is_key_kind(enum cel_kind k);
uint64_t cel_hash_key(cel_value k);
/* Code points in a UTF-8 string (assumed valid). */
size_t cel_utf8_len(const char *s, size_t n);

/* Time (cel_time.c) */
#define CEL_TS_MIN (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define CEL_TS_MAX (253402300799LL) /* 9999-12-31T23:59:59Z */
int cel_ts_parse(const char *s, size_t n, int64_t *sec, int32_t *nsec);
size_t cel_ts_format(int64_t sec, int32_t nsec, char *buf, size_t size);
int cel_dur_parse(const char *s, size_t n, int64_t *ns);
size_t cel_dur_format(int64_t ns, char *buf, size_t size);

/* Fill err (when not NULL) with the message and the 1-based line and column of byte pos. */
void cel_pos_to_line_col(const char *src, size_t len, int32_t pos, int *line, int *col);
void cel_error_vat(struct dw_error *err, int code, const char *src, size_t len, int32_t pos,
                   const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

/* Regular expressions (cel_std.c): RE2 syntax on PCRE2, compiled patterns cached. */
void *cel_regex_compile(const char *pat, size_t n, char *errbuf, size_t errsize);
void cel_regex_free(void *re);

#endif
