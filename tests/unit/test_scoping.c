/* Unit tests of the configurator (lib/engines/configure.c) and the scoping agent.
 *
 * The workspace is built by hand in C: the tests do not depend on the YAML loader, and
 * building it from an array lets a test leave items out or shuffle the catalog. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agents/agent.h"
#include "engines/configure.h"

/* ---- a hand-built catalog ------------------------------------------------------------ */

#define LIST(...) ((char *[]){__VA_ARGS__})
#define NLIST(...) (sizeof((char *[]){__VA_ARGS__}) / sizeof(char *))
#define CAPS(...) .capabilities = LIST(__VA_ARGS__), .n_capabilities = NLIST(__VA_ARGS__)
#define EXCL(...) .excludes = LIST(__VA_ARGS__), .n_excludes = NLIST(__VA_ARGS__)
#define OPTS(...) .options = LIST(__VA_ARGS__), .n_options = NLIST(__VA_ARGS__)
#define REQS(...)                                                                                  \
    .requires = (struct dw_item_req[]){__VA_ARGS__},                                               \
    .n_requires = sizeof((struct dw_item_req[]){__VA_ARGS__}) / sizeof(struct dw_item_req)

static const struct dw_item catalog[] = {
    {.sku = "EDGE-100",
     .name = "Edge Gateway 100",
     .kind = DW_ITEM_HARDWARE,
     CAPS("sd-wan", "firewall"),
     .quantity_unit = "sites",
     .quantity_factor = 1,
     .min_qty = 1,
     .max_qty = 500,
     .rank = 10,
     REQS({"LIC-EDGE", 1}, {"SUP-NBD", 10}),
     EXCL("EDGE-HA"),
     OPTS("PSU-RED", "WIFI-AP")},
    {.sku = "EDGE-500",
     .name = "Edge Gateway 500",
     .kind = DW_ITEM_HARDWARE,
     CAPS("sd-wan", "firewall"),
     .quantity_unit = "sites",
     .quantity_factor = 1,
     .min_qty = 1,
     .rank = 20,
     REQS({"LIC-EDGE", 1}, {"SUP-NBD", 10})},
    {.sku = "EDGE-HA",
     .name = "HA pair kit",
     .kind = DW_ITEM_HARDWARE,
     CAPS("high-availability"),
     .quantity_unit = "sites",
     .quantity_factor = 1,
     .rank = 10},
    {.sku = "HA-CLUSTER",
     .name = "HA cluster service",
     .kind = DW_ITEM_SERVICE,
     CAPS("high-availability"),
     .rank = 50},
    {.sku = "LIC-EDGE",
     .name = "Edge licence",
     .kind = DW_ITEM_SUBSCRIPTION,
     .billing = DW_BILL_MONTHLY,
     CAPS("cloud-management"),
     .rank = 100,
     REQS({"PORTAL", 10})},
    {.sku = "PORTAL",
     .name = "Management portal",
     .kind = DW_ITEM_SUBSCRIPTION,
     .billing = DW_BILL_MONTHLY,
     .rank = 100},
    {.sku = "SUP-NBD",
     .name = "Next-business-day support",
     .kind = DW_ITEM_SERVICE,
     CAPS("support"),
     .rank = 100},
    {.sku = "PSU-RED",
     .name = "Redundant PSU",
     .kind = DW_ITEM_HARDWARE,
     CAPS("redundant-power"),
     .quantity_unit = "sites",
     .quantity_factor = 1,
     .option_only = true},
    {.sku = "WIFI-AP",
     .name = "Wi-Fi access point",
     .kind = DW_ITEM_HARDWARE,
     CAPS("wifi"),
     .quantity_unit = "sites",
     .quantity_factor = 2,
     .min_qty = 4,
     .rank = 10},
    {.sku = "ONPREM-CTL",
     .name = "On-prem controller",
     .kind = DW_ITEM_HARDWARE,
     CAPS("wifi-controller", "on-prem"),
     .rank = 10},
    {.sku = "CLOUD-CTL",
     .name = "Cloud controller",
     .kind = DW_ITEM_SUBSCRIPTION,
     CAPS("wifi-controller"),
     .rank = 20},
    {.sku = "VPN-GW",
     .name = "Remote-access gateway",
     .kind = DW_ITEM_SUBSCRIPTION,
     CAPS("remote-access"),
     .quantity_unit = "users",
     .quantity_factor = 1,
     .min_qty = 25,
     .rank = 10,
     REQS({"LIC-EDGE", 50}, {"PORTAL", 1000})},
    /* counted per site when asked for, and required by the hub gateways as well */
    {.sku = "SUP-247",
     .name = "24x7 support",
     .kind = DW_ITEM_SERVICE,
     CAPS("support-24x7"),
     .quantity_unit = "sites",
     .quantity_factor = 1,
     .rank = 10},
    {.sku = "HUB-GW",
     .name = "Hub gateway",
     .kind = DW_ITEM_HARDWARE,
     CAPS("hub"),
     .quantity_unit = "hubs",
     .quantity_factor = 1,
     .rank = 10,
     REQS({"SUP-247", 1})},
    {.sku = "SENSOR", .name = "Sensor", .kind = DW_ITEM_HARDWARE, CAPS("iot"), .rank = 10},
    /* same rank as EDGE-100 but dearer: the price decides */
    {.sku = "FW-B",
     .name = "Firewall",
     .kind = DW_ITEM_HARDWARE,
     CAPS("firewall-only"),
     .rank = 10},
    {.sku = "FW-A",
     .name = "Firewall plus",
     .kind = DW_ITEM_HARDWARE,
     CAPS("firewall-only"),
     .rank = 10},
    /* equal rank and price: the SKU decides */
    {.sku = "UTM-B", .name = "UTM B", .kind = DW_ITEM_HARDWARE, CAPS("utm"), .rank = 10},
    {.sku = "UTM-A", .name = "UTM A", .kind = DW_ITEM_HARDWARE, CAPS("utm"), .rank = 10},
};

