/* Unit and property tests of the configurator (lib/engines/configure/) and the scoping
 * agent.
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

#include "testutil.h"

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
     REQS({"LIC-EDGE", 1, 1}, {"SUP-NBD", 10, 1}),
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
     REQS({"LIC-EDGE", 1, 1}, {"SUP-NBD", 10, 1})},
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
     REQS({"PORTAL", 10, 1})},
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
     REQS({"LIC-EDGE", 50, 1}, {"PORTAL", 1000, 1})},
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
     REQS({"SUP-247", 1, 1})},
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

static json_t *configure_with(const struct dw_workspace *ws, const char *req_text, bool strict,
                              bool guide) {
    json_t *req = js(req_text), *sol = NULL;
    struct dw_error err = {0};
    struct dw_cfg_opts o = {.strict = strict, .guide = guide};
    int r = dw_configure_opts(ws, req, &o, &sol, &err);
    if (r != 0)
        fail_msg("dw_configure_opts: %s (%s)", err.msg, dw_errname(r));
    if (dw_json_bool(sol, "feasible", true)) {
        r = dw_configure_verify(ws, req, sol, strict, &err);
        if (r != 0)
            fail_msg("verify: %s", err.msg);
    }
    json_decref(req);
    return sol;
}

/* ---- coverage, units, requires ------------------------------------------------------- */

static void test_coverage_and_requires(void **state) {
    struct test_ws *t = ws_make(NULL);
    json_t *sol = configure_ok(t, "{'capabilities': [{'name': 'sd-wan'}, {'name': 'firewall'}],"
                                  " 'quantities': [{'value': 12, 'unit': 'sites'}]}");
    /* The cheaper gateway covers both; its licence per unit, support per 10 (ceil), the
     * portal the licence needs per 10 licences (transitive). Chosen lines first. */
    assert_string_equal(lines_str(sol), "EDGE-100:12 LIC-EDGE:12 PORTAL:2 SUP-NBD:2");
    json_t *edge = line_of(sol, "EDGE-100");
    assert_int_equal(json_array_size(json_object_get(edge, "covers")), 2);
    assert_string_equal(dw_json_str(edge, "reason"), "12 sites x 1 per site");
    assert_true(json_is_null(json_object_get(edge, "required_by")));
    assert_string_equal(dw_json_str(line_of(sol, "LIC-EDGE"), "required_by"), "EDGE-100");
    assert_string_equal(dw_json_str(line_of(sol, "PORTAL"), "required_by"), "LIC-EDGE");
    assert_string_equal(dw_json_str(line_of(sol, "SUP-NBD"), "reason"),
                        "required by 12 x EDGE-100 (1 per 10): 2");
    assert_int_equal(json_array_size(json_object_get(sol, "not_covered")), 0);
    json_t *opts = json_object_get(sol, "options");
    assert_int_equal(json_array_size(opts), 2);
    assert_string_equal(dw_json_str(json_array_get(opts, 0), "sku"), "PSU-RED");
    assert_string_equal(dw_json_str(json_array_get(opts, 0), "for"), "EDGE-100");
    json_t *obj = json_object_get(sol, "objective");
    /* 12 x 1290 + 12 x 15 + 2 x 99 + 2 x 200 */
    assert_int_equal(dw_json_int(obj, "list_cost", 0),
                     12 * 129000 + 12 * 1500 + 2 * 9900 + 2 * 20000);
    assert_string_equal(dw_json_str(json_object_get(sol, "search"), "solver"), "glpk");
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
        json_t *sol = configure_with(&t->ws, req, true, false);
        assert_int_equal(qty_of(sol, "EDGE-100"), cases[i].sites);
        assert_int_equal(qty_of(sol, "SUP-NBD"), cases[i].support);
        assert_int_equal(qty_of(sol, "PORTAL"), cases[i].portal);
        json_decref(sol);
    }
    free(t);
}

static void test_units_factor_min(void **state) {
    struct test_ws *t = ws_make(NULL);
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
    sol = configure_ok(t, "{'capabilities': ['wifi'],"
                          " 'quantities': [{'value': 300, 'unit': 'users'}]}");
    assert_int_equal(qty_of(sol, "WIFI-AP"), 4);
    assert_contains(dw_json_str(line_of(sol, "WIFI-AP"), "reason"), "no number of sites given");
    json_decref(sol);
    sol = configure_ok(t, "{'capabilities': ['iot', 'support'],"
                          " 'quantities': [{'value': 40, 'unit': 'devices'}]}");
    assert_string_equal(lines_str(sol), "SENSOR:1 SUP-NBD:1");
    assert_string_equal(dw_json_str(line_of(sol, "SENSOR"), "reason"), "one per solution");
    json_decref(sol);
    sol = configure_ok(t, "{'capabilities': ['wifi'], 'quantities': [{'value': 3, 'unit': "
                          "'sites'}, {'value': 5, 'unit': 'sites'}]}");
    assert_int_equal(qty_of(sol, "WIFI-AP"), 10);
    json_decref(sol);
    free(t);
}

