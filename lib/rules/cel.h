/* CEL, the Common Expression Language (the rules layer): every condition a workspace writes
 * — approval bands, escalation triggers, price rules, qualification criteria — is a CEL
 * expression compiled once at load and evaluated per deal.
 *
 * The language is cel-spec's (see docs/internals/cel.md for what is and is not supported):
 * null, bool, int, uint, double, string, bytes, list, map, timestamp, duration and type
 * values; heterogeneous numeric equality and ordering; errors and unknowns absorbed by
 * `&&`, `||` and `?:` as the spec says; overflow is an error; the macros has, all, exists,
 * exists_one, map, filter (and the two-variable forms); the standard functions.
 *
 * Life cycle:
 *   env = cel_env_new();                        declarations (variables and record types)
 *   cel_env_declare(env, "quote", "Quote", &e)  ...
 *   cel_compile(env, src, len, 0, &prog, &e)    parse, expand macros, type-check, resolve
 *   cel_arena_init(&a, 0); cel_activation_init(&act, env);
 *   cel_activation_bind(&act, "quote", v)       values for the variables
 *   v = cel_eval(prog, &act, &a)                the result lives in the arena
 *   cel_arena_reset(&a)                         reuse for the next evaluation
 *
 * Thread-safety: a compiled program and its environment are immutable and may be
 * evaluated from several threads at once; an arena and an activation belong to one
 * thread. Every evaluation is bounded by the program's cost limit and the arena's memory
 * limit; passing one is an error value, never a crash or a stall.
 */
#ifndef DW_CEL_H
#define DW_CEL_H

#include "base/base.h"

/* ---- values ------------------------------------------------------------------------- */

enum cel_kind {
    CEL_NULL,
    CEL_BOOL,
    CEL_INT,
    CEL_UINT,
    CEL_DOUBLE,
    CEL_STRING,
    CEL_BYTES,
    CEL_LIST,
    CEL_MAP,
    CEL_TIMESTAMP, /* .i = seconds since the epoch, .nsec = 0..999,999,999 */
    CEL_DURATION,  /* .i = nanoseconds */
    CEL_TYPE,
    CEL_ERROR,
    CEL_UNKNOWN,
    CEL_ABSENT, /* an unbound variable slot; never the result of an evaluation */
};

struct cel_str {
    size_t len;
    char data[]; /* NUL-terminated for convenience; may hold NULs in bytes */
};
struct cel_list;
struct cel_map;
struct cel_type;
struct cel_err {
    int32_t pos; /* byte offset into the expression, -1 when unknown */
    char msg[];
};

typedef struct cel_value {
    uint8_t kind; /* enum cel_kind */
    int32_t nsec;
    union {
        bool b;
        int64_t i;
        uint64_t u;
        double d;
        const struct cel_str *s;
        const struct cel_list *l;
        const struct cel_map *m;
        const struct cel_type *t;
        const struct cel_err *e;
    };
} cel_value;

struct cel_list {
    size_t n;
    const cel_value *v;
};
struct cel_entry {
    cel_value k, v;
};
struct cel_map {
    size_t n;
    const struct cel_entry *e;
    const uint32_t *index; /* open-addressed hash of entry indexes + 1, or NULL (small maps) */
    size_t index_cap;      /* power of two */
};

static inline cel_value cel_null(void) {
    return (cel_value){.kind = CEL_NULL};
}
static inline cel_value cel_bool(bool b) {
    return (cel_value){.kind = CEL_BOOL, .b = b};
}
static inline cel_value cel_int(int64_t i) {
    return (cel_value){.kind = CEL_INT, .i = i};
}
static inline cel_value cel_uint(uint64_t u) {
    return (cel_value){.kind = CEL_UINT, .u = u};
}
static inline cel_value cel_double(double d) {
    return (cel_value){.kind = CEL_DOUBLE, .d = d};
}

/* ---- arenas: every value made while evaluating is allocated here ------------------- */

struct cel_chunk;
struct cel_arena {
    struct cel_chunk *head;
    size_t used;  /* bytes handed out since init/reset */
    size_t limit; /* 0 = 64 MiB */
};
void cel_arena_init(struct cel_arena *a, size_t limit);
/* Forget every value made since init, keeping the first chunk for reuse. */
void cel_arena_reset(struct cel_arena *a);
void cel_arena_release(struct cel_arena *a);
/* NULL when the arena's limit would be passed. Memory is 16-byte aligned and zeroed. */
void *cel_arena_alloc(struct cel_arena *a, size_t size);