static struct dw_price home_prices[] = {
    {.sku = "EDGE-100", .list = 129000},  {.sku = "EDGE-500", .list = 349000},
    {.sku = "EDGE-HA", .list = 50000},    {.sku = "HA-CLUSTER", .list = 90000},
    {.sku = "LIC-EDGE", .list = 1500},    {.sku = "PORTAL", .list = 9900},
    {.sku = "SUP-NBD", .list = 20000},    {.sku = "WIFI-AP", .list = 30000},
    {.sku = "ONPREM-CTL", .list = 90000}, {.sku = "CLOUD-CTL", .list = 5000},
    {.sku = "VPN-GW", .list = 800},       {.sku = "SENSOR", .list = 4000},
    {.sku = "FW-B", .list = 10000},       {.sku = "FW-A", .list = 20000},
    {.sku = "UTM-B", .list = 10000},      {.sku = "UTM-A", .list = 10000},
    {.sku = "SUP-247", .list = 9000},     {.sku = "HUB-GW", .list = 900000},
};

struct test_ws {
    struct dw_workspace ws;
    struct dw_item items[DW_ARRAY_SIZE(catalog)];
    struct dw_pricebook book;
};

/* The catalog without the SKUs in skip (NULL-terminated, may be NULL). */
static struct test_ws *ws_make(const char *const *skip) {
    struct test_ws *t = calloc(1, sizeof *t);
    assert_non_null(t);
    size_t n = 0;
    for (size_t i = 0; i < DW_ARRAY_SIZE(catalog); i++) {
        bool drop = false;
        for (size_t k = 0; skip && skip[k]; k++)
            drop = drop || strcmp(skip[k], catalog[i].sku) == 0;
        if (!drop)
            t->items[n++] = catalog[i];
    }
    memcpy(t->book.currency, "EUR", 4);
    t->book.digits = 2;
    t->book.prices = home_prices;
    t->book.n_prices = DW_ARRAY_SIZE(home_prices);
    memcpy(t->ws.home_currency, "EUR", 4);
    t->ws.items = t->items;
    t->ws.n_items = n;
    t->ws.pricebooks = &t->book;
    t->ws.n_pricebooks = 1;
    return t;
}

/* JSON with ' for " so the requirements read well in C. */
static json_t *js(const char *text) {
    char *s = strdup(text);
    assert_non_null(s);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    if (!j)
        fail_msg("bad test JSON: %s: %s", e.text, s);
    free(s);
    return j;
}

static json_t *configure_ok(const struct test_ws *t, const char *req_text) {
    json_t *req = js(req_text), *sol = NULL;
    struct dw_error err = {0};
    int r = dw_configure(&t->ws, req, &sol, &err);
    if (r != 0)
        fail_msg("dw_configure: %s (%s)", err.msg, dw_errname(r));
    json_decref(req);
    return sol;
}

static json_t *line_of(const json_t *sol, const char *sku) {
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(sol, "lines"), i, l) {
        if (strcmp(dw_json_str(l, "sku"), sku) == 0)
            return l;
    }
    return NULL;
}

static int64_t qty_of(const json_t *sol, const char *sku) {
    json_t *l = line_of(sol, sku);
    return l ? dw_json_int(l, "quantity", -1) : 0;
}

/* "EDGE-100:12 LIC-EDGE:12 ..." — the lines in order, for whole-solution assertions. */
static char *lines_str(const json_t *sol) {
    static char buf[1024];
    size_t off = 0, i;
    json_t *l;
    buf[0] = '\0';
    json_array_foreach(json_object_get(sol, "lines"), i, l) {
        off += (size_t)snprintf(buf + off, sizeof buf - off, "%s%s:%lld", off ? " " : "",
                                dw_json_str(l, "sku"), (long long)dw_json_int(l, "quantity", -1));
    }
    return buf;
}

