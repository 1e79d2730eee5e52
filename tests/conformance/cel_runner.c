/* Runs cel-spec's conformance tests (the JSON form of testdata/NAME.textproto) against the
 * CEL module: parse, check (unless disable_check), evaluate with the test's bindings, and
 * compare with the expected value or error. Prints passed / failed / skipped per file,
 * every skip counted by reason, and fails below 98 % of the non-skipped tests.
 *
 *   cel-conformance DIR [FILE ...] [-v]     FILE without .json; default: the list
 *
 * An expected error matches any evaluation or check error: the spec fixes that an error
 * happens, not its wording. A test is skipped only when it needs protobuf message types
 * (cel.expr.conformance.proto2/proto3 messages, google.protobuf wrappers and Any), which
 * dealwright does not implement. */
#include "rules/cel_internal.h"

#include <math.h>
#include <sodium.h>

static const char *const default_files[] = {
    "basic",   "comparisons", "logic",  "integer_math", "fp_math",  "string", "lists", "macros",
    "macros2", "conversions", "fields", "timestamps",   "plumbing", "parse",  NULL};

static bool verbose;

/* ---- JSON (the conformance Value message) to CEL ------------------------------------------ */

static const json_t *unwrap1(const json_t *j) { /* the converter wraps some messages in [x] */
    if (json_is_array(j) && json_array_size(j) == 1)
        return json_array_get(j, 0);
    return j;
}

/* 0 ok, 1 skip (protobuf message), -1 malformed. */
static int value_from(struct cel_arena *a, const json_t *j, cel_value *out, const char **why) {
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)j, k, v) {
        if (strcmp(k, "null_value") == 0) {
            *out = cel_null();
        } else if (strcmp(k, "bool_value") == 0) {
            *out = cel_bool(json_is_true(v));
        } else if (strcmp(k, "int64_value") == 0) {
            *out = cel_int(json_is_string(v) ? strtoll(json_string_value(v), NULL, 10)
                                             : json_integer_value(v));
        } else if (strcmp(k, "uint64_value") == 0) {
            *out = cel_uint(json_is_string(v) ? strtoull(json_string_value(v), NULL, 10)
                                              : (uint64_t)json_integer_value(v));
        } else if (strcmp(k, "double_value") == 0) {
            if (json_is_string(v)) {
                const char *s = json_string_value(v);
                *out = cel_double(strcmp(s, "NaN") == 0         ? NAN
                                  : strcmp(s, "-Infinity") == 0 ? -INFINITY
                                  : strcmp(s, "Infinity") == 0  ? INFINITY
                                                                : strtod(s, NULL));
            } else {
                *out = cel_double(json_number_value(v));
            }
        } else if (strcmp(k, "string_value") == 0) {
            *out = cel_string(a, json_string_value(v), json_string_length(v));
        } else if (strcmp(k, "bytes_value") == 0) {
            const char *b64 = dw_json_str(v, "base64");
            size_t n = b64 ? strlen(b64) : 0;
            unsigned char *buf = cel_arena_alloc(a, n + 1);
            size_t len = 0;
            if (!b64 || sodium_base642bin(buf, n + 1, b64, n, NULL, &len, NULL,
                                          sodium_base64_VARIANT_ORIGINAL) != 0)
                return -1;
            *out = cel_bytes(a, buf, len);
        } else if (strcmp(k, "list_value") == 0) {
            const json_t *vals = json_object_get(v, "values");
            size_t n = json_array_size(vals);
            cel_value *items = cel_arena_alloc(a, (n ? n : 1) * sizeof(*items));
            for (size_t i = 0; i < n; i++) {
                int r = value_from(a, json_array_get(vals, i), &items[i], why);
                if (r)
                    return r;
            }
            *out = cel_list_new(a, items, n);
        } else if (strcmp(k, "map_value") == 0) {
            const json_t *entries = json_object_get(unwrap1(v), "entries");
            size_t n = json_array_size(entries);
            struct cel_entry *e = cel_arena_alloc(a, (n ? n : 1) * sizeof(*e));
            for (size_t i = 0; i < n; i++) {
                const json_t *en = json_array_get(entries, i);
                int r = value_from(a, json_object_get(en, "key"), &e[i].k, why);
                if (!r)
                    r = value_from(a, json_object_get(en, "value"), &e[i].v, why);
                if (r)
                    return r;
            }
            *out = cel_map_new(a, e, n);
        } else if (strcmp(k, "type_value") == 0) {
            const char *name = json_string_value(v);
            const struct cel_type *t = cel_type_by_name(name, strlen(name));
            if (!t) {
                *why = "protobuf message types";
                return 1;
            }
            *out = (cel_value){.kind = CEL_TYPE, .t = t};
        } else if (strcmp(k, "object_value") == 0) {
            const char *type = dw_json_str(v, "@type");
            const json_t *inner = json_object_get(v, "value");
            if (type && strcmp(type, "type.googleapis.com/google.protobuf.Duration") == 0 &&
                json_is_object(inner)) {
                int64_t s = dw_json_int(inner, "seconds", 0), ns = dw_json_int(inner, "nanos", 0);
                *out = (cel_value){.kind = CEL_DURATION, .i = s * 1000000000 + ns};
            } else if (type && strcmp(type, "type.googleapis.com/google.protobuf.Timestamp") == 0 &&
                       json_is_object(inner)) {
                *out = (cel_value){.kind = CEL_TIMESTAMP,
                                   .i = dw_json_int(inner, "seconds", 0),
                                   .nsec = (int32_t)dw_json_int(inner, "nanos", 0)};
            } else {
                *why = "protobuf message types";
                return 1;
            }
        } else if (strcmp(k, "enum_value") == 0) {
            *why = "protobuf message types";
            return 1;
        } else {
            continue;
        }
        return out->kind == CEL_ERROR ? -1 : 0;
    }
    return -1;
}

