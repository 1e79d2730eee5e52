/* Unit tests of the pricing engine (lib/engines/pricing/pricer.c) and the pricing agent.
 *
 * The workspace is built by hand in C, independent of the YAML loader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "agents/agent.h"
#include "engines/pricing.h"

/* ---- a hand-built workspace ---------------------------------------------------------- */

static struct dw_item items[] = {
    {.sku = "HW", .name = "Gateway", .kind = DW_ITEM_HARDWARE, .billing = DW_BILL_ONE_TIME},
    {.sku = "SUB", .name = "Licence", .kind = DW_ITEM_SUBSCRIPTION, .billing = DW_BILL_MONTHLY},
    {.sku = "CENT", .name = "Half-euro part", .kind = DW_ITEM_HARDWARE},
    {.sku = "SVC", .name = "Onboarding", .kind = DW_ITEM_SERVICE},
    {.sku = "OPT", .name = "Option without a price", .kind = DW_ITEM_HARDWARE, .option_only = true},
};

#define TIERS(...)                                                                                 \
    .tiers = (struct dw_tier[]){__VA_ARGS__},                                                      \
    .n_tiers = sizeof((struct dw_tier[]){__VA_ARGS__}) / sizeof(struct dw_tier)

static struct dw_price eur_prices[] = {
    {.sku = "HW", .list = 129000, TIERS({10, 119000}, {50, 109000})},
    {.sku = "SUB", .list = 1500, TIERS({100, 1200}, {1000, 900})},
    {.sku = "CENT", .list = 50},
    {.sku = "SVC", .list = 250000},
};
static struct dw_price usd_prices[] = {
    {.sku = "HW", .list = 139000},
    {.sku = "SUB", .list = 1600},
    {.sku = "CENT", .list = 55},
    {.sku = "SVC", .list = 270000},
};
static struct dw_price jpy_prices[] = {
    {.sku = "HW", .list = 210000},
    {.sku = "SUB", .list = 2500},
    {.sku = "CENT", .list = 80},
    {.sku = "SVC", .list = 400000},
};

static struct dw_pricebook books[] = {
    {.currency = "EUR", .digits = 2, .prices = eur_prices, .n_prices = 4},
    {.currency = "USD", .digits = 2, .prices = usd_prices, .n_prices = 4},
    {.currency = "JPY", .digits = 0, .prices = jpy_prices, .n_prices = 4},
};

static struct dw_currency currencies[] = {
    {.code = "EUR", .digits = 2, .countries = (char *[]){"DE", "AT", "FR"}, .n_countries = 3},
    {.code = "USD", .digits = 2, .countries = (char *[]){"US", "CA"}, .n_countries = 2},
    {.code = "GBP", .digits = 2, .countries = (char *[]){"GB"}, .n_countries = 1},
    {.code = "JPY", .digits = 0, .countries = (char *[]){"JP"}, .n_countries = 1},
};

/* The ladder and the approval rules are CEL, compiled in setup() as a loaded workspace's
 * would be. */
static struct dw_band bands[] = {
    {.role = "rep"}, {.role = "manager"}, {.role = "deal_desk"}, {.role = "vp"}};
static const char *const band_when[] = {"quote.discount_pct <= 10.0", "quote.discount_pct <= 20.0",
                                        "quote.discount_pct <= 35.0", "quote.discount_pct <= 60.0"};
static struct dw_approval_rule approval_rules[] = {
    {.name = "deal_size", .role = "vp", .reason = "Large deal"},
    {.name = "broken", .role = "deal_desk", .reason = "A rule that fails on JPY"},
};
static const char *const approval_when[] = {
    "quote.currency in ['EUR', 'USD'] && "
    "quote.total >= {'EUR': 250000.0, 'USD': 275000.0}[quote.currency]",
    /* no entry for JPY: evaluating it on a JPY quote is an error, which must ask */
    "quote.total > {'EUR': 1e12, 'USD': 1e12}[quote.currency]",
};

static struct dw_workspace ws = {
    .home_currency = "EUR",
    .currencies = currencies,
    .n_currencies = DW_ARRAY_SIZE(currencies),
    .items = items,
    .n_items = DW_ARRAY_SIZE(items),
    .pricebooks = books,
    .n_pricebooks = DW_ARRAY_SIZE(books),
    .policies = {.bands = bands,
                 .n_bands = DW_ARRAY_SIZE(bands),
                 .approvals = approval_rules,
                 .n_approvals = DW_ARRAY_SIZE(approval_rules),
                 .default_term_months = 12},
    .hash = "feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface",
};

