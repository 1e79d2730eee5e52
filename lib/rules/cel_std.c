/* The CEL standard library: operators, conversions, string, list and map functions,
 * timestamp and duration accessors, and `matches` (RE2 syntax on PCRE2). One table,
 * cel_overloads[], drives both the type check and dispatch at run time. */
#include "rules/cel_internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pcre2.h>

#define ARGS struct cel_ctx *c, const cel_value *a, int32_t pos
#define ERR(...) cel_error(c->a, pos, __VA_ARGS__)
#define UNUSED_ARGS (void)c, (void)a, (void)pos

static cel_value overflow(struct cel_ctx *c, int32_t pos) {
    return cel_error(c->a, pos, "return error for overflow");
}

/* ---- arithmetic ---------------------------------------------------------------------------- */

static cel_value add_ii(ARGS) {
    int64_t r;
    return __builtin_add_overflow(a[0].i, a[1].i, &r) ? overflow(c, pos) : cel_int(r);
}
static cel_value sub_ii(ARGS) {
    int64_t r;
    return __builtin_sub_overflow(a[0].i, a[1].i, &r) ? overflow(c, pos) : cel_int(r);
}
static cel_value mul_ii(ARGS) {
    int64_t r;
    return __builtin_mul_overflow(a[0].i, a[1].i, &r) ? overflow(c, pos) : cel_int(r);
}
static cel_value div_ii(ARGS) {
    if (a[1].i == 0)
        return ERR("divide by zero");
    if (a[0].i == INT64_MIN && a[1].i == -1)
        return overflow(c, pos);
    return cel_int(a[0].i / a[1].i);
}
static cel_value mod_ii(ARGS) {
    if (a[1].i == 0)
        return ERR("modulus by zero");
    if (a[0].i == INT64_MIN && a[1].i == -1)
        return overflow(c, pos);
    return cel_int(a[0].i % a[1].i);
}
static cel_value neg_i(ARGS) {
    if (a[0].i == INT64_MIN)
        return overflow(c, pos);
    return cel_int(-a[0].i);
}
static cel_value add_uu(ARGS) {
    uint64_t r;
    return __builtin_add_overflow(a[0].u, a[1].u, &r) ? overflow(c, pos) : cel_uint(r);
}
static cel_value sub_uu(ARGS) {
    uint64_t r;
    return __builtin_sub_overflow(a[0].u, a[1].u, &r) ? overflow(c, pos) : cel_uint(r);
}
static cel_value mul_uu(ARGS) {
    uint64_t r;
    return __builtin_mul_overflow(a[0].u, a[1].u, &r) ? overflow(c, pos) : cel_uint(r);
}
static cel_value div_uu(ARGS) {
    return a[1].u == 0 ? ERR("divide by zero") : cel_uint(a[0].u / a[1].u);
}
static cel_value mod_uu(ARGS) {
    return a[1].u == 0 ? ERR("modulus by zero") : cel_uint(a[0].u % a[1].u);
}
static cel_value add_dd(ARGS) {
    UNUSED_ARGS;
    return cel_double(a[0].d + a[1].d);
}
static cel_value sub_dd(ARGS) {
    UNUSED_ARGS;
    return cel_double(a[0].d - a[1].d);
}
static cel_value mul_dd(ARGS) {
    UNUSED_ARGS;
    return cel_double(a[0].d * a[1].d);
}
static cel_value div_dd(ARGS) {
    UNUSED_ARGS;
    return cel_double(a[0].d / a[1].d);
}
static cel_value neg_d(ARGS) {
    UNUSED_ARGS;
    return cel_double(-a[0].d);
}
static cel_value not_b(ARGS) {
    UNUSED_ARGS;
    return cel_bool(!a[0].b);
}

static cel_value concat_str(ARGS) {
    size_t n = a[0].s->len + a[1].s->len;
    if (!cel_charge(c, n / 64))
        return cel_err_cost(c, pos);
    struct cel_str *s = cel_arena_alloc(c->a, sizeof(*s) + n + 1);
    if (!s)
        return cel_err_oom(c, pos);
    memcpy(s->data, a[0].s->data, a[0].s->len);
    memcpy(s->data + a[0].s->len, a[1].s->data, a[1].s->len);
    s->len = n;
    return (cel_value){.kind = a[0].kind, .s = s};
}