cel_value cel_string(struct cel_arena *a, const char *s, size_t len);
cel_value cel_bytes(struct cel_arena *a, const void *p, size_t len);
/* An error value with a printf-style message; pos is a byte offset or -1. */
cel_value cel_error(struct cel_arena *a, int32_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A list taking `n` values copied from v. */
cel_value cel_list_new(struct cel_arena *a, const cel_value *v, size_t n);
/* A map from n key/value pairs; an error value for repeated or unsupported keys. */
cel_value cel_map_new(struct cel_arena *a, const struct cel_entry *e, size_t n);
/* Lookup with CEL's key equality (1 == 1u == 1.0); NULL when absent. */
const cel_value *cel_map_get(const struct cel_map *m, cel_value key);
const cel_value *cel_map_get_str(const struct cel_map *m, const char *key, size_t len);

/* JSON <-> CEL. JSON numbers become int when integral and in range, otherwise double;
 * objects become maps with string keys. Fails (error value) past depth 64. */
cel_value cel_from_json(struct cel_arena *a, const json_t *j);
/* JSON text of a value: int/uint/double as numbers ("NaN", "Infinity", "-Infinity" as
 * strings), bytes as {"bytes": base64}, timestamps as RFC 3339, durations as "1.5s",
 * types as their name, non-string map keys as their JSON text in a string. Exact for
 * every uint64. -DW_EINVAL for an error or unknown value. */
int cel_to_json_text(cel_value v, struct dw_buf *b);
/* Shortest text reading back as the same double: decimal for exponents -7..20
 * ("0.0045", "1500000"), exponent form beyond ("1e+21"); "NaN", "Infinity". */
size_t cel_format_double(double d, char *buf, size_t size);

bool cel_equal(cel_value a, cel_value b);
const char *cel_kind_name(enum cel_kind k);
/* The type name of a runtime value as `type(v)` says it ("int", "list", ...). */
const char *cel_type_name_of(cel_value v);

/* ---- environments, programs, activations ------------------------------------------ */

struct cel_limits {
    size_t max_expr_bytes; /* 0 = 16 KiB */
    int max_depth;         /* nesting of the syntax tree; 0 = 64 */
    uint64_t max_cost;     /* evaluation steps (nodes, iterations, bytes touched / 64); 0 = 1e6 */
};

struct cel_env;
struct cel_env *cel_env_new(void);
void cel_env_free(struct cel_env *env);
void cel_env_set_limits(struct cel_env *env, const struct cel_limits *l);
/* Names are resolved within this dotted namespace first, as in the spec. */
int cel_env_set_container(struct cel_env *env, const char *container, struct dw_error *err);
/* A record type: `spec` is a comma-separated list of "field: TYPE". At run time a record is
 * a map with string keys; the checker knows its fields and their types. */
int cel_env_declare_record(struct cel_env *env, const char *name, const char *spec,
                           struct dw_error *err);
/* A variable. TYPE is a CEL type: int, uint, double, bool, string, bytes, null_type,
 * timestamp, duration, dyn, list(T), map(K, V), a declared record name. */
int cel_env_declare(struct cel_env *env, const char *name, const char *type, struct dw_error *err);
size_t cel_env_variable_count(const struct cel_env *env);

enum {
    CEL_NO_CHECK = 1 << 0,  /* skip the type check: undeclared names are runtime errors */
    CEL_NO_MACROS = 1 << 1, /* has/all/exists/... are plain function calls */
};

struct cel_program;
/* On a syntax, type or limit error err carries the 1-based line and column within the
 * expression (err->file empty) and -DW_EPARSE / -DW_EVALIDATE / -DW_ETOOBIG. */
int cel_compile(const struct cel_env *env, const char *src, size_t len, unsigned flags,
                struct cel_program **ret, struct dw_error *err);
void cel_program_free(struct cel_program *p);
/* The static type of the result ("bool", "dyn", ...) as the checker found it. */
const char *cel_program_result_type(const struct cel_program *p, char *buf, size_t size);
const char *cel_program_source(const struct cel_program *p);

struct cel_binding {
    const char *name;
    cel_value v;
};
struct cel_activation {
    const struct cel_env *env;
    cel_value *slots; /* one per declared variable, CEL_ABSENT when unbound */
    struct cel_binding *extra;
    size_t n_extra, cap_extra;
};
int cel_activation_init(struct cel_activation *act, const struct cel_env *env);
/* Bind by name: a declared variable's slot, otherwise an extra binding (unchecked
 * programs). The value must outlive the evaluations that read it; the name is copied. */
int cel_activation_bind(struct cel_activation *act, const char *name, cel_value v);
/* Bind a declared variable as unknown: results that depend on it are unknown. */
int cel_activation_bind_unknown(struct cel_activation *act, const char *name);
void cel_activation_clear(struct cel_activation *act);
void cel_activation_release(struct cel_activation *act);

/* Evaluate. The result (possibly CEL_ERROR or CEL_UNKNOWN) points into the arena. */
cel_value cel_eval(const struct cel_program *p, const struct cel_activation *act,
                   struct cel_arena *a);
/* Evaluate a condition: 1 for true, 0 for false, a negative DW_E* code with err filled
 * (message and column) for an error, unknown or non-bool result. */
int cel_eval_bool(const struct cel_program *p, const struct cel_activation *act,
                  struct cel_arena *a, struct dw_error *err);

/* Offset east of UTC in seconds at instant `sec` for a zone name ("Europe/Berlin", "UTC",
 * "+02:00", "-09:30", "02:00"), from the system's tz database. -1 on an unknown zone. Used by
 * CEL's time functions and by the demo-slot search (engines/schedule.c). */
int cel_tz_offset(const char *tz, size_t n, int64_t sec, int32_t *ret_offset);

#endif
