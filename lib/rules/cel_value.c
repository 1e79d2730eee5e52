/* CEL values: arenas, constructors, maps with CEL's key equality, equality and ordering
 * across numeric kinds, the static types, and conversion to and from JSON. */
#include "rules/cel_internal.h"

#include <inttypes.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>

/* ---- arenas ---------------------------------------------------------------------------- */

#define CEL_CHUNK 8192
#define CEL_ARENA_DEFAULT_LIMIT ((size_t)64 << 20)

struct cel_chunk {
    struct cel_chunk *next;
    size_t cap, used;
    _Alignas(16) unsigned char data[];
};

void cel_arena_init(struct cel_arena *a, size_t limit) {
    a->head = NULL;
    a->used = 0;
    a->limit = limit ? limit : CEL_ARENA_DEFAULT_LIMIT;
}

void cel_arena_reset(struct cel_arena *a) {
    struct cel_chunk *keep = NULL;
    for (struct cel_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        if (!keep && c->cap == CEL_CHUNK) {
            keep = c;
            continue;
        }
        free(c);
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
    a->head = keep;
    a->used = 0;
}

void cel_arena_release(struct cel_arena *a) {
    for (struct cel_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    a->head = NULL;
    a->used = 0;
}

void *cel_arena_alloc(struct cel_arena *a, size_t size) {
    size = (size + 15) & ~(size_t)15;
    if (size == 0)
        size = 16;
    if (size > a->limit || a->used > a->limit - size)
        return NULL;
    struct cel_chunk *c = a->head;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > CEL_CHUNK / 2 ? size : CEL_CHUNK;
        struct cel_chunk *n = malloc(sizeof(*n) + cap);
        if (!n)
            return NULL;
        n->cap = cap;
        n->used = 0;
        if (cap == CEL_CHUNK || !c) {
            n->next = c;
            a->head = n;
        } else { /* a big block: keep filling the current small chunk */
            n->next = c->next;
            c->next = n;
        }
        c = n;
    }
    void *p = c->data + c->used;
    c->used += size;
    a->used += size;
    memset(p, 0, size);
    return p;
}

/* ---- constructors ---------------------------------------------------------------------- */

static cel_value make_str(struct cel_arena *a, uint8_t kind, const void *p, size_t len) {
    struct cel_str *s = cel_arena_alloc(a, sizeof(*s) + len + 1);
    if (!s)
        return (cel_value){.kind = CEL_ERROR, .e = NULL};
    s->len = len;
    if (len)
        memcpy(s->data, p, len);
    s->data[len] = 0;
    return (cel_value){.kind = kind, .s = s};
}

cel_value cel_string(struct cel_arena *a, const char *s, size_t len) {
    return make_str(a, CEL_STRING, s, len);
}
cel_value cel_bytes(struct cel_arena *a, const void *p, size_t len) {
    return make_str(a, CEL_BYTES, p, len);
}

/* An error value that needs no memory, for when the arena itself is exhausted. */
static const struct {
    int32_t pos;
    char msg[40];
} oom_err = {-1, "memory limit of the evaluation exceeded"};

cel_value cel_error(struct cel_arena *a, int32_t pos, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof(buf))
        n = sizeof(buf) - 1;
    struct cel_err *e = cel_arena_alloc(a, sizeof(*e) + (size_t)n + 1);
    if (!e)
        return (cel_value){.kind = CEL_ERROR, .e = (const struct cel_err *)&oom_err};
    e->pos = pos;
    memcpy(e->msg, buf, (size_t)n + 1);
    return (cel_value){.kind = CEL_ERROR, .e = e};
}

cel_value cel_list_new(struct cel_arena *a, const cel_value *v, size_t n) {
    struct cel_list *l = cel_arena_alloc(a, sizeof(*l));
    cel_value *items = n ? cel_arena_alloc(a, n * sizeof(*items)) : NULL;
    if (!l || (n && !items))
        return cel_error(a, -1, "memory limit of the evaluation exceeded");
    if (n)
        memcpy(items, v, n * sizeof(*items));
    l->n = n;
    l->v = items;
    return (cel_value){.kind = CEL_LIST, .l = l};
}