static const char *not_covered_reason(const json_t *sol, const char *cap) {
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(sol, "not_covered"), i, n) {
        if (strcmp(dw_json_str(n, "capability"), cap) == 0)
            return dw_json_str(n, "reason");
    }
    return NULL;
}

#define assert_contains(hay, needle)                                                               \
    do {                                                                                           \
        const char *h_ = (hay);                                                                    \
        if (!h_ || !strstr(h_, (needle)))                                                          \
            fail_msg("'%s' does not contain '%s'", h_ ? h_ : "(null)", (needle));                  \
    } while (0)

/* ---- coverage, units, requires ------------------------------------------------------- */

static void test_coverage_and_requires(void **state) {
    struct test_ws *t = ws_make(NULL);
    json_t *sol = configure_ok(t, "{'capabilities': [{'name': 'sd-wan'}, {'name': 'firewall'}],"
                                  " 'quantities': [{'value': 12, 'unit': 'sites'}]}");
    /* One gateway covers both; its licence per unit, support per 10 (ceil), the portal the
     * licence needs per 10 licences (transitive). */
    assert_string_equal(lines_str(sol), "EDGE-100:12 LIC-EDGE:12 SUP-NBD:2 PORTAL:2");
    json_t *edge = line_of(sol, "EDGE-100");
    assert_int_equal(json_array_size(json_object_get(edge, "covers")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(edge, "covers"), 1)),
                        "firewall");
    assert_string_equal(dw_json_str(edge, "reason"), "12 sites x 1 per site");
    assert_true(json_is_null(json_object_get(edge, "required_by")));
    assert_string_equal(dw_json_str(line_of(sol, "LIC-EDGE"), "required_by"), "EDGE-100");
    assert_string_equal(dw_json_str(line_of(sol, "PORTAL"), "required_by"), "LIC-EDGE");
    assert_string_equal(dw_json_str(line_of(sol, "SUP-NBD"), "reason"),
                        "required by 12 x EDGE-100 (1 per 10): 2");
    assert_int_equal(json_array_size(json_object_get(sol, "not_covered")), 0);
    /* Options offered by the lines and not chosen. */
    json_t *opts = json_object_get(sol, "options");
    assert_int_equal(json_array_size(opts), 2);
    assert_string_equal(dw_json_str(json_array_get(opts, 0), "sku"), "PSU-RED");
    assert_string_equal(dw_json_str(json_array_get(opts, 0), "for"), "EDGE-100");
    assert_string_equal(dw_json_str(json_array_get(opts, 1), "sku"), "WIFI-AP");
    assert_true(dw_json_bool(json_object_get(sol, "search"), "exhaustive", false));
    json_decref(sol);
    free(t);
}

static void test_requires_ceil(void **state) {
    struct test_ws *t = ws_make(NULL);
    static const struct {
        int sites;
        int64_t support, portal;
    } cases[] = {{1, 1, 1},  {9, 1, 1},  {10, 1, 1},    {11, 2, 2},
                 {20, 2, 2}, {21, 3, 3}, {100, 10, 10}, {101, 11, 11}};
    for (size_t i = 0; i < DW_ARRAY_SIZE(cases); i++) {
        char req[256];
        snprintf(req, sizeof req,
                 "{'capabilities': ['sd-wan'], 'quantities': [{'value': %d, 'unit': 'sites'}]}",
                 cases[i].sites);
        json_t *sol = configure_ok(t, req);
        assert_int_equal(qty_of(sol, "EDGE-100"), cases[i].sites);
        assert_int_equal(qty_of(sol, "SUP-NBD"), cases[i].support);
        assert_int_equal(qty_of(sol, "PORTAL"), cases[i].portal);
        json_decref(sol);
    }
    free(t);
}