static cel_value concat_list(ARGS) {
    size_t n = a[0].l->n + a[1].l->n;
    if (!cel_charge(c, n))
        return cel_err_cost(c, pos);
    cel_value *v = n ? cel_arena_alloc(c->a, n * sizeof(*v)) : NULL;
    struct cel_list *l = cel_arena_alloc(c->a, sizeof(*l));
    if ((n && !v) || !l)
        return cel_err_oom(c, pos);
    if (a[0].l->n)
        memcpy(v, a[0].l->v, a[0].l->n * sizeof(*v));
    if (a[1].l->n)
        memcpy(v + a[0].l->n, a[1].l->v, a[1].l->n * sizeof(*v));
    l->n = n;
    l->v = v;
    return (cel_value){.kind = CEL_LIST, .l = l};
}

/* timestamps and durations */
static cel_value ts_make(struct cel_ctx *c, int32_t pos, int64_t sec, int64_t nsec) {
    sec += nsec / 1000000000;
    nsec %= 1000000000;
    if (nsec < 0) {
        nsec += 1000000000;
        sec--;
    }
    if (sec < CEL_TS_MIN || sec > CEL_TS_MAX)
        return ERR("timestamp out of range");
    return (cel_value){.kind = CEL_TIMESTAMP, .i = sec, .nsec = (int32_t)nsec};
}
static cel_value dur_make(struct cel_ctx *c, int32_t pos, __int128 ns) {
    if (ns > INT64_MAX || ns < INT64_MIN)
        return ERR("duration out of range");
    return (cel_value){.kind = CEL_DURATION, .i = (int64_t)ns};
}
static cel_value add_td(ARGS) {
    const cel_value *t = a[0].kind == CEL_TIMESTAMP ? &a[0] : &a[1];
    const cel_value *d = a[0].kind == CEL_TIMESTAMP ? &a[1] : &a[0];
    return ts_make(c, pos, t->i + d->i / 1000000000, (int64_t)t->nsec + d->i % 1000000000);
}
static cel_value sub_td(ARGS) {
    return ts_make(c, pos, a[0].i - a[1].i / 1000000000, (int64_t)a[0].nsec - a[1].i % 1000000000);
}
static cel_value sub_tt(ARGS) {
    return dur_make(c, pos, ((__int128)a[0].i - a[1].i) * 1000000000 + (a[0].nsec - a[1].nsec));
}
static cel_value add_dur(ARGS) {
    return dur_make(c, pos, (__int128)a[0].i + a[1].i);
}
static cel_value sub_dur(ARGS) {
    return dur_make(c, pos, (__int128)a[0].i - a[1].i);
}
static cel_value neg_dur(ARGS) {
    return dur_make(c, pos, -(__int128)a[0].i);
}

/* ---- comparison, equality, membership, index -------------------------------------------- */

static cel_value cmp_op(struct cel_ctx *c, const cel_value *a, int32_t pos, int op) {
    int r;
    if (cel_compare(a[0], a[1], &r) < 0)
        return ERR("no such overload");
    if (r == 2)
        return cel_bool(false); /* NaN orders with nothing */
    switch (op) {
    case 0:
        return cel_bool(r < 0);
    case 1:
        return cel_bool(r <= 0);
    case 2:
        return cel_bool(r > 0);
    default:
        return cel_bool(r >= 0);
    }
}
static cel_value lt(ARGS) {
    return cmp_op(c, a, pos, 0);
}
static cel_value le(ARGS) {
    return cmp_op(c, a, pos, 1);
}
static cel_value gt(ARGS) {
    return cmp_op(c, a, pos, 2);
}
static cel_value ge(ARGS) {
    return cmp_op(c, a, pos, 3);
}
static cel_value eq(ARGS) {
    UNUSED_ARGS;
    return cel_bool(cel_equal(a[0], a[1]));
}
static cel_value ne(ARGS) {
    UNUSED_ARGS;
    return cel_bool(!cel_equal(a[0], a[1]));
}