/* A solution of one line. */
static json_t *one_line(const char *sku, int64_t qty) {
    return json_pack("{s:[{s:s, s:I}]}", "lines", "sku", sku, "quantity", (json_int_t)qty);
}

static json_t *price_ok(const json_t *sol, const char *cur, int32_t bp, int term) {
    json_t *q = NULL;
    struct dw_error err = {0};
    int r = dw_price(&ws, sol, cur, bp, term, &q, &err);
    if (r != 0)
        fail_msg("dw_price: %s (%s)", err.msg, dw_errname(r));
    return q;
}

static json_t *line0(const json_t *q) {
    return json_array_get(json_object_get(q, "lines"), 0);
}

/* ---- tiers, billing, rounding -------------------------------------------------------- */

static void test_tiers(void **state) {
    static const struct {
        const char *sku;
        int64_t qty, unit;
    } cases[] = {
        {"HW", 1, 129000},  {"HW", 9, 129000},  {"HW", 10, 119000},   {"HW", 11, 119000},
        {"HW", 49, 119000}, {"HW", 50, 109000}, {"HW", 5000, 109000}, {"SUB", 99, 1500},
        {"SUB", 100, 1200}, {"SUB", 999, 1200}, {"SUB", 1000, 900},   {"CENT", 1000000, 50},
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(cases); i++) {
        json_t *sol = one_line(cases[i].sku, cases[i].qty);
        json_t *q = price_ok(sol, "EUR", 0, 1);
        json_t *l = line0(q);
        assert_int_equal(dw_json_int(l, "unit_price", -1), cases[i].unit);
        assert_int_equal(dw_json_int(l, "amount", -1), cases[i].unit * cases[i].qty);
        assert_int_equal(dw_json_int(q, "total", -1), cases[i].unit * cases[i].qty);
        json_decref(q);
        json_decref(sol);
    }
}

static void test_monthly_term(void **state) {
    json_t *sol = js("{'lines': [{'sku': 'HW', 'quantity': 10}, {'sku': 'SUB', 'quantity': 10}]}");
    json_t *q = price_ok(sol, "EUR", 0, 36);
    json_t *hw = json_array_get(json_object_get(q, "lines"), 0);
    json_t *sub = json_array_get(json_object_get(q, "lines"), 1);
    assert_int_equal(dw_json_int(hw, "amount", -1), 1190000); /* one time, term ignored */
    assert_string_equal(dw_json_str(hw, "billing"), "one_time");
    assert_true(json_is_null(json_object_get(hw, "term_months")));
    assert_int_equal(dw_json_int(sub, "amount", -1), 1500 * 10 * 36);
    assert_string_equal(dw_json_str(sub, "billing"), "monthly");
    assert_int_equal(dw_json_int(sub, "term_months", -1), 36);
    assert_int_equal(dw_json_int(q, "term_months", -1), 36);
    assert_int_equal(dw_json_int(q, "subtotal", -1), 1190000 + 540000);
    assert_string_equal(dw_json_str(hw, "name"), "Gateway");
    json_decref(q);
    json_decref(sol);
}

static void test_half_even(void **state) {
    /* 1 % of 0.50, 1.50, 2.50, 3.50 EUR: exactly half a cent each time. */
    static const struct {
        int64_t qty;
        int32_t bp;
        int64_t discount;
    } cases[] = {
        {1, 100, 0},  /* 0.5 -> 0 */
        {3, 100, 2},  /* 1.5 -> 2 */
        {5, 100, 2},  /* 2.5 -> 2 */
        {7, 100, 4},  /* 3.5 -> 4 */
        {9, 100, 4},  /* 4.5 -> 4 */
        {1, 1000, 5}, /* exact */
        {3, 333, 5},  /* 4.995 -> 5 */
        {1, 10000, 50}, {1, 0, 0},
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(cases); i++) {
        json_t *sol = one_line("CENT", cases[i].qty);
        json_t *q = price_ok(sol, "EUR", cases[i].bp, 12);
        json_t *l = line0(q);
        assert_int_equal(dw_json_int(l, "discount", -1), cases[i].discount);
        assert_int_equal(dw_json_int(l, "net", -1), 50 * cases[i].qty - cases[i].discount);
        assert_int_equal(dw_json_int(q, "discount_bp", -1), cases[i].bp);
        json_decref(q);
        json_decref(sol);
    }
    /* Each line rounds on its own; the quote's discount is their sum. */
    json_t *sol = js("{'lines': [{'sku': 'HW', 'quantity': 10}, {'sku': 'CENT', 'quantity': 1}]}");
    json_t *q = price_ok(sol, "EUR", 1250, 12);
    /* 12.5 % of 1190000 = 148750; 12.5 % of 50 = 6.25 -> 6 */
    assert_int_equal(dw_json_int(q, "discount", -1), 148750 + 6);
    assert_int_equal(dw_json_int(q, "total", -1), 1190000 + 50 - 148756);
    json_decref(q);
    json_decref(sol);
}