static void test_units_factor_min(void **state) {
    struct test_ws *t = ws_make(NULL);
    /* 2 access points per site, at least 4. */
    json_t *sol = configure_ok(t, "{'capabilities': ['wifi'],"
                                  " 'quantities': [{'value': 3, 'unit': 'sites'}]}");
    assert_int_equal(qty_of(sol, "WIFI-AP"), 6);
    assert_string_equal(dw_json_str(line_of(sol, "WIFI-AP"), "reason"), "3 sites x 2 per site");
    json_decref(sol);
    sol = configure_ok(t, "{'capabilities': ['wifi'],"
                          " 'quantities': [{'value': 1, 'unit': 'sites'}]}");
    assert_int_equal(qty_of(sol, "WIFI-AP"), 4);
    assert_string_equal(dw_json_str(line_of(sol, "WIFI-AP"), "reason"),
                        "1 site x 2 per site; raised to the minimum of 4");
    json_decref(sol);
    /* A quantity in another unit does not apply; without one the minimum applies. */
    sol = configure_ok(t, "{'capabilities': ['wifi'],"
                          " 'quantities': [{'value': 300, 'unit': 'users'}]}");
    assert_int_equal(qty_of(sol, "WIFI-AP"), 4);
    assert_contains(dw_json_str(line_of(sol, "WIFI-AP"), "reason"), "no number of sites given");
    json_decref(sol);
    /* Without a unit: one per solution, whatever counts the customer gave. */
    sol = configure_ok(t, "{'capabilities': ['iot', 'support'],"
                          " 'quantities': [{'value': 40, 'unit': 'devices'}]}");
    assert_string_equal(lines_str(sol), "SENSOR:1 SUP-NBD:1");
    assert_string_equal(dw_json_str(line_of(sol, "SENSOR"), "reason"), "one per solution");
    json_decref(sol);
    /* The later entry for a unit wins, as in the requirements merge. */
    sol = configure_ok(t, "{'capabilities': ['wifi'], 'quantities': [{'value': 3, 'unit': "
                          "'sites'}, {'value': 5, 'unit': 'sites'}]}");
    assert_int_equal(qty_of(sol, "WIFI-AP"), 10);
    json_decref(sol);
    free(t);
}

static void test_requires_merge(void **state) {
    struct test_ws *t = ws_make(NULL);
    /* Requirers share what they require: 12/1 + 120/50 = 14.4 -> 15 licences. The portal
     * serves 10 licences or 1000 VPN users: 15/10 + 120/1000 = 1.62 -> 2 (rounding each
     * requirer up on its own would give 3). */
    json_t *sol = configure_ok(t, "{'capabilities': ['sd-wan', 'remote-access'],"
                                  " 'quantities': [{'value': 12, 'unit': 'sites'},"
                                  "                {'value': 120, 'unit': 'users'}]}");
    assert_string_equal(lines_str(sol), "EDGE-100:12 VPN-GW:120 LIC-EDGE:15 SUP-NBD:2 PORTAL:2");
    assert_string_equal(dw_json_str(line_of(sol, "LIC-EDGE"), "reason"),
                        "required by 12 x EDGE-100 (1 per 1) + 120 x VPN-GW (1 per 50): 15");
    assert_string_equal(dw_json_str(line_of(sol, "PORTAL"), "required_by"), "VPN-GW");
    json_decref(sol);
    /* 96 + 250/50 = 101 licences; 101/10 + 250/1000 = 10.35 -> 11 portals. */
    sol = configure_ok(t, "{'capabilities': ['sd-wan', 'remote-access'],"
                          " 'quantities': [{'value': 96, 'unit': 'sites'},"
                          "                {'value': 250, 'unit': 'users'}]}");
    assert_int_equal(qty_of(sol, "LIC-EDGE"), 101);
    assert_int_equal(qty_of(sol, "PORTAL"), 11);
    json_decref(sol);
    /* VPN minimum: 10 users -> 25; the licence follows the raised quantity. */
    sol = configure_ok(t, "{'capabilities': ['remote-access'],"
                          " 'quantities': [{'value': 10, 'unit': 'users'}]}");
    assert_string_equal(lines_str(sol), "VPN-GW:25 LIC-EDGE:1 PORTAL:1");
    json_decref(sol);
    /* Support asked for directly and required by the gateways: the larger quantity. */
    sol = configure_ok(t, "{'capabilities': ['support', 'sd-wan'],"
                          " 'quantities': [{'value': 25, 'unit': 'sites'}]}");
    assert_string_equal(lines_str(sol), "SUP-NBD:3 EDGE-100:25 LIC-EDGE:25 PORTAL:3");
    assert_string_equal(dw_json_str(line_of(sol, "SUP-NBD"), "reason"),
                        "one per solution; required by 25 x EDGE-100 (1 per 10): 3, the larger "
                        "quantity applies");
    assert_true(json_is_null(json_object_get(line_of(sol, "SUP-NBD"), "required_by")));
    json_decref(sol);
    /* A requested count and what other lines require count different things: they add. */
    sol = configure_ok(t, "{'capabilities': ['support-24x7', 'hub'],"
                          " 'quantities': [{'value': 12, 'unit': 'sites'},"
                          "                {'value': 2, 'unit': 'hubs'}]}");
    assert_string_equal(lines_str(sol), "SUP-247:14 HUB-GW:2");
    assert_string_equal(dw_json_str(line_of(sol, "SUP-247"), "reason"),
                        "12 sites x 1 per site + 2 required by 2 x HUB-GW (1 per 1)");
    json_decref(sol);
    /* Asked for after the hub: the support the hub gateways require does not cover the
     * customer's twelve sites, so it is still chosen for them. */
    sol = configure_ok(t, "{'capabilities': ['hub', 'support-24x7'],"
                          " 'quantities': [{'value': 12, 'unit': 'sites'},"
                          "                {'value': 2, 'unit': 'hubs'}]}");
    assert_string_equal(lines_str(sol), "HUB-GW:2 SUP-247:14");
    assert_int_equal(json_array_size(json_object_get(line_of(sol, "SUP-247"), "covers")), 1);
    json_decref(sol);
    free(t);
}