static void test_requires_merge(void **state) {
    struct test_ws *t = ws_make(NULL);
    /* Requirers share: 12/1 + 120/50 = 14.4 -> 15 licences; 15/10 + 120/1000 -> 2 portals. */
    json_t *sol = configure_ok(t, "{'capabilities': ['sd-wan', 'remote-access'],"
                                  " 'quantities': [{'value': 12, 'unit': 'sites'},"
                                  "                {'value': 120, 'unit': 'users'}]}");
    assert_string_equal(lines_str(sol), "EDGE-100:12 VPN-GW:120 LIC-EDGE:15 PORTAL:2 SUP-NBD:2");
    assert_string_equal(dw_json_str(line_of(sol, "LIC-EDGE"), "reason"),
                        "required by 12 x EDGE-100 (1 per 1) + 120 x VPN-GW (1 per 50): 15");
    json_decref(sol);
    sol = configure_ok(t, "{'capabilities': ['remote-access'],"
                          " 'quantities': [{'value': 10, 'unit': 'users'}]}");
    assert_string_equal(lines_str(sol), "VPN-GW:25 LIC-EDGE:1 PORTAL:1");
    json_decref(sol);
    /* Support asked for and required by the gateways: the larger quantity. */
    sol = configure_ok(t, "{'capabilities': ['support', 'sd-wan'],"
                          " 'quantities': [{'value': 25, 'unit': 'sites'}]}");
    assert_string_equal(lines_str(sol), "EDGE-100:25 SUP-NBD:3 LIC-EDGE:25 PORTAL:3");
    assert_string_equal(dw_json_str(line_of(sol, "SUP-NBD"), "reason"),
                        "one per solution; required by 25 x EDGE-100 (1 per 10): 3, the larger "
                        "quantity applies");
    json_decref(sol);
    /* A requested count and what other lines require count different things: they add. */
    sol = configure_ok(t, "{'capabilities': ['hub', 'support-24x7'],"
                          " 'quantities': [{'value': 12, 'unit': 'sites'},"
                          "                {'value': 2, 'unit': 'hubs'}]}");
    assert_string_equal(lines_str(sol), "HUB-GW:2 SUP-247:14");
    assert_string_equal(dw_json_str(line_of(sol, "SUP-247"), "reason"),
                        "12 sites x 1 per site + 2 required by 2 x HUB-GW (1 per 1)");
    json_decref(sol);
    free(t);
}

/* N per one: an HA kit needs two gateways per kit. */
static void test_count_per_one(void **state) {
    struct dw_item items[] = {
        {.sku = "GW", .name = "Gateway", .max_qty = 0},
        {.sku = "KIT",
         .name = "HA kit",
         CAPS("ha"),
         .quantity_unit = "hubs",
         .quantity_factor = 1,
         .requires = (struct dw_item_req[]){{"GW", 1, 2}},
         .n_requires = 1},
    };
    struct dw_workspace ws = {.items = items, .n_items = 2, .home_currency = "EUR"};
    json_t *sol = configure_with(&ws,
                                 "{'capabilities': ['ha'], 'quantities': [{'value': 3, "
                                 "'unit': 'hubs'}]}",
                                 true, false);
    assert_string_equal(lines_str(sol), "KIT:3 GW:6");
    assert_string_equal(dw_json_str(line_of(sol, "GW"), "reason"),
                        "required by 3 x KIT (2 per 1): 6");
    json_decref(sol);
    /* ... and when the gateway stops at 5, the conflict says why */
    items[0].max_qty = 5;
    sol = configure_with(&ws,
                         "{'capabilities': ['ha'], 'quantities': [{'value': 3, "
                         "'unit': 'hubs'}]}",
                         true, false);
    assert_false(dw_json_bool(sol, "feasible", true));
    assert_string_equal(dw_json_str(sol, "explanation"),
                        "the customer needs ha; the customer has 3 hubs, which sizes KIT x 1 per "
                        "hub; GW is sold at most 5 per deal; each KIT requires 2 x GW — these "
                        "cannot all hold at once");
    json_decref(sol);
}

/* ---- the objective ------------------------------------------------------------------- */

static void test_objective(void **state) {
    struct test_ws *t = ws_make(NULL);
    /* lowest list cost: FW-B (100.00) over FW-A; CLOUD-CTL (50.00) over ONPREM-CTL */
    json_t *sol = configure_ok(t, "{'capabilities': ['firewall-only', 'wifi-controller']}");
    assert_string_equal(lines_str(sol), "CLOUD-CTL:1 FW-B:1");
    json_decref(sol);
    /* the workspace may name another objective: rank first, list cost second */
    t->ws.cfg_objective = DW_CFG_OBJ_RANK;
    sol = configure_ok(t, "{'capabilities': ['firewall-only', 'wifi-controller']}");
    assert_string_equal(lines_str(sol), "FW-B:1 ONPREM-CTL:1");
    assert_string_equal(dw_json_str(json_object_get(sol, "objective"), "kind"), "rank");
    json_decref(sol);
    free(t);
}

/* ---- excludes, negation, min/max, options -------------------------------------------- */

