/* CEL beyond the conformance suite: limits, error positions, the type check against
 * declared records, JSON mapping, unknowns, regular-expression guards, time zones past the
 * last transition, and one compiled program evaluated from two threads at once. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "rules/cel.h"

/* Evaluate src with no variables; the JSON text of the result or "error: MSG". */
static char *eval_text(const char *src) {
    struct cel_env *env = cel_env_new();
    struct cel_arena a;
    cel_arena_init(&a, 0);
    struct cel_program *p = NULL;
    struct dw_error err = {0};
    struct dw_buf b;
    dw_buf_init(&b, 0);
    if (cel_compile(env, src, strlen(src), 0, &p, &err) < 0) {
        dw_buf_printf(&b, "compile %d:%d: %s", err.line, err.col, err.msg);
    } else {
        struct cel_activation act;
        cel_activation_init(&act, env);
        cel_value v = cel_eval(p, &act, &a);
        if (v.kind == CEL_ERROR)
            dw_buf_printf(&b, "error: %s", v.e->msg);
        else
            assert_int_equal(cel_to_json_text(v, &b), 0);
        cel_activation_release(&act);
    }
    cel_program_free(p);
    cel_arena_release(&a);
    cel_env_free(env);
    return dw_buf_steal(&b);
}

#define assert_eval(src, want)                                                                     \
    do {                                                                                           \
        char *got_ = eval_text(src);                                                               \
        if (strcmp(got_, (want)) != 0)                                                             \
            fail_msg("%s\n  want %s\n  got  %s", (src), (want), got_);                             \
        free(got_);                                                                                \
    } while (0)

#define assert_eval_prefix(src, want)                                                              \
    do {                                                                                           \
        char *got_ = eval_text(src);                                                               \
        if (strncmp(got_, (want), strlen(want)) != 0)                                              \
            fail_msg("%s\n  want %s...\n  got  %s", (src), (want), got_);                          \
        free(got_);                                                                                \
    } while (0)

static void test_json_mapping(void **state) {
    assert_eval("18446744073709551615u", "18446744073709551615");
    assert_eval("-9223372036854775808", "-9223372036854775808");
    assert_eval("1.5", "1.5");
    assert_eval("0.1 + 0.2", "0.30000000000000004");
    assert_eval("1e21", "1e+21");
    assert_eval("1500000.0", "1500000");
    assert_eval("0.0 / 0.0", "\"NaN\"");
    assert_eval("-1.0 / 0.0", "\"-Infinity\"");
    assert_eval("b'\\xff\\x00'", "{\"bytes\": \"/wA=\"}");
    assert_eval("timestamp('2026-11-24T10:00:00.250+01:00')", "\"2026-11-24T09:00:00.25Z\"");
    assert_eval("duration('1h30m1.5s')", "\"5401.5s\"");
    assert_eval("duration('-1.5s')", "\"-1.5s\"");
    assert_eval("{1: 'a', true: [null]}", "{\"1\": \"a\", \"true\": [null]}");
    assert_eval("type([])", "\"list\"");
    assert_eval("string(4.5e-3)", "\"0.0045\"");
}

static void test_errors_and_positions(void **state) {
    assert_eval("1 + ", "compile 1:5: the expression ends where a value is expected");
    assert_eval("1 +\n  'a'", "compile 1:3: found no matching overload for '+' applied to "
                              "'(int, string)'");
    assert_eval("[1, 2", "compile 1:6: expected ']' but the expression ended");
    assert_eval("a.b", "compile 1:1: undeclared reference to 'a' (in container '')");
    assert_eval("while", "compile 1:1: 'while' is a reserved word");
    assert_eval("'abc", "compile 1:1: unterminated string literal");
    assert_eval("'\\q'", "compile 1:2: invalid escape sequence '\\q'");
    assert_eval("9223372036854775808", "compile 1:1: integer literal out of range");
    assert_eval("Foo{a: 1}", "compile 1:4: message construction 'Foo{...}' needs protobuf "
                             "message types, which are not supported");
    assert_eval("1 / 0", "error: divide by zero");
    assert_eval("9223372036854775807 + 1", "error: return error for overflow");
    assert_eval("{'a': 1}.b", "error: no such key: 'b'");
    assert_eval("[1][5]", "error: invalid_argument: index 5 out of range (size 1)");
    /* the error value keeps the byte offset of the failing operator */
    struct cel_env *env = cel_env_new();
    struct cel_program *p = NULL;
    struct dw_error err = {0};
    assert_int_equal(cel_compile(env, "1 + 2 / 0 > 1", 13, 0, &p, &err), 0);
    struct cel_arena a;
    cel_arena_init(&a, 0);
    assert_true(cel_eval_bool(p, NULL, &a, &err) < 0);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 7);
    cel_program_free(p);
    cel_arena_release(&a);
    cel_env_free(env);
}