/* ---- preferences --------------------------------------------------------------------- */

static void test_preference_order(void **state) {
    struct test_ws *t = ws_make(NULL);
    /* equal rank: the lower home list price, then the SKU */
    json_t *sol = configure_ok(t, "{'capabilities': ['firewall-only', 'utm']}");
    assert_string_equal(lines_str(sol), "FW-B:1 UTM-A:1");
    json_decref(sol);
    /* a lower rank beats a lower price: ONPREM-CTL (rank 10, dearer) over CLOUD-CTL */
    sol = configure_ok(t, "{'capabilities': ['wifi-controller']}");
    assert_string_equal(lines_str(sol), "ONPREM-CTL:1");
    json_decref(sol);
    free(t);
}

/* ---- excludes ------------------------------------------------------------------------ */

static void test_excludes_fallback(void **state) {
    /* Without the alternative HA item: the conflict EDGE-100 x EDGE-HA is solved by taking
     * the next gateway, so both capabilities are covered. */
    struct test_ws *t = ws_make((const char *[]){"HA-CLUSTER", NULL});
    json_t *sol = configure_ok(t, "{'capabilities': ['sd-wan', 'high-availability'],"
                                  " 'quantities': [{'value': 12, 'unit': 'sites'}]}");
    assert_string_equal(lines_str(sol), "EDGE-500:12 EDGE-HA:12 LIC-EDGE:12 SUP-NBD:2 PORTAL:2");
    assert_int_equal(json_array_size(json_object_get(sol, "not_covered")), 0);
    json_decref(sol);
    /* The exclusion is declared on EDGE-100 only and holds both ways. */
    sol = configure_ok(t, "{'capabilities': ['high-availability', 'sd-wan'],"
                          " 'quantities': [{'value': 12, 'unit': 'sites'}]}");
    assert_string_equal(lines_str(sol), "EDGE-HA:12 EDGE-500:12 LIC-EDGE:12 SUP-NBD:2 PORTAL:2");
    json_decref(sol);
    free(t);

    /* With an alternative for the lower-priority capability, that one moves instead. */
    t = ws_make(NULL);
    sol = configure_ok(t, "{'capabilities': ['sd-wan', 'high-availability'],"
                          " 'quantities': [{'value': 12, 'unit': 'sites'}]}");
    assert_string_equal(lines_str(sol), "EDGE-100:12 HA-CLUSTER:1 LIC-EDGE:12 SUP-NBD:2 PORTAL:2");
    json_decref(sol);
    free(t);

    /* No valid combination: the first capability keeps its item, the second is reported. */
    t = ws_make((const char *[]){"HA-CLUSTER", "EDGE-500", NULL});
    sol = configure_ok(t, "{'capabilities': ['sd-wan', 'high-availability'],"
                          " 'quantities': [{'value': 12, 'unit': 'sites'}]}");
    assert_string_equal(lines_str(sol), "EDGE-100:12 LIC-EDGE:12 SUP-NBD:2 PORTAL:2");
    assert_string_equal(not_covered_reason(sol, "high-availability"),
                        "EDGE-HA conflicts with EDGE-100");
    json_decref(sol);
    free(t);
}

static void test_negation_excludes_items(void **state) {
    struct test_ws *t = ws_make(NULL);
    /* on-prem ruled out: the on-prem controller is ineligible though it ranks first. */
    json_t *sol = configure_ok(t, "{'capabilities': ['wifi-controller'],"
                                  " 'excluded_capabilities': [{'name': 'on-prem'}]}");
    assert_string_equal(lines_str(sol), "CLOUD-CTL:1");
    json_decref(sol);
    free(t);

    t = ws_make((const char *[]){"CLOUD-CTL", NULL});
    sol = configure_ok(t, "{'capabilities': ['wifi-controller'],"
                          " 'excluded_capabilities': ['on-prem']}");
    assert_int_equal(json_array_size(json_object_get(sol, "lines")), 0);
    assert_string_equal(not_covered_reason(sol, "wifi-controller"),
                        "every item providing it also provides a capability the customer "
                        "excluded: ONPREM-CTL (on-prem)");
    json_decref(sol);
    free(t);

    /* A required item that provides an excluded capability rules out its requirers. */
    t = ws_make(NULL);
    sol = configure_ok(t, "{'capabilities': ['sd-wan', 'iot'],"
                          " 'excluded_capabilities': ['cloud-management'],"
                          " 'quantities': [{'value': 3, 'unit': 'sites'}]}");
    assert_string_equal(lines_str(sol), "SENSOR:1");
    assert_string_equal(not_covered_reason(sol, "sd-wan"),
                        "EDGE-100 requires LIC-EDGE, which provides cloud-management that the "
                        "customer excluded; EDGE-500 requires LIC-EDGE, which provides "
                        "cloud-management that the customer excluded");
    json_decref(sol);
    free(t);
}

