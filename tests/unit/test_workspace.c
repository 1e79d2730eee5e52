/* Unit tests for the workspace loader (lib/workspace/): a small valid workspace loads and
 * its lookups, defaults, passages and hash are right; each class of mistake a person can
 * make in the YAML, Markdown or templates is reported at the FILE:LINE:COL they would fix.
 *
 * Every test writes its own workspace into a fresh temporary directory: the base fixture
 * below, with some files replaced or removed. Positions in the expected messages were
 * counted by hand against the fixture text, 1-based.
 */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rules/mustache.h"
#include "workspace/workspace.h"

/* ---- the fixture --------------------------------------------------------------------- */

struct file {
    const char *path;
    const char *text; /* NULL: remove the file */
};

static const char company_yaml[] = "company:\n"
                                   "  name: Test Co\n"
                                   "  country: DE\n"
                                   "  home_currency: EUR\n"
                                   "currencies:\n"
                                   "  - code: EUR\n"
                                   "    digits: 2\n"
                                   "    countries: [DE, AT]\n"
                                   "  - code: USD\n"
                                   "    countries: [US]\n";

static const char catalog_yaml[] = "capabilities:\n"                        /* 1 */
                                   "  - name: sd-wan\n"                     /* 2 */
                                   "    synonyms: [SD-WAN, sdwan]\n"        /* 3 */
                                   "  - name: firewall\n"                   /* 4 */
                                   "units:\n"                               /* 5 */
                                   "  - name: sites\n"                      /* 6 */
                                   "    synonyms: [site]\n"                 /* 7 */
                                   "items:\n"                               /* 8 */
                                   "  - sku: GW-1\n"                        /* 9 */
                                   "    name: Gateway\n"                    /* 10 */
                                   "    kind: hardware\n"                   /* 11 */
                                   "    capabilities: [sd-wan, firewall]\n" /* 12 */
                                   "    attributes: {ports: 8}\n"           /* 13 */
                                   "    quantity: {unit: sites}\n"          /* 14 */
                                   "    rank: 10\n"                         /* 15 */
                                   "    requires:\n"                        /* 16 */
                                   "      - {sku: LIC-1}\n"                 /* 17 */
                                   "    options: [PSU]\n"                   /* 18 */
                                   "  - sku: LIC-1\n"                       /* 19 */
                                   "    name: Licence\n"                    /* 20 */
                                   "    kind: subscription\n"               /* 21 */
                                   "    billing: monthly\n"                 /* 22 */
                                   "  - sku: PSU\n"                         /* 23 */
                                   "    name: Power supply\n"               /* 24 */
                                   "    kind: hardware\n"                   /* 25 */
                                   "    option_only: true\n";               /* 26 */

static const char eur_yaml[] = "currency: EUR\n"
                               "prices:\n"
                               "  - sku: GW-1\n"
                               "    list: \"1290.00\"\n"
                               "    tiers:\n"
                               "      - {min: 10, price: \"1190.00\"}\n"
                               "      - {min: 50, price: \"1090\"}\n"
                               "  - sku: LIC-1\n"
                               "    list: \"10.5\"\n";

static const char usd_yaml[] = "currency: USD\n"
                               "prices:\n"
                               "  - {sku: LIC-1, list: \"12.00\"}\n"
                               "  - {sku: GW-1, list: \"1390.00\"}\n";

static const char qualification_yaml[] =
    "icp:\n"
    "  countries: [DE, US]\n"
    "  industries: [logistics]\n"
    "  free_mail_domains: [gmail.com]\n"
    "bant:\n"
    "  budget_min: {EUR: \"15000.00\"}\n"
    "  authority_titles: [cto, head of]\n"
    "weights: {fit: 20, budget: 20, authority: 20, need: 25, timeline: 15}\n"
    "thresholds: {qualified: 55, disqualified: 30}\n"
    "required: [capabilities, quantity]\n";

static const char policies_yaml[] = "discount_bands:\n"
                                    "  - {role: rep, when: quote.discount_pct <= 10.0}\n"
                                    "  - {role: vp, when: 'true'}\n"
                                    "approvals:\n"
                                    "  - name: deal_size\n"
                                    "    when: quote.total >= 250000.0\n"
                                    "    role: vp\n"
                                    "    reason: Large deal\n"
                                    "export_control:\n"
                                    "  embargoed: [KP]\n"
                                    "  review: [RU]\n"
                                    "  role: vp\n"
                                    "legal:\n"
                                    "  role: vp\n"
                                    "  triggers:\n"
                                    "    - {phrase: unlimited liability, reason: Liability}\n"
                                    "quotes:\n"
                                    "  valid_days: 14\n";

static const char team_yaml[] =
    "users:\n"
    "  - {id: ann, name: Ann, email: ann@example.com, roles: [rep]}\n"
    "  - {id: vic, name: Vic, email: vic@example.com, roles: [vp, admin]}\n"
    "availability:\n"
    "  - user: ann\n"
    "    utc_offset: \"+01:00\"\n"
    "    windows:\n"
    "      - {days: [mon, tue], from: \"09:00\", to: \"12:00\"}\n";

static const char doc_md[] = "---\n"                      /* 1 */
                             "title: Gateway datasheet\n" /* 2 */
                             "about: [GW-1]\n"            /* 3 */
                             "capabilities: [sd-wan]\n"   /* 4 */
                             "---\n"                      /* 5 */
                             "Intro text.\n"              /* 6 */
                             "\n"                         /* 7 */
                             "# Gateway 1\n"              /* 8 */
                             "Overview.\n"                /* 9 */
                             "\n"                         /* 10 */
                             "## Throughput ##\n"         /* 11 */
                             "Up to 500 Mbit/s.\n"        /* 12 */
                             "```\n"                      /* 13 */
                             "# not a heading\n"          /* 14 */
                             "```\n"                      /* 15 */
                             "\n"                         /* 16 */
                             "## Throughput\n"            /* 17 */
                             "Second.\n"                  /* 18 */
                             "# Ops & Care!\n";           /* 19 */

static const struct file base_files[] = {
    {"dealwright.yaml", company_yaml},
    {"catalog.yaml", catalog_yaml},
    {"pricebooks/EUR.yaml", eur_yaml},
    {"pricebooks/USD.yaml", usd_yaml},
    {"qualification.yaml", qualification_yaml},
    {"policies.yaml", policies_yaml},
    {"team.yaml", team_yaml},
    {"templates/proposal.mustache",
     "# Proposal for {{customer.name}}\n{{#quote.lines}}- {{sku}}\n{{/quote.lines}}\n"
     "{{> footer}}\n"},
    {"templates/reply.mustache", "Hello {{customer.name}}\n"},
    {"templates/partials/footer.mustache", "-- {{company.name}}\n"},
    {"knowledge/gateway.md", doc_md},
    {"knowledge/about.md", "---\ntitle: About us\n---\n# About\nWe sell gateways.\n"},
    {"samples/leads.jsonl", "{\"id\": 1}\n"},
};