/* ---- properties over many random solutions ------------------------------------------- */

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint64_t rng(void) {
    return xorshift64(&rng_state);
}

static void test_totals_add_up(void **state) {
    static const char *const skus[] = {"HW", "SUB", "CENT", "SVC"};
    static const char *const curs[] = {"EUR", "USD", "JPY"};
    for (int round = 0; round < 2000; round++) {
        json_t *lines = json_array();
        size_t n = 1 + rng() % 8;
        for (size_t i = 0; i < n; i++)
            json_array_append_new(lines, json_pack("{s:s, s:I}", "sku", skus[rng() % 4], "quantity",
                                                   (json_int_t)(1 + rng() % 2000)));
        json_t *sol = json_pack("{s:o}", "lines", lines);
        int32_t bp = (int32_t)(rng() % 10001);
        int term = 1 + (int)(rng() % 60);
        json_t *q = price_ok(sol, curs[rng() % 3], bp, term);
        int64_t sum_amount = 0, sum_disc = 0, sum_net = 0;
        size_t i;
        json_t *l;
        assert_int_equal(json_array_size(json_object_get(q, "lines")), n);
        json_array_foreach(json_object_get(q, "lines"), i, l) {
            int64_t amount = dw_json_int(l, "amount", -1), disc = dw_json_int(l, "discount", -1);
            int64_t net = dw_json_int(l, "net", -1);
            assert_int_equal(net, amount - disc);
            assert_true(disc >= 0 && disc <= amount);
            /* |discount - amount x bp / 10000| <= 1/2 minor unit */
            __int128 exact2 = (__int128)amount * bp * 2, got2 = (__int128)disc * 20000;
            __int128 diff = exact2 > got2 ? exact2 - got2 : got2 - exact2;
            assert_true(diff <= 10000);
            sum_amount += amount;
            sum_disc += disc;
            sum_net += net;
        }
        assert_int_equal(sum_amount, dw_json_int(q, "subtotal", -1));
        assert_int_equal(sum_disc, dw_json_int(q, "discount", -1));
        assert_int_equal(sum_net, dw_json_int(q, "total", -1));
        assert_int_equal(dw_json_int(q, "subtotal", -1) - dw_json_int(q, "discount", -1),
                         dw_json_int(q, "total", -1));
        /* the hash is the content without the hash */
        json_t *copy = json_deep_copy(q);
        json_object_del(copy, "hash");
        char h[DW_SHA256_HEX];
        dw_json_hash(copy, h);
        assert_string_equal(h, dw_json_str(q, "hash"));
        json_decref(copy);
        json_decref(q);
        json_decref(sol);
    }
}

static void test_price_never_rises(void **state) {
    for (size_t b = 0; b < DW_ARRAY_SIZE(books); b++) {
        for (size_t s = 0; s < 2; s++) {
            int64_t prev = INT64_MAX;
            for (int64_t qty = 1; qty <= 1200; qty++) {
                json_t *sol = one_line(s == 0 ? "HW" : "SUB", qty);
                json_t *q = price_ok(sol, books[b].currency, 0, 1);
                int64_t unit = dw_json_int(line0(q), "unit_price", -1);
                assert_true(unit <= prev);
                prev = unit;
                json_decref(q);
                json_decref(sol);
            }
        }
    }
}

/* ---- errors -------------------------------------------------------------------------- */