static void test_not_covered_reasons(void **state) {
    struct test_ws *t = ws_make(NULL);
    json_t *sol = configure_ok(t, "{'capabilities': ['quantum', 'iot', 'wifi'],"
                                  " 'excluded_capabilities': ['wifi']}");
    assert_string_equal(lines_str(sol), "SENSOR:1");
    json_t *nc = json_object_get(sol, "not_covered");
    assert_int_equal(json_array_size(nc), 2);
    assert_string_equal(dw_json_str(json_array_get(nc, 0), "capability"), "quantum");
    assert_string_equal(dw_json_str(json_array_get(nc, 0), "reason"),
                        "no item in the catalog provides it");
    assert_string_equal(dw_json_str(json_array_get(nc, 1), "capability"), "wifi");
    assert_string_equal(dw_json_str(json_array_get(nc, 1), "reason"), "excluded by the customer");
    /* an option that provides an excluded capability is not offered */
    json_decref(sol);
    sol = configure_ok(t, "{'capabilities': ['sd-wan'], 'excluded_capabilities': ['wifi']}");
    assert_int_equal(json_array_size(json_object_get(sol, "options")), 1);
    assert_string_equal(dw_json_str(json_array_get(json_object_get(sol, "options"), 0), "sku"),
                        "PSU-RED");
    json_decref(sol);
    free(t);
}

static void test_min_max(void **state) {
    struct test_ws *t = ws_make(NULL);
    /* 600 sites is above EDGE-100's maximum of 500: the unbounded EDGE-500 takes over. */
    json_t *sol = configure_ok(t, "{'capabilities': ['sd-wan'],"
                                  " 'quantities': [{'value': 600, 'unit': 'sites'}]}");
    assert_int_equal(qty_of(sol, "EDGE-500"), 600);
    assert_int_equal(qty_of(sol, "EDGE-100"), 0);
    json_decref(sol);
    sol = configure_ok(t, "{'capabilities': ['sd-wan'],"
                          " 'quantities': [{'value': 500, 'unit': 'sites'}]}");
    assert_int_equal(qty_of(sol, "EDGE-100"), 500);
    json_decref(sol);
    free(t);

    t = ws_make((const char *[]){"EDGE-500", NULL});
    sol = configure_ok(t, "{'capabilities': ['sd-wan'],"
                          " 'quantities': [{'value': 600, 'unit': 'sites'}]}");
    assert_int_equal(json_array_size(json_object_get(sol, "lines")), 0);
    assert_string_equal(not_covered_reason(sol, "sd-wan"),
                        "EDGE-100 allows at most 500 but 600 are needed");
    json_decref(sol);
    free(t);
}

/* ---- options ------------------------------------------------------------------------- */

static void test_option_as_line(void **state) {
    struct test_ws *t = ws_make(NULL);
    json_t *sol = configure_ok(t, "{'capabilities': ['sd-wan', 'redundant-power'],"
                                  " 'quantities': [{'value': 3, 'unit': 'sites'}]}");
    assert_string_equal(lines_str(sol), "EDGE-100:3 PSU-RED:3 LIC-EDGE:3 SUP-NBD:1 PORTAL:1");
    assert_string_equal(dw_json_str(line_of(sol, "PSU-RED"), "reason"),
                        "option of EDGE-100; 3 sites x 1 per site");
    json_t *opts = json_object_get(sol, "options");
    assert_int_equal(json_array_size(opts), 1);
    assert_string_equal(dw_json_str(json_array_get(opts, 0), "sku"), "WIFI-AP");
    json_decref(sol);

    /* Asked for first, the option still needs its host, and takes the first position. */
    sol = configure_ok(t, "{'capabilities': ['redundant-power', 'sd-wan'],"
                          " 'quantities': [{'value': 3, 'unit': 'sites'}]}");
    assert_string_equal(lines_str(sol), "PSU-RED:3 EDGE-100:3 LIC-EDGE:3 SUP-NBD:1 PORTAL:1");
    json_decref(sol);

    /* Without a host the option is not sold. */
    sol = configure_ok(t, "{'capabilities': ['redundant-power']}");
    assert_int_equal(json_array_size(json_object_get(sol, "lines")), 0);
    assert_string_equal(not_covered_reason(sol, "redundant-power"),
                        "only sold as an option (PSU-RED) of items not in this solution");
    json_decref(sol);
    free(t);
}