/* A type_env declaration to a type spec; 1 when it names a protobuf message. */
static int type_spec(const json_t *t, char *buf, size_t size) {
    t = unwrap1(t);
    const char *prim = dw_json_str(t, "primitive");
    if (prim) {
        static const char *const map[][2] = {{"BOOL", "bool"},     {"INT64", "int"},
                                             {"UINT64", "uint"},   {"DOUBLE", "double"},
                                             {"STRING", "string"}, {"BYTES", "bytes"}};
        for (size_t i = 0; i < DW_ARRAY_SIZE(map); i++)
            if (strcmp(prim, map[i][0]) == 0) {
                snprintf(buf, size, "%s", map[i][1]);
                return 0;
            }
        return -1;
    }
    if (json_object_get(t, "null")) {
        snprintf(buf, size, "null_type");
        return 0;
    }
    if (json_object_get(t, "dyn")) {
        snprintf(buf, size, "dyn");
        return 0;
    }
    const char *wk = dw_json_str(t, "well_known");
    const char *msg = dw_json_str(t, "message_type");
    if ((wk && strcmp(wk, "DURATION") == 0) ||
        (msg && strcmp(msg, "google.protobuf.Duration") == 0)) {
        snprintf(buf, size, "duration");
        return 0;
    }
    if ((wk && strcmp(wk, "TIMESTAMP") == 0) ||
        (msg && strcmp(msg, "google.protobuf.Timestamp") == 0)) {
        snprintf(buf, size, "timestamp");
        return 0;
    }
    if (msg || wk)
        return 1;
    const json_t *lt = json_object_get(t, "list_type");
    if (lt) {
        char e[200];
        int r = type_spec(json_object_get(unwrap1(lt), "elem_type"), e, sizeof(e));
        if (r)
            return r;
        snprintf(buf, size, "list(%s)", e);
        return 0;
    }
    const json_t *mt = json_object_get(t, "map_type");
    if (mt) {
        char kb[120], vb[120];
        mt = unwrap1(mt);
        int r = type_spec(json_object_get(mt, "key_type"), kb, sizeof(kb));
        if (!r)
            r = type_spec(json_object_get(mt, "value_type"), vb, sizeof(vb));
        if (r)
            return r;
        snprintf(buf, size, "map(%s, %s)", kb, vb);
        return 0;
    }
    return -1;
}