static char tmp_root[] = "/tmp/dw-test-ws-XXXXXX";

static void write_file(const char *root, const char *rel, const char *text, size_t len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0700);
        *p = '/';
    }
    if (!text) {
        unlink(path);
        return;
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void put(const char *rel, const char *text) {
    write_file(tmp_root, rel, text, text ? strlen(text) : 0);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    return remove(path);
}

static void remove_tree(const char *path) {
    if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        assert_int_equal(errno, ENOENT);
}

/* A fresh copy of the base workspace, with `n` replacements. */
static void make_ws(const struct file *over, size_t n) {
    remove_tree(tmp_root);
    assert_int_equal(mkdir(tmp_root, 0700), 0);
    for (size_t i = 0; i < DW_ARRAY_SIZE(base_files); i++)
        put(base_files[i].path, base_files[i].text);
    for (size_t i = 0; i < n; i++)
        put(over[i].path, over[i].text);
}

static int setup(void **state) {
    assert_int_equal(dw_base_init(), 0);
    assert_non_null(mkdtemp(tmp_root));
    return 0;
}

static int teardown(void **state) {
    remove_tree(tmp_root);
    return 0;
}

static void print_diags(const struct dw_diags *d) {
    for (size_t i = 0; i < d->n; i++)
        print_message("  %s:%d:%d: %s\n", d->v[i].file, d->v[i].line, d->v[i].col, d->v[i].msg);
}

static bool has_diag(const struct dw_diags *d, const char *expected) {
    char buf[2048];
    for (size_t i = 0; i < d->n; i++) {
        snprintf(buf, sizeof buf, "%s:%d:%d: %s", d->v[i].file, d->v[i].line, d->v[i].col,
                 d->v[i].msg);
        if (strcmp(buf, expected) == 0)
            return true;
    }
    return false;
}

#define assert_diag(d, expected)                                                                   \
    do {                                                                                           \
        if (!has_diag((d), (expected))) {                                                          \
            print_message("expected: %s\ngot:\n", (expected));                                     \
            print_diags(d);                                                                        \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* Load the workspace with the given replacements, expecting failure; diags in *d. */
static void load_fail(const struct file *over, size_t n, struct dw_diags *d) {
    make_ws(over, n);
    struct dw_workspace *ws = NULL;
    int r = dw_workspace_load(tmp_root, &ws, d);
    if (r != -DW_EVALIDATE)
        print_diags(d);
    assert_int_equal(r, -DW_EVALIDATE);
    assert_null(ws);
    assert_true(d->n > 0);
}

/* One replaced file, one expected diagnostic (among possibly more). */
static void expect_one(const char *rel, const char *text, const char *expected) {
    struct file f = {rel, text};
    struct dw_diags d = {0};
    load_fail(&f, 1, &d);
    assert_diag(&d, expected);
    dw_diags_release(&d);
}

static struct dw_workspace *load_ok(void) {
    struct dw_diags d = {0};
    struct dw_workspace *ws = NULL;
    int r = dw_workspace_load(tmp_root, &ws, &d);
    if (r != 0)
        print_diags(&d);
    assert_int_equal(r, 0);
    assert_int_equal(d.n, 0);
    assert_non_null(ws);
    dw_diags_release(&d);
    return ws;
}

/* ---- a valid workspace ---------------------------------------------------------------- */

static void test_valid_loads(void **state) {
    make_ws(NULL, 0);
    struct dw_workspace *ws = load_ok();

    assert_string_equal(ws->company_name, "Test Co");
    assert_string_equal(ws->company_country, "DE");
    assert_string_equal(ws->home_currency, "EUR");
    assert_int_equal(ws->n_currencies, 2);
    const struct dw_currency *usd = dw_ws_currency(ws, "USD");
    assert_non_null(usd);
    assert_int_equal(usd->digits, 2);
    assert_int_equal(usd->n_countries, 1);
    assert_string_equal(usd->countries[0], "US");
    assert_null(dw_ws_currency(ws, "GBP"));

    /* Items sorted by SKU, defaults filled in. */
    assert_int_equal(ws->n_items, 3);
    assert_string_equal(ws->items[0].sku, "GW-1");
    assert_string_equal(ws->items[1].sku, "LIC-1");
    assert_string_equal(ws->items[2].sku, "PSU");
    const struct dw_item *gw = dw_ws_item(ws, "GW-1");
    assert_non_null(gw);
    assert_string_equal(gw->name, "Gateway");
    assert_int_equal(gw->kind, DW_ITEM_HARDWARE);
    assert_int_equal(gw->billing, DW_BILL_ONE_TIME);
    assert_int_equal(gw->rank, 10);
    assert_int_equal(gw->min_qty, 1);
    assert_int_equal(gw->max_qty, 0);
    assert_string_equal(gw->quantity_unit, "sites");
    assert_int_equal(gw->quantity_factor, 1);
    assert_int_equal(gw->n_capabilities, 2);
    assert_int_equal(gw->n_attributes, 1);
    assert_string_equal(gw->attributes[0].name, "ports");
    assert_int_equal(gw->attributes[0].value, 8);
    assert_int_equal(gw->n_requires, 1);
    assert_string_equal(gw->requires[0].sku, "LIC-1");
    assert_int_equal(gw->requires[0].per, 1);
    assert_int_equal(gw->n_options, 1);
    assert_string_equal(gw->pos.file, "catalog.yaml");
    assert_int_equal(gw->pos.line, 9);
    assert_int_equal(gw->pos.col, 5);
    const struct dw_item *lic = dw_ws_item(ws, "LIC-1");
    assert_int_equal(lic->billing, DW_BILL_MONTHLY);
    assert_int_equal(lic->kind, DW_ITEM_SUBSCRIPTION);
    assert_int_equal(lic->rank, 100);
    assert_null(lic->quantity_unit);
    assert_true(dw_ws_item(ws, "PSU")->option_only);
    assert_null(dw_ws_item(ws, "NOPE"));
    assert_null(dw_ws_item(ws, NULL));
    assert_int_equal(ws->n_capabilities, 2);
    assert_int_equal(ws->capabilities[0].n_synonyms, 2);
    assert_int_equal(ws->n_units, 1);

    /* Price books, prices sorted, money in minor units. */
    assert_int_equal(ws->n_pricebooks, 2);
    const struct dw_pricebook *eur = dw_ws_pricebook(ws, "EUR");
    assert_non_null(eur);
    assert_string_equal(eur->file, "pricebooks/EUR.yaml");
    assert_int_equal(eur->digits, 2);
    const struct dw_price *p = dw_pricebook_price(eur, "GW-1");
    assert_non_null(p);
    assert_int_equal(p->list, 129000);
    assert_int_equal(p->n_tiers, 2);
    assert_int_equal(p->tiers[0].min_qty, 10);
    assert_int_equal(p->tiers[0].unit_price, 119000);
    assert_int_equal(p->tiers[1].unit_price, 109000);
    assert_int_equal(dw_pricebook_price(eur, "LIC-1")->list, 1050);
    assert_null(dw_pricebook_price(eur, "PSU"));
    const struct dw_pricebook *usdb = dw_ws_pricebook(ws, "USD");
    assert_string_equal(usdb->prices[0].sku, "GW-1"); /* sorted, not in file order */
    assert_int_equal(dw_pricebook_price(usdb, "LIC-1")->list, 1200);
    assert_null(dw_ws_pricebook(ws, "GBP"));

    /* Qualification. */
    const struct dw_qualification *q = &ws->qualification;
    assert_int_equal(q->n_icp_countries, 2);
    assert_int_equal(q->w_need, 25);
    assert_int_equal(q->w_timeline, 15);
    assert_int_equal(q->qualified_min, 55);
    assert_int_equal(q->disqualified_max, 30);
    assert_int_equal(q->n_min_budget, 1);
    assert_string_equal(q->min_budget[0].currency, "EUR");
    assert_int_equal(q->min_budget[0].amount, 1500000);
    assert_int_equal(q->timeline_max_days, 365);
    assert_int_equal(q->n_required, 2);
    assert_string_equal(q->required[1], "quantity");

    /* Policies, with defaults where the file says nothing. */
    const struct dw_policies *pol = &ws->policies;
    assert_int_equal(pol->n_bands, 2);
    assert_string_equal(pol->bands[0].within.when, "quote.discount_pct <= 10.0");
    assert_non_null(pol->bands[0].within.prog);
    assert_non_null(pol->bands[1].within.prog);
    assert_int_equal(dw_policies_band_index(pol, "vp"), 1);
    assert_int_equal(dw_policies_band_index(pol, "manager"), -1);
    assert_int_equal(pol->n_approvals, 1);
    assert_string_equal(pol->approvals[0].name, "deal_size");
    assert_string_equal(pol->approvals[0].role, "vp");
    assert_int_equal(pol->n_embargoed, 1);
    assert_string_equal(pol->export_review[0], "RU");
    assert_int_equal(pol->n_legal_triggers, 1);
    assert_string_equal(pol->legal_triggers[0].phrase, "unlimited liability");
    assert_true(pol->eea_requires_dpa);
    assert_int_equal(pol->retention_days, 730);
    assert_int_equal(pol->quote_valid_days, 14);
    assert_int_equal(pol->default_term_months, 12);
    assert_int_equal(pol->max_attempts, 5);

    /* Team. */
    const struct dw_user *vic = dw_ws_user(ws, "vic");
    assert_non_null(vic);
    assert_true(dw_user_has_role(vic, "admin"));
    assert_false(dw_user_has_role(vic, "rep"));
    assert_null(dw_ws_user(ws, "zed"));
    assert_int_equal(ws->team.demo_minutes, 60);
    assert_int_equal(ws->team.demo_lead_hours, 24);
    assert_int_equal(ws->team.demo_slots, 3);
    assert_int_equal(ws->team.n_availability, 1);
    const struct dw_availability *av = &ws->team.availability[0];
    assert_int_equal(av->utc_offset_min, 60);
    assert_int_equal(av->n_windows, 2);
    assert_int_equal(av->windows[1].weekday, 1);
    assert_int_equal(av->windows[1].start_min, 9 * 60);
    assert_int_equal(av->windows[1].end_min, 12 * 60);

    /* Templates and partials. */
    assert_string_equal(ws->proposal_template.path, "templates/proposal.mustache");
    assert_int_equal(ws->reply_template.len, strlen("Hello {{customer.name}}\n"));
    assert_string_equal(ws->reply_template.text, "Hello {{customer.name}}\n");
    assert_string_equal(json_string_value(json_object_get(ws->partials, "footer")),
                        "-- {{company.name}}\n");

    /* Knowledge: sorted by path, split at headings outside code fences. */
    assert_int_equal(ws->n_documents, 2);
    assert_string_equal(ws->documents[0].path, "knowledge/about.md");
    const struct dw_document *doc = &ws->documents[1];
    assert_string_equal(doc->path, "knowledge/gateway.md");
    assert_string_equal(doc->title, "Gateway datasheet");
    assert_int_equal(doc->n_about, 1);
    assert_int_equal(doc->n_capabilities, 1);
    assert_int_equal(doc->n_passages, 5);
    assert_string_equal(doc->passages[0].heading, "Gateway datasheet");
    assert_string_equal(doc->passages[0].anchor, "");
    assert_string_equal(doc->passages[0].text, "Intro text.");
    assert_int_equal(doc->passages[0].line, 6);
    assert_string_equal(doc->passages[1].heading, "Gateway 1");
    assert_string_equal(doc->passages[1].anchor, "gateway-1");
    assert_string_equal(doc->passages[1].text, "Overview.");
    assert_int_equal(doc->passages[1].line, 8);
    assert_string_equal(doc->passages[2].heading, "Gateway 1 > Throughput");
    assert_string_equal(doc->passages[2].anchor, "throughput");
    assert_string_equal(doc->passages[2].text, "Up to 500 Mbit/s.\n```\n# not a heading\n```");
    assert_int_equal(doc->passages[2].line, 11);
    assert_string_equal(doc->passages[3].anchor, "throughput-1");
    assert_string_equal(doc->passages[3].text, "Second.");
    assert_int_equal(doc->passages[3].line, 17);
    assert_string_equal(doc->passages[4].heading, "Ops & Care!");
    assert_string_equal(doc->passages[4].anchor, "ops-care");
    assert_string_equal(doc->passages[4].text, "");
    assert_int_equal(ws->documents[0].n_passages, 1);

    /* Reference counting. */
    assert_int_equal(strlen(ws->hash), 64);
    assert_ptr_equal(dw_workspace_ref(ws), ws);
    assert_int_equal(ws->refcount, 2);
    assert_null(dw_workspace_unref(ws));
    assert_int_equal(ws->refcount, 1);
    assert_null(dw_workspace_unref(ws));
    assert_null(dw_workspace_unref(NULL));
}

/* ---- the hash ------------------------------------------------------------------------ */

static void hash_of_current(char out[DW_SHA256_HEX]) {
    struct dw_workspace *ws = load_ok();
    memcpy(out, ws->hash, DW_SHA256_HEX);
    dw_workspace_unref(ws);
}

static void test_hash(void **state) {
    make_ws(NULL, 0);
    char h0[DW_SHA256_HEX], h1[DW_SHA256_HEX];
    hash_of_current(h0);
    hash_of_current(h1);
    assert_string_equal(h0, h1); /* deterministic */

    /* Not part of the snapshot: samples/, .dealwright/, files the loader does not read. */
    put("samples/leads.jsonl", "{\"id\": 2}\n");
    put(".dealwright/state.db", "state");
    put("README.md", "notes");
    hash_of_current(h1);
    assert_string_equal(h0, h1);

    /* Any file read changes it: YAML (even a comment), knowledge, a partial. */
    {
        char text[sizeof catalog_yaml + 32];
        snprintf(text, sizeof text, "# pricing v2\n%s", catalog_yaml);
        put("catalog.yaml", text);
        hash_of_current(h1);
        assert_string_not_equal(h0, h1);
        put("catalog.yaml", catalog_yaml);
    }
    put("knowledge/about.md", "---\ntitle: About us\n---\n# About\nWe sell routers.\n");
    hash_of_current(h1);
    assert_string_not_equal(h0, h1);
    put("knowledge/about.md", "---\ntitle: About us\n---\n# About\nWe sell gateways.\n");
    hash_of_current(h1);
    assert_string_equal(h0, h1);
    put("templates/partials/footer.mustache", "-- {{company.name}} --\n");
    hash_of_current(h1);
    assert_string_not_equal(h0, h1);
}

static int cmp_file_path(const void *a, const void *b) {
    return strcmp(((const struct file *)a)->path, ((const struct file *)b)->path);
}

/* The construction of docs/internals/workspace.md, recomputed from the fixture: every file
 * but samples/, in byte order of path: path, NUL, length in decimal, NUL, bytes. Then a
 * partial renamed with the same bytes must change it (the path is covered). */
static void test_hash_covers_paths(void **state) {
    make_ws(NULL, 0);
    char h0[DW_SHA256_HEX], h1[DW_SHA256_HEX], expected[DW_SHA256_HEX];
    hash_of_current(h0);

    struct file sorted[DW_ARRAY_SIZE(base_files)];
    size_t n = 0;
    for (size_t i = 0; i < DW_ARRAY_SIZE(base_files); i++)
        if (strncmp(base_files[i].path, "samples/", 8) != 0)
            sorted[n++] = base_files[i];
    qsort(sorted, n, sizeof *sorted, cmp_file_path);
    struct dw_sha256 h;
    dw_sha256_init(&h);
    for (size_t i = 0; i < n; i++) {
        char len[32];
        int k = snprintf(len, sizeof len, "%zu", strlen(sorted[i].text));
        dw_sha256_update(&h, sorted[i].path, strlen(sorted[i].path) + 1);
        dw_sha256_update(&h, len, (size_t)k + 1);
        dw_sha256_update(&h, sorted[i].text, strlen(sorted[i].text));
    }
    dw_sha256_final_hex(&h, expected);
    assert_string_equal(h0, expected);

    put("templates/partials/footer.mustache", NULL);
    put("templates/partials/foot.mustache", "-- {{company.name}}\n");
    put("templates/proposal.mustache",
        "# Proposal for {{customer.name}}\n{{#quote.lines}}- {{sku}}\n{{/quote.lines}}\n"
        "{{> foot}}\n");
    hash_of_current(h1);
    assert_string_not_equal(h0, h1);
}

/* ---- YAML shape ------------------------------------------------------------------------ */

static void test_yaml_syntax_error(void **state) {
    expect_one("pricebooks/EUR.yaml", "currency: EUR\nprices: [\n  {sku: GW-1\n",
               "pricebooks/EUR.yaml:4:1: YAML syntax error: missing comma in flow mapping");
    expect_one("team.yaml", "users:\n  - id: a\n   name: b\n",
               "team.yaml:3:4: YAML syntax error: did not find expected '-' indicator");
    expect_one("qualification.yaml", "weights: {}\nweights: {}\n",
               "qualification.yaml:2:1: YAML syntax error: duplicate key");
}

static void test_yaml_alias_and_documents(void **state) {
    expect_one("qualification.yaml",
               "icp:\n  countries: &c [DE]\nbant:\n  authority_titles: *c\n"
               "weights: {fit: 20, budget: 20, authority: 20, need: 25, timeline: 15}\n"
               "thresholds: {qualified: 55, disqualified: 30}\n",
               "qualification.yaml:4:21: YAML aliases (*name) are not supported in a workspace");
    expect_one("policies.yaml", "discount_bands:\n  - {role: rep, when: 'true'}\n---\nx: 1\n",
               "policies.yaml:4:1: only one YAML document is allowed per file");
}

static void test_unknown_key(void **state) {
    char text[sizeof catalog_yaml + 64];
    snprintf(text, sizeof text, "%s    rnak: 3\n    colour: red\n", catalog_yaml);
    struct file f = {"catalog.yaml", text};
    struct dw_diags d = {0};
    load_fail(&f, 1, &d);
    assert_diag(&d, "catalog.yaml:27:5: unknown key 'rnak' in item (did you mean 'rank'?)");
    assert_diag(&d, "catalog.yaml:28:5: unknown key 'colour' in item");
    assert_int_equal(d.n, 2);
    dw_diags_release(&d);

    expect_one("dealwright.yaml",
               "company:\n  name: X\n  country: DE\n  home_curency: EUR\n"
               "currencies:\n  - {code: EUR}\n",
               "dealwright.yaml:4:3: unknown key 'home_curency' in company (did you mean "
               "'home_currency'?)");
}

static void test_missing_key_and_file(void **state) {
    /* A missing key is reported at the mapping that lacks it. */
    expect_one("pricebooks/USD.yaml",
               "currency: USD\nprices:\n  - {sku: LIC-1, list: \"12.00\"}\n  - {sku: GW-1}\n",
               "pricebooks/USD.yaml:4:6: missing required key 'list' in price");
    expect_one("team.yaml", NULL, "team.yaml:1:1: required file is missing");
    expect_one("templates/reply.mustache", NULL,
               "templates/reply.mustache:1:1: required file is missing");
    expect_one("catalog.yaml", "",
               "catalog.yaml:1:1: catalog.yaml: expected a mapping, got an "
               "empty value");
}

static void test_money_types(void **state) {
    /* Unquoted money is a YAML float: refused, with the quoted form to paste. */
    expect_one("pricebooks/USD.yaml",
               "currency: USD\nprices:\n  - {sku: LIC-1, list: 12.0}\n"
               "  - {sku: GW-1, list: \"1390.00\"}\n",
               "pricebooks/USD.yaml:3:24: list: money must be a quoted decimal string, not a "
               "YAML number; write \"12.00\"");
    expect_one("pricebooks/USD.yaml",
               "currency: USD\nprices:\n  - {sku: LIC-1, list: \"12.001\"}\n"
               "  - {sku: GW-1, list: \"1390.00\"}\n",
               "pricebooks/USD.yaml:3:24: list: \"12.001\" has 3 decimals but USD has 2");
    expect_one("pricebooks/USD.yaml",
               "currency: USD\nprices:\n  - {sku: LIC-1, list: \"-1\"}\n"
               "  - {sku: GW-1, list: \"1390.00\"}\n",
               "pricebooks/USD.yaml:3:24: list: amount must not be negative");
    expect_one("qualification.yaml",
               "bant:\n  budget_min: {EUR: 15000}\n"
               "weights: {fit: 20, budget: 20, authority: 20, need: 25, timeline: 15}\n"
               "thresholds: {qualified: 55, disqualified: 30}\n",
               "qualification.yaml:2:21: budget_min.EUR: money must be a quoted decimal string, "
               "not a YAML number; write \"15000.00\"");
}

static void test_integer_types(void **state) {
    struct file f = {"catalog.yaml", "items:\n"
                                     "  - sku: A-1\n"
                                     "    name: A\n"
                                     "    kind: service\n"
                                     "    min_qty: \"5\"\n"
                                     "    rank: 1.5\n"
                                     "    max_qty: -3\n"
                                     "    attributes: {ports: eight}\n"
                                     "    option_only: yes\n"
                                     "    kind2: x\n"};
    struct dw_diags d = {0};
    load_fail(&f, 1, &d);
    assert_diag(&d, "catalog.yaml:5:14: min_qty: expected an integer, got a quoted string "
                    "(write 5 without quotes)");
    assert_diag(&d, "catalog.yaml:6:11: rank: expected an integer, got '1.5'");
    assert_diag(&d, "catalog.yaml:7:14: max_qty: -3 is out of range (0 to 1000000000)");
    assert_diag(&d, "catalog.yaml:8:25: attributes.ports: expected an integer, got 'eight'");
    assert_diag(&d, "catalog.yaml:9:18: option_only: expected true or false, got 'yes'");
    assert_diag(&d, "catalog.yaml:10:5: unknown key 'kind2' in item (did you mean 'kind'?)");
    dw_diags_release(&d);
}

/* ---- references -------------------------------------------------------------------- */

static void test_dangling_references(void **state) {
    struct file f[] = {
        {"catalog.yaml", "capabilities:\n  - name: vpn\nitems:\n"
                         "  - sku: A-1\n"
                         "    name: A\n"
                         "    kind: hardware\n"
                         "    capabilities: [vpm, voip]\n"
                         "    quantity: {unit: sites}\n"
                         "    requires: [{sku: B-1}, {sku: A-2}]\n"
                         "    excludes: [A-1]\n"
                         "    options: [NOPE]\n"
                         "  - {sku: A-2, name: A2, kind: service}\n"},
        {"pricebooks/EUR.yaml", "currency: EUR\nprices:\n  - {sku: A-1, list: \"1\"}\n"
                                "  - {sku: A-2, list: \"1\"}\n  - {sku: GW-1, list: \"1\"}\n"},
        {"pricebooks/USD.yaml", "currency: USD\nprices:\n  - {sku: A-1, list: \"1\"}\n"
                                "  - {sku: A-2, list: \"1\"}\n"},
        {"knowledge/gateway.md", "---\ntitle: T\nabout: [A-3]\ncapabilities: [vpn, sdwan]\n"
                                 "---\n# x\n"},
    };
    struct dw_diags d = {0};
    load_fail(f, DW_ARRAY_SIZE(f), &d);
    assert_diag(&d, "catalog.yaml:7:20: capabilities: unknown capability 'vpm' (did you mean "
                    "'vpn'?)");
    assert_diag(&d, "catalog.yaml:7:25: capabilities: unknown capability 'voip' (not in "
                    "catalog.yaml)");
    assert_diag(&d, "catalog.yaml:8:22: quantity.unit: unknown unit 'sites' (not in units)");
    assert_diag(&d, "catalog.yaml:9:22: requires: unknown sku 'B-1' (did you mean 'A-1'?)");
    assert_diag(&d, "catalog.yaml:10:16: excludes: an item cannot name itself");
    assert_diag(&d, "catalog.yaml:11:15: options: unknown sku 'NOPE'");
    assert_diag(&d, "pricebooks/EUR.yaml:5:11: sku: unknown sku 'GW-1'");
    assert_diag(&d, "knowledge/gateway.md:3:9: about: unknown sku 'A-3' (did you mean 'A-1'?)");
    assert_diag(&d, "knowledge/gateway.md:4:21: capabilities: unknown capability 'sdwan'");
    assert_int_equal(d.n, 9);
    dw_diags_release(&d);
}

static void test_roles_and_users(void **state) {
    struct file f[] = {
        {"team.yaml", "users:\n"
                      "  - {id: ann, name: Ann, email: ann@example.com, roles: [rep]}\n"
                      "  - {id: ann, name: Bob, email: bob-at-example, roles: [vp, sales]}\n"
                      "availability:\n"
                      "  - user: zed\n"
                      "    windows:\n"
                      "      - {days: [mon, tue, mon], from: \"12:00\", to: \"09:00\"}\n"},
        {"policies.yaml", "discount_bands:\n"
                          "  - {role: rep, when: quote.discount_pct <= 10.0}\n"
                          "  - {role: manager, when: quote.discount_pct <= 20.0}\n"
                          "  - {role: vp, when: quote.discount_pct <= \"15\"}\n"
                          "legal:\n"
                          "  triggers: [{phrase: net 90, reason: terms}]\n"},
    };
    struct dw_diags d = {0};
    load_fail(f, DW_ARRAY_SIZE(f), &d);
    assert_diag(&d, "team.yaml:3:6: duplicate user id 'ann' (first at line 2)");
    assert_diag(&d, "team.yaml:3:33: email: 'bob-at-example' is not an e-mail address");
    assert_diag(&d, "team.yaml:3:61: unknown role 'sales' (known: rep, sales_engineer, manager, "
                    "deal_desk, vp, legal, admin)");
    assert_diag(&d, "team.yaml:5:11: user: unknown user 'zed' (not in users)");
    assert_diag(&d, "team.yaml:7:27: days: mon is listed twice");
    assert_diag(&d, "team.yaml:7:52: to: the window ends before it starts");
    assert_diag(&d, "policies.yaml:3:12: role: no user in team.yaml has the role 'manager'");
    assert_diag(&d, "policies.yaml:4:41: when: found no matching overload for '<=' applied to "
                    "'(double, string)'");
    assert_diag(&d, "policies.yaml:6:3: missing required key 'role' in legal (who reviews the "
                    "triggers)");
    dw_diags_release(&d);
}

/* ---- catalog structure ---------------------------------------------------------------- */

static void test_catalog_structure(void **state) {
    struct file f[] = {
        {"catalog.yaml", "items:\n"
                         "  - {sku: A-1, name: A, kind: hardware, requires: [{sku: B-1}]}\n"
                         "  - {sku: B-1, name: B, kind: hardware, requires: [{sku: C-1}]}\n"
                         "  - {sku: C-1, name: C, kind: hardware, requires: [{sku: A-1}]}\n"
                         "  - sku: D-1\n"
                         "    name: D\n"
                         "    kind: hardware\n"
                         "    requires: [{sku: E-1, per: 0}]\n"
                         "    excludes: [E-1]\n"
                         "  - {sku: E-1, name: E, kind: hardware, option_only: true}\n"
                         "  - {sku: D-1, name: D again, kind: service}\n"
                         "  - {sku: bad_sku, name: X, kind: gadget}\n"
                         "  - {sku: F-1, name: F, kind: hardware, requires: [{sku: G-1}], "
                         "excludes: [H-1], options: [H-1]}\n"
                         "  - {sku: G-1, name: G, kind: hardware, excludes: [F-1]}\n"
                         "  - {sku: H-1, name: H, kind: hardware}\n"},
        {"pricebooks/EUR.yaml", NULL},
        {"pricebooks/USD.yaml", NULL},
    };
    struct dw_diags d = {0};
    load_fail(f, DW_ARRAY_SIZE(f), &d);
    assert_diag(&d, "catalog.yaml:11:11: duplicate sku 'D-1' (first at line 5)");
    assert_diag(&d, "catalog.yaml:12:11: sku: 'bad_sku' must be 1-64 upper-case letters, digits "
                    "and '-'");
    assert_diag(&d, "catalog.yaml:12:35: kind: unknown value 'gadget' (expected one of: "
                    "hardware, subscription, service)");
    assert_diag(&d, "catalog.yaml:2:6: requires cycle: A-1 -> B-1 -> C-1 -> A-1");
    assert_diag(&d, "catalog.yaml:8:32: per: 0 is out of range (1 to 1000000000)");
    assert_diag(&d, "catalog.yaml:9:16: excludes: E-1 is also in requires; an item cannot both "
                    "require and exclude it");
    assert_diag(&d, "catalog.yaml:10:6: E-1 is option_only but no item offers it in options");
    assert_diag(&d, "catalog.yaml:13:6: F-1 requires G-1, which excludes F-1");
    assert_diag(&d, "catalog.yaml:13:92: options: H-1 is also in excludes");
    assert_diag(&d, "dealwright.yaml:6:11: currency EUR has no price book "
                    "(pricebooks/EUR.yaml)");
    assert_diag(&d, "dealwright.yaml:9:11: currency USD has no price book "
                    "(pricebooks/USD.yaml)");
    dw_diags_release(&d);
}

/* Constraints across items and the objective: parsed, and every mistake reported where
 * it stands. */
static void test_catalog_constraints(void **state) {
    static const char items[] =
        "items:\n" /* 1 */
        "  - {sku: A-1, name: A, kind: hardware, attributes: {poe_w: 60},"
        " requires: [{sku: B-1, count: 2}]}\n"                                /* 2 */
        "  - {sku: B-1, name: B, kind: hardware, attributes: {draw_w: 30}}\n" /* 3 */
        "  - {sku: C-1, name: C, kind: hardware}\n";                          /* 4 */
    char good[1024], bad[1024];
    snprintf(good, sizeof good,
             "%s"
             "constraints:\n"                                             /* 5 */
             "  - {name: power, supply: poe_w, demand: draw_w}\n"         /* 6 */
             "  - name: table\n"                                          /* 7 */
             "    compatible: {among: [B-1, C-1], table: {A-1: [B-1]}}\n" /* 8 */
             "objective: attribute:poe_w\n",                              /* 9 */
             items);
    struct file f[] = {
        {"catalog.yaml", good}, {"pricebooks/EUR.yaml", NULL}, {"pricebooks/USD.yaml", NULL}};
    struct dw_diags d = {0};
    make_ws(f, DW_ARRAY_SIZE(f));
    struct dw_workspace *ws = NULL;
    dw_workspace_load(tmp_root, &ws, &d); /* the price books are missing: only look at */
    for (size_t i = 0; i < d.n; i++)      /* the catalog's own diagnostics */
        if (strcmp(d.v[i].file, "catalog.yaml") == 0)
            fail_msg("unexpected: %d:%d: %s", d.v[i].line, d.v[i].col, d.v[i].msg);
    dw_diags_release(&d);
    dw_workspace_unref(ws);

    snprintf(bad, sizeof bad,
             "%s"
             "constraints:\n"                                                 /* 5 */
             "  - {name: power, supply: poe_watts, demand: draw_w}\n"         /* 6 */
             "  - name: table\n"                                              /* 7 */
             "    compatible: {among: [B-1], table: {A-1: [C-1], B-1: []}}\n" /* 8 */
             "  - {name: power}\n"                                            /* 9 */
             "objective: cheapest\n",                                         /* 10 */
             items);
    f[0].text = bad;
    load_fail(f, DW_ARRAY_SIZE(f), &d);
    assert_diag(&d, "catalog.yaml:6:27: supply: no item has the attribute 'poe_watts'");
    assert_diag(&d, "catalog.yaml:8:46: table: C-1 is not in among");
    assert_diag(&d, "catalog.yaml:8:52: table: B-1 is both a row and in among");
    assert_diag(&d, "catalog.yaml:9:6: constraint: needs supply and demand, or compatible");
    assert_diag(&d, "catalog.yaml:9:12: duplicate constraint 'power' (first at line 6)");
    assert_diag(&d, "catalog.yaml:10:12: objective: 'cheapest' is not list_cost, rank or "
                    "attribute:NAME");
    dw_diags_release(&d);
}

/* ---- price books ----------------------------------------------------------------------- */

static void test_pricebooks(void **state) {
    struct file f[] = {
        {"pricebooks/EUR.yaml", "currency: EUR\n"
                                "prices:\n"
                                "  - sku: GW-1\n"
                                "    list: \"100.00\"\n"
                                "    tiers:\n"
                                "      - {min: 10, price: \"90.00\"}\n"
                                "      - {min: 5, price: \"80.00\"}\n"
                                "      - {min: 50, price: \"95.00\"}\n"
                                "      - {min: 60, price: \"100.00\"}\n"
                                "  - {sku: GW-1, list: \"1.00\"}\n"},
        {"pricebooks/USD.yaml", "currency: EUR\nprices: []\n"},
        {"pricebooks/usd.yaml", "currency: USD\nprices: []\n"},
        {"pricebooks/GBP.yaml", "currency: GBP\nprices: []\n"},
    };
    struct dw_diags d = {0};
    load_fail(f, DW_ARRAY_SIZE(f), &d);
    assert_diag(&d, "pricebooks/EUR.yaml:7:15: tiers: min 5 must be above the previous tier's 10");
    assert_diag(&d, "pricebooks/EUR.yaml:8:26: tiers: price 95.00 rises above the previous "
                    "tier's 80.00");
    assert_diag(&d, "pricebooks/EUR.yaml:9:26: tiers: price 100.00 must be below the list price "
                    "100.00");
    assert_diag(&d, "pricebooks/EUR.yaml:10:11: duplicate price for sku 'GW-1' (first at line 3)");
    assert_diag(&d, "pricebooks/EUR.yaml:2:1: prices: LIC-1 has no price in the EUR price book");
    assert_diag(&d, "pricebooks/USD.yaml:1:11: currency: 'EUR' does not match the file name "
                    "pricebooks/USD.yaml (expected USD)");
    assert_diag(&d, "pricebooks/USD.yaml:2:1: prices: GW-1 has no price in the USD price book");
    assert_diag(&d, "pricebooks/usd.yaml:1:1: a price book is named after its currency code, like "
                    "pricebooks/EUR.yaml");
    assert_diag(&d, "pricebooks/GBP.yaml:1:11: currency: GBP is not declared in dealwright.yaml");
    dw_diags_release(&d);
}

/* ---- qualification and policies -------------------------------------------------------- */

static void test_qualification_rules(void **state) {
    struct file f[] = {
        {"qualification.yaml", "icp:\n"
                               "  countries: [DE, usa, uk]\n"
                               "  free_mail_domains: [Gmail.com]\n"
                               "bant:\n"
                               "  budget_min: {EUR: \"1.00\", GBP: \"1.00\"}\n"
                               "weights: {fit: 20, budget: 20, authority: 20, need: 25, "
                               "timeline: 10}\n"
                               "thresholds: {qualified: 40, disqualified: 50}\n"
                               "required: [budget, quantiy, budget]\n"},
        {"policies.yaml", "discount_bands:\n"
                          "  - {role: rep, when: quote.discount_pct <= 10.0 &&}\n"
                          "  - {role: vp, when: quote.nope > 1}\n"
                          "approvals:\n"
                          "  - {name: Big, when: quote.total, role: vp, reason: x}\n"
                          "export_control:\n"
                          "  embargoed: [KP]\n"
                          "  review: [KP]\n"
                          "quotes: {valid_days: 0, default_term_months: 12, grace: 1}\n"},
    };
    struct dw_diags d = {0};
    load_fail(f, DW_ARRAY_SIZE(f), &d);
    assert_diag(&d, "qualification.yaml:2:19: 'usa' is not a country code (ISO 3166-1 alpha-2, "
                    "upper case, like DE)");
    assert_diag(&d, "qualification.yaml:2:24: 'uk' is not a country code (ISO 3166-1 alpha-2, "
                    "upper case, like DE)");
    assert_diag(&d, "qualification.yaml:3:23: free_mail_domains: 'Gmail.com' is not a "
                    "lower-case domain name");
    assert_diag(&d, "qualification.yaml:5:29: budget_min: GBP is not declared in "
                    "dealwright.yaml");
    assert_diag(&d, "qualification.yaml:6:11: weights: they sum to 95, not 100");
    assert_diag(&d, "qualification.yaml:7:43: disqualified: 50 is above qualified 40; a score "
                    "cannot be both");
    assert_diag(&d, "qualification.yaml:8:20: required: unknown value 'quantiy' (did you mean "
                    "'quantity'?)");
    assert_diag(&d, "qualification.yaml:8:29: required: 'budget' is listed twice");
    /* CEL conditions: each error at its character in the YAML */
    assert_diag(&d, "policies.yaml:2:52: when: the expression ends where a value is expected");
    assert_diag(&d,
                "policies.yaml:3:28: when: 'Quote' has no field 'nope' (fields: cost, currency, "
                "discount, discount_pct, lines, margin, margin_pct, skus, subtotal, "
                "term_months, total, total_minor)");
    assert_diag(&d, "policies.yaml:5:12: name: 'Big' must be 1-64 lower-case letters, digits or "
                    "'_', and not 'discount' (the discount bands' own)");
    assert_diag(&d, "policies.yaml:5:23: when: the condition gives double, not a bool");
    assert_diag(&d, "policies.yaml:7:3: missing required key 'role' in export_control (who "
                    "reviews the review countries)");
    assert_diag(&d, "policies.yaml:8:12: review: KP is also embargoed");
    assert_diag(&d, "policies.yaml:9:22: valid_days: 0 is out of range (1 to 365)");
    assert_diag(&d, "policies.yaml:9:50: unknown key 'grace' in quotes");
    dw_diags_release(&d);
}

static void test_company(void **state) {
    expect_one("dealwright.yaml",
               "company:\n  name: X\n  country: Germany\n  home_currency: GBP\n"
               "currencies:\n  - {code: EUR, countries: [DE]}\n  - {code: USD, countries: [DE]}\n"
               "  - {code: EUR}\n",
               "dealwright.yaml:3:12: 'Germany' is not a country code (ISO 3166-1 alpha-2, "
               "upper case, like DE)");
    struct dw_diags d = {0};
    struct file f = {"dealwright.yaml",
                     "company:\n  name: X\n  country: DE\n  home_currency: GBP\n"
                     "currencies:\n  - {code: EUR, countries: [DE]}\n"
                     "  - {code: USD, countries: [DE], digits: 7}\n  - {code: EUR}\n"};
    load_fail(&f, 1, &d);
    assert_diag(&d, "dealwright.yaml:4:18: home_currency: GBP is not one of the currencies");
    assert_diag(&d, "dealwright.yaml:7:29: country DE is already priced in EUR (line 6)");
    assert_diag(&d, "dealwright.yaml:7:42: digits: 7 is out of range (0 to 4)");
    assert_diag(&d, "dealwright.yaml:8:12: duplicate currency 'EUR' (first at line 6)");
    dw_diags_release(&d);
}

/* ---- knowledge and templates ------------------------------------------------------------ */

static void test_knowledge_errors(void **state) {
    expect_one("knowledge/x.md", "# No front matter\n",
               "knowledge/x.md:1:1: a knowledge document starts with front matter between --- "
               "lines (with at least a title)");
    expect_one("knowledge/x.md", "---\ntitle: T\n# body\n",
               "knowledge/x.md:1:1: front matter is not closed by a --- line");
    expect_one("knowledge/x.md", "---\nabout: [GW-1]\nsummary: x\n---\n# body\n",
               "knowledge/x.md:3:1: unknown key 'summary' in front matter");
    expect_one("knowledge/x.md", "---\nabout: [GW-1]\n---\n# body\n",
               "knowledge/x.md:2:1: missing required key 'title' in front matter");
    expect_one("knowledge/x.md", "---\ntitle: [unclosed\n---\n",
               "knowledge/x.md:3:1: YAML syntax error: flow sequence without a closing bracket");
}

static void test_template_errors(void **state) {
    expect_one("templates/proposal.mustache", "# Hi\n\n{{#quote.lines}}\n- {{sku}}\n",
               "templates/proposal.mustache:3:1: template error: unclosed section "
               "'quote.lines'");
    expect_one("templates/partials/bad.mustache", "a {{/x}}",
               "templates/partials/bad.mustache:1:3: template error: closing tag 'x' without "
               "an open section");
    /* per-language templates: where they go, and what they may hold */
    expect_one("templates/proposal.de.mustache", "x",
               "templates/proposal.de.mustache:1:1: unknown template: templates/ holds "
               "proposal.mustache, reply.mustache, partials/ and a directory per further "
               "language (templates/de/...)");
    expect_one("templates/deu/proposal.mustache", "x",
               "templates/deu:1:1: 'deu' is not a language code (en, de, fr, es, it, nl, pt); a "
               "language's templates go in templates/CODE/");
    expect_one("templates/de/angebot.mustache", "x",
               "templates/de/angebot.mustache:1:1: unknown template: a language's directory "
               "holds proposal.mustache, reply.mustache and partials/");
    expect_one("templates/fr/reply.mustache", "{{#ask}}",
               "templates/fr/reply.mustache:1:1: template error: unclosed section 'ask'");

    /* a German set: its proposal, the company's reply as the fallback, partials overridden */
    struct file de[] = {{"templates/de/proposal.mustache", "Angebot {{> sig}}"},
                        {"templates/partials/sig.mustache", "Regards"},
                        {"templates/de/partials/sig.mustache", "Grüße"}};
    make_ws(de, DW_ARRAY_SIZE(de));
    struct dw_workspace *ws = load_ok();
    const json_t *partials = NULL;
    const char *used = NULL;
    const struct dw_template *t = dw_ws_template(ws, "proposal", "de", &partials, &used);
    assert_string_equal(used, "de");
    assert_string_equal(t->text, "Angebot {{> sig}}");
    assert_int_equal(t->escape, DW_MUSTACHE_MARKDOWN);
    assert_string_equal(json_string_value(json_object_get(partials, "sig")), "Grüße");
    t = dw_ws_template(ws, "reply", "de", &partials, &used);
    assert_string_equal(used, "en");
    assert_ptr_equal(t, &ws->reply_template);
    assert_string_equal(json_string_value(json_object_get(partials, "sig")), "Regards");
    t = dw_ws_template(ws, "proposal", "fr", &partials, &used);
    assert_string_equal(used, "en");
    assert_ptr_equal(t, &ws->proposal_template);
    dw_workspace_unref(ws);
}

static void test_limits_and_bytes(void **state) {
    make_ws(NULL, 0);
    size_t big = (size_t)DW_WS_MAX_FILE + 1;
    char *text = malloc(big);
    assert_non_null(text);
    memset(text, 'a', big);
    write_file(tmp_root, "knowledge/big.md", text, big);
    free(text);
    struct dw_diags d = {0};
    struct dw_workspace *ws = NULL;
    assert_int_equal(dw_workspace_load(tmp_root, &ws, &d), -DW_EVALIDATE);
    assert_diag(&d, "knowledge/big.md:1:1: file is larger than the limit of 4194304 bytes");
    dw_diags_release(&d);

    expect_one("knowledge/x.md", "---\ntitle: caf\xc3\n---\n",
               "knowledge/x.md:2:11: invalid UTF-8");

    /* More than DW_WS_MAX_ITEMS entries in one list. */
    struct dw_buf b;
    dw_buf_init(&b, 0);
    dw_buf_puts(&b, "icp:\n  industries:\n");
    for (int i = 0; i <= DW_WS_MAX_ITEMS; i++)
        dw_buf_puts(&b, "  - x\n");
    dw_buf_puts(&b, "weights: {fit: 20, budget: 20, authority: 20, need: 25, timeline: 15}\n"
                    "thresholds: {qualified: 55, disqualified: 30}\n");
    expect_one("qualification.yaml", b.data,
               "qualification.yaml:3:5: industries: 10001 entries, more than the limit of "
               "10000");
    dw_buf_release(&b);
}

/* ---- all problems, sorted; not a workspace ----------------------------------------------- */

static void test_all_problems_sorted(void **state) {
    struct file f[] = {
        {"team.yaml", "users:\n  - {id: ann, name: Ann, email: a@b.c, roles: [rep], age: 3}\n"},
        {"catalog.yaml", "items: []\nextra: 1\n"},
        {"qualification.yaml", "weights: {fit: 100}\n"},
    };
    struct dw_diags d = {0};
    load_fail(f, DW_ARRAY_SIZE(f), &d);
    for (size_t i = 1; i < d.n; i++) {
        int c = strcmp(d.v[i - 1].file, d.v[i].file);
        assert_true(c < 0 ||
                    (c == 0 && (d.v[i - 1].line < d.v[i].line ||
                                (d.v[i - 1].line == d.v[i].line && d.v[i - 1].col <= d.v[i].col))));
    }
    assert_diag(&d, "catalog.yaml:1:1: items: the catalog has no items");
    assert_diag(&d, "catalog.yaml:2:1: unknown key 'extra' in catalog.yaml");
    assert_diag(&d, "qualification.yaml:1:1: missing required key 'thresholds' in "
                    "qualification.yaml");
    assert_diag(&d, "qualification.yaml:1:11: missing required key 'timeline' in weights");
    assert_diag(&d, "team.yaml:2:54: unknown key 'age' in user");
    /* Policies name vp, held by nobody in the replaced team. */
    assert_diag(&d, "policies.yaml:3:12: role: no user in team.yaml has the role 'vp'");
    dw_diags_release(&d);
}

static void test_not_a_workspace(void **state) {
    struct dw_diags d = {0};
    struct dw_workspace *ws = NULL;
    assert_int_equal(dw_workspace_load("/nonexistent/dw-ws", &ws, &d), -DW_ENOENT);
    assert_int_equal(d.n, 1);
    assert_null(ws);
    dw_diags_release(&d);

    make_ws((const struct file[]){{"dealwright.yaml", NULL}}, 1);
    assert_int_equal(dw_workspace_load(tmp_root, &ws, &d), -DW_ENOENT);
    assert_int_equal(d.n, 1);
    dw_diags_release(&d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_loads),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_hash_covers_paths),
        cmocka_unit_test(test_yaml_syntax_error),
        cmocka_unit_test(test_yaml_alias_and_documents),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_missing_key_and_file),
        cmocka_unit_test(test_money_types),
        cmocka_unit_test(test_integer_types),
        cmocka_unit_test(test_dangling_references),
        cmocka_unit_test(test_roles_and_users),
        cmocka_unit_test(test_catalog_structure),
        cmocka_unit_test(test_catalog_constraints),
        cmocka_unit_test(test_pricebooks),
        cmocka_unit_test(test_qualification_rules),
        cmocka_unit_test(test_company),
        cmocka_unit_test(test_knowledge_errors),
        cmocka_unit_test(test_template_errors),
        cmocka_unit_test(test_limits_and_bytes),
        cmocka_unit_test(test_all_problems_sorted),
        cmocka_unit_test(test_not_a_workspace),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