static void test_overflow(void **state) {
    static const struct {
        const char *sol;
        int term;
    } cases[] = {
        {"{'lines': [{'sku': 'HW', 'quantity': 9223372036854775}]}", 1},    /* qty x price */
        {"{'lines': [{'sku': 'SUB', 'quantity': 6148914691236517}]}", 600}, /* x term */
        {"{'lines': [{'sku': 'SVC', 'quantity': 30000000000000},"
         "           {'sku': 'SVC', 'quantity': 30000000000000}]}",
         1}, /* the sum */
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(cases); i++) {
        json_t *sol = js(cases[i].sol), *q = NULL;
        struct dw_error err = {0};
        assert_int_equal(dw_price(&ws, sol, "EUR", 1000, cases[i].term, &q, &err), -DW_ETOOBIG);
        assert_null(q);
        assert_contains(err.msg, "overflows");
        json_decref(sol);
    }
    /* near the edge but inside it: 3e13 x 2500.00 = 7.5e18 < 2^63 */
    json_t *sol = one_line("SVC", 30000000000000), *q = price_ok(sol, "EUR", 10000, 1);
    assert_int_equal(dw_json_int(q, "total", -1), 0);
    assert_int_equal(dw_json_int(q, "discount", -1), 7500000000000000000LL);
    json_decref(q);
    json_decref(sol);
}

static void test_errors(void **state) {
    static const struct {
        const char *sol, *cur;
        int32_t bp;
        int term, code;
        const char *field;
    } cases[] = {
        {"{'lines': [{'sku': 'NOPE', 'quantity': 1}]}", "EUR", 0, 12, -DW_ENOENT, "lines[0].sku"},
        {"{'lines': [{'sku': 'HW', 'quantity': 1}, {'sku': 'OPT', 'quantity': 1}]}", "EUR", 0, 12,
         -DW_ENOENT, "lines[1].sku"},
        {"{'lines': [{'sku': 'HW', 'quantity': 0}]}", "EUR", 0, 12, -DW_EINVAL,
         "lines[0].quantity"},
        {"{'lines': [{'sku': 'HW', 'quantity': '3'}]}", "EUR", 0, 12, -DW_EINVAL,
         "lines[0].quantity"},
        {"{'lines': [{'quantity': 3}]}", "EUR", 0, 12, -DW_EINVAL, "lines[0].sku"},
        {"{'lines': {}}", "EUR", 0, 12, -DW_EINVAL, "lines"},
        {"{'lines': []}", "GBP", 0, 12, -DW_ENOENT, ""},
        {"{'lines': []}", "EUR", 10001, 12, -DW_EINVAL, "discount"},
        {"{'lines': []}", "EUR", -1, 12, -DW_EINVAL, "discount"},
        {"{'lines': []}", "EUR", 0, 0, -DW_EINVAL, "term_months"},
        {"{'lines': []}", "EUR", 0, DW_PRICE_MAX_TERM + 1, -DW_EINVAL, "term_months"},
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(cases); i++) {
        json_t *sol = js(cases[i].sol), *q = NULL;
        struct dw_error err = {0};
        assert_int_equal(dw_price(&ws, sol, cases[i].cur, cases[i].bp, cases[i].term, &q, &err),
                         cases[i].code);
        assert_null(q);
        assert_string_equal(err.field, cases[i].field);
        json_decref(sol);
    }
    /* An empty solution prices to zero. */
    json_t *sol = js("{'lines': []}"), *q = price_ok(sol, "EUR", 0, 12);
    assert_int_equal(dw_json_int(q, "total", -1), 0);
    json_decref(q);
    json_decref(sol);
}

/* ---- hash, currency ------------------------------------------------------------------ */

