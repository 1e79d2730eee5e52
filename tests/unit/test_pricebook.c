/* Unit and property tests of the pricing engine's price-book features
 * (lib/engines/pricing/pricer.c):
 * graduated and block models, bundles, discount schedules, co-terming, costs and margin,
 * regions, price rules, and quote revision diffs (lib/engines/quotediff.c).
 *
 * The properties run over random price books built by hand (fixed seed); price rules are
 * tested on a copy of the example workspace loaded from disk, since their index is built by
 * the loader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "engines/pricing.h"
#include "engines/quotediff.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void) {
    return xorshift64(&rng_state);
}

/* ---- a hand-built workspace ---------------------------------------------------------- */

static struct dw_item items[] = {
    {.sku = "A", .name = "Part A", .kind = DW_ITEM_HARDWARE},
    {.sku = "B", .name = "Part B", .kind = DW_ITEM_HARDWARE},
    {.sku = "KIT", .name = "Kit", .kind = DW_ITEM_HARDWARE},
    {.sku = "PKG", .name = "Package", .kind = DW_ITEM_HARDWARE},
    {.sku = "SUB",
     .name = "Subscription",
     .kind = DW_ITEM_SUBSCRIPTION,
     .billing = DW_BILL_MONTHLY},
};

static struct dw_tier grad_tiers[] = {{10, 900}, {100, 800}};
static struct dw_bundle_part kit_parts[] = {{"A", 2}, {"B", 1}};
static struct dw_schedule_step qty_steps[] = {{5, 200}, {50, 500}};
static struct dw_schedule_step term_steps[] = {{24, 1000}};
static struct dw_schedule schedules[] = {
    {.name = "B volume",
     .by = DW_SCHED_QUANTITY,
     .skus = (char *[]){"B"},
     .n_skus = 1,
     .steps = qty_steps,
     .n_steps = 2},
    {.name = "long terms", .by = DW_SCHED_TERM, .steps = term_steps, .n_steps = 1},
};

/* sorted by sku, as the loader leaves them */
static struct dw_price prices[] = {
    {.sku = "A",
     .list = 1000,
     .model = DW_PRICE_GRADUATED,
     .tiers = grad_tiers,
     .n_tiers = 2,
     .has_cost = true,
     .cost = 400},
    {.sku = "B",
     .list = 2500,
     .model = DW_PRICE_BLOCK,
     .block_size = 10,
     .has_cost = true,
     .cost = 50},
    {.sku = "KIT",
     .bundle = kit_parts,
     .n_bundle = 2,
     .components_pricing = true,
     .bundle_discount_bp = 1000},
    {.sku = "PKG", .list = 4000, .bundle = kit_parts, .n_bundle = 2},
    {.sku = "SUB", .list = 3100, .has_cost = true, .cost = 1000},
};
static struct dw_price jpy_prices[] = {
    {.sku = "A", .list = 1005},
    {.sku = "B", .list = 333, .model = DW_PRICE_BLOCK, .block_size = 3},
    {.sku = "KIT",
     .bundle = kit_parts,
     .n_bundle = 2,
     .components_pricing = true,
     .bundle_discount_bp = 750},
    {.sku = "PKG", .list = 9999, .bundle = kit_parts, .n_bundle = 2},
    {.sku = "SUB", .list = 77},
};
static struct dw_price region_prices[] = {
    {.sku = "A", .list = 1200, .has_cost = true, .cost = 400}};
static struct dw_region regions[] = {{.name = "north",
                                      .countries = (char *[]){"SE", "NO"},
                                      .n_countries = 2,
                                      .prices = region_prices,
                                      .n_prices = 1}};

static struct dw_pricebook books[] = {
    {.currency = "EUR",
     .digits = 2,
     .prices = prices,
     .n_prices = DW_ARRAY_SIZE(prices),
     .regions = regions,
     .n_regions = 1,
     .schedules = schedules,
     .n_schedules = DW_ARRAY_SIZE(schedules)},
    {.currency = "JPY",
     .digits = 0,
     .prices = jpy_prices,
     .n_prices = DW_ARRAY_SIZE(jpy_prices),
     .schedules = schedules,
     .n_schedules = DW_ARRAY_SIZE(schedules)},
};