static void test_absorption(void **state) {
    assert_eval("1 / 0 > 1 || true", "true");
    assert_eval("false && 1 / 0 > 1", "false");
    assert_eval("1 / 0 > 1 && true", "error: divide by zero");
    assert_eval("true ? 1 : 1 / 0", "1");
    assert_eval("[1, 0].exists(x, 1 / x > 0)", "true");
    assert_eval("[0, 1].all(x, 1 / x > 5)", "false");
    /* unknowns win over errors and lose to a decisive value */
    struct cel_env *env = cel_env_new();
    struct dw_error err = {0};
    assert_int_equal(cel_env_declare(env, "x", "bool", &err), 0);
    struct cel_program *p = NULL;
    const char *src = "x || 1 / 0 > 1";
    assert_int_equal(cel_compile(env, src, strlen(src), 0, &p, &err), 0);
    struct cel_activation act;
    cel_activation_init(&act, env);
    assert_int_equal(cel_activation_bind_unknown(&act, "x"), 0);
    struct cel_arena a;
    cel_arena_init(&a, 0);
    assert_int_equal(cel_eval(p, &act, &a).kind, CEL_UNKNOWN);
    cel_program_free(p);
    src = "true || x";
    assert_int_equal(cel_compile(env, src, strlen(src), 0, &p, &err), 0);
    cel_value v = cel_eval(p, &act, &a);
    assert_int_equal(v.kind, CEL_BOOL);
    assert_true(v.b);
    cel_program_free(p);
    cel_activation_release(&act);
    cel_arena_release(&a);
    cel_env_free(env);
}