static void test_hash(void **state) {
    json_t *a = js("{'lines': [{'sku': 'HW', 'quantity': 12, 'reason': 'x', 'covers': []}]}");
    json_t *b = js("{'lines': [{'sku': 'HW', 'quantity': 12, 'reason': 'other words'}],"
                   " 'not_covered': [{'capability': 'wifi', 'reason': 'r'}]}");
    json_t *qa = price_ok(a, "EUR", 500, 12), *qb = price_ok(b, "EUR", 500, 12);
    json_t *qc = price_ok(a, "EUR", 600, 12), *qd = price_ok(a, "USD", 500, 12);
    json_t *qe = price_ok(a, "EUR", 500, 24);
    assert_int_equal(strlen(dw_json_str(qa, "hash")), 64);
    assert_string_equal(dw_json_str(qa, "hash"), dw_json_str(qb, "hash"));
    assert_string_not_equal(dw_json_str(qa, "hash"), dw_json_str(qc, "hash"));
    assert_string_not_equal(dw_json_str(qa, "hash"), dw_json_str(qd, "hash"));
    assert_string_not_equal(dw_json_str(qa, "hash"), dw_json_str(qe, "hash"));
    assert_true(json_equal(qa, qb));
    /* the store's quote keys */
    static const char *const keys[] = {"currency",    "digits", "subtotal",
                                       "discount",    "total",  "discount_bp",
                                       "term_months", "lines",  "hash"};
    for (size_t i = 0; i < DW_ARRAY_SIZE(keys); i++)
        assert_non_null(json_object_get(qa, keys[i]));
    assert_int_equal(json_object_size(qa), DW_ARRAY_SIZE(keys));
    assert_int_equal(dw_json_int(qd, "digits", -1), 2);
    json_t *qj = price_ok(a, "JPY", 0, 12);
    assert_int_equal(dw_json_int(qj, "digits", -1), 0);
    assert_int_equal(dw_json_int(qj, "total", -1), 210000 * 12);
    json_decref(qa);
    json_decref(qb);
    json_decref(qc);
    json_decref(qd);
    json_decref(qe);
    json_decref(qj);
    json_decref(a);
    json_decref(b);
}

static void test_currency_choice(void **state) {
    static const struct {
        const char *req, *cur;
    } cases[] = {
        {"{'budget': {'amount': '50000.00', 'currency': 'USD'}, 'country': {'code': 'DE'}}", "USD"},
        /* no GBP book: the country decides */
        {"{'budget': {'amount': '50000.00', 'currency': 'GBP'}, 'country': {'code': 'CA'}}", "USD"},
        {"{'budget': null, 'country': {'code': 'JP'}}", "JPY"},
        /* GB is a GBP country, but there is no GBP book: home */
        {"{'country': {'code': 'GB'}}", "EUR"},
        {"{'country': {'code': 'BR'}}", "EUR"},
        {"{}", "EUR"},
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(cases); i++) {
        json_t *req = js(cases[i].req);
        assert_string_equal(dw_pricing_currency(&ws, req), cases[i].cur);
        json_decref(req);
    }
    assert_string_equal(dw_pricing_currency(&ws, NULL), "EUR");
}

/* ---- approvals ----------------------------------------------------------------------- */

static json_t *approvals_for(int32_t bp, int64_t total, const char *cur) {
    json_t *q = json_pack("{s:s, s:i, s:I, s:i}", "currency", cur, "digits", 2, "total",
                          (json_int_t)total, "discount_bp", (int)bp);
    json_t *list = NULL;
    assert_int_equal(dw_approvals_needed(&ws, q, NULL, &list), 0);
    json_decref(q);
    return list;
}

static void test_discount_bands(void **state) {
    static const struct {
        int32_t bp;
        const char *role; /* NULL: no approval */
    } cases[] = {
        {0, NULL},         {1000, NULL},        {1001, "manager"},   {1500, "manager"},
        {2000, "manager"}, {2001, "deal_desk"}, {3500, "deal_desk"}, {3501, "vp"},
        {6000, "vp"},      {6001, "vp"},        {10000, "vp"},
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(cases); i++) {
        json_t *list = approvals_for(cases[i].bp, 100000, "EUR");
        if (!cases[i].role) {
            assert_int_equal(json_array_size(list), 0);
        } else {
            assert_int_equal(json_array_size(list), 1);
            json_t *a = json_array_get(list, 0);
            assert_string_equal(dw_json_str(a, "kind"), "discount");
            assert_string_equal(dw_json_str(a, "required_role"), cases[i].role);
        }
        json_decref(list);
    }
    json_t *list = approvals_for(1500, 100000, "EUR");
    json_t *a = json_array_get(list, 0);
    assert_string_equal(dw_json_str(a, "reason"),
                        "Discount 15 % is beyond the rep's authority (quote.discount_pct <= 10.0)");
    assert_string_equal(dw_json_str(a, "rule"),
                        "policies.yaml discount_bands[1] (manager): quote.discount_pct <= 20.0");
    json_decref(list);
    list = approvals_for(1001, 100000, "EUR");
    assert_contains(dw_json_str(json_array_get(list, 0), "reason"), "Discount 10.01 % is beyond");
    json_decref(list);
    list = approvals_for(3501, 100000, "EUR");
    assert_string_equal(dw_json_str(json_array_get(list, 0), "rule"),
                        "policies.yaml discount_bands[3] (vp): quote.discount_pct <= 60.0");
    json_decref(list);
    /* Beyond every band: the most senior role decides, and the reason says so. */
    list = approvals_for(6001, 100000, "EUR");
    assert_contains(dw_json_str(json_array_get(list, 0), "reason"), "beyond every discount band");
    json_decref(list);
}

