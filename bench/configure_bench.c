/* dealwright-bench-configure — configurations per second on a generated catalog the size
 * of a mid-sized network vendor's: 40 capability families of 5 models each (200 items that
 * can be chosen), their licences, support and power supplies, with requires (ratios and
 * "two per one"), exclusions between generations, a compatibility table per family,
 * min/max quantities and two supply/demand rules (power, uplink ports) — over 150 options
 * and 150 constraints. Each request asks for 8 capabilities with site and user counts and a
 * throughput total; the configurator returns the cheapest valid configuration (strict: every
 * capability covered). A second run asks for requests that cannot be met and times the
 * conflict explanation (the deletion filter).
 *
 * Prints p50/p95/max per configuration on one core. Goal: p95 <= 50 ms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engines/configure.h"

#define FAMILIES 40
#define MODELS 5
#define N_CHOOSABLE (FAMILIES * MODELS)
#define N_ITEMS (N_CHOOSABLE + FAMILIES + 2 + 1) /* + licences, 2 support, 1 PSU */
#define RUNS 400
#define CONFLICT_RUNS 40

static uint64_t seed = 0x2545F4914F6CDD1Dull;
static int rnd(int n) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (int)(seed % (uint64_t)n);
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct dw_item items[N_ITEMS];
static struct dw_price prices[N_ITEMS];
static char sku[N_ITEMS][24], cap[FAMILIES][16];
static char *caps[N_CHOOSABLE][1];
static struct dw_item_req reqs[N_CHOOSABLE][3];
static char *excl[N_CHOOSABLE][1];
static char *opts[N_CHOOSABLE][1];
static struct dw_attr attrs[N_ITEMS][4];
static struct dw_compat_row rows[FAMILIES][2];
static char *row_with[FAMILIES][2][2];
static char *among[FAMILIES][3];
static struct dw_cfg_rule rules[FAMILIES + 2];

static size_t build(struct dw_workspace *ws, struct dw_pricebook *book) {
    size_t n = 0, n_constraints = 0;
    const size_t lic0 = N_CHOOSABLE, sup_std = lic0 + FAMILIES, sup_247 = sup_std + 1,
                 psu = sup_247 + 1;
    for (int f = 0; f < FAMILIES; f++)
        snprintf(cap[f], sizeof cap[f], "cap-%02d", f);
    for (size_t i = 0; i < N_ITEMS; i++) {
        if (i < N_CHOOSABLE)
            snprintf(sku[i], sizeof sku[i], "F%02zu-M%zu", i / MODELS, i % MODELS);
        else if (i < sup_std)
            snprintf(sku[i], sizeof sku[i], "LIC-F%02zu", i - lic0);
        else
            snprintf(sku[i], sizeof sku[i], "%s",
                     i == sup_std   ? "SUP-STD"
                     : i == sup_247 ? "SUP-247"
                                    : "PSU-EXT");
    }
    for (size_t i = 0; i < N_ITEMS; i++) {
        struct dw_item *it = &items[i];
        *it = (struct dw_item){.sku = sku[i], .name = sku[i], .min_qty = 1, .rank = 10};
        prices[i] = (struct dw_price){.sku = sku[i], .list = 1000 + 100 * rnd(400)};
        if (i >= N_CHOOSABLE) {
            if (i == psu) { /* an external power shelf: 600 W a unit */
                attrs[i][0] = (struct dw_attr){"power_supply_w", 600};
                it->attributes = attrs[i];
                it->n_attributes = 1;
            }
            if (i == sup_247)
                it->max_qty = 5000;
            continue;
        }
        size_t f = i / MODELS, m = i % MODELS;
        caps[i][0] = cap[f];
        it->capabilities = caps[i];
        it->n_capabilities = 1;
        it->quantity_unit = f % 3 == 2 ? "users" : "sites";
        it->quantity_factor = 1 + (int)(m % 2);
        it->rank = (int)m * 10;
        prices[i].list = 20000 + 15000 * (int64_t)m + 100 * rnd(100);
        attrs[i][0] = (struct dw_attr){"throughput_mbps", 100 * (int64_t)(1 + m * m)};
        attrs[i][1] = (struct dw_attr){"power_w", 10 + 15 * (int64_t)m};
        attrs[i][2] = (struct dw_attr){"power_supply_w", m >= 3 ? 120 : 0};
        attrs[i][3] = (struct dw_attr){"uplink_ports", m == 4 ? 8 : 1};
        it->attributes = attrs[i];
        it->n_attributes = 4;
        size_t nr = 0;
        reqs[i][nr++] = (struct dw_item_req){sku[lic0 + f], 1, 1};
        reqs[i][nr++] = (struct dw_item_req){sku[m >= 3 ? sup_247 : sup_std], 10, 1};
        if (m == 4) /* the top model ships as a pair */
            reqs[i][nr++] = (struct dw_item_req){sku[i - 1], 1, 2};
        it->requires = reqs[i];
        it->n_requires = nr;
        n_constraints += nr;
        if (m == 1) { /* two generations of the entry model do not mix */
            excl[i][0] = sku[i - 1];
            it->excludes = excl[i];
            it->n_excludes = 1;
            n_constraints++;
        }
        if (m == 0) {
            it->max_qty = 40 + rnd(40);
            n_constraints++;
        }
        if (m == 2) {
            it->min_qty = 5;
            n_constraints++;
        }
        opts[i][0] = sku[psu];
        it->options = opts[i];
        it->n_options = 1;
    }
    items[psu].option_only = true;
    n_constraints++;
    size_t nr = 0;
    for (int f = 0; f < FAMILIES; f++) { /* the entry models work with models 3 and 4 only */
        size_t b = (size_t)f * MODELS;
        among[f][0] = sku[b + 2];
        among[f][1] = sku[b + 3];
        among[f][2] = sku[b + 4];
        row_with[f][0][0] = sku[b + 3];
        row_with[f][0][1] = sku[b + 4];
        rows[f][0] = (struct dw_compat_row){sku[b], row_with[f][0], 2};
        row_with[f][1][0] = sku[b + 4];
        rows[f][1] = (struct dw_compat_row){sku[b + 1], row_with[f][1], 1};
        rules[nr++] = (struct dw_cfg_rule){.name = cap[f],
                                           .kind = DW_CFG_RULE_COMPAT,
                                           .among = among[f],
                                           .n_among = 3,
                                           .rows = rows[f],
                                           .n_rows = 2};
    }
    rules[nr++] = (struct dw_cfg_rule){.name = "power",
                                       .kind = DW_CFG_RULE_SUPPLY,
                                       .supply = "power_supply_w",
                                       .demand = "power_w"};
    rules[nr++] = (struct dw_cfg_rule){.name = "uplinks",
                                       .kind = DW_CFG_RULE_SUPPLY,
                                       .supply = "throughput_mbps",
                                       .demand = "uplink_ports"};
    n_constraints += nr;
    n = N_ITEMS;
    *book = (struct dw_pricebook){.currency = "EUR", .digits = 2, .prices = prices, .n_prices = n};
    *ws = (struct dw_workspace){.items = items,
                                .n_items = n,
                                .home_currency = "EUR",
                                .pricebooks = book,
                                .n_pricebooks = 1,
                                .cfg_rules = rules,
                                .n_cfg_rules = nr};
    return n_constraints;
}