static void test_excludes(void **state) {
    struct test_ws *t = ws_make((const char *[]){"HA-CLUSTER", NULL});
    json_t *sol = configure_ok(t, "{'capabilities': ['sd-wan', 'high-availability'],"
                                  " 'quantities': [{'value': 12, 'unit': 'sites'}]}");
    assert_string_equal(lines_str(sol), "EDGE-500:12 EDGE-HA:12 LIC-EDGE:12 PORTAL:2 SUP-NBD:2");
    json_decref(sol);
    free(t);

    /* high availability is measured in sites (the kit is counted per site), so the one
     * cluster service "per solution" does not stand in for twelve sites' kits, even though
     * it is cheaper than moving to the big gateway */
    t = ws_make(NULL);
    sol = configure_ok(t, "{'capabilities': ['sd-wan', 'high-availability'],"
                          " 'quantities': [{'value': 12, 'unit': 'sites'}]}");
    assert_string_equal(lines_str(sol), "EDGE-500:12 EDGE-HA:12 LIC-EDGE:12 PORTAL:2 SUP-NBD:2");
    json_decref(sol);
    free(t);

    /* No valid combination: strict names the conflict, best effort covers what it can. */
    t = ws_make((const char *[]){"HA-CLUSTER", "EDGE-500", NULL});
    const char *req = "{'capabilities': ['sd-wan', 'high-availability'],"
                      " 'quantities': [{'value': 12, 'unit': 'sites'}]}";
    sol = configure_with(&t->ws, req, true, false);
    assert_false(dw_json_bool(sol, "feasible", true));
    assert_int_equal(json_array_size(json_object_get(sol, "conflict")), 3);
    assert_string_equal(dw_json_str(sol, "explanation"),
                        "the customer needs high-availability; the customer needs sd-wan; "
                        "EDGE-100 and EDGE-HA cannot be in the same solution — these cannot all "
                        "hold at once");
    json_decref(sol);
    sol = configure_with(&t->ws, req, false, false);
    assert_int_equal(json_array_size(json_object_get(sol, "not_covered")), 1);
    assert_contains(dw_json_str(json_array_get(json_object_get(sol, "not_covered"), 0), "reason"),
                    "EDGE-100 and EDGE-HA cannot be in the same solution");
    json_decref(sol);
    free(t);
}

static void test_negation_and_reasons(void **state) {
    struct test_ws *t = ws_make(NULL);
    json_t *sol = configure_ok(t, "{'capabilities': ['wifi-controller'],"
                                  " 'excluded_capabilities': [{'name': 'on-prem'}]}");
    assert_string_equal(lines_str(sol), "CLOUD-CTL:1");
    json_decref(sol);
    sol = configure_ok(t, "{'capabilities': ['quantum', 'iot', 'wifi'],"
                          " 'excluded_capabilities': ['wifi']}");
    assert_string_equal(lines_str(sol), "SENSOR:1");
    assert_string_equal(not_covered_reason(sol, "quantum"), "no item in the catalog provides it");
    assert_string_equal(not_covered_reason(sol, "wifi"), "excluded by the customer");
    json_decref(sol);
    /* an option that provides an excluded capability is not offered */
    sol = configure_ok(t, "{'capabilities': ['sd-wan'], 'excluded_capabilities': ['wifi']}");
    assert_int_equal(json_array_size(json_object_get(sol, "options")), 1);
    json_decref(sol);
    free(t);

    t = ws_make((const char *[]){"CLOUD-CTL", NULL});
    sol = configure_ok(t, "{'capabilities': ['wifi-controller'],"
                          " 'excluded_capabilities': ['on-prem']}");
    assert_int_equal(json_array_size(json_object_get(sol, "lines")), 0);
    assert_string_equal(not_covered_reason(sol, "wifi-controller"),
                        "the customer needs wifi-controller; the customer ruled out on-prem — "
                        "these cannot all hold at once");
    json_decref(sol);
    free(t);
}

static void test_min_max(void **state) {
    struct test_ws *t = ws_make(NULL);
    /* 600 sites, the EDGE-100 stops at 500: the cheapest mix is 500 + 100 EDGE-500 */
    json_t *sol = configure_ok(t, "{'capabilities': ['sd-wan'],"
                                  " 'quantities': [{'value': 600, 'unit': 'sites'}]}");
    assert_int_equal(qty_of(sol, "EDGE-500"), 100);
    assert_int_equal(qty_of(sol, "EDGE-100"), 500);
    assert_string_equal(dw_json_str(line_of(sol, "EDGE-100"), "reason"),
                        "500 of 600 sites x 1 per site");
    json_decref(sol);
    free(t);
    t = ws_make((const char *[]){"EDGE-500", NULL});
    sol = configure_with(&t->ws,
                         "{'capabilities': ['sd-wan'], 'quantities': [{'value': 600, 'unit': "
                         "'sites'}]}",
                         true, false);
    assert_string_equal(dw_json_str(sol, "explanation"),
                        "the customer needs sd-wan; the customer has 600 sites, which sizes "
                        "EDGE-100 x 1 per site; EDGE-100 is sold at most 500 per deal — these "
                        "cannot all hold at once");
    json_decref(sol);
    free(t);
}

static void test_option_as_line(void **state) {
    struct test_ws *t = ws_make(NULL);
    json_t *sol = configure_ok(t, "{'capabilities': ['sd-wan', 'redundant-power'],"
                                  " 'quantities': [{'value': 3, 'unit': 'sites'}]}");
    assert_string_equal(lines_str(sol), "EDGE-100:3 PSU-RED:3 LIC-EDGE:3 PORTAL:1 SUP-NBD:1");
    assert_string_equal(dw_json_str(line_of(sol, "PSU-RED"), "reason"),
                        "option of EDGE-100; 3 sites x 1 per site");
    json_decref(sol);
    sol = configure_ok(t, "{'capabilities': ['redundant-power']}");
    assert_int_equal(json_array_size(json_object_get(sol, "lines")), 0);
    assert_contains(not_covered_reason(sol, "redundant-power"),
                    "PSU-RED is sold only as an option of EDGE-100");
    json_decref(sol);
    free(t);
}