static void test_deal_size(void **state) {
    json_t *list = approvals_for(0, 24999999, "EUR");
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    list = approvals_for(0, 25000000, "EUR");
    assert_int_equal(json_array_size(list), 1);
    json_t *a = json_array_get(list, 0);
    assert_string_equal(dw_json_str(a, "kind"), "deal_size");
    assert_string_equal(dw_json_str(a, "required_role"), "vp");
    assert_string_equal(dw_json_str(a, "reason"), "Large deal");
    assert_contains(dw_json_str(a, "rule"), "quote.total >= {'EUR': 250000.0");
    json_decref(list);
    /* the threshold is per currency: 260000.00 USD is below USD's 275000.00 */
    list = approvals_for(0, 26000000, "USD");
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    /* no threshold for JPY in deal_size; the broken rule fails on JPY and asks anyway */
    list = approvals_for(0, 999999999999, "JPY");
    assert_int_equal(json_array_size(list), 1);
    a = json_array_get(list, 0);
    assert_string_equal(dw_json_str(a, "kind"), "broken");
    assert_string_equal(dw_json_str(a, "required_role"), "deal_desk");
    assert_contains(dw_json_str(a, "reason"), "could not be evaluated");
    assert_contains(dw_json_str(a, "reason"), "no such key");
    json_decref(list);
    /* both at once, discount first */
    list = approvals_for(2500, 30000000, "EUR");
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(dw_json_str(json_array_get(list, 0), "kind"), "discount");
    assert_string_equal(dw_json_str(json_array_get(list, 0), "required_role"), "deal_desk");
    assert_string_equal(dw_json_str(json_array_get(list, 1), "kind"), "deal_size");
    json_decref(list);
    /* a malformed quote */
    json_t *q = js("{'currency': 'EUR'}");
    assert_int_equal(dw_approvals_needed(&ws, q, NULL, &list), -DW_EINVAL);
    json_decref(q);
}

/* ---- the pricing agent --------------------------------------------------------------- */

static json_t *docs;      /* kind -> document */
static json_t *quotes;    /* revisions stored, oldest first */
static json_t *requested; /* approvals requested */

static int mock_doc_get(struct dw_agent_ctx *c, const char *kind, const json_t **ret) {
    json_t *d = json_object_get(docs, kind);
    if (!d)
        return -DW_ENOENT;
    *ret = json_incref(d);
    return 0;
}

static int mock_quote_put(struct dw_agent_ctx *c, json_t *quote, int *ret_revision, bool *ret_new) {
    if (!(c->agent->scope & DW_TOOL_WRITE_QUOTE))
        return -DW_EPERM;
    /* the tool stamps the content hash, as the gateway's does */
    char h[DW_SHA256_HEX];
    json_t *content = json_copy(quote);
    json_object_del(content, "hash");
    dw_json_hash(content, h);
    json_decref(content);
    json_object_set_new(quote, "hash", json_string(h));
    size_t n = json_array_size(quotes);
    json_t *last = json_array_get(quotes, n - 1);
    bool same = last && strcmp(dw_json_str(last, "hash"), dw_json_str(quote, "hash")) == 0;
    if (!same)
        json_array_append_new(quotes, json_deep_copy(quote));
    *ret_revision = (int)json_array_size(quotes);
    *ret_new = !same;
    return 0;
}