bool cel_is_key_kind(enum cel_kind k) {
    return k == CEL_INT || k == CEL_UINT || k == CEL_BOOL || k == CEL_STRING;
}

static uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Numeric keys hash by value, so 1, 1u and 1.0 land in the same bucket. */
uint64_t cel_hash_key(cel_value k) {
    switch (k.kind) {
    case CEL_INT:
        return mix64((uint64_t)k.i);
    case CEL_UINT:
        return mix64(k.u);
    case CEL_DOUBLE:
        if (k.d >= -9223372036854775808.0 && k.d < 9223372036854775808.0 && k.d == trunc(k.d))
            return mix64((uint64_t)(int64_t)k.d);
        if (k.d >= 0 && k.d < 18446744073709551616.0 && k.d == trunc(k.d))
            return mix64((uint64_t)k.d);
        return 0;
    case CEL_BOOL:
        return k.b ? 0x9e3779b97f4a7c15ULL : 0x7f4a7c159e3779b9ULL;
    case CEL_STRING:
        return dw_fnv1a64(k.s->data, k.s->len);
    default:
        return 0;
    }
}

#define CEL_MAP_INDEX_MIN 9 /* linear scan below this many entries */

cel_value cel_map_new(struct cel_arena *a, const struct cel_entry *e, size_t n) {
    struct cel_map *m = cel_arena_alloc(a, sizeof(*m));
    struct cel_entry *copy = n ? cel_arena_alloc(a, n * sizeof(*copy)) : NULL;
    if (!m || (n && !copy))
        return cel_error(a, -1, "memory limit of the evaluation exceeded");
    for (size_t i = 0; i < n; i++) {
        if (!cel_is_key_kind(e[i].k.kind))
            return cel_error(a, -1, "unsupported key type: %s", cel_kind_name(e[i].k.kind));
    }
    m->e = copy;
    if (n >= CEL_MAP_INDEX_MIN) {
        size_t cap = 16;
        while (cap < n * 2)
            cap <<= 1;
        uint32_t *idx = cel_arena_alloc(a, cap * sizeof(*idx));
        if (!idx)
            return cel_error(a, -1, "memory limit of the evaluation exceeded");
        m->index = idx;
        m->index_cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        m->n = i; /* lookups see only the entries added so far */
        if (cel_map_get(m, e[i].k))
            return cel_error(a, -1, "Failed with repeated key");
        copy[i] = e[i];
        if (m->index) {
            size_t mask = m->index_cap - 1, h = cel_hash_key(e[i].k) & mask;
            uint32_t *idx = (uint32_t *)m->index;
            while (idx[h])
                h = (h + 1) & mask;
            idx[h] = (uint32_t)i + 1;
        }
    }
    m->n = n;
    return (cel_value){.kind = CEL_MAP, .m = m};
}

static bool key_equal(cel_value a, cel_value b) {
    if (a.kind == CEL_STRING && b.kind == CEL_STRING)
        return a.s->len == b.s->len && memcmp(a.s->data, b.s->data, a.s->len) == 0;
    return cel_equal(a, b);
}

const cel_value *cel_map_get(const struct cel_map *m, cel_value key) {
    if (m->index) {
        size_t mask = m->index_cap - 1, h = cel_hash_key(key) & mask;
        for (uint32_t i; (i = m->index[h]); h = (h + 1) & mask) {
            if (i - 1 < m->n && key_equal(m->e[i - 1].k, key))
                return &m->e[i - 1].v;
        }
        return NULL;
    }
    for (size_t i = 0; i < m->n; i++)
        if (key_equal(m->e[i].k, key))
            return &m->e[i].v;
    return NULL;
}

const cel_value *cel_map_get_str(const struct cel_map *m, const char *key, size_t len) {
    if (m->index) {
        size_t mask = m->index_cap - 1, h = dw_fnv1a64(key, len) & mask;
        for (uint32_t i; (i = m->index[h]); h = (h + 1) & mask) {
            const cel_value *k = &m->e[i - 1].k;
            if (k->kind == CEL_STRING && k->s->len == len && memcmp(k->s->data, key, len) == 0)
                return &m->e[i - 1].v;
        }
        return NULL;
    }
    for (size_t i = 0; i < m->n; i++) {
        const cel_value *k = &m->e[i].k;
        if (k->kind == CEL_STRING && k->s->len == len && memcmp(k->s->data, key, len) == 0)
            return &m->e[i].v;
    }
    return NULL;
}