/* ---- catalog constraints, totals, selections, guided selling --------------------------- */

static struct dw_attr a_sw24[] = {{"ports", 24}, {"poe_w", 370}};
static struct dw_attr a_sw48[] = {{"ports", 48}, {"poe_w", 740}};
static struct dw_attr a_ap[] = {{"poe_draw_w", 30}};
static struct dw_attr a_ap7[] = {{"poe_draw_w", 45}};
static struct dw_attr a_gw[] = {{"throughput", 500}};
static struct dw_attr a_gw2[] = {{"throughput", 2000}};

static void test_rules_and_totals(void **state) {
    struct dw_item items[] = {
        {.sku = "AP6",
         .name = "AP6",
         CAPS("wifi"),
         .quantity_unit = "aps",
         .attributes = a_ap,
         .n_attributes = 1},
        {.sku = "AP7",
         .name = "AP7",
         CAPS("wifi7"),
         .quantity_unit = "aps",
         .attributes = a_ap7,
         .n_attributes = 1},
        {.sku = "GW1", .name = "GW1", CAPS("wan"), .attributes = a_gw, .n_attributes = 1},
        {.sku = "GW2", .name = "GW2", CAPS("wan"), .attributes = a_gw2, .n_attributes = 1},
        {.sku = "SW24", .name = "SW24", .attributes = a_sw24, .n_attributes = 2},
        {.sku = "SW48", .name = "SW48", .attributes = a_sw48, .n_attributes = 2},
    };
    struct dw_price prices[] = {{.sku = "AP6", .list = 100},  {.sku = "AP7", .list = 200},
                                {.sku = "GW1", .list = 1000}, {.sku = "GW2", .list = 3000},
                                {.sku = "SW24", .list = 500}, {.sku = "SW48", .list = 900}};
    struct dw_pricebook book = {.currency = "EUR", .prices = prices, .n_prices = 6};
    struct dw_compat_row rows[] = {{"AP7", LIST("SW48"), 1}};
    struct dw_cfg_rule rules[] = {
        {.name = "poe", .kind = DW_CFG_RULE_SUPPLY, .supply = "poe_w", .demand = "poe_draw_w"},
        {.name = "ap7-uplinks",
         .kind = DW_CFG_RULE_COMPAT,
         .among = LIST("SW24", "SW48"),
         .n_among = 2,
         .rows = rows,
         .n_rows = 1},
    };
    struct dw_workspace ws = {.items = items,
                              .n_items = 6,
                              .home_currency = "EUR",
                              .pricebooks = &book,
                              .n_pricebooks = 1,
                              .cfg_rules = rules,
                              .n_cfg_rules = 2};
    /* 20 APs draw 600 W: two 24-port switches (1000) cost more than one 48 (900). */
    json_t *sol = configure_with(&ws,
                                 "{'capabilities': ['wifi'], 'quantities': [{'value': 20, "
                                 "'unit': 'aps'}]}",
                                 true, false);
    assert_string_equal(lines_str(sol), "AP6:20 SW48:1");
    assert_string_equal(dw_json_str(line_of(sol, "SW48"), "reason"), "1 to meet poe (poe_w)");
    json_decref(sol);
    /* 10 APs: 300 W, one 24-port switch */
    sol = configure_with(&ws,
                         "{'capabilities': ['wifi'], 'quantities': [{'value': 10, "
                         "'unit': 'aps'}]}",
                         true, false);
    assert_string_equal(lines_str(sol), "AP6:10 SW24:1");
    json_decref(sol);
    /* Wi-Fi 7 goes only with the 48-port switch, even for 4 APs */
    sol = configure_with(&ws,
                         "{'capabilities': ['wifi7'], 'quantities': [{'value': 4, "
                         "'unit': 'aps'}]}",
                         true, false);
    assert_string_equal(lines_str(sol), "AP7:4 SW48:1");
    json_decref(sol);
    /* ... so a customer who allows no 48-port switch gets the conflict */
    sol = configure_with(&ws,
                         "{'capabilities': ['wifi7'], 'quantities': [{'value': 4, "
                         "'unit': 'aps'}], 'limits': [{'sku': 'SW48', 'max': 0}]}",
                         true, false);
    assert_false(dw_json_bool(sol, "feasible", true));
    assert_contains(dw_json_str(sol, "explanation"), "compatibility table ap7-uplinks");
    assert_contains(dw_json_str(sol, "explanation"), "at most 0 x SW48");
    json_decref(sol);
    /* attribute totals: 3000 Mbit/s, the cheapest mix is two GW1 and one GW2? no: 4000
     * for two GW2 (6000) vs GW2 + 2 GW1 (5000) vs 6 GW1 (6000) */
    sol = configure_with(&ws,
                         "{'capabilities': ['wan'], 'attributes': [{'name': "
                         "'throughput', 'min': 3000}]}",
                         true, false);
    assert_int_equal(qty_of(sol, "GW1") * 500 + qty_of(sol, "GW2") * 2000 >= 3000, 1);
    assert_int_equal(dw_json_int(json_object_get(sol, "objective"), "list_cost", 0), 5000);
    json_decref(sol);
    /* a selection, and what it forces and rules out */
    sol = configure_with(&ws,
                         "{'capabilities': ['wifi'], 'quantities': [{'value': 4, "
                         "'unit': 'aps'}], 'select': {'AP7': 2}}",
                         true, true);
    assert_string_equal(lines_str(sol), "AP6:4 AP7:2 SW48:1");
    json_t *g = json_object_get(sol, "guide");
    assert_string_equal(dw_json_str(line_of(sol, "AP7"), "reason"), "selected by the customer: 2");
    char *forced = json_dumps(json_object_get(g, "forced"), JSON_COMPACT);
    char *impossible = json_dumps(json_object_get(g, "impossible"), JSON_COMPACT);
    assert_string_equal(forced, "[\"AP6\",\"AP7\",\"SW48\"]");
    assert_string_equal(impossible, "[\"SW24\"]");
    free(forced);
    free(impossible);
    json_decref(sol);
}