static int mock_quote_get(struct dw_agent_ctx *c, int revision, const json_t **ret) {
    if (!(c->agent->scope & DW_TOOL_READ_DEAL))
        return -DW_EPERM;
    size_t n = json_array_size(quotes);
    json_t *q = json_array_get(quotes, revision > 0 ? (size_t)revision - 1 : n - 1);
    if (!q)
        return -DW_ENOENT;
    json_t *copy = json_deep_copy(q);
    json_object_set_new(copy, "revision", json_integer(revision > 0 ? revision : (int)n));
    *ret = copy;
    return 0;
}

static int mock_request_approval(struct dw_agent_ctx *c, const char *kind, const char *role,
                                 const char *reason, const char *rule) {
    if (!(c->agent->scope & DW_TOOL_REQUEST_APPROVAL))
        return -DW_EPERM;
    json_array_append_new(requested, json_pack("{s:s, s:s, s:s, s:s}", "kind", kind, "role", role,
                                               "reason", reason, "rule", rule));
    return 0;
}

static int mock_leads(struct dw_agent_ctx *c, const json_t **ret) {
    if (!(c->agent->scope & DW_TOOL_READ_LEADS))
        return -DW_EPERM;
    *ret = json_pack("[{s:s, s:s, s:{s:{s:s, s:s}}}]", "source", "web_form", "received_at",
                     "2026-11-20T09:14:00Z", "intake", "contact", "email", "cto@example.com",
                     "country", "DE");
    return *ret ? 0 : -DW_ENOMEM;
}

static const struct dw_tools mock_tools = {
    .leads = mock_leads,
    .doc_get = mock_doc_get,
    .quote_put = mock_quote_put,
    .quote_get = mock_quote_get,
    .request_approval = mock_request_approval,
};

extern const struct dw_agent dw_agent_pricing;

static int run_agent(struct dw_agent_ctx *ctx) {
    json_decref(ctx->note);
    ctx->note = NULL;
    json_array_clear(requested);
    return dw_agent_pricing.step(ctx);
}