static cel_value in_list(ARGS) {
    if (!cel_charge(c, a[1].l->n))
        return cel_err_cost(c, pos);
    for (size_t i = 0; i < a[1].l->n; i++)
        if (cel_equal(a[0], a[1].l->v[i]))
            return cel_bool(true);
    return cel_bool(false);
}
static cel_value in_map(ARGS) {
    UNUSED_ARGS;
    return cel_bool(cel_map_get(a[1].m, a[0]) != NULL);
}

static cel_value index_list(ARGS) {
    int64_t i;
    switch (a[1].kind) {
    case CEL_INT:
        i = a[1].i;
        break;
    case CEL_UINT:
        if (a[1].u > (uint64_t)INT64_MAX)
            return ERR("invalid_argument: index out of range");
        i = (int64_t)a[1].u;
        break;
    case CEL_DOUBLE:
        if (!(a[1].d == trunc(a[1].d)) || fabs(a[1].d) > 9.0e18)
            return ERR("invalid_argument: index %g is not a whole number", a[1].d);
        i = (int64_t)a[1].d;
        break;
    default:
        return ERR("invalid_argument: a list index must be a number, not %s",
                   cel_type_name_of(a[1]));
    }
    if (i < 0 || (uint64_t)i >= a[0].l->n)
        return ERR("invalid_argument: index %" PRId64 " out of range (size %zu)", i, a[0].l->n);
    return a[0].l->v[i];
}
static cel_value index_map(ARGS) {
    const cel_value *v = cel_map_get(a[0].m, a[1]);
    if (v)
        return *v;
    if (a[1].kind == CEL_STRING)
        return ERR("no such key: '%s'", a[1].s->data);
    return ERR("no such key");
}

/* ---- size and strings ------------------------------------------------------------------- */

size_t cel_utf8_len(const char *s, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}
static cel_value size_str(ARGS) {
    UNUSED_ARGS;
    return cel_int((int64_t)cel_utf8_len(a[0].s->data, a[0].s->len));
}
static cel_value size_bytes(ARGS) {
    UNUSED_ARGS;
    return cel_int((int64_t)a[0].s->len);
}
static cel_value size_list(ARGS) {
    UNUSED_ARGS;
    return cel_int((int64_t)a[0].l->n);
}
static cel_value size_map(ARGS) {
    UNUSED_ARGS;
    return cel_int((int64_t)a[0].m->n);
}

static cel_value str_contains(ARGS) {
    if (!cel_charge(c, a[0].s->len / 64))
        return cel_err_cost(c, pos);
    if (a[1].s->len == 0)
        return cel_bool(true);
    return cel_bool(memmem(a[0].s->data, a[0].s->len, a[1].s->data, a[1].s->len) != NULL);
}
static cel_value str_starts(ARGS) {
    UNUSED_ARGS;
    return cel_bool(a[1].s->len <= a[0].s->len &&
                    memcmp(a[0].s->data, a[1].s->data, a[1].s->len) == 0);
}
static cel_value str_ends(ARGS) {
    UNUSED_ARGS;
    return cel_bool(a[1].s->len <= a[0].s->len && memcmp(a[0].s->data + a[0].s->len - a[1].s->len,
                                                         a[1].s->data, a[1].s->len) == 0);
}

/* Regular expressions. RE2 has no backreferences or lookaround and runs in linear time;
 * those constructs are rejected here, and PCRE2's match limit bounds the rest. Compiled
 * patterns are cached per thread. */
struct re_entry {
    char *pat;
    size_t len;
    pcre2_code *code;
    pcre2_match_data *md;
};
static _Thread_local struct re_entry re_cache[16];
static _Thread_local unsigned re_next;

static const char *re2_unsupported(const char *p, size_t n) {
    bool in_class = false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\') {
            if (i + 1 < n && p[i + 1] >= '1' && p[i + 1] <= '9' && !in_class)
                return "backreferences";
            i++;
            continue;
        }
        if (in_class) {
            if (p[i] == ']')
                in_class = false;
            continue;
        }
        if (p[i] == '[') {
            in_class = true;
            if (i + 1 < n && p[i + 1] == ']')
                i++;
            continue;
        }
        if (p[i] == '(' && i + 2 < n && p[i + 1] == '?') {
            char k = p[i + 2];
            if (k == '=' || k == '!' || k == '>')
                return "lookaround and atomic groups";
            if (k == '<' && i + 3 < n && (p[i + 3] == '=' || p[i + 3] == '!'))
                return "lookbehind";
        }
    }
    return NULL;
}