/* ---- determinism --------------------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_determinism_shuffled(void **state) {
    static const char *const reqs[] = {
        "{'capabilities': ['sd-wan', 'high-availability', 'wifi', 'remote-access', 'utm'],"
        " 'quantities': [{'value': 12, 'unit': 'sites'}, {'value': 120, 'unit': 'users'}]}",
        "{'capabilities': ['wifi-controller', 'sd-wan', 'redundant-power', 'quantum'],"
        " 'excluded_capabilities': ['on-prem'],"
        " 'quantities': [{'value': 600, 'unit': 'sites'}]}",
    };
    for (size_t q = 0; q < DW_ARRAY_SIZE(reqs); q++) {
        struct test_ws *t = ws_make(NULL);
        json_t *ref = configure_ok(t, reqs[q]);
        char *ref_s = dw_json_canonical(ref);
        for (int round = 0; round < 50; round++) {
            for (size_t i = t->ws.n_items; i > 1; i--) { /* Fisher-Yates */
                size_t k = (size_t)(rng() % i);
                struct dw_item tmp = t->items[i - 1];
                t->items[i - 1] = t->items[k];
                t->items[k] = tmp;
            }
            for (size_t i = t->book.n_prices; i > 1; i--) {
                size_t k = (size_t)(rng() % i);
                struct dw_price tmp = home_prices[i - 1];
                home_prices[i - 1] = home_prices[k];
                home_prices[k] = tmp;
            }
            json_t *sol = configure_ok(t, reqs[q]);
            char *s = dw_json_canonical(sol);
            assert_string_equal(s, ref_s);
            free(s);
            json_decref(sol);
        }
        free(ref_s);
        json_decref(ref);
        free(t);
    }
    /* The order of the quantities list does not matter either. */
    struct test_ws *t = ws_make(NULL);
    json_t *a =
        configure_ok(t, "{'capabilities': ['sd-wan', 'remote-access'], 'quantities':"
                        " [{'value': 12, 'unit': 'sites'}, {'value': 120, 'unit': 'users'}]}");
    json_t *b =
        configure_ok(t, "{'capabilities': ['sd-wan', 'remote-access'], 'quantities':"
                        " [{'value': 120, 'unit': 'users'}, {'value': 12, 'unit': 'sites'}]}");
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
    free(t);
}

/* ---- limits and bad input ------------------------------------------------------------ */

static void test_node_limit(void **state) {
    struct test_ws *t = ws_make(NULL);
    json_t *req = js("{'capabilities': ['sd-wan', 'high-availability', 'wifi', 'utm'],"
                     " 'quantities': [{'value': 12, 'unit': 'sites'}]}");
    json_t *sol = NULL;
    struct dw_error err = {0};
    assert_int_equal(dw__configure_limited(&t->ws, req, 3, &sol, &err), 0);
    json_t *search = json_object_get(sol, "search");
    assert_false(dw_json_bool(search, "exhaustive", true));
    /* the path to the first leaf is finished: one node per want and the leaf */
    assert_int_equal(dw_json_int(search, "nodes", 0), 5);
    assert_int_equal(json_array_size(json_object_get(sol, "lines")), 7);
    json_decref(sol);
    /* With room the same request completes and covers everything. */
    assert_int_equal(dw_configure(&t->ws, req, &sol, &err), 0);
    assert_true(dw_json_bool(json_object_get(sol, "search"), "exhaustive", false));
    assert_int_equal(json_array_size(json_object_get(sol, "not_covered")), 0);
    json_decref(sol);
    json_decref(req);
    free(t);
}