static void test_agent(void **state) {
    const struct dw_agent *a = &dw_agent_pricing;
    assert_string_equal(a->name, "pricing");
    assert_int_equal(a->needs, DW_FACT_SOLUTION);
    assert_int_equal(a->produces, DW_FACT_QUOTE);
    assert_int_equal(a->scope, DW_TOOL_READ_LEADS | DW_TOOL_READ_DEAL | DW_TOOL_WRITE_QUOTE |
                                   DW_TOOL_REQUEST_APPROVAL);

    docs = json_object();
    quotes = json_array();
    requested = json_array();
    struct dw_error err = {0};
    struct dw_agent_ctx ctx = {.agent = a, .tools = &mock_tools, .ws = &ws, .err = &err};

    assert_int_equal(run_agent(&ctx), -DW_ENOENT); /* no solution yet */
    assert_contains(err.msg, "solution");

    json_object_set_new(docs, "solution",
                        js("{'lines': [], 'not_covered': [{'capability': "
                           "'wifi', 'reason': 'r'}]}"));
    assert_int_equal(run_agent(&ctx), -DW_EVALIDATE);
    assert_int_equal(json_array_size(quotes), 0);

    json_object_set_new(docs, "solution",
                        js("{'lines': [{'sku': 'HW', 'quantity': 10, 'covers': ['sd-wan'],"
                           " 'reason': '10 sites', 'required_by': null},"
                           " {'sku': 'SUB', 'quantity': 10, 'covers': [], 'reason': 'r',"
                           " 'required_by': 'HW'}], 'not_covered': [], 'options': []}"));
    json_object_set_new(docs, "requirements",
                        js("{'discount': {'pct': '15', 'text': '15% off'},"
                           " 'term_months': {'value': 36, 'text': '3-year'},"
                           " 'budget': {'amount': '90000.00', 'currency': 'USD'},"
                           " 'country': {'code': 'DE'}}"));
    assert_int_equal(run_agent(&ctx), 0);
    json_t *q = json_array_get(quotes, 0);
    assert_string_equal(dw_json_str(q, "currency"), "USD");
    assert_int_equal(dw_json_int(q, "discount_bp", -1), 1500);
    assert_int_equal(dw_json_int(q, "term_months", -1), 36);
    /* 10 x 1390.00 + 10 x 16.00 x 36 = 13900.00 + 5760.00 = 19660.00; 15 % off */
    assert_int_equal(dw_json_int(q, "subtotal", -1), 1966000);
    assert_int_equal(dw_json_int(q, "total", -1), 1966000 - 294900);
    assert_int_equal(json_array_size(requested), 1);
    assert_string_equal(dw_json_str(json_array_get(requested, 0), "role"), "manager");
    assert_string_equal(dw_json_str(ctx.note, "currency"), "USD");
    assert_string_equal(dw_json_str(ctx.note, "total"), "16711.00");
    assert_int_equal(dw_json_int(ctx.note, "discount_bp", -1), 1500);
    assert_int_equal(dw_json_int(ctx.note, "revision", -1), 1);
    assert_true(dw_json_bool(ctx.note, "new_revision", false));

    /* Same inputs: same hash, same revision (the gateway dedups), approvals asked again
     * (the gateway does not repeat them). */
    assert_int_equal(run_agent(&ctx), 0);
    assert_int_equal(json_array_size(quotes), 1);
    assert_int_equal(dw_json_int(ctx.note, "revision", -1), 1);
    assert_false(dw_json_bool(ctx.note, "new_revision", true));

    /* An override replaces the requested discount: a new revision, no approval. */
    json_object_set_new(docs, "pricing_overrides",
                        js("{'discount_pct': '10', 'by': 'maria', 'reason': 'rejected'}"));
    assert_int_equal(run_agent(&ctx), 0);
    assert_int_equal(json_array_size(quotes), 2);
    assert_int_equal(dw_json_int(json_array_get(quotes, 1), "discount_bp", -1), 1000);
    assert_int_equal(json_array_size(requested), 0);
    assert_string_equal(dw_json_str(ctx.note, "discount_source"), "override");

    /* No term asked for: the policy's default. No discount: none. */
    json_object_del(docs, "pricing_overrides");
    json_object_set_new(docs, "requirements", js("{'country': {'code': 'FR'}}"));
    assert_int_equal(run_agent(&ctx), 0);
    q = json_array_get(quotes, 2);
    assert_string_equal(dw_json_str(q, "currency"), "EUR");
    assert_int_equal(dw_json_int(q, "term_months", -1), 12);
    assert_int_equal(dw_json_int(q, "discount_bp", -1), 0);

    /* A bad percentage is a clear error. */
    json_object_set_new(docs, "requirements", js("{'discount': {'pct': 'lots'}}"));
    assert_int_equal(run_agent(&ctx), -DW_EINVAL);
    assert_string_equal(err.field, "requirements.discount.pct");

    json_decref(ctx.note);
    json_decref(docs);
    json_decref(quotes);
    json_decref(requested);
}

static int rules_setup(void **state) {
    struct dw_error err = {0};
    if (dw_ws_rules_init(&ws) < 0)
        return -1;
    for (size_t i = 0; i < DW_ARRAY_SIZE(bands); i++) {
        char name[64];
        snprintf(name, sizeof name, "policies.yaml discount_bands[%zu] (%s)", i, bands[i].role);
        if (dw_rule_compile(&ws, DW_RULE_QUOTE, name, band_when[i], &bands[i].within, &err) < 0)
            return -1;
    }
    for (size_t i = 0; i < DW_ARRAY_SIZE(approval_rules); i++) {
        char name[64];
        snprintf(name, sizeof name, "policies.yaml approvals[%zu] (%s)", i, approval_rules[i].name);
        if (dw_rule_compile(&ws, DW_RULE_QUOTE, name, approval_when[i], &approval_rules[i].rule,
                            &err) < 0)
            return -1;
    }
    return 0;
}

static int rules_teardown(void **state) {
    for (size_t i = 0; i < DW_ARRAY_SIZE(bands); i++)
        dw_rule_release(&bands[i].within);
    for (size_t i = 0; i < DW_ARRAY_SIZE(approval_rules); i++)
        dw_rule_release(&approval_rules[i].rule);
    dw_ws_rules_release(&ws);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiers),
        cmocka_unit_test(test_monthly_term),
        cmocka_unit_test(test_half_even),
        cmocka_unit_test(test_totals_add_up),
        cmocka_unit_test(test_price_never_rises),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_currency_choice),
        cmocka_unit_test(test_discount_bands),
        cmocka_unit_test(test_deal_size),
        cmocka_unit_test(test_agent),
    };
    if (dw_base_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, rules_setup, rules_teardown);
}