/* ---- equality and ordering -------------------------------------------------------------- */

static bool is_num(uint8_t k) {
    return k == CEL_INT || k == CEL_UINT || k == CEL_DOUBLE;
}

/* -1, 0, 1, or 2 when unordered (NaN). An int or uint meets a double as a double, as the
 * conformance tests require (9223372036854775807 == 9223372036854775808.0). */
static int cmp_double(double x, double y) {
    if (isnan(x) || isnan(y))
        return 2;
    return (x > y) - (x < y);
}
static int cmp_int_double(int64_t i, double d) {
    return cmp_double((double)i, d);
}
static int cmp_uint_double(uint64_t u, double d) {
    return cmp_double((double)u, d);
}

static int cmp_num(cel_value a, cel_value b) {
    switch (a.kind * 16 + b.kind) {
    case CEL_INT * 16 + CEL_INT:
        return (a.i > b.i) - (a.i < b.i);
    case CEL_UINT * 16 + CEL_UINT:
        return (a.u > b.u) - (a.u < b.u);
    case CEL_DOUBLE * 16 + CEL_DOUBLE:
        if (isnan(a.d) || isnan(b.d))
            return 2;
        return (a.d > b.d) - (a.d < b.d);
    case CEL_INT * 16 + CEL_UINT:
        if (a.i < 0)
            return -1;
        return ((uint64_t)a.i > b.u) - ((uint64_t)a.i < b.u);
    case CEL_UINT * 16 + CEL_INT:
        if (b.i < 0)
            return 1;
        return (a.u > (uint64_t)b.i) - (a.u < (uint64_t)b.i);
    case CEL_INT * 16 + CEL_DOUBLE:
        return cmp_int_double(a.i, b.d);
    case CEL_DOUBLE * 16 + CEL_INT: {
        int r = cmp_int_double(b.i, a.d);
        return r == 2 ? 2 : -r;
    }
    case CEL_UINT * 16 + CEL_DOUBLE:
        return cmp_uint_double(a.u, b.d);
    case CEL_DOUBLE * 16 + CEL_UINT: {
        int r = cmp_uint_double(b.u, a.d);
        return r == 2 ? 2 : -r;
    }
    }
    return 2;
}

static int cmp_mem(const struct cel_str *a, const struct cel_str *b) {
    size_t n = a->len < b->len ? a->len : b->len;
    int r = n ? memcmp(a->data, b->data, n) : 0;
    if (r)
        return r < 0 ? -1 : 1;
    return (a->len > b->len) - (a->len < b->len);
}

int cel_compare(cel_value a, cel_value b, int *ret) {
    if (is_num(a.kind) && is_num(b.kind)) {
        *ret = cmp_num(a, b);
        return 0;
    }
    if (a.kind != b.kind)
        return -1;
    switch (a.kind) {
    case CEL_BOOL:
        *ret = (a.b > b.b) - (a.b < b.b);
        return 0;
    case CEL_STRING:
    case CEL_BYTES:
        *ret = cmp_mem(a.s, b.s);
        return 0;
    case CEL_TIMESTAMP:
        *ret = a.i != b.i ? (a.i > b.i) - (a.i < b.i) : (a.nsec > b.nsec) - (a.nsec < b.nsec);
        return 0;
    case CEL_DURATION:
        *ret = (a.i > b.i) - (a.i < b.i);
        return 0;
    default:
        return -1;
    }
}