static struct dw_workspace ws = {
    .home_currency = "EUR",
    .items = items,
    .n_items = DW_ARRAY_SIZE(items),
    .pricebooks = books,
    .n_pricebooks = DW_ARRAY_SIZE(books),
};

static json_t *price(const struct dw_workspace *w, const char *sol, const char *cur,
                     const char *country, int32_t bp, int term) {
    json_t *s = js(sol), *q = NULL;
    struct dw_error err = {0};
    struct dw_price_opts o = {
        .currency = cur, .country = country, .discount_bp = bp, .term_months = term};
    int r = dw_price_quote(w, s, &o, &q, &err);
    json_decref(s);
    if (r != 0)
        fail_msg("dw_price_quote: %s (%s)", err.msg, dw_errname(r));
    return q;
}

static json_t *line(const json_t *q, size_t i) {
    return json_array_get(json_object_get(q, "lines"), i);
}

static int64_t amount_of(const char *sku, int64_t qty, const char *cur) {
    char sol[128];
    snprintf(sol, sizeof sol, "{'lines': [{'sku': '%s', 'quantity': %lld}]}", sku, (long long)qty);
    json_t *q = price(&ws, sol, cur, NULL, 0, 1);
    int64_t a = dw_json_int(line(q, 0), "amount", -1);
    json_decref(q);
    return a;
}

/* ---- models -------------------------------------------------------------------------- */

static void test_graduated_and_block(void **state) {
    /* graduated: units 1-9 at 10.00, 10-99 at 9.00, 100+ at 8.00 */
    assert_int_equal(amount_of("A", 1, "EUR"), 1000);
    assert_int_equal(amount_of("A", 9, "EUR"), 9000);
    assert_int_equal(amount_of("A", 10, "EUR"), 9000 + 900);
    assert_int_equal(amount_of("A", 99, "EUR"), 9000 + 90 * 900);
    assert_int_equal(amount_of("A", 100, "EUR"), 9000 + 90 * 900 + 800);
    assert_int_equal(amount_of("A", 250, "EUR"), 9000 + 81000 + 151 * 800);
    /* block: 10 units a block at 25.00, blocks rounded up; the "B volume" schedule takes
     * 2 % from 5 units */
    assert_int_equal(amount_of("B", 1, "EUR"), 2500);
    assert_int_equal(amount_of("B", 10, "EUR"), 2450);
    assert_int_equal(amount_of("B", 11, "EUR"), 4900);
    json_t *q = price(&ws, "{'lines': [{'sku': 'B', 'quantity': 4}]}", "EUR", NULL, 0, 1);
    assert_int_equal(dw_json_int(line(q, 0), "blocks", -1), 1);
    assert_int_equal(dw_json_int(line(q, 0), "cost", -1), 4 * 50);
    json_decref(q);
}

/* The amount never falls as the quantity rises for graduated and block prices, and the
 * average unit price of graduated tiers never rises, over random books. */