static void test_limits(void **state) {
    struct cel_env *env = cel_env_new();
    struct cel_limits lim = {.max_expr_bytes = 64, .max_depth = 8, .max_cost = 1000};
    cel_env_set_limits(env, &lim);
    struct cel_program *p = NULL;
    struct dw_error err = {0};
    char big[100];
    memset(big, '1', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(cel_compile(env, big, strlen(big), 0, &p, &err), -DW_ETOOBIG);
    const char *deep = "((((((((((1))))))))))";
    assert_int_equal(cel_compile(env, deep, strlen(deep), 0, &p, &err), -DW_EPARSE);
    assert_non_null(strstr(err.msg, "nested more than 8 levels"));
    /* a cost bound stops a quadratic comprehension */
    const char *slow = "[1,2,3,4,5,6,7,8,9,10].all(x, [1,2,3,4,5,6,7,8,9,10].all(y, "
                       "[1,2,3,4,5,6,7,8,9,10].all(z, true)))";
    lim.max_expr_bytes = 1000;
    lim.max_depth = 16;
    cel_env_set_limits(env, &lim);
    assert_int_equal(cel_compile(env, slow, strlen(slow), 0, &p, &err), 0);
    struct cel_arena a;
    cel_arena_init(&a, 0);
    cel_value v = cel_eval(p, NULL, &a);
    assert_int_equal(v.kind, CEL_ERROR);
    assert_non_null(strstr(v.e->msg, "cost limit"));
    cel_program_free(p);
    /* the arena's limit stops memory growth: an error, not a crash */
    struct cel_arena small;
    cel_arena_init(&small, 1024);
    const char *grow = "[1,2,3,4,5,6,7,8,9,10].map(x, 'abcdefghijklmnopqrstuvwxyz' + "
                       "'abcdefghijklmnopqrstuvwxyz' + 'abcdefghijklmnopqrstuvwxyz')";
    assert_int_equal(cel_compile(env, grow, strlen(grow), 0, &p, &err), 0);
    v = cel_eval(p, NULL, &small);
    assert_int_equal(v.kind, CEL_ERROR);
    assert_non_null(strstr(v.e->msg, "memory limit"));
    cel_program_free(p);
    cel_arena_release(&small);
    cel_arena_release(&a);
    cel_env_free(env);
}

static void test_records(void **state) {
    struct cel_env *env = cel_env_new();
    struct dw_error err = {0};
    assert_int_equal(cel_env_declare_record(env, "Line", "sku: string, qty: int", &err), 0);
    assert_int_equal(cel_env_declare_record(env, "Quote", "total: double, lines: list(Line)", &err),
                     0);
    assert_int_equal(cel_env_declare(env, "quote", "Quote", &err), 0);
    assert_int_equal(cel_env_declare(env, "quote", "Nope", &err), -DW_EINVAL);
    struct cel_program *p = NULL;
    const char *ok = "quote.total > 10.0 && quote.lines.exists(l, l.sku == 'A' && l.qty > 1)";
    assert_int_equal(cel_compile(env, ok, strlen(ok), 0, &p, &err), 0);
    char type[32];
    assert_string_equal(cel_program_result_type(p, type, sizeof type), "bool");
    struct cel_arena a;
    cel_arena_init(&a, 0);
    json_t *j = json_loads("{\"total\": 12.5, \"lines\": [{\"sku\": \"A\", \"qty\": 2}]}", 0, NULL);
    struct cel_activation act;
    cel_activation_init(&act, env);
    cel_activation_bind(&act, "quote", cel_from_json(&a, j));
    assert_int_equal(cel_eval_bool(p, &act, &a, &err), 1);
    cel_program_free(p);
    json_decref(j);
    const char *typo = "quote.lines.exists(l, l.skux == 'A')";
    assert_int_equal(cel_compile(env, typo, strlen(typo), 0, &p, &err), -DW_EVALIDATE);
    assert_int_equal(err.col, 25);
    assert_string_equal(err.msg, "'Line' has no field 'skux' (fields: qty, sku)");
    const char *bad = "quote.total > 'x'";
    assert_int_equal(cel_compile(env, bad, strlen(bad), 0, &p, &err), -DW_EVALIDATE);
    assert_int_equal(err.col, 13);
    cel_activation_release(&act);
    cel_arena_release(&a);
    cel_env_free(env);
}

static void test_regex(void **state) {
    assert_eval("'abc'.matches('^a.c$')", "true");
    assert_eval("'Straße'.matches('^Stra.e$')", "true");
    assert_eval_prefix("'aa'.matches('(a)\\\\1')", "error: backreferences are not part of RE2");
    assert_eval_prefix("'ab'.matches('a(?=b)')", "error: lookaround");
    assert_eval_prefix("'a'.matches('(')", "error: invalid regular expression");
    /* a pattern that backtracks exponentially is stopped by the match limit */
    assert_eval_prefix(
        "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab'.matches('^(a|a?)+$')",
        "error: regular expression too expensive");
}

static void test_time_zones(void **state) {
    /* Berlin in summer 2050: past the tzdata table's last transition, from the POSIX rule */
    assert_eval("timestamp('2050-07-01T12:00:00Z').getHours('Europe/Berlin')", "14");
    assert_eval("timestamp('2050-01-01T12:00:00Z').getHours('Europe/Berlin')", "13");
    assert_eval("timestamp('2026-03-29T00:59:59Z').getHours('Europe/Berlin')", "1");
    assert_eval("timestamp('2026-03-29T01:00:00Z').getHours('Europe/Berlin')", "3");
    assert_eval("timestamp('2026-11-24T12:00:00Z').getHours('America/New_York')", "7");
    assert_eval("timestamp('2026-11-24T12:00:00Z').getMinutes('+05:45')", "45");
    assert_eval_prefix("timestamp('2026-11-24T12:00:00Z').getHours('../../etc/passwd')",
                       "error: unknown time zone");
    assert_eval_prefix("timestamp('2026-11-24T12:00:00Z').getHours('Mars/Olympus')",
                       "error: unknown time zone");
    /* a zone name is a name under the zone database, never a path out of it */
    assert_eval_prefix("timestamp('2026-11-24T12:00:00Z').getHours('Europe/../Europe/Berlin')",
                       "error: unknown time zone");
    assert_eval_prefix("timestamp('2026-11-24T12:00:00Z').getHours('/usr/share/zoneinfo/UTC')",
                       "error: unknown time zone");
}

/* More distinct zones than any fixed table held (there were 32 slots): every one loads, and
 * the first ones are still right afterwards. Offsets on 2026-01-15 12:00 UTC, from the zones'
 * standard time (none of these observes summer time in January). */
static void test_many_time_zones(void **state) {
    static const struct {
        const char *zone, *hours;
    } z[] = {
        {"Europe/Berlin", "13"},      {"Europe/Paris", "13"},        {"Europe/Rome", "13"},
        {"Europe/Madrid", "13"},      {"Europe/Vienna", "13"},       {"Europe/Zurich", "13"},
        {"Europe/Amsterdam", "13"},   {"Europe/Brussels", "13"},     {"Europe/Prague", "13"},
        {"Europe/Warsaw", "13"},      {"Europe/Stockholm", "13"},    {"Europe/Oslo", "13"},
        {"Europe/Copenhagen", "13"},  {"Europe/Helsinki", "14"},     {"Europe/Athens", "14"},
        {"Europe/Bucharest", "14"},   {"Europe/Lisbon", "12"},       {"Europe/London", "12"},
        {"Europe/Dublin", "12"},      {"Europe/Istanbul", "15"},     {"Asia/Tokyo", "21"},
        {"Asia/Seoul", "21"},         {"Asia/Shanghai", "20"},       {"Asia/Singapore", "20"},
        {"Asia/Kolkata", "17"},       {"Asia/Dubai", "16"},          {"Asia/Karachi", "17"},
        {"Asia/Bangkok", "19"},       {"Asia/Jakarta", "19"},        {"Asia/Manila", "20"},
        {"America/New_York", "7"},    {"America/Chicago", "6"},      {"America/Denver", "5"},
        {"America/Los_Angeles", "4"}, {"America/Sao_Paulo", "9"},    {"Africa/Nairobi", "15"},
        {"Africa/Lagos", "13"},       {"Africa/Johannesburg", "14"}, {"Europe/Berlin", "13"},
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(z); i++) {
        char expr[160];
        snprintf(expr, sizeof expr, "timestamp('2026-01-15T12:00:00Z').getHours('%s')", z[i].zone);
        assert_eval(expr, z[i].hours);
    }
}

struct shared {
    const struct cel_program *p;
    const struct cel_env *env;
    int ok;
};

static void *worker(void *arg) {
    struct shared *s = arg;
    struct cel_arena a;
    cel_arena_init(&a, 0);
    struct cel_activation act;
    cel_activation_init(&act, s->env);
    for (int i = 0; i < 20000; i++) {
        cel_activation_bind(&act, "n", cel_int(i));
        cel_value v = cel_eval(s->p, &act, &a);
        if (v.kind == CEL_STRING && strtol(v.s->data, NULL, 10) == i * 2)
            s->ok++;
        cel_arena_reset(&a);
    }
    cel_activation_release(&act);
    cel_arena_release(&a);
    return NULL;
}

static void test_threads(void **state) {
    struct cel_env *env = cel_env_new();
    struct dw_error err = {0};
    assert_int_equal(cel_env_declare(env, "n", "int", &err), 0);
    struct cel_program *p = NULL;
    const char *src = "string([n, n].map(x, x).filter(x, x >= 0).size() * n)";
    assert_int_equal(cel_compile(env, src, strlen(src), 0, &p, &err), 0);
    struct shared s[2] = {{p, env, 0}, {p, env, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, &s[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(s[0].ok, 20000);
    assert_int_equal(s[1].ok, 20000);
    cel_program_free(p);
    cel_env_free(env);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_mapping), cmocka_unit_test(test_errors_and_positions),
        cmocka_unit_test(test_absorption),   cmocka_unit_test(test_limits),
        cmocka_unit_test(test_records),      cmocka_unit_test(test_regex),
        cmocka_unit_test(test_time_zones),   cmocka_unit_test(test_many_time_zones),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