void *cel_regex_compile(const char *pat, size_t n, char *errbuf, size_t errsize) {
    const char *unsup = re2_unsupported(pat, n);
    if (unsup) {
        snprintf(errbuf, errsize, "%s are not part of RE2 syntax", unsup);
        return NULL;
    }
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code =
        pcre2_compile((PCRE2_SPTR)pat, n, PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C, &ec, &eo, NULL);
    if (!code) {
        char msg[200];
        pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, sizeof(msg));
        snprintf(errbuf, errsize, "invalid regular expression at offset %zu: %s", (size_t)eo, msg);
    }
    return code;
}

void cel_regex_free(void *re) {
    pcre2_code_free(re);
}

static struct re_entry *re_get(const char *pat, size_t n, char *errbuf, size_t errsize) {
    for (unsigned i = 0; i < DW_ARRAY_SIZE(re_cache); i++)
        if (re_cache[i].code && re_cache[i].len == n && memcmp(re_cache[i].pat, pat, n) == 0)
            return &re_cache[i];
    pcre2_code *code = cel_regex_compile(pat, n, errbuf, errsize);
    if (!code)
        return NULL;
    struct re_entry *e = &re_cache[re_next++ % DW_ARRAY_SIZE(re_cache)];
    if (e->code) {
        pcre2_code_free(e->code);
        pcre2_match_data_free(e->md);
        free(e->pat);
    }
    e->pat = malloc(n + 1);
    e->md = pcre2_match_data_create_from_pattern(code, NULL);
    if (!e->pat || !e->md) {
        pcre2_code_free(code);
        pcre2_match_data_free(e->md);
        free(e->pat);
        memset(e, 0, sizeof(*e));
        snprintf(errbuf, errsize, "out of memory");
        return NULL;
    }
    memcpy(e->pat, pat, n);
    e->len = n;
    e->code = code;
    return e;
}

static cel_value str_matches(ARGS) {
    char msg[300];
    struct re_entry *e = re_get(a[1].s->data, a[1].s->len, msg, sizeof(msg));
    if (!e)
        return ERR("%s", msg);
    if (!cel_charge(c, a[0].s->len / 16 + 1))
        return cel_err_cost(c, pos);
    static _Thread_local pcre2_match_context *mc;
    if (!mc) {
        mc = pcre2_match_context_create(NULL);
        if (!mc)
            return cel_err_oom(c, pos);
        pcre2_set_match_limit(mc, 1000000);
        pcre2_set_depth_limit(mc, 10000);
    }
    int r = pcre2_match(e->code, (PCRE2_SPTR)a[0].s->data, a[0].s->len, 0, PCRE2_NO_UTF_CHECK,
                        e->md, mc);
    if (r >= 0)
        return cel_bool(true);
    if (r == PCRE2_ERROR_NOMATCH)
        return cel_bool(false);
    return ERR("regular expression too expensive to match");
}

/* ---- conversions ------------------------------------------------------------------------- */

static cel_value identity(ARGS) {
    UNUSED_ARGS;
    return a[0];
}

static cel_value to_int(ARGS) {
    switch (a[0].kind) {
    case CEL_UINT:
        return a[0].u > (uint64_t)INT64_MAX ? ERR("range error: %" PRIu64 " is not an int", a[0].u)
                                            : cel_int((int64_t)a[0].u);
    case CEL_DOUBLE:
        /* the open interval: 2^63 itself and -2^63 are out of range, as in the tests */
        if (!(a[0].d > -9223372036854775808.0 && a[0].d < 9223372036854775808.0))
            return ERR("range error: %g is not an int", a[0].d);
        return cel_int((int64_t)a[0].d);
    case CEL_STRING: {
        const char *s = a[0].s->data;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (!*s || *end || errno || isspace((unsigned char)*s) || a[0].s->len != strlen(s))
            return ERR("cannot convert '%s' to int", s);
        return cel_int(v);
    }
    case CEL_TIMESTAMP:
        return cel_int(a[0].i);
    default:
        return ERR("no such overload");
    }
}