static void test_property_monotone(void **state) {
    for (int round = 0; round < 300; round++) {
        struct dw_tier tiers[4];
        size_t nt = 1 + rng() % 4;
        int64_t min = 1, price_now = 100 + (int64_t)(rng() % 100000);
        struct dw_price p = {.sku = "A", .list = price_now};
        for (size_t t = 0; t < nt; t++) {
            min += 1 + (int64_t)(rng() % 50);
            price_now -= (int64_t)(rng() % (uint64_t)(price_now / 2 + 1)) + 1;
            if (price_now < 1)
                price_now = 1;
            tiers[t] = (struct dw_tier){min, price_now};
        }
        p.tiers = tiers;
        p.n_tiers = nt;
        p.model = rng() % 2 ? DW_PRICE_GRADUATED : DW_PRICE_BLOCK;
        p.block_size = 1 + (int64_t)(rng() % 12);
        struct dw_price one[] = {p};
        struct dw_pricebook b = {.currency = "EUR", .digits = 2, .prices = one, .n_prices = 1};
        struct dw_workspace w = ws;
        w.pricebooks = &b;
        w.n_pricebooks = 1;
        int64_t prev = 0;
        for (int64_t qty = 1; qty <= min + 30; qty++) {
            char sol[96];
            snprintf(sol, sizeof sol, "{'lines': [{'sku': 'A', 'quantity': %lld}]}",
                     (long long)qty);
            json_t *q = price(&w, sol, "EUR", NULL, 0, 1);
            int64_t a = dw_json_int(line(q, 0), "amount", -1);
            json_decref(q);
            if (p.model == DW_PRICE_GRADUATED || p.n_tiers == 0) {
                if (a < prev)
                    fail_msg("round %d: graduated amount falls from %lld to %lld at %lld", round,
                             (long long)prev, (long long)a, (long long)qty);
                /* average unit price never rises: a/qty <= prev/(qty-1) */
                if (qty > 1 && (__int128)a * (qty - 1) > (__int128)prev * qty)
                    fail_msg("round %d: graduated average rises at %lld", round, (long long)qty);
            }
            if (p.model == DW_PRICE_BLOCK && a < prev && qty % p.block_size != 1 &&
                p.block_size > 1) {
                /* within a block the amount only changes where a tier starts */
                bool tier_starts = false;
                for (size_t t = 0; t < nt; t++)
                    tier_starts |= tiers[t].min_qty == qty;
                if (!tier_starts)
                    fail_msg("round %d: block amount falls inside a block at %lld", round,
                             (long long)qty);
            }
            prev = a;
        }
    }
}

/* ---- bundles, schedules, term, region, margin ----------------------------------------- */

static void test_bundles(void **state) {
    /* KIT x 3 as components less 10 %: A x 6 (graduated: 6 x 10.00 = 60.00 -> 54.00),
     * B x 3 (one block: 25.00 -> 22.50) */
    json_t *q = price(&ws, "{'lines': [{'sku': 'KIT', 'quantity': 3}]}", "EUR", NULL, 0, 12);
    assert_int_equal(json_array_size(json_object_get(q, "lines")), 3);
    assert_int_equal(dw_json_int(line(q, 0), "amount", -1), 0);
    assert_string_equal(dw_json_str(line(q, 1), "sku"), "A");
    assert_string_equal(dw_json_str(line(q, 1), "bundle"), "KIT");
    assert_int_equal(dw_json_int(line(q, 1), "quantity", -1), 6);
    assert_int_equal(dw_json_int(line(q, 1), "amount", -1), 5400);
    assert_int_equal(dw_json_int(line(q, 2), "amount", -1), 2250);
    assert_int_equal(dw_json_int(q, "total", -1), 7650);
    json_decref(q);
    /* PKG x 2 as a package: 2 x 40.00, components included at 0; cost from the parts */
    q = price(&ws, "{'lines': [{'sku': 'PKG', 'quantity': 2}]}", "EUR", NULL, 0, 12);
    assert_int_equal(dw_json_int(line(q, 0), "amount", -1), 8000);
    assert_true(json_is_true(json_object_get(line(q, 1), "included")));
    assert_int_equal(dw_json_int(line(q, 1), "amount", -1), 0);
    /* cost: A x 4 at 4.00 + B x 2 at 0.50 = 17.00 */
    assert_int_equal(dw_json_int(line(q, 0), "cost", -1), 1700);
    assert_int_equal(dw_json_int(q, "margin", -1), 8000 - 1700);
    json_decref(q);
}