bool cel_equal(cel_value a, cel_value b) {
    if (is_num(a.kind) && is_num(b.kind))
        return cmp_num(a, b) == 0;
    if (a.kind != b.kind)
        return false;
    switch (a.kind) {
    case CEL_NULL:
        return true;
    case CEL_BOOL:
        return a.b == b.b;
    case CEL_STRING:
    case CEL_BYTES:
        return a.s->len == b.s->len && memcmp(a.s->data, b.s->data, a.s->len) == 0;
    case CEL_TIMESTAMP:
        return a.i == b.i && a.nsec == b.nsec;
    case CEL_DURATION:
        return a.i == b.i;
    case CEL_TYPE:
        return a.t == b.t || strcmp(a.t->name, b.t->name) == 0;
    case CEL_LIST:
        if (a.l->n != b.l->n)
            return false;
        for (size_t i = 0; i < a.l->n; i++)
            if (!cel_equal(a.l->v[i], b.l->v[i]))
                return false;
        return true;
    case CEL_MAP:
        if (a.m->n != b.m->n)
            return false;
        for (size_t i = 0; i < a.m->n; i++) {
            const cel_value *v = cel_map_get(b.m, a.m->e[i].k);
            if (!v || !cel_equal(a.m->e[i].v, *v))
                return false;
        }
        return true;
    default:
        return false;
    }
}

/* ---- types ------------------------------------------------------------------------------- */

#define T(var, k, nm) const struct cel_type var = {.kind = k, .name = nm}
T(cel_t_dyn, CT_DYN, "dyn");
T(cel_t_null, CT_NULL, "null_type");
T(cel_t_bool, CT_BOOL, "bool");
T(cel_t_int, CT_INT, "int");
T(cel_t_uint, CT_UINT, "uint");
T(cel_t_double, CT_DOUBLE, "double");
T(cel_t_string, CT_STRING, "string");
T(cel_t_bytes, CT_BYTES, "bytes");
T(cel_t_timestamp, CT_TIMESTAMP, "google.protobuf.Timestamp");
T(cel_t_duration, CT_DURATION, "google.protobuf.Duration");
T(cel_t_error, CT_ERROR, "*error*");
#undef T
const struct cel_type cel_t_list = {.kind = CT_LIST, .name = "list", .p1 = &cel_t_dyn};
const struct cel_type cel_t_map = {
    .kind = CT_MAP, .name = "map", .p1 = &cel_t_dyn, .p2 = &cel_t_dyn};
const struct cel_type cel_t_type = {.kind = CT_TYPE, .name = "type", .p1 = &cel_t_dyn};

const struct cel_type *cel_type_of(cel_value v) {
    static const struct cel_type *const by_kind[] = {
        [CEL_NULL] = &cel_t_null,         [CEL_BOOL] = &cel_t_bool,
        [CEL_INT] = &cel_t_int,           [CEL_UINT] = &cel_t_uint,
        [CEL_DOUBLE] = &cel_t_double,     [CEL_STRING] = &cel_t_string,
        [CEL_BYTES] = &cel_t_bytes,       [CEL_LIST] = &cel_t_list,
        [CEL_MAP] = &cel_t_map,           [CEL_TIMESTAMP] = &cel_t_timestamp,
        [CEL_DURATION] = &cel_t_duration, [CEL_TYPE] = &cel_t_type,
    };
    if (v.kind < DW_ARRAY_SIZE(by_kind) && by_kind[v.kind])
        return by_kind[v.kind];
    return &cel_t_dyn;
}

const struct cel_type *cel_type_by_name(const char *name, size_t len) {
    static const struct cel_type *const all[] = {
        &cel_t_null,  &cel_t_bool, &cel_t_int, &cel_t_uint, &cel_t_double,    &cel_t_string,
        &cel_t_bytes, &cel_t_list, &cel_t_map, &cel_t_type, &cel_t_timestamp, &cel_t_duration,
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(all); i++)
        if (strlen(all[i]->name) == len && memcmp(all[i]->name, name, len) == 0)
            return all[i];
    return NULL;
}

const char *cel_kind_name(enum cel_kind k) {
    static const char *const names[] = {
        [CEL_NULL] = "null_type",      [CEL_BOOL] = "bool",         [CEL_INT] = "int",
        [CEL_UINT] = "uint",           [CEL_DOUBLE] = "double",     [CEL_STRING] = "string",
        [CEL_BYTES] = "bytes",         [CEL_LIST] = "list",         [CEL_MAP] = "map",
        [CEL_TIMESTAMP] = "timestamp", [CEL_DURATION] = "duration", [CEL_TYPE] = "type",
        [CEL_ERROR] = "error",         [CEL_UNKNOWN] = "unknown",   [CEL_ABSENT] = "absent",
    };
    return (unsigned)k < DW_ARRAY_SIZE(names) && names[k] ? names[k] : "?";
}

