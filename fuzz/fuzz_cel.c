/* fuzz-cel — the CEL lexer, parser, checker and evaluator (lib/rules/cel_*.c).
 *
 * Input layout: EXPRESSION [NUL X-JSON]. The expression is compiled against declared
 * variables (a record `quote`, a dyn `x`, a timestamp `now`) with the type check, and
 * again without it; whatever compiles is evaluated with fixed bindings (x from the JSON
 * part when it parses) under small cost and memory limits, and the result is rendered as
 * JSON text. The seeds (make-corpus.sh) are the conformance suite's expressions.
 *
 * Checked beyond "no crash, no leak, no UB": an evaluation never returns CEL_ABSENT, an
 * error value always carries a message, and the limits turn into error values.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cel.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cel_env *env;
static json_t *fixed_quote, *fixed_x;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    struct dw_error err = {0};
    env = cel_env_new();
    struct cel_limits lim = {.max_expr_bytes = 4096, .max_depth = 32, .max_cost = 20000};
    cel_env_set_limits(env, &lim);
    if (cel_env_declare_record(env, "Line", "sku: string, quantity: int, net: double", &err) < 0 ||
        cel_env_declare_record(env, "Quote",
                               "currency: string, total: double, discount_pct: double, "
                               "lines: list(Line)",
                               &err) < 0 ||
        cel_env_declare(env, "quote", "Quote", &err) < 0 ||
        cel_env_declare(env, "x", "dyn", &err) < 0 ||
        cel_env_declare(env, "now", "timestamp", &err) < 0)
        abort();
    fixed_quote = json_loads("{\"currency\":\"EUR\",\"total\":12500.5,\"discount_pct\":12.5,"
                             "\"lines\":[{\"sku\":\"A\",\"quantity\":3,\"net\":100.25},"
                             "{\"sku\":\"B\",\"quantity\":1,\"net\":0.0}]}",
                             0, NULL);
    fixed_x = json_loads("{\"a\":[1,2,{\"b\":\"c\"}],\"n\":-7,\"s\":\"Straße\",\"f\":1.5,"
                         "\"t\":true,\"z\":null}",
                         0, NULL);
    if (!fixed_quote || !fixed_x)
        abort();
    return 0;
}

static void run(const char *src, size_t len, unsigned flags, const json_t *x) {
    struct cel_program *p = NULL;
    struct dw_error err = {0};
    if (cel_compile(env, src, len, flags, &p, &err) < 0) {
        if (!err.msg[0] || err.line < 1 || err.col < 1)
            abort(); /* every compile error says what and where */
        return;
    }
    struct cel_arena a;
    cel_arena_init(&a, 1 << 20);
    struct cel_activation act;
    cel_activation_init(&act, env);
    cel_activation_bind(&act, "quote", cel_from_json(&a, fixed_quote));
    cel_activation_bind(&act, "x", cel_from_json(&a, x));
    cel_activation_bind(&act, "now", (cel_value){.kind = CEL_TIMESTAMP, .i = 1795521600});
    cel_value v = cel_eval(p, &act, &a);
    if (v.kind == CEL_ABSENT || (v.kind == CEL_ERROR && (!v.e || !v.e->msg[0])))
        abort();
    struct dw_buf b;
    dw_buf_init(&b, 1 << 22);
    (void)cel_to_json_text(v, &b);
    dw_buf_release(&b);
    (void)cel_eval_bool(p, &act, &a, &err);
    cel_activation_release(&act);
    cel_arena_release(&a);
    cel_program_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *src = (const char *)data;
    const uint8_t *nul = memchr(data, 0, size);
    size_t len = nul ? (size_t)(nul - data) : size;
    json_t *x = NULL;
    if (nul)
        x = json_loadb((const char *)nul + 1, size - len - 1, JSON_DECODE_ANY, NULL);
    run(src, len, 0, x ? x : fixed_x);
    run(src, len, CEL_NO_CHECK, x ? x : fixed_x);
    json_decref(x);
    return 0;
}