static void test_schedules_and_term(void **state) {
    /* B x 55: 6 blocks x 25.00 = 150.00, less the 50-unit step's 5 % = 142.50 */
    json_t *q = price(&ws, "{'lines': [{'sku': 'B', 'quantity': 55}]}", "EUR", NULL, 0, 12);
    assert_int_equal(dw_json_int(line(q, 0), "amount", -1), 14250);
    assert_string_equal(
        dw_json_str(json_array_get(json_object_get(line(q, 0), "adjustments"), 0), "source"),
        "schedule");
    json_decref(q);
    /* SUB x 1 over 24 months: 31.00 less 10 % = 27.90 a month; x 24 = 669.60 */
    q = price(&ws, "{'lines': [{'sku': 'SUB', 'quantity': 1}]}", "EUR", NULL, 0, 24);
    assert_int_equal(dw_json_int(line(q, 0), "amount", -1), 66960);
    json_decref(q);
    /* co-terming in a leap year */
    q = price(&ws,
              "{'start_date': '2028-01-15', 'lines': [{'sku': 'SUB', 'quantity': 2, "
              "'end_date': '2028-02-28'}]}",
              "EUR", NULL, 0, 12);
    /* Jan 15 .. Feb 14 is one month; Feb 15 .. Feb 28 is 14 of the 29 days of Feb 15 ->
     * Mar 15; 62.00 + 62.00 x 14 / 29 = 62.00 + 29.931 -> 29.93 */
    assert_int_equal(dw_json_int(line(q, 0), "term_months", -1), 1);
    assert_int_equal(dw_json_int(line(q, 0), "term_days", -1), 14);
    assert_int_equal(dw_json_int(line(q, 0), "amount", -1), 6200 + 2993);
    json_decref(q);
    struct dw_error err = {0};
    json_t *bad = js("{'start_date': '2028-02-30', 'lines': [{'sku': 'SUB', 'quantity': 1}]}"),
           *out = NULL;
    struct dw_price_opts o = {.currency = "EUR", .term_months = 12};
    assert_int_equal(dw_price_quote(&ws, bad, &o, &out, &err), -DW_EINVAL);
    assert_string_equal(err.field, "start_date");
    json_decref(bad);
    bad = js("{'start_date': '2028-02-01', 'lines': [{'sku': 'SUB', 'quantity': 1, "
             "'end_date': '2027-12-31'}]}");
    assert_int_equal(dw_price_quote(&ws, bad, &o, &out, &err), -DW_EINVAL);
    assert_string_equal(err.field, "lines[0].end_date");
    json_decref(bad);
}

static void test_region_and_margin(void **state) {
    json_t *q = price(&ws, "{'lines': [{'sku': 'A', 'quantity': 1}]}", "EUR", "SE", 0, 12);
    assert_int_equal(dw_json_int(line(q, 0), "amount", -1), 1200);
    assert_string_equal(dw_json_str(q, "region"), "north");
    /* margin (12.00 - 4.00) / 12.00 = 66.67 % */
    assert_int_equal(dw_json_int(q, "margin_bp", -1), 6667);
    json_decref(q);
    q = price(&ws, "{'lines': [{'sku': 'A', 'quantity': 1}]}", "EUR", "DE", 0, 12);
    assert_int_equal(dw_json_int(line(q, 0), "amount", -1), 1000);
    assert_null(json_object_get(q, "region"));
    json_decref(q);
    /* the JPY book has no costs: no margin on the quote */
    q = price(&ws, "{'lines': [{'sku': 'A', 'quantity': 1}]}", "JPY", NULL, 0, 12);
    assert_null(json_object_get(q, "margin_bp"));
    json_decref(q);
}

/* Totals add up to the minor unit over random solutions in both books, with random
 * discounts, terms and co-terms; every adjustment is rounded half to even. */