const char *cel_type_name_of(cel_value v) {
    return cel_type_of(v)->name;
}

bool cel_type_assignable(const struct cel_type *to, const struct cel_type *from) {
    if (to->kind == CT_DYN || from->kind == CT_DYN || from->kind == CT_ERROR ||
        to->kind == CT_ERROR)
        return true;
    if (to->kind == CT_MAP && from->kind == CT_RECORD)
        return true;
    if (to->kind != from->kind)
        return false;
    switch (to->kind) {
    case CT_LIST:
    case CT_TYPE:
        return cel_type_assignable(to->p1, from->p1);
    case CT_MAP:
        return cel_type_assignable(to->p1, from->p1) && cel_type_assignable(to->p2, from->p2);
    case CT_RECORD:
        return strcmp(to->name, from->name) == 0;
    default:
        return true;
    }
}

const char *cel_type_format(const struct cel_type *t, char *buf, size_t size) {
    char a[128], b[128];
    switch (t->kind) {
    case CT_LIST:
        snprintf(buf, size, "list(%s)", cel_type_format(t->p1, a, sizeof(a)));
        break;
    case CT_MAP:
        snprintf(buf, size, "map(%s, %s)", cel_type_format(t->p1, a, sizeof(a)),
                 cel_type_format(t->p2, b, sizeof(b)));
        break;
    case CT_TYPE:
        if (t->p1 && t->p1->kind != CT_DYN)
            snprintf(buf, size, "type(%s)", cel_type_format(t->p1, a, sizeof(a)));
        else
            snprintf(buf, size, "type");
        break;
    case CT_TIMESTAMP:
        snprintf(buf, size, "timestamp");
        break;
    case CT_DURATION:
        snprintf(buf, size, "duration");
        break;
    default:
        snprintf(buf, size, "%s", t->name);
    }
    return buf;
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static cel_value from_json(struct cel_arena *a, const json_t *j, int depth) {
    if (depth > 64)
        return cel_error(a, -1, "JSON nested deeper than 64 levels");
    switch (json_typeof(j)) {
    case JSON_NULL:
        return cel_null();
    case JSON_TRUE:
        return cel_bool(true);
    case JSON_FALSE:
        return cel_bool(false);
    case JSON_INTEGER:
        return cel_int(json_integer_value(j));
    case JSON_REAL:
        return cel_double(json_real_value(j));
    case JSON_STRING:
        return cel_string(a, json_string_value(j), json_string_length(j));
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        cel_value *v = n ? cel_arena_alloc(a, n * sizeof(*v)) : NULL;
        if (n && !v)
            return cel_error(a, -1, "memory limit of the evaluation exceeded");
        for (size_t i = 0; i < n; i++) {
            v[i] = from_json(a, json_array_get(j, i), depth + 1);
            if (v[i].kind == CEL_ERROR)
                return v[i];
        }
        struct cel_list *l = cel_arena_alloc(a, sizeof(*l));
        if (!l)
            return cel_error(a, -1, "memory limit of the evaluation exceeded");
        l->n = n;
        l->v = v;
        return (cel_value){.kind = CEL_LIST, .l = l};
    }
    case JSON_OBJECT: {
        size_t n = json_object_size(j), i = 0;
        struct cel_entry *e = n ? cel_arena_alloc(a, n * sizeof(*e)) : NULL;
        if (n && !e)
            return cel_error(a, -1, "memory limit of the evaluation exceeded");
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v) {
            e[i].k = cel_string(a, k, strlen(k));
            e[i].v = from_json(a, v, depth + 1);
            if (e[i].v.kind == CEL_ERROR)
                return e[i].v;
            if (e[i].k.kind == CEL_ERROR)
                return e[i].k;
            i++;
        }
        return cel_map_new(a, e, i);
    }
    }
    return cel_null();
}

cel_value cel_from_json(struct cel_arena *a, const json_t *j) {
    return from_json(a, j, 0);
}