static void test_bad_input(void **state) {
    struct test_ws *t = ws_make(NULL);
    static const struct {
        const char *req;
        int code;
        const char *field;
    } cases[] = {
        {"{'quantities': [{'value': -3, 'unit': 'sites'}]}", -DW_EINVAL, "quantities[0].value"},
        {"{'quantities': [{'value': 3}]}", -DW_EINVAL, "quantities[0].unit"},
        {"{'quantities': [{'value': 2000000000, 'unit': 'sites'}]}", -DW_ETOOBIG,
         "quantities[0].value"},
        {"{'capabilities': [{'text': 'x'}]}", -DW_EINVAL, "capabilities[0].name"},
        {"{'capabilities': 'sd-wan'}", -DW_EINVAL, "capabilities"},
        {"[1]", -DW_EINVAL, ""},
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(cases); i++) {
        json_t *req = js(cases[i].req), *sol = NULL;
        struct dw_error err = {0};
        assert_int_equal(dw_configure(&t->ws, req, &sol, &err), cases[i].code);
        assert_null(sol);
        assert_string_equal(err.field, cases[i].field);
        json_decref(req);
    }
    /* 65 distinct capabilities */
    json_t *req = json_pack("{s:[]}", "capabilities"), *sol = NULL;
    for (int i = 0; i < DW_CFG_MAX_WANTS + 1; i++) {
        char name[16];
        snprintf(name, sizeof name, "cap-%d", i);
        json_array_append_new(json_object_get(req, "capabilities"), json_string(name));
    }
    struct dw_error err = {0};
    assert_int_equal(dw_configure(&t->ws, req, &sol, &err), -DW_ETOOBIG);
    json_decref(req);
    free(t);

    /* A requires cycle in a hand-built snapshot is an error, not a hang. */
    struct dw_item cyc[] = {
        {.sku = "A", .name = "A", CAPS("x"), REQS({"B", 1})},
        {.sku = "B", .name = "B", REQS({"A", 1})},
    };
    struct dw_workspace ws = {.items = cyc, .n_items = 2, .home_currency = "EUR"};
    req = js("{'capabilities': ['x']}");
    assert_int_equal(dw_configure(&ws, req, &sol, &err), -DW_EVALIDATE);
    assert_contains(err.msg, "cycle");
    json_decref(req);

    /* per ratios whose common denominator passes the limit */
    struct dw_item fine[] = {
        {.sku = "A", .name = "A", CAPS("x"), REQS({"C", 1000003})},
        {.sku = "B", .name = "B", CAPS("y"), REQS({"C", 1000033})},
        {.sku = "C", .name = "C"},
    };
    ws = (struct dw_workspace){.items = fine, .n_items = 3, .home_currency = "EUR"};
    req = js("{'capabilities': ['x', 'y']}");
    assert_int_equal(dw_configure(&ws, req, &sol, &err), -DW_ETOOBIG);
    assert_contains(err.msg, "too fine");
    json_decref(req);
}

/* ---- the scoping agent --------------------------------------------------------------- */

static json_t *docs; /* kind -> document, the mock gateway's store */

static int mock_doc_get(struct dw_agent_ctx *c, const char *kind, json_t **ret) {
    json_t *d = json_object_get(docs, kind);
    if (!d)
        return -DW_ENOENT;
    *ret = json_incref(d);
    return 0;
}

static int mock_doc_put(struct dw_agent_ctx *c, const char *kind, const json_t *doc) {
    if (!(c->agent->scope & DW_TOOL_WRITE_SOLUTION))
        return -DW_EPERM;
    return json_object_set_new(docs, kind, json_deep_copy(doc));
}

static const struct dw_tools mock_tools = {.doc_get = mock_doc_get, .doc_put = mock_doc_put};

extern const struct dw_agent dw_agent_scoping;

static void test_agent(void **state) {
    const struct dw_agent *a = &dw_agent_scoping;
    assert_string_equal(a->name, "scoping");
    assert_int_equal(a->needs, DW_FACT_REQUIREMENTS | DW_FACT_QUALIFIED);
    assert_int_equal(a->produces, DW_FACT_SOLUTION);
    assert_int_equal(a->scope, DW_TOOL_READ_DEAL | DW_TOOL_WRITE_SOLUTION);

    struct test_ws *t = ws_make(NULL);
    struct dw_error err = {0};
    struct dw_agent_ctx ctx = {.agent = a, .tools = &mock_tools, .ws = &t->ws, .err = &err};
    docs = json_object();
    /* No requirements yet: a clear error, nothing written. */
    assert_int_equal(a->step(&ctx), -DW_ENOENT);
    assert_contains(err.msg, "requirements");
    assert_null(json_object_get(docs, "solution"));

    json_object_set_new(docs, "requirements",
                        js("{'capabilities': [{'name': 'sd-wan', 'text': 'SD-WAN', 'lead': 1}],"
                           " 'excluded_capabilities': [], 'quantities': [{'value': 12, 'unit':"
                           " 'sites', 'text': '12 sites', 'lead': 1}]}"));
    assert_int_equal(a->step(&ctx), 0);
    json_t *sol = json_object_get(docs, "solution");
    assert_non_null(sol);
    assert_string_equal(lines_str(sol), "EDGE-100:12 LIC-EDGE:12 SUP-NBD:2 PORTAL:2");
    assert_non_null(ctx.note);
    assert_int_equal(json_array_size(json_object_get(ctx.note, "lines")), 4);
    assert_int_equal(dw_json_int(ctx.note, "not_covered", -1), 0);
    json_decref(ctx.note);
    json_decref(docs);
    free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coverage_and_requires),
        cmocka_unit_test(test_requires_ceil),
        cmocka_unit_test(test_units_factor_min),
        cmocka_unit_test(test_requires_merge),
        cmocka_unit_test(test_preference_order),
        cmocka_unit_test(test_excludes_fallback),
        cmocka_unit_test(test_negation_excludes_items),
        cmocka_unit_test(test_not_covered_reasons),
        cmocka_unit_test(test_min_max),
        cmocka_unit_test(test_option_as_line),
        cmocka_unit_test(test_determinism_shuffled),
        cmocka_unit_test(test_node_limit),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_agent),
    };
    if (dw_base_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