static cel_value to_uint(ARGS) {
    switch (a[0].kind) {
    case CEL_INT:
        return a[0].i < 0 ? ERR("range error: %" PRId64 " is not a uint", a[0].i)
                          : cel_uint((uint64_t)a[0].i);
    case CEL_DOUBLE:
        if (!(a[0].d > -1.0 && a[0].d < 18446744073709551616.0))
            return ERR("range error: %g is not a uint", a[0].d);
        return cel_uint((uint64_t)a[0].d);
    case CEL_STRING: {
        const char *s = a[0].s->data;
        char *end;
        errno = 0;
        if (!*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
            return ERR("cannot convert '%s' to uint", s);
        unsigned long long v = strtoull(s, &end, 10);
        if (*end || errno || a[0].s->len != strlen(s))
            return ERR("cannot convert '%s' to uint", s);
        return cel_uint(v);
    }
    default:
        return ERR("no such overload");
    }
}

static cel_value to_double(ARGS) {
    switch (a[0].kind) {
    case CEL_INT:
        return cel_double((double)a[0].i);
    case CEL_UINT:
        return cel_double((double)a[0].u);
    case CEL_STRING: {
        const char *s = a[0].s->data;
        char *end;
        if (!*s || isspace((unsigned char)*s) || a[0].s->len != strlen(s))
            return ERR("cannot convert '%s' to double", s);
        double d = strtod(s, &end);
        if (*end)
            return ERR("cannot convert '%s' to double", s);
        /* strtod reads hexadecimal and "nan(...)"; CEL accepts decimal, NaN and Infinity */
        if (strpbrk(s, "xX") || (isnan(d) && strcmp(s, "NaN") != 0))
            return ERR("cannot convert '%s' to double", s);
        return cel_double(d);
    }
    default:
        return ERR("no such overload");
    }
}

static cel_value to_string(ARGS) {
    char buf[64];
    switch (a[0].kind) {
    case CEL_INT:
        snprintf(buf, sizeof(buf), "%" PRId64, a[0].i);
        break;
    case CEL_UINT:
        snprintf(buf, sizeof(buf), "%" PRIu64, a[0].u);
        break;
    case CEL_DOUBLE:
        cel_format_double(a[0].d, buf, sizeof(buf));
        break;
    case CEL_BOOL:
        snprintf(buf, sizeof(buf), "%s", a[0].b ? "true" : "false");
        break;
    case CEL_BYTES:
        if (!dw_utf8_valid(a[0].s->data, a[0].s->len, NULL))
            return ERR("invalid UTF-8 in bytes converted to string");
        return cel_string(c->a, a[0].s->data, a[0].s->len);
    case CEL_TIMESTAMP:
        cel_ts_format(a[0].i, a[0].nsec, buf, sizeof(buf));
        break;
    case CEL_DURATION:
        cel_dur_format(a[0].i, buf, sizeof(buf));
        break;
    default:
        return ERR("no such overload");
    }
    cel_value v = cel_string(c->a, buf, strlen(buf));
    return v.kind == CEL_ERROR ? cel_err_oom(c, pos) : v;
}

static cel_value to_bytes(ARGS) {
    cel_value v = cel_bytes(c->a, a[0].s->data, a[0].s->len);
    return v.kind == CEL_ERROR ? cel_err_oom(c, pos) : v;
}

static cel_value to_bool(ARGS) {
    static const char *const t[] = {"1", "t", "true", "TRUE", "True"};
    static const char *const f[] = {"0", "f", "false", "FALSE", "False"};
    for (size_t i = 0; i < DW_ARRAY_SIZE(t); i++) {
        if (strcmp(a[0].s->data, t[i]) == 0)
            return cel_bool(true);
        if (strcmp(a[0].s->data, f[i]) == 0)
            return cel_bool(false);
    }
    return ERR("Type conversion error: cannot convert '%s' to bool", a[0].s->data);
}

static cel_value to_timestamp(ARGS) {
    if (a[0].kind == CEL_INT)
        return ts_make(c, pos, a[0].i, 0);
    int64_t sec;
    int32_t ns;
    int r = cel_ts_parse(a[0].s->data, a[0].s->len, &sec, &ns);
    if (r == -2)
        return ERR("timestamp out of range: '%s'", a[0].s->data);
    if (r < 0)
        return ERR("cannot parse '%s' as an RFC 3339 timestamp", a[0].s->data);
    return (cel_value){.kind = CEL_TIMESTAMP, .i = sec, .nsec = ns};
}

static cel_value to_duration(ARGS) {
    int64_t ns;
    int r = cel_dur_parse(a[0].s->data, a[0].s->len, &ns);
    if (r == -2)
        return ERR("duration out of range: '%s'", a[0].s->data);
    if (r < 0)
        return ERR("cannot parse '%s' as a duration (such as \"1h30m\", \"1.5s\")", a[0].s->data);
    return (cel_value){.kind = CEL_DURATION, .i = ns};
}

static cel_value type_of(ARGS) {
    UNUSED_ARGS;
    return (cel_value){.kind = CEL_TYPE, .t = cel_type_of(a[0])};
}

/* ---- timestamp and duration accessors ------------------------------------------------------ */

enum ts_field {
    F_YEAR,
    F_MONTH,
    F_DATE,
    F_DOM,
    F_DOW,
    F_DOY,
    F_HOURS,
    F_MINUTES,
    F_SECONDS,
    F_MILLIS
};

static cel_value ts_get(struct cel_ctx *c, const cel_value *a, int32_t pos, enum ts_field f,
                        bool tz) {
    int32_t off = 0;
    if (tz && cel_tz_offset(a[1].s->data, a[1].s->len, a[0].i, &off) < 0)
        return ERR("unknown time zone '%s'", a[1].s->data);
    int64_t t = a[0].i + off;
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t rem = t - days * 86400;
    int y;
    unsigned m, d;
    dw_civil_from_days(days, &y, &m, &d);
    switch (f) {
    case F_YEAR:
        return cel_int(y);
    case F_MONTH:
        return cel_int((int64_t)m - 1);
    case F_DATE:
        return cel_int(d);
    case F_DOM:
        return cel_int((int64_t)d - 1);
    case F_DOW:
        return cel_int(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
    case F_DOY:
        return cel_int(days - dw_days_from_civil(y, 1, 1));
    case F_HOURS:
        return cel_int(rem / 3600);
    case F_MINUTES:
        return cel_int(rem / 60 % 60);
    case F_SECONDS:
        return cel_int(rem % 60);
    case F_MILLIS:
        return cel_int(a[0].nsec / 1000000);
    }
    return ERR("no such overload");
}

#define TS_GETTER(name, field)                                                                     \
    static cel_value name(ARGS) {                                                                  \
        return ts_get(c, a, pos, field, false);                                                    \
    }                                                                                              \
    static cel_value name##_tz(ARGS) {                                                             \
        return ts_get(c, a, pos, field, true);                                                     \
    }
TS_GETTER(ts_year, F_YEAR)
TS_GETTER(ts_month, F_MONTH)
TS_GETTER(ts_date, F_DATE)
TS_GETTER(ts_dom, F_DOM)
TS_GETTER(ts_dow, F_DOW)
TS_GETTER(ts_doy, F_DOY)
TS_GETTER(ts_hours, F_HOURS)
TS_GETTER(ts_minutes, F_MINUTES)
TS_GETTER(ts_seconds, F_SECONDS)
TS_GETTER(ts_millis, F_MILLIS)

/* Duration accessors give the whole duration in the unit, truncated; milliseconds is the
 * millisecond part of the second, as cel-go and cel-cpp do. */
static cel_value dur_hours(ARGS) {
    UNUSED_ARGS;
    return cel_int(a[0].i / 3600000000000LL);
}
static cel_value dur_minutes(ARGS) {
    UNUSED_ARGS;
    return cel_int(a[0].i / 60000000000LL);
}
static cel_value dur_seconds(ARGS) {
    UNUSED_ARGS;
    return cel_int(a[0].i / 1000000000LL);
}
static cel_value dur_millis(ARGS) {
    UNUSED_ARGS;
    return cel_int(a[0].i % 1000000000LL / 1000000);
}

/* ---- the table ------------------------------------------------------------------------------- */

#define A K_ANY
#define I CEL_INT
#define U CEL_UINT
#define D CEL_DOUBLE
#define S CEL_STRING
#define B CEL_BYTES
#define L CEL_LIST
#define M CEL_MAP
#define Z CEL_TIMESTAMP
#define R CEL_DURATION
#define O CEL_BOOL
#define G(fn, n, k0, k1, ...)                                                                      \
    { fn, false, n, {k0, k1, 0}, __VA_ARGS__ }
#define RC(fn, n, k0, k1, ...)                                                                     \
    { fn, true, n, {k0, k1, 0}, __VA_ARGS__ }
#define F(t) RT_FIXED, &cel_t_##t
#define CMP(fn, impl)                                                                              \
    G(fn, 2, I, I, F(bool), impl), G(fn, 2, U, U, F(bool), impl), G(fn, 2, D, D, F(bool), impl),   \
        G(fn, 2, I, U, F(bool), impl), G(fn, 2, I, D, F(bool), impl),                              \
        G(fn, 2, U, I, F(bool), impl), G(fn, 2, U, D, F(bool), impl),                              \
        G(fn, 2, D, I, F(bool), impl), G(fn, 2, D, U, F(bool), impl),                              \
        G(fn, 2, S, S, F(bool), impl), G(fn, 2, B, B, F(bool), impl),                              \
        G(fn, 2, O, O, F(bool), impl), G(fn, 2, Z, Z, F(bool), impl),                              \
        G(fn, 2, R, R, F(bool), impl)
#define TSG(fn, impl) RC(fn, 1, Z, 0, F(int), impl), RC(fn, 2, Z, S, F(int), impl##_tz)

const struct cel_overload cel_overloads[] = {
    G("_+_", 2, I, I, F(int), add_ii),
    G("_+_", 2, U, U, F(uint), add_uu),
    G("_+_", 2, D, D, F(double), add_dd),
    G("_+_", 2, S, S, F(string), concat_str),
    G("_+_", 2, B, B, F(bytes), concat_str),
    G("_+_", 2, L, L, RT_ARG0, NULL, concat_list),
    G("_+_", 2, Z, R, F(timestamp), add_td),
    G("_+_", 2, R, Z, F(timestamp), add_td),
    G("_+_", 2, R, R, F(duration), add_dur),
    G("_-_", 2, I, I, F(int), sub_ii),
    G("_-_", 2, U, U, F(uint), sub_uu),
    G("_-_", 2, D, D, F(double), sub_dd),
    G("_-_", 2, Z, Z, F(duration), sub_tt),
    G("_-_", 2, Z, R, F(timestamp), sub_td),
    G("_-_", 2, R, R, F(duration), sub_dur),
    G("_*_", 2, I, I, F(int), mul_ii),
    G("_*_", 2, U, U, F(uint), mul_uu),
    G("_*_", 2, D, D, F(double), mul_dd),
    G("_/_", 2, I, I, F(int), div_ii),
    G("_/_", 2, U, U, F(uint), div_uu),
    G("_/_", 2, D, D, F(double), div_dd),
    G("_%_", 2, I, I, F(int), mod_ii),
    G("_%_", 2, U, U, F(uint), mod_uu),
    G("-_", 1, I, 0, F(int), neg_i),
    G("-_", 1, D, 0, F(double), neg_d),
    G("-_", 1, R, 0, F(duration), neg_dur),
    G("!_", 1, O, 0, F(bool), not_b),
    CMP("_<_", lt),
    CMP("_<=_", le),
    CMP("_>_", gt),
    CMP("_>=_", ge),
    G("_==_", 2, A, A, F(bool), eq),
    G("_!=_", 2, A, A, F(bool), ne),
    G("@in", 2, A, L, F(bool), in_list),
    G("@in", 2, A, M, F(bool), in_map),
    G("_[_]", 2, L, I, RT_ELEM0, NULL, index_list),
    G("_[_]", 2, L, U, RT_ELEM0, NULL, index_list),
    G("_[_]", 2, L, D, RT_ELEM0, NULL, index_list),
    G("_[_]", 2, M, A, RT_ELEM0, NULL, index_map),
    G("size", 1, S, 0, F(int), size_str),
    G("size", 1, B, 0, F(int), size_bytes),
    G("size", 1, L, 0, F(int), size_list),
    G("size", 1, M, 0, F(int), size_map),
    RC("size", 1, S, 0, F(int), size_str),
    RC("size", 1, B, 0, F(int), size_bytes),
    RC("size", 1, L, 0, F(int), size_list),
    RC("size", 1, M, 0, F(int), size_map),
    RC("contains", 2, S, S, F(bool), str_contains),
    RC("startsWith", 2, S, S, F(bool), str_starts),
    RC("endsWith", 2, S, S, F(bool), str_ends),
    RC("matches", 2, S, S, F(bool), str_matches),
    G("matches", 2, S, S, F(bool), str_matches),
    G("int", 1, I, 0, F(int), identity),
    G("int", 1, U, 0, F(int), to_int),
    G("int", 1, D, 0, F(int), to_int),
    G("int", 1, S, 0, F(int), to_int),
    G("int", 1, Z, 0, F(int), to_int),
    G("uint", 1, U, 0, F(uint), identity),
    G("uint", 1, I, 0, F(uint), to_uint),
    G("uint", 1, D, 0, F(uint), to_uint),
    G("uint", 1, S, 0, F(uint), to_uint),
    G("double", 1, D, 0, F(double), identity),
    G("double", 1, I, 0, F(double), to_double),
    G("double", 1, U, 0, F(double), to_double),
    G("double", 1, S, 0, F(double), to_double),
    G("string", 1, S, 0, F(string), identity),
    G("string", 1, I, 0, F(string), to_string),
    G("string", 1, U, 0, F(string), to_string),
    G("string", 1, D, 0, F(string), to_string),
    G("string", 1, O, 0, F(string), to_string),
    G("string", 1, B, 0, F(string), to_string),
    G("string", 1, Z, 0, F(string), to_string),
    G("string", 1, R, 0, F(string), to_string),
    G("bytes", 1, B, 0, F(bytes), identity),
    G("bytes", 1, S, 0, F(bytes), to_bytes),
    G("bool", 1, O, 0, F(bool), identity),
    G("bool", 1, S, 0, F(bool), to_bool),
    G("timestamp", 1, Z, 0, F(timestamp), identity),
    G("timestamp", 1, S, 0, F(timestamp), to_timestamp),
    G("timestamp", 1, I, 0, F(timestamp), to_timestamp),
    G("duration", 1, R, 0, F(duration), identity),
    G("duration", 1, S, 0, F(duration), to_duration),
    G("type", 1, A, 0, RT_TYPE_OF0, NULL, type_of),
    G("dyn", 1, A, 0, RT_DYN, NULL, identity),
    TSG("getFullYear", ts_year),
    TSG("getMonth", ts_month),
    TSG("getDate", ts_date),
    TSG("getDayOfMonth", ts_dom),
    TSG("getDayOfWeek", ts_dow),
    TSG("getDayOfYear", ts_doy),
    TSG("getHours", ts_hours),
    TSG("getMinutes", ts_minutes),
    TSG("getSeconds", ts_seconds),
    TSG("getMilliseconds", ts_millis),
    RC("getHours", 1, R, 0, F(int), dur_hours),
    RC("getMinutes", 1, R, 0, F(int), dur_minutes),
    RC("getSeconds", 1, R, 0, F(int), dur_seconds),
    RC("getMilliseconds", 1, R, 0, F(int), dur_millis),
};
const size_t cel_n_overloads = DW_ARRAY_SIZE(cel_overloads);

size_t cel_overloads_find(const char *fn, bool receiver, int nargs, const struct cel_overload **out,
                          size_t cap) {
    size_t k = 0;
    for (size_t i = 0; i < cel_n_overloads && k < cap; i++) {
        const struct cel_overload *o = &cel_overloads[i];
        if (o->receiver == receiver && o->nargs == nargs && strcmp(o->fn, fn) == 0)
            out[k++] = o;
    }
    return k;
}

bool cel_function_known(const char *fn) {
    for (size_t i = 0; i < cel_n_overloads; i++)
        if (strcmp(cel_overloads[i].fn, fn) == 0)
            return true;
    return false;
}