/* Shortest text that reads back as the same double; decimal between 1e-7 and 1e21. */
static void format_double(double d, char *buf, size_t size) {
    if (isnan(d)) {
        snprintf(buf, size, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(buf, size, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    char tmp[40];
    int p;
    for (p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*e", p - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    int exp = atoi(strchr(tmp, 'e') + 1);
    if (exp < -7 || exp >= 21) {
        snprintf(buf, size, "%s", tmp);
        return;
    }
    int decimals = p - 1 - exp;
    snprintf(buf, size, "%.*f", decimals > 0 ? decimals : 0, d);
}

size_t cel_format_double(double d, char *buf, size_t size);
size_t cel_format_double(double d, char *buf, size_t size) {
    format_double(d, buf, size);
    return strlen(buf);
}

static int put_json_string(struct dw_buf *b, const char *s, size_t n) {
    json_t *j = json_stringn(s, n);
    if (!j)
        return -DW_EINVAL;
    char *t = json_dumps(j, JSON_ENCODE_ANY);
    json_decref(j);
    if (!t)
        return -DW_ENOMEM;
    int r = dw_buf_puts(b, t);
    free(t);
    return r;
}

static int to_json_text(cel_value v, struct dw_buf *b, int depth) {
    char tmp[96];
    if (depth > 64)
        return -DW_ETOOBIG;
    switch (v.kind) {
    case CEL_NULL:
        return dw_buf_puts(b, "null");
    case CEL_BOOL:
        return dw_buf_puts(b, v.b ? "true" : "false");
    case CEL_INT:
        return dw_buf_printf(b, "%" PRId64, v.i);
    case CEL_UINT:
        return dw_buf_printf(b, "%" PRIu64, v.u);
    case CEL_DOUBLE:
        format_double(v.d, tmp, sizeof(tmp));
        if (isnan(v.d) || isinf(v.d))
            return dw_buf_printf(b, "\"%s\"", tmp);
        return dw_buf_puts(b, tmp);
    case CEL_STRING:
        return put_json_string(b, v.s->data, v.s->len);
    case CEL_BYTES: {
        size_t n = sodium_base64_encoded_len(v.s->len, sodium_base64_VARIANT_ORIGINAL);
        char *enc = malloc(n);
        if (!enc)
            return -DW_ENOMEM;
        sodium_bin2base64(enc, n, (const unsigned char *)v.s->data, v.s->len,
                          sodium_base64_VARIANT_ORIGINAL);
        int r = dw_buf_printf(b, "{\"bytes\": \"%s\"}", enc);
        free(enc);
        return r;
    }
    case CEL_TIMESTAMP:
        cel_ts_format(v.i, v.nsec, tmp, sizeof(tmp));
        return dw_buf_printf(b, "\"%s\"", tmp);
    case CEL_DURATION:
        cel_dur_format(v.i, tmp, sizeof(tmp));
        return dw_buf_printf(b, "\"%s\"", tmp);
    case CEL_TYPE:
        return dw_buf_printf(b, "\"%s\"", v.t->name);
    case CEL_LIST: {
        int r = dw_buf_putc(b, '[');
        for (size_t i = 0; r >= 0 && i < v.l->n; i++) {
            if (i)
                r = dw_buf_puts(b, ", ");
            if (r >= 0)
                r = to_json_text(v.l->v[i], b, depth + 1);
        }
        return r < 0 ? r : dw_buf_putc(b, ']');
    }
    case CEL_MAP: {
        int r = dw_buf_putc(b, '{');
        for (size_t i = 0; r >= 0 && i < v.m->n; i++) {
            cel_value k = v.m->e[i].k;
            if (i)
                r = dw_buf_puts(b, ", ");
            if (r < 0)
                break;
            if (k.kind == CEL_STRING) {
                r = put_json_string(b, k.s->data, k.s->len);
            } else {
                struct dw_buf kb;
                dw_buf_init(&kb, 0);
                r = to_json_text(k, &kb, depth + 1);
                if (r >= 0)
                    r = put_json_string(b, kb.data ? kb.data : "", kb.len);
                dw_buf_release(&kb);
            }
            if (r >= 0)
                r = dw_buf_puts(b, ": ");
            if (r >= 0)
                r = to_json_text(v.m->e[i].v, b, depth + 1);
        }
        return r < 0 ? r : dw_buf_putc(b, '}');
    }
    default:
        return -DW_EINVAL;
    }
}

int cel_to_json_text(cel_value v, struct dw_buf *b) {
    return to_json_text(v, b, 0);
}