static void test_property_totals(void **state) {
    static const char *const skus[] = {"A", "B", "KIT", "PKG", "SUB"};
    static const char *const curs[] = {"EUR", "JPY"};
    static const char *const countries[] = {"SE", "DE", "NO"};
    for (int round = 0; round < 1500; round++) {
        json_t *lines = json_array();
        size_t n = 1 + rng() % 10;
        for (size_t i = 0; i < n; i++)
            json_array_append_new(lines, json_pack("{s:s, s:I}", "sku", skus[rng() % 5], "quantity",
                                                   (json_int_t)(1 + rng() % 3000)));
        json_t *sol = json_pack("{s:o}", "lines", lines);
        if (rng() % 3 == 0) {
            json_object_set_new(sol, "start_date", json_string("2027-01-31"));
            char end[16];
            snprintf(end, sizeof end, "20%02d-%02d-%02d", 27 + (int)(rng() % 4),
                     1 + (int)(rng() % 12), 1 + (int)(rng() % 28));
            json_object_set_new(sol, "end_date", json_string(end));
        }
        struct dw_price_opts o = {.currency = curs[rng() % 2],
                                  .country = countries[rng() % 3],
                                  .discount_bp = (int32_t)(rng() % 10001),
                                  .term_months = 1 + (int)(rng() % 72)};
        json_t *q = NULL;
        struct dw_error err = {0};
        int r = dw_price_quote(&ws, sol, &o, &q, &err);
        if (r == -DW_EINVAL && strstr(err.msg, "before the start")) {
            json_decref(sol);
            continue;
        }
        if (r != 0)
            fail_msg("round %d: %s", round, err.msg);
        int64_t sa = 0, sd = 0, sn = 0, sc = 0;
        size_t i;
        json_t *l;
        json_array_foreach(json_object_get(q, "lines"), i, l) {
            int64_t amount = dw_json_int(l, "amount", -1), disc = dw_json_int(l, "discount", -1);
            assert_int_equal(dw_json_int(l, "net", -1), amount - disc);
            assert_true(amount >= 0 && disc >= 0 && disc <= amount);
            __int128 exact2 = (__int128)amount * o.discount_bp * 2, got2 = (__int128)disc * 20000;
            __int128 diff = exact2 > got2 ? exact2 - got2 : got2 - exact2;
            assert_true(diff <= 10000);
            sa += amount;
            sd += disc;
            sn += dw_json_int(l, "net", 0);
            sc += dw_json_int(l, "cost", 0);
        }
        assert_int_equal(sa, dw_json_int(q, "subtotal", -1));
        assert_int_equal(sd, dw_json_int(q, "discount", -1));
        assert_int_equal(sn, dw_json_int(q, "total", -1));
        if (json_object_get(q, "cost"))
            assert_int_equal(sc, dw_json_int(q, "cost", -1));
        json_decref(q);
        json_decref(sol);
    }
}

/* ---- price rules, on a copy of the example ------------------------------------------- */

static char tmp_root[256];