/* ---- property tests over random catalogs ----------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void) {
    return xorshift64(&rng_state);
}
static int rnd(int n) {
    return (int)(rng() % (uint64_t)n);
}

#define R_ITEMS 10
static const char *const r_caps[] = {"c0", "c1", "c2", "c3", "c4"};
static const char *const r_skus[] = {"I0", "I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8", "I9"};

struct rcat {
    struct dw_item items[R_ITEMS];
    char *caps[R_ITEMS][2];
    struct dw_item_req reqs[R_ITEMS][2];
    char *excl[R_ITEMS][1];
    char *opts[R_ITEMS][1];
    struct dw_attr attrs[R_ITEMS][2];
    struct dw_price prices[R_ITEMS];
    struct dw_pricebook book;
    struct dw_compat_row row;
    char *row_with[1];
    char *among[2];
    struct dw_cfg_rule rules[2];
    struct dw_workspace ws;
};

static void rcat_make(struct rcat *r) {
    memset(r, 0, sizeof *r);
    for (int i = 0; i < R_ITEMS; i++) {
        struct dw_item *it = &r->items[i];
        it->sku = (char *)r_skus[i];
        it->name = it->sku;
        it->rank = rnd(3) * 10;
        size_t nc = (size_t)rnd(3);
        for (size_t k = 0; k < nc; k++)
            r->caps[i][k] = (char *)r_caps[rnd(5)];
        if (nc == 2 && strcmp(r->caps[i][0], r->caps[i][1]) == 0)
            nc = 1;
        it->capabilities = r->caps[i];
        it->n_capabilities = nc;
        if (rnd(2))
            it->quantity_unit = rnd(2) ? "sites" : "users", it->quantity_factor = 1 + rnd(2);
        it->min_qty = rnd(4) == 0 ? 1 + rnd(5) : 1;
        it->max_qty = rnd(3) == 0 ? it->min_qty + rnd(30) : 0;
        size_t nr = 0; /* requires only point to higher indices: no cycles */
        for (int k = 0; k < 2 && i + 1 < R_ITEMS; k++)
            if (rnd(3) == 0)
                r->reqs[i][nr++] = (struct dw_item_req){
                    (char *)r_skus[i + 1 + rnd(R_ITEMS - i - 1)], 1 + rnd(10), 1 + rnd(2)};
        if (nr == 2 && strcmp(r->reqs[i][0].sku, r->reqs[i][1].sku) == 0)
            nr = 1;
        it->requires = r->reqs[i];
        it->n_requires = nr;
        if (rnd(5) == 0) {
            int j = rnd(R_ITEMS);
            bool clash = j == i;
            for (size_t k = 0; k < nr; k++)
                clash = clash || strcmp(r->reqs[i][k].sku, r_skus[j]) == 0;
            if (!clash) {
                r->excl[i][0] = (char *)r_skus[j];
                it->excludes = r->excl[i];
                it->n_excludes = 1;
            }
        }
        if (rnd(6) == 0 && i > 0) { /* offered by an earlier item */
            it->option_only = true;
            r->opts[i - 1][0] = it->sku;
            r->items[i - 1].options = r->opts[i - 1];
            r->items[i - 1].n_options = 1;
        }
        r->attrs[i][0] = (struct dw_attr){"supply", rnd(3) ? 0 : 10 * rnd(5)};
        r->attrs[i][1] = (struct dw_attr){"demand", rnd(3) ? 0 : 3 * rnd(5)};
        it->attributes = r->attrs[i];
        it->n_attributes = 2;
        r->prices[i] = (struct dw_price){.sku = it->sku, .list = 100 * (1 + rnd(50))};
    }
    r->book = (struct dw_pricebook){.currency = "EUR", .prices = r->prices, .n_prices = R_ITEMS};
    r->row_with[0] = (char *)r_skus[8];
    r->among[0] = (char *)r_skus[8];
    r->among[1] = (char *)r_skus[9];
    r->row = (struct dw_compat_row){(char *)r_skus[rnd(8)], r->row_with, 1};
    r->rules[0] = (struct dw_cfg_rule){
        .name = "budget", .kind = DW_CFG_RULE_SUPPLY, .supply = "supply", .demand = "demand"};
    r->rules[1] = (struct dw_cfg_rule){.name = "table",
                                       .kind = DW_CFG_RULE_COMPAT,
                                       .among = r->among,
                                       .n_among = 2,
                                       .rows = &r->row,
                                       .n_rows = 1};
    r->ws = (struct dw_workspace){.items = r->items,
                                  .n_items = R_ITEMS,
                                  .home_currency = "EUR",
                                  .pricebooks = &r->book,
                                  .n_pricebooks = 1,
                                  .cfg_rules = r->rules,
                                  .n_cfg_rules = (size_t)rnd(3)};
}