/* Strict equality for checking results: kinds must agree (1 is not 1u), NaN equals NaN. */
static bool same(cel_value a, cel_value b) {
    if (a.kind != b.kind)
        return false;
    switch (a.kind) {
    case CEL_DOUBLE:
        if (isnan(a.d) || isnan(b.d))
            return isnan(a.d) && isnan(b.d);
        return a.d == b.d && signbit(a.d) == signbit(b.d);
    case CEL_LIST:
        if (a.l->n != b.l->n)
            return false;
        for (size_t i = 0; i < a.l->n; i++)
            if (!same(a.l->v[i], b.l->v[i]))
                return false;
        return true;
    case CEL_MAP:
        if (a.m->n != b.m->n)
            return false;
        for (size_t i = 0; i < a.m->n; i++) {
            const cel_value *v = cel_map_get(b.m, a.m->e[i].k);
            if (!v || !same(a.m->e[i].v, *v))
                return false;
        }
        return true;
    default:
        return cel_equal(a, b);
    }
}

static void show(const char *label, cel_value v) {
    struct dw_buf b;
    dw_buf_init(&b, 1 << 20);
    if (v.kind == CEL_ERROR)
        printf("      %s error: %s\n", label, v.e ? v.e->msg : "?");
    else if (cel_to_json_text(v, &b) >= 0)
        printf("      %s %s: %s\n", label, cel_type_name_of(v), b.data ? b.data : "");
    else
        printf("      %s %s\n", label, cel_kind_name(v.kind));
    dw_buf_release(&b);
}

struct counts {
    int pass, fail, skip;
    char reasons[8][64];
    int reason_n[8];
    int n_reasons;
};

static void count_skip(struct counts *c, const char *why) {
    c->skip++;
    for (int i = 0; i < c->n_reasons; i++)
        if (strcmp(c->reasons[i], why) == 0) {
            c->reason_n[i]++;
            return;
        }
    if (c->n_reasons < 8) {
        snprintf(c->reasons[c->n_reasons], 64, "%s", why);
        c->reason_n[c->n_reasons++] = 1;
    }
}

/* Whether a test needs protobuf messages, from its text alone. */
static const char *needs_proto(const json_t *t) {
    const char *container = dw_json_str(t, "container");
    if (container && strstr(container, "conformance.proto"))
        return "protobuf message types";
    const char *expr = dw_json_str(t, "expr");
    static const char *const marks[] = {"TestAllTypes",
                                        "NestedTestAllTypes",
                                        "NestedMessage",
                                        "NestedEnum",
                                        "GlobalEnum",
                                        "google.protobuf.Any",
                                        "google.protobuf.Struct",
                                        "google.protobuf.Value",
                                        "google.protobuf.ListValue",
                                        "Value{",
                                        "Wrapper"};
    for (size_t i = 0; expr && i < DW_ARRAY_SIZE(marks); i++)
        if (strstr(expr, marks[i]))
            return "protobuf message types";
    return NULL;
}

