/* dealwright-bench-pricing — price a 1,000-line and a 10,000-line quote with 100 price
 * rules, on one core.
 *
 * The workspace is the example written to a scratch directory with price rules added to
 * its EUR book up to 100 in all: 90 naming SKUs (a quantity, term or price condition and
 * a percent, amount or set-price action) and 10 for every line (kind, billing and
 * quantity conditions). The solutions are random lines of every priced SKU, bundles
 * included (fixed seed), priced for a Swedish customer (the Nordic region) over 36 months
 * with 10 % off: every line goes through the model, the region, the schedules, its rules
 * and the discount, and the quote is hashed.
 *
 * Prints p50/p99 per quote in milliseconds of the thread's CPU time. Goals: 1,000 lines <= 5 ms,
 * 10,000 lines <= 50 ms. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dealwright.h"
#include "../src/cli.h"
#include "engines/pricing.h"

#define RULES 100

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* CPU time of this thread: the machine may be shared, and the goal is per core */
static int64_t cpu_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Append rules to pricebooks/EUR.yaml up to RULES in all. */
static int add_rules(const char *dir, const struct dw_workspace *ws) {
    const struct dw_pricebook *pb = dw_ws_pricebook(ws, "EUR");
    char path[512];
    snprintf(path, sizeof path, "%s/pricebooks/EUR.yaml", dir);
    FILE *f = fopen(path, "a");
    if (!f || !pb)
        return -1;
    static const char *const conds[] = {
        "line.quantity >=", "line.term_months >= 24 && line.quantity >",
        "line.unit_price > 50.0 && line.quantity >=", "line.bundle == '' && line.quantity <"};
    static const char *const wide[] = {
        "line.kind == 'service' && line.quantity >=",
        "line.billing == 'monthly' && region == 'nordics' && line.quantity >",
        "line.list_price > 1000.0 && currency == 'EUR' && line.quantity >="};
    for (size_t i = pb->n_rules; i < RULES; i++) {
        char act[64];
        int k = 1 + (int)(rng() % 9);
        switch (rng() % 3) {
        case 0:
            snprintf(act, sizeof act, "discount_pct: \"%d\"", k);
            break;
        case 1:
            snprintf(act, sizeof act, "markup_pct: \"%d\"", k);
            break;
        default:
            snprintf(act, sizeof act, "discount_amount: \"0.%02d\"", k);
        }
        if (i < RULES - 10) {
            const struct dw_price *p = &pb->prices[rng() % pb->n_prices];
            const struct dw_price *q = &pb->prices[rng() % pb->n_prices];
            fprintf(f, "  - name: bench %zu\n    skus: [%s, %s]\n    when: %s %d\n    %s\n", i,
                    p->sku, q->sku, conds[rng() % 4], 1 + (int)(rng() % 400), act);
        } else {
            fprintf(f, "  - name: bench %zu\n    when: %s %d\n    %s\n", i, wide[i % 3],
                    50 + (int)(rng() % 400), act);
        }
    }
    fclose(f);
    return 0;
}

static json_t *solution(const struct dw_workspace *ws, size_t n) {
    const struct dw_pricebook *pb = dw_ws_pricebook(ws, "EUR");
    json_t *lines = json_array();
    while (json_array_size(lines) < n) {
        /* bundles expand into their components: leave them out so the quote has n lines */
        const struct dw_price *p = &pb->prices[rng() % pb->n_prices];
        bool adds = false; /* a rule that adds a line would make it n + 1 */
        for (size_t k = 0; k < p->n_rules; k++)
            adds |= pb->rules[p->rules[k]].action == DW_PA_ADD_LINE;
        if (!p->n_bundle && !adds)
            json_array_append_new(lines, json_pack("{s:s, s:I}", "sku", p->sku, "quantity",
                                                   (json_int_t)(1 + rng() % 500)));
    }
    return json_pack("{s:o}", "lines", lines);
}

static int run(const struct dw_workspace *ws, size_t n, int rounds, double goal_ms) {
    json_t *sol = solution(ws, n);
    int64_t *t = calloc((size_t)rounds, sizeof *t);
    struct dw_price_opts o = {
        .currency = "EUR", .country = "SE", .discount_bp = 1000, .term_months = 36};
    size_t out_lines = 0;
    int64_t total = 0;
    for (int i = 0; i < rounds; i++) {
        json_t *q = NULL;
        struct dw_error err = {0};
        int64_t t0 = cpu_us();
        int r = dw_price_quote(ws, sol, &o, &q, &err);
        t[i] = cpu_us() - t0;
        if (r < 0) {
            fprintf(stderr, "price: %s\n", err.msg);
            return 3;
        }
        out_lines = json_array_size(json_object_get(q, "lines"));
        total = dw_json_int(q, "total", 0);
        json_decref(q);
    }
    qsort(t, (size_t)rounds, sizeof *t, cmp64);
    double p50 = t[rounds / 2] / 1000.0, p99 = t[rounds * 99 / 100] / 1000.0;
    char money[48];
    printf("%6zu lines (%6zu out)  p50 %7.2f ms  p99 %7.2f ms  goal <= %4.0f ms %s  total "
           "EUR %s\n",
           n, out_lines, p50, p99, goal_ms, p50 <= goal_ms ? "ok" : "MISSED",
           dw_money_format(total, 2, money, sizeof money));
    free(t);
    json_decref(sol);
    return 0;
}

int main(void) {
    /* the allocator tuning the dealwright binary makes (src/main.c): the library leaves it
     * to the program, so the figures here are the binary's */
    mallopt(M_MXFAST, 0);
    if (dw_base_init() < 0)
        return 3;
    char dir[] = "/tmp/dw-bench-pricing-XXXXXX";
    struct dw_error err = {0};
    if (!mkdtemp(dir) || cli_write_example(dir, &err) < 0) {
        fprintf(stderr, "example: %s\n", err.msg);
        return 3;
    }
    struct dw_workspace *ws = NULL;
    struct dw_diags d = {0};
    if (dw_workspace_load(dir, &ws, &d) < 0 || add_rules(dir, ws) < 0)
        return 3;
    dw_workspace_unref(ws);
    ws = NULL;
    if (dw_workspace_load(dir, &ws, &d) < 0) {
        for (size_t i = 0; i < d.n; i++)
            fprintf(stderr, "%s:%d:%d: %s\n", d.v[i].file, d.v[i].line, d.v[i].col, d.v[i].msg);
        return 3;
    }
    const struct dw_pricebook *pb = dw_ws_pricebook(ws, "EUR");
    printf("pricing: %zu price rules (%zu for every line), %zu prices, Nordic region, 36 months, "
           "10 %% off, one core\n",
           pb->n_rules, pb->n_unscoped, pb->n_prices);
    int r = run(ws, 1000, 200, 5);
    if (r == 0)
        r = run(ws, 10000, 40, 50);
    dw_workspace_unref(ws);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 3;
    return r;
}