static json_t *rreq_make(void) {
    json_t *req = json_pack("{s:[], s:[], s:[]}", "capabilities", "quantities", "limits");
    int nc = 1 + rnd(3);
    for (int k = 0; k < nc; k++)
        json_array_append_new(json_object_get(req, "capabilities"), json_string(r_caps[rnd(5)]));
    json_array_append_new(json_object_get(req, "quantities"),
                          json_pack("{s:s, s:i}", "unit", "sites", "value", 1 + rnd(40)));
    if (rnd(2))
        json_array_append_new(json_object_get(req, "quantities"),
                              json_pack("{s:s, s:i}", "unit", "users", "value", 1 + rnd(40)));
    if (rnd(3) == 0)
        json_array_append_new(json_object_get(req, "limits"),
                              json_pack("{s:s, s:i}", "sku", r_skus[rnd(R_ITEMS)], "max", rnd(20)));
    if (rnd(4) == 0) {
        json_t *sel = json_object();
        json_object_set_new(sel, r_skus[rnd(R_ITEMS)], json_integer(rnd(6)));
        json_object_set_new(req, "select", sel);
    }
    if (rnd(4) == 0)
        json_object_set_new(req, "excluded_capabilities", json_pack("[s]", r_caps[rnd(5)]));
    return req;
}

static void shuffle_json(json_t *a) {
    for (size_t i = json_array_size(a); i > 1; i--) {
        size_t k = (size_t)(rng() % i);
        json_t *x = json_incref(json_array_get(a, i - 1)), *y = json_incref(json_array_get(a, k));
        json_array_set_new(a, i - 1, y);
        json_array_set_new(a, k, x);
    }
}

static void test_properties(void **state) {
    int feasible = 0, infeasible = 0, partial = 0;
    for (int round = 0; round < 300; round++) {
        struct rcat *r = malloc(sizeof *r);
        assert_non_null(r);
        rcat_make(r);
        json_t *req = rreq_make();
        struct dw_error err = {0};
        json_t *sol = NULL;
        struct dw_cfg_opts strict = {.strict = true};
        if (dw_configure_opts(&r->ws, req, &strict, &sol, &err) != 0)
            fail_msg("round %d: %s", round, err.msg);
        if (dw_json_bool(sol, "feasible", false)) {
            feasible++;
            /* every configuration returned satisfies every constraint */
            if (dw_configure_verify(&r->ws, req, sol, true, &err) != 0)
                fail_msg("round %d: %s", round, err.msg);
        } else {
            infeasible++;
            /* the conflict is infeasible, and removing any member makes it feasible */
            json_t *cf = json_object_get(sol, "conflict");
            assert_true(json_array_size(cf) > 0);
            assert_int_equal(dw__configure_probe(&r->ws, req, cf, SIZE_MAX, &err), 0);
            for (size_t k = 0; k < json_array_size(cf); k++)
                if (dw__configure_probe(&r->ws, req, cf, k, &err) != 1)
                    fail_msg("round %d: conflict not minimal without %s", round,
                             dw_json_str(json_array_get(cf, k), "text"));
        }
        /* best effort: always a configuration, and it holds too */
        json_t *be = NULL;
        assert_int_equal(dw_configure(&r->ws, req, &be, &err), 0);
        if (dw_json_bool(be, "feasible", false)) {
            partial += json_array_size(json_object_get(be, "not_covered")) > 0;
            if (dw_configure_verify(&r->ws, req, be, false, &err) != 0)
                fail_msg("round %d (best effort): %s", round, err.msg);
        }
        /* input order does not change the result */
        char *ref = dw_json_canonical(sol);
        for (size_t i = R_ITEMS; i > 1; i--) {
            size_t k = (size_t)(rng() % i);
            struct dw_item tmp = r->items[i - 1];
            r->items[i - 1] = r->items[k];
            r->items[k] = tmp;
            struct dw_price p = r->prices[i - 1];
            r->prices[i - 1] = r->prices[k];
            r->prices[k] = p;
        }
        shuffle_json(json_object_get(req, "capabilities"));
        shuffle_json(json_object_get(req, "quantities"));
        json_t *sol2 = NULL;
        assert_int_equal(dw_configure_opts(&r->ws, req, &strict, &sol2, &err), 0);
        char *again = dw_json_canonical(sol2);
        if (strcmp(ref, again) != 0)
            fail_msg("round %d: order changed the result:\n%s\n%s", round, ref, again);
        free(ref);
        free(again);
        json_decref(sol2);
        json_decref(be);
        json_decref(sol);
        json_decref(req);
        free(r);
    }
    /* the generator exercises both sides */
    assert_true(feasible > 30);
    assert_true(infeasible > 30);
    print_message("properties: %d feasible, %d infeasible, %d partial best-effort\n", feasible,
                  infeasible, partial);
}

/* ---- determinism --------------------------------------------------------------------- */