static void run_test(const json_t *t, const char *file, const char *section, struct counts *cnt) {
    const char *name = dw_json_str(t, "name"), *expr = dw_json_str(t, "expr");
    const char *why = needs_proto(t);
    if (why) {
        count_skip(cnt, why);
        return;
    }
    struct cel_arena arena;
    cel_arena_init(&arena, 0);
    struct cel_env *env = cel_env_new();
    struct dw_error err = {0};
    const char *container = dw_json_str(t, "container");
    if (container)
        cel_env_set_container(env, container, &err);
    const json_t *decl;
    size_t i;
    int skip = 0;
    json_array_foreach(json_object_get(t, "type_env"), i, decl) {
        const json_t *ident = json_object_get(decl, "ident");
        if (!ident)
            continue; /* function declarations: the library's own */
        char spec[256];
        int r = type_spec(json_object_get(ident, "type"), spec, sizeof(spec));
        if (r == 1)
            skip = 1;
        else if (r == 0)
            cel_env_declare(env, dw_json_str(decl, "name"), spec, &err);
    }
    struct cel_activation act;
    cel_activation_init(&act, env);
    const json_t *b;
    json_array_foreach(json_object_get(t, "bindings"), i, b) {
        cel_value v;
        const json_t *val = json_object_get(json_object_get(b, "value"), "value");
        int r = val ? value_from(&arena, val, &v, &why) : 1;
        if (r) {
            skip = 1;
            break;
        }
        cel_activation_bind(&act, dw_json_str(b, "key"), v);
    }
    cel_value expected = {.kind = CEL_ABSENT};
    bool want_error = json_object_get(t, "eval_error") || json_object_get(t, "any_eval_errors");
    const json_t *ev = json_object_get(t, "value");
    if (!skip && ev && value_from(&arena, ev, &expected, &why) != 0)
        skip = 1;
    if (!want_error && !ev && !skip)
        expected = cel_bool(true); /* the default result is true */
    if (skip) {
        count_skip(cnt, why ? why : "protobuf message types");
        goto out;
    }
    unsigned flags = 0;
    if (json_is_true(json_object_get(t, "disable_check")))
        flags |= CEL_NO_CHECK;
    if (json_is_true(json_object_get(t, "disable_macros")))
        flags |= CEL_NO_MACROS;
    struct cel_program *p = NULL;
    int r = cel_compile(env, expr, json_string_length(json_object_get(t, "expr")), flags, &p, &err);
    cel_value got;
    if (r < 0)
        got = cel_error(&arena, -1, "%d:%d: %s", err.line, err.col, err.msg);
    else
        got = cel_eval(p, &act, &arena);
    bool ok = want_error ? got.kind == CEL_ERROR : same(got, expected);
    if (ok) {
        cnt->pass++;
    } else {
        cnt->fail++;
        if (verbose) {
            printf("  FAIL %s/%s/%s: %s\n", file, section, name, expr);
            if (want_error)
                printf("      want an error\n");
            else
                show("want", expected);
            show("got ", got);
        }
    }
    cel_program_free(p);
out:
    cel_activation_release(&act);
    cel_env_free(env);
    cel_arena_release(&arena);
}

int main(int argc, char **argv) {
    const char *dir = NULL;
    const char *files[64];
    int nf = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = true;
        else if (!dir)
            dir = argv[i];
        else if (nf < 63)
            files[nf++] = argv[i];
    }
    if (!dir) {
        fprintf(stderr, "usage: cel-conformance DIR [FILE ...] [-v]\n");
        return 2;
    }
    if (!nf)
        for (; default_files[nf]; nf++)
            files[nf] = default_files[nf];
    struct counts total = {0};
    printf("%-14s %6s %6s %6s  %s\n", "file", "passed", "failed", "skipped", "skip reasons");
    for (int f = 0; f < nf; f++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s.json", dir, files[f]);
        json_error_t je;
        json_t *doc = json_load_file(path, JSON_ALLOW_NUL, &je);
        if (!doc) {
            fprintf(stderr, "%s:%d:%d: %s\n", path, je.line, je.column, je.text);
            return 2;
        }
        struct counts cnt = {0};
        const json_t *sec, *t;
        size_t i, k;
        json_array_foreach(json_object_get(doc, "section"), i, sec) {
            json_array_foreach(json_object_get(sec, "test"), k, t)
                run_test(t, files[f], dw_json_str(sec, "name"), &cnt);
        }
        printf("%-14s %6d %6d %6d ", files[f], cnt.pass, cnt.fail, cnt.skip);
        for (int r = 0; r < cnt.n_reasons; r++) {
            printf(" %s: %d", cnt.reasons[r], cnt.reason_n[r]);
            for (int n = 0; n < cnt.reason_n[r]; n++)
                count_skip(&total, cnt.reasons[r]);
        }
        printf("\n");
        total.pass += cnt.pass;
        total.fail += cnt.fail;
        json_decref(doc);
    }
    int run = total.pass + total.fail;
    double pct = run ? 100.0 * total.pass / run : 0;
    printf("%-14s %6d %6d %6d ", "total", total.pass, total.fail, total.skip);
    for (int r = 0; r < total.n_reasons; r++)
        printf(" %s: %d", total.reasons[r], total.reason_n[r]);
    printf("\n%.2f %% of %d non-skipped tests pass (goal: 98 %%)\n", pct, run);
    return pct >= 98.0 ? 0 : 1;
}