static struct dw_workspace *example_with(const char *extra_usd) {
    assert_int_equal(example_copy(tmp_root, sizeof tmp_root, "dw-pricebook"), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/pricebooks/USD.yaml", tmp_root);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs(extra_usd, f);
    fclose(f);
    struct dw_workspace *w = NULL;
    struct dw_diags d = {0};
    int r = dw_workspace_load(tmp_root, &w, &d);
    for (size_t i = 0; r < 0 && i < d.n; i++)
        fprintf(stderr, "%s:%d:%d: %s\n", d.v[i].file, d.v[i].line, d.v[i].col, d.v[i].msg);
    dw_diags_release(&d);
    assert_int_equal(r, 0);
    return w;
}

static void drop_example(struct dw_workspace *w) {
    dw_workspace_unref(w);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
    assert_int_equal(system(cmd), 0);
}

static void test_price_rules(void **state) {
    struct dw_workspace *w =
        example_with("rules:\n"
                     "  - name: small order\n"
                     "    skus: [NW-EDGE-50]\n"
                     "    when: line.quantity < 3\n"
                     "    markup_pct: \"10\"\n"
                     "  - name: all hardware\n"
                     "    when: line.kind == 'hardware' && currency == 'USD'\n"
                     "    discount_pct: \"2\"\n"
                     "  - name: then a fixed price\n"
                     "    skus: [NW-EDGE-50]\n"
                     "    when: line.unit_price > 800.0\n"
                     "    set_price: \"700.00\"\n"
                     "  - name: never on services\n"
                     "    when: line.kind == 'service' && line.cost > 100000.0\n"
                     "    discount_amount: \"1.00\"\n");
    /* NW-EDGE-50 x 2 at 749.00: +10 % = 1647.80, -2 % (32.956 -> 32.96) = 1614.84; the
     * unit price 807.42 > 800 sets 700.00 each = 1400.00. NW-SVC-PM: not hardware. */
    json_t *q = price(w,
                      "{'lines': [{'sku': 'NW-EDGE-50', 'quantity': 2}, {'sku': 'NW-SVC-PM', "
                      "'quantity': 1}]}",
                      "USD", "US", 0, 12);
    json_t *l = line(q, 0);
    assert_int_equal(dw_json_int(l, "amount", -1), 140000);
    json_t *adj = json_object_get(l, "adjustments");
    assert_int_equal(json_array_size(adj), 3);
    assert_string_equal(dw_json_str(json_array_get(adj, 0), "name"), "small order");
    assert_int_equal(dw_json_int(json_array_get(adj, 0), "amount", 0), 14980);
    assert_int_equal(dw_json_int(json_array_get(adj, 1), "amount", 0), -3296);
    assert_int_equal(dw_json_int(json_array_get(adj, 2), "amount", 0), 140000 - 161484);
    assert_int_equal(dw_json_int(line(q, 1), "amount", -1), 139900);
    json_decref(q);
    drop_example(w);

    /* a rule that cannot be evaluated stops the pricing, naming the rule and the line */
    w = example_with("rules:\n"
                     "  - name: broken\n"
                     "    when: requirements.industry == 'energy'\n"
                     "    discount_pct: \"5\"\n");
    json_t *sol = js("{'lines': [{'sku': 'NW-EDGE-50', 'quantity': 2}]}"), *out = NULL;
    struct dw_error err = {0};
    struct dw_price_opts o = {.currency = "USD", .term_months = 12};
    assert_int_equal(dw_price_quote(w, sol, &o, &out, &err), -DW_EVALIDATE);
    assert_null(out);
    assert_contains(err.msg, "broken");
    assert_string_equal(err.field, "lines[0].sku");
    json_decref(sol);
    drop_example(w);
}

static void test_price_rule_validation(void **state) {
    const char *bad = "rules:\n"
                      "  - name: two actions\n"
                      "    when: line.quantity > 1\n"
                      "    discount_pct: \"5\"\n"
                      "    set_price: \"1.00\"\n"
                      "  - name: typo\n"
                      "    skus: [NW-EDGE-5O]\n"
                      "    when: line.quantiy > 1\n"
                      "    discount_pct: \"5\"\n";
    assert_int_equal(example_copy(tmp_root, sizeof tmp_root, "dw-pricebook"), 0);
    char cmd[1024], path[512];
    snprintf(path, sizeof path, "%s/pricebooks/USD.yaml", tmp_root);
    FILE *f = fopen(path, "a");
    fputs(bad, f);
    fclose(f);
    struct dw_workspace *w = NULL;
    struct dw_diags d = {0};
    assert_int_equal(dw_workspace_load(tmp_root, &w, &d), -DW_EVALIDATE);
    bool action = false, sku = false, field = false;
    for (size_t i = 0; i < d.n; i++) {
        action |= strstr(d.v[i].msg, "one action") != NULL;
        sku |= strstr(d.v[i].msg, "did you mean 'NW-EDGE-50'") != NULL;
        field |= strstr(d.v[i].msg, "has no field 'quantiy'") != NULL;
    }
    assert_true(action && sku && field);
    dw_diags_release(&d);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
    assert_int_equal(system(cmd), 0);
}

/* ---- revision diffs ------------------------------------------------------------------ */

static void test_diff(void **state) {
    json_t *a = js("{'currency': 'EUR', 'revision': 1, 'hash': 'h1', 'discount_bp': 0, "
                   "'subtotal': 600, 'discount': 0, 'total': 600, 'lines': ["
                   "{'sku': 'A', 'quantity': 1, 'net': 100},"
                   "{'sku': 'B', 'quantity': 2, 'net': 200},"
                   "{'sku': 'A', 'quantity': 3, 'net': 300}]}");
    json_t *b = js("{'currency': 'EUR', 'revision': 2, 'hash': 'h2', 'discount_bp': 500, "
                   "'subtotal': 700, 'discount': 35, 'total': 665, 'lines': ["
                   "{'sku': 'A', 'quantity': 1, 'net': 100},"
                   "{'sku': 'A', 'quantity': 4, 'net': 400},"
                   "{'sku': 'C', 'quantity': 1, 'net': 165}]}");
    json_t *d = NULL;
    assert_int_equal(dw_quote_diff(a, b, &d), 0);
    /* A (first) unchanged, A#2 quantity 3 -> 4, B removed, C added */
    assert_int_equal(dw_json_int(d, "unchanged", -1), 1);
    assert_int_equal(json_array_size(json_object_get(d, "removed")), 1);
    assert_string_equal(dw_json_str(json_array_get(json_object_get(d, "removed"), 0), "sku"), "B");
    assert_string_equal(dw_json_str(json_array_get(json_object_get(d, "added"), 0), "sku"), "C");
    json_t *ch = json_array_get(json_object_get(d, "changed"), 0);
    assert_string_equal(dw_json_str(ch, "key"), "A#2");
    assert_int_equal(json_array_size(json_object_get(ch, "changes")), 2);
    json_t *t = json_object_get(json_object_get(d, "totals"), "total");
    assert_int_equal(dw_json_int(t, "delta", 0), 65);
    assert_string_equal(dw_json_str(json_array_get(json_object_get(d, "quote"), 0), "field"),
                        "discount_bp");
    struct dw_buf text;
    dw_buf_init(&text, 0);
    assert_int_equal(dw_quote_diff_text(d, &text), 0);
    assert_contains(text.data, "- B");
    assert_contains(text.data, "+ C");
    assert_contains(text.data, "~ A#2");
    dw_buf_release(&text);
    json_decref(d);
    /* the same quote: nothing changed */
    assert_int_equal(dw_quote_diff(a, a, &d), 0);
    assert_int_equal(dw_json_int(d, "unchanged", -1), 3);
    assert_int_equal(json_array_size(json_object_get(d, "changed")), 0);
    json_decref(d);
    json_decref(a);
    json_decref(b);
}

/* The quote hash streams the canonical JSON into SHA-256: the same digest as hashing
 * dw_json_canonical()'s text, escapes, Unicode, negative and extreme integers included. */
static void test_hash_is_canonical(void **state) {
    json_t *docs[] = {
        js("{'b': 1, 'a': [true, false, null, -9223372036854775807, 0, 9223372036854775807], "
           "'ab': {'z': '', 'y': 'quote \\' and \\\\ and /'}, 'aa': []}"),
        json_pack("{s:s, s:s, s:{}}", "ctl", "tab\t nl\n cr\r bs\b ff\f \x01\x1f\x7f", "utf8",
                  "Gr\xc3\xbc\xc3\x9f"
                  "e \xe2\x82\xac \xf0\x9f\x98\x80",
                  "empty"),
        price(&ws, "{'lines': [{'sku': 'KIT', 'quantity': 7}, {'sku': 'SUB', 'quantity': 3}]}",
              "EUR", "SE", 1250, 36),
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(docs); i++) {
        assert_non_null(docs[i]);
        char *text = dw_json_canonical(docs[i]);
        char want[DW_SHA256_HEX], got[DW_SHA256_HEX];
        dw_sha256_hex(text, strlen(text), want);
        dw_json_hash(docs[i], got);
        if (strcmp(want, got) != 0)
            fail_msg("doc %zu: %s", i, text);
        free(text);
        json_decref(docs[i]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_graduated_and_block),
        cmocka_unit_test(test_property_monotone),
        cmocka_unit_test(test_bundles),
        cmocka_unit_test(test_schedules_and_term),
        cmocka_unit_test(test_region_and_margin),
        cmocka_unit_test(test_property_totals),
        cmocka_unit_test(test_price_rules),
        cmocka_unit_test(test_price_rule_validation),
        cmocka_unit_test(test_diff),
        cmocka_unit_test(test_hash_is_canonical),
    };
    if (dw_base_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