static void test_determinism_shuffled(void **state) {
    static const char *const reqs[] = {
        "{'capabilities': ['sd-wan', 'high-availability', 'wifi', 'remote-access', "
        "'firewall-only'],"
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

/* ---- bad input ----------------------------------------------------------------------- */

/* ---- per-site coverage and hosted parts ------------------------------------------------- */

/* A branch estate: two site gateways (the small one capped and excluding the bigger), a hub
 * gateway counted in hubs, HA kits for hubs that bring the hub gateway, failover modules
 * that sit in a gateway's modem slot, per-site support. */
static struct dw_attr slot1[] = {{"modem", 1}};
static struct dw_item estate[] = {
    {.sku = "GW-S",
     .name = "Small gateway",
     .kind = DW_ITEM_HARDWARE,
     CAPS("sd-wan"),
     .quantity_unit = "sites",
     .quantity_factor = 1,
     .min_qty = 1,
     .max_qty = 50,
     .rank = 10,
     REQS({"LIC", 1, 1}),
     EXCL("GW-M"),
     .slots = slot1,
     .n_slots = 1},
    {.sku = "GW-M",
     .name = "Medium gateway",
     .kind = DW_ITEM_HARDWARE,
     CAPS("sd-wan"),
     .quantity_unit = "sites",
     .quantity_factor = 1,
     .min_qty = 1,
     .rank = 20,
     REQS({"LIC", 1, 1}),
     .slots = slot1,
     .n_slots = 1},
    {.sku = "GW-HUB",
     .name = "Hub gateway",
     .kind = DW_ITEM_HARDWARE,
     CAPS("sd-wan"),
     .quantity_unit = "hubs",
     .quantity_factor = 1,
     .min_qty = 1,
     .rank = 30,
     REQS({"SUP", 1, 1})},
    {.sku = "HA-KIT",
     .name = "HA kit",
     .kind = DW_ITEM_HARDWARE,
     CAPS("high-availability"),
     .quantity_unit = "hubs",
     .quantity_factor = 1,
     .min_qty = 1,
     .rank = 10,
     REQS({"GW-HUB", 1, 2})},
    {.sku = "MOD",
     .name = "Failover module",
     .kind = DW_ITEM_HARDWARE,
     CAPS("failover"),
     .quantity_unit = "sites",
     .quantity_factor = 1,
     .min_qty = 1,
     .rank = 10,
     .slot = "modem"},
    {.sku = "SUP",
     .name = "Support",
     .kind = DW_ITEM_SERVICE,
     CAPS("support"),
     .quantity_unit = "sites",
     .quantity_factor = 1,
     .min_qty = 1,
     .rank = 10},
    {.sku = "LIC", .name = "Licence", .kind = DW_ITEM_SUBSCRIPTION, .min_qty = 1, .rank = 100},
};
static struct dw_price estate_prices[] = {
    {.sku = "GW-S", .list = 69000},     {.sku = "GW-M", .list = 129000},
    {.sku = "GW-HUB", .list = 1490000}, {.sku = "HA-KIT", .list = 49000},
    {.sku = "MOD", .list = 29000},      {.sku = "SUP", .list = 1900},
    {.sku = "LIC", .list = 2400},
};

static struct test_ws *estate_make(void) {
    struct test_ws *t = calloc(1, sizeof *t);
    assert_non_null(t);
    memcpy(t->items, estate, sizeof estate);
    memcpy(t->book.currency, "EUR", 4);
    t->book.digits = 2;
    t->book.prices = estate_prices;
    t->book.n_prices = DW_ARRAY_SIZE(estate_prices);
    memcpy(t->ws.home_currency, "EUR", 4);
    t->ws.items = t->items;
    t->ws.n_items = DW_ARRAY_SIZE(estate);
    t->ws.pricebooks = &t->book;
    t->ws.n_pricebooks = 1;
    return t;
}

/* Expectations from the catalog above, as a sales engineer builds them: a gateway at every
 * site (the small one up to 50, the medium beyond, as they exclude each other), one module
 * per gateway that needs failover, the hub gateway only where hubs are counted. */
static void test_per_site_estate(void **state) {
    struct test_ws *t = estate_make();
    static const struct {
        int sites;
        const char *lines;
    } cases[] = {
        {21, "GW-S:21 MOD:21 LIC:21"},     {25, "GW-S:25 MOD:25 LIC:25"},
        {40, "GW-S:40 MOD:40 LIC:40"},     {100, "GW-M:100 MOD:100 LIC:100"},
        {280, "GW-M:280 MOD:280 LIC:280"},
    };
    for (size_t k = 0; k < DW_ARRAY_SIZE(cases); k++) {
        char req[256];
        snprintf(req, sizeof req,
                 "{'capabilities': ['sd-wan', 'failover'],"
                 " 'quantities': [{'value': %d, 'unit': 'sites'}]}",
                 cases[k].sites);
        json_t *sol = configure_with(&t->ws, req, true, false);
        assert_string_equal(lines_str(sol), cases[k].lines);
        json_decref(sol);
    }
    /* failover alone: the modules bring the gateways that host them */
    json_t *sol = configure_with(&t->ws,
                                 "{'capabilities': ['failover'],"
                                 " 'quantities': [{'value': 6, 'unit': 'sites'}]}",
                                 true, false);
    assert_string_equal(lines_str(sol), "MOD:6 GW-S:6 LIC:6");
    assert_string_equal(dw_json_str(line_of(sol, "GW-S"), "reason"),
                        "6 sites x 1 per site, a modem slot for MOD");
    json_decref(sol);
    /* hubs counted: HA kits bring the hub gateways, which serve the hubs with SD-WAN */
    sol = configure_with(&t->ws,
                         "{'capabilities': ['sd-wan', 'high-availability', 'support'],"
                         " 'quantities': [{'value': 12, 'unit': 'sites'},"
                         " {'value': 2, 'unit': 'hubs'}]}",
                         true, false);
    assert_string_equal(lines_str(sol), "GW-S:12 HA-KIT:2 SUP:16 GW-HUB:4 LIC:12");
    json_decref(sol);
    /* no hubs named: the hub gateway never stands in for branch gateways */
    sol = configure_with(&t->ws,
                         "{'capabilities': ['sd-wan', 'support'],"
                         " 'quantities': [{'value': 200, 'unit': 'sites'}]}",
                         true, false);
    assert_int_equal(qty_of(sol, "GW-HUB"), 0);
    assert_int_equal(qty_of(sol, "GW-M"), 200);
    json_decref(sol);
    free(t);
}

/* Property: for random per-site requests on the estate catalog with random caps, every
 * site is served by a site gateway, no module lacks a gateway slot, no hub gateway appears
 * unless hubs are counted, and the exact check accepts the answer. */
static void test_per_site_properties(void **state) {
    uint64_t seed = 0x5EEDC0FFEEULL;
    struct test_ws *t = estate_make();
    for (int n = 0; n < 300; n++) {
        int sites = 1 + (int)(xorshift64(&seed) % 400);
        int hubs = (int)(xorshift64(&seed) % 4);
        bool fo = xorshift64(&seed) % 2, ha = hubs && xorshift64(&seed) % 2,
             sup = xorshift64(&seed) % 2;
        t->items[0].max_qty = 1 + (int64_t)(xorshift64(&seed) % 120);
        t->items[1].max_qty = xorshift64(&seed) % 3 ? 0 : 1 + (int64_t)(xorshift64(&seed) % 300);
        char req[512];
        snprintf(req, sizeof req,
                 "{'capabilities': ['sd-wan'%s%s%s], 'quantities': [{'value': %d, 'unit': "
                 "'sites'}%s]}",
                 fo ? ", 'failover'" : "", ha ? ", 'high-availability'" : "",
                 sup ? ", 'support'" : "", sites, hubs ? ", {'value': 0, 'unit': 'hubs'}" : "");
        if (hubs) { /* the count written in after the format, to keep one format string */
            char *z = strstr(req, "'value': 0, 'unit': 'hubs'");
            z[9] = (char)('0' + hubs);
        }
        json_t *sol = configure_with(&t->ws, req, false, false);
        int64_t s = qty_of(sol, "GW-S"), m = qty_of(sol, "GW-M");
        if (json_array_size(json_object_get(sol, "not_covered")) == 0) {
            if (s + m < sites)
                fail_msg("case %d: %s: %lld + %lld gateways for %d sites", n, req, (long long)s,
                         (long long)m, sites);
            if (fo && qty_of(sol, "MOD") != sites)
                fail_msg("case %d: %s: %s", n, req, lines_str(sol));
        } else if (t->items[1].max_qty == 0)
            fail_msg("case %d: %s: not covered though an uncapped gateway exists: %s", n, req,
                     lines_str(sol));
        if (qty_of(sol, "MOD") > s + m)
            fail_msg("case %d: %s: modules without a gateway slot: %s", n, req, lines_str(sol));
        if (!hubs && qty_of(sol, "GW-HUB"))
            fail_msg("case %d: %s: a hub gateway without hubs: %s", n, req, lines_str(sol));
        if (s && m)
            fail_msg("case %d: the two site gateways exclude each other: %s", n, lines_str(sol));
        json_decref(sol);
    }
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
        {"{'limits': [{'sku': 'NOPE', 'max': 3}]}", -DW_EINVAL, "limits[0].sku"},
        {"{'limits': [{'sku': 'EDGE-100', 'max': -1}]}", -DW_EINVAL, "limits[0].max"},
        {"{'select': {'EDGE-100': 'x'}}", -DW_EINVAL, "select.EDGE-100"},
        {"{'select': [1]}", -DW_EINVAL, "select"},
        {"{'attributes': [{'name': 'ports'}]}", -DW_EINVAL, "attributes[0]"},
        {"{'attributes': [{'min': 3}]}", -DW_EINVAL, "attributes[0].name"},
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
        {.sku = "A", .name = "A", CAPS("x"), REQS({"B", 1, 1})},
        {.sku = "B", .name = "B", REQS({"A", 1, 1})},
    };
    struct dw_workspace ws = {.items = cyc, .n_items = 2, .home_currency = "EUR"};
    req = js("{'capabilities': ['x']}");
    assert_int_equal(dw_configure(&ws, req, &sol, &err), -DW_EVALIDATE);
    assert_contains(err.msg, "cycle");
    json_decref(req);
}

/* ---- the scoping agent --------------------------------------------------------------- */

static json_t *docs; /* kind -> document, the mock gateway's store */

static int mock_doc_get(struct dw_agent_ctx *c, const char *kind, const json_t **ret) {
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
    assert_string_equal(lines_str(sol), "EDGE-100:12 LIC-EDGE:12 PORTAL:2 SUP-NBD:2");
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
        cmocka_unit_test(test_count_per_one),
        cmocka_unit_test(test_objective),
        cmocka_unit_test(test_excludes),
        cmocka_unit_test(test_negation_and_reasons),
        cmocka_unit_test(test_min_max),
        cmocka_unit_test(test_option_as_line),
        cmocka_unit_test(test_rules_and_totals),
        cmocka_unit_test(test_properties),
        cmocka_unit_test(test_determinism_shuffled),
        cmocka_unit_test(test_per_site_estate),
        cmocka_unit_test(test_per_site_properties),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_agent),
    };
    if (dw_base_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