static json_t *request(bool conflict) {
    json_t *c = json_array();
    for (int k = 0; k < 8; k++)
        json_array_append_new(c, json_string(cap[rnd(FAMILIES)]));
    int sites = 1 + rnd(120);
    json_t *req = json_pack("{s:o, s:[{s:s, s:i}, {s:s, s:i}], s:[{s:s, s:i}]}", "capabilities", c,
                            "quantities", "unit", "sites", "value", sites, "unit", "users", "value",
                            10 + rnd(500), "attributes", "name", "throughput_mbps", "min",
                            1000 * (1 + rnd(50)));
    if (conflict) /* the customer caps the support contracts below what the sites need */
        json_object_set_new(req, "attributes",
                            json_pack("[{s:s, s:i}]", "name", "power_w", "max", sites));
    return req;
}

static void report(const char *what, int64_t *t, int n) {
    qsort(t, (size_t)n, sizeof *t, cmp64);
    printf("%-22s p50 %7.2f ms   p95 %7.2f ms   max %7.2f ms   (%d runs)\n", what,
           (double)t[n / 2] / 1e6, (double)t[n * 95 / 100] / 1e6, (double)t[n - 1] / 1e6, n);
}

int main(void) {
    struct dw_workspace ws;
    struct dw_pricebook book;
    size_t n_constraints = build(&ws, &book);
    printf("configure: %zu items (%d choosable options), %zu catalog constraints, 8 "
           "capabilities a request, one core\n",
           ws.n_items, N_CHOOSABLE, n_constraints);
    static int64_t t[RUNS];
    struct dw_cfg_opts strict = {.strict = true};
    int feasible = 0, lines = 0;
    for (int i = 0; i < RUNS; i++) {
        json_t *req = request(false), *sol = NULL;
        struct dw_error err = {0};
        int64_t t0 = now_ns();
        int r = dw_configure_opts(&ws, req, &strict, &sol, &err);
        t[i] = now_ns() - t0;
        if (r < 0) {
            fprintf(stderr, "configure: %s\n", err.msg);
            return 3;
        }
        if (dw_json_bool(sol, "feasible", false)) {
            feasible++;
            lines += (int)json_array_size(json_object_get(sol, "lines"));
            if (dw_configure_verify(&ws, req, sol, true, &err) < 0) {
                fprintf(stderr, "verify: %s\n", err.msg);
                return 3;
            }
        }
        json_decref(sol);
        json_decref(req);
    }
    report("configuration", t, RUNS);
    printf("  %d of %d feasible, %.1f lines on average\n", feasible, RUNS,
           feasible ? (double)lines / feasible : 0.0);
    int conflicts = 0, size = 0;
    for (int i = 0; i < CONFLICT_RUNS; i++) {
        json_t *req = request(true), *sol = NULL;
        struct dw_error err = {0};
        int64_t t0 = now_ns();
        int r = dw_configure_opts(&ws, req, &strict, &sol, &err);
        t[i] = now_ns() - t0;
        if (r < 0) {
            fprintf(stderr, "configure: %s\n", err.msg);
            return 3;
        }
        if (!dw_json_bool(sol, "feasible", true)) {
            conflicts++;
            size += (int)json_array_size(json_object_get(sol, "conflict"));
        }
        json_decref(sol);
        json_decref(req);
    }
    report("conflict explanation", t, CONFLICT_RUNS);
    printf("  %d of %d infeasible, %.1f requirements and rules in a conflict on average\n",
           conflicts, CONFLICT_RUNS, conflicts ? (double)size / conflicts : 0.0);
    return 0;
}
