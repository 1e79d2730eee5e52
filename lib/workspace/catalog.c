/* What the company sells and at what price: dealwright.yaml (company and currencies),
 * catalog.yaml (capabilities, standards, units, items) and pricebooks/CUR.yaml.
 *
 * Items name each other (requires, excludes, options), so the catalog is read in two
 * passes: the first collects every SKU so that a reference to an item defined further down
 * is not mistaken for a dangling one, the second reads the items and checks each reference
 * where it stands. Checks that need the whole catalog (requires cycles, conflicts between
 * two items, option-only items nobody offers) run last and point at the item. The price
 * books are read by pricebook.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workspace/ws-internal.h"

#define SKU_MAX 64
#define QTY_MAX 1000000000LL

/* ---- dealwright.yaml ------------------------------------------------------------------ */

struct country_owner {  /* which currency claimed a country first, for the overlap check */
    int owner[26 * 26]; /* currency index + 1, 0 = none */
    int line[26 * 26];
    const struct dw_workspace *ws;
    int cur; /* the currency being read */
};

static bool check_currency_country(struct dw__ws_ctx *c, const struct dw__yref *r,
                                   const char *value, void *arg) {
    struct country_owner *co = arg;
    if (!dw__check_country(c, r, value, NULL))
        return false;
    int k = (value[0] - 'A') * 26 + (value[1] - 'A');
    if (co->owner[k] && co->owner[k] != co->cur + 1) {
        dw__y_err(c, r, "country %s is already priced in %s (line %d)", value,
                  co->ws->currencies[co->owner[k] - 1].code, co->line[k]);
        return false;
    }
    co->owner[k] = co->cur + 1;
    co->line[k] = r->line;
    return true;
}

static void parse_currencies(struct dw__ws_ctx *c, const struct dw__yref *list) {
    struct dw_workspace *ws = c->ws;
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    if (!dw__y_seq(c, list, "currencies", &items, &n))
        return;
    if (n == 0) {
        dw__y_err(c, list, "currencies: at least one currency is required");
        return;
    }
    ws->currencies = dw__ws_array(c->w, n, sizeof *ws->currencies);
    c->currency_pos = calloc(n, sizeof *c->currency_pos);
    _cleanup_free_ struct dw__named *names = calloc(n, sizeof *names);
    _cleanup_free_ struct country_owner *co = calloc(1, sizeof *co);
    if (!ws->currencies || !c->currency_pos || !names || !co) {
        c->w->oom = true;
        return;
    }
    co->ws = ws;
    size_t n_names = 0;
    for (size_t i = 0; i < n; i++) {
        struct dw_currency *cur = &ws->currencies[i];
        cur->digits = 2;
        struct dw__yfield f[] = {DW__REQ("code"), DW__OPT("digits"), DW__OPT("countries")};
        if (!dw__y_fields(c, &items[i], "currency", f, DW_ARRAY_SIZE(f)))
            continue;
        const struct dw__yref *v;
        c->currency_pos[i] = (struct dw_ws_pos){c->file, items[i].line, items[i].col};
        if ((v = DW__YGET(f, "code"))) {
            const char *code = dw__y_scalar(c, v, "code");
            if (code && !dw__is_currency(code))
                dw__y_err(c, v, "code: '%s' is not a currency code (ISO 4217, like EUR)", code);
            else if (code) {
                memcpy(cur->code, code, 4);
                names[n_names++] = (struct dw__named){cur->code, v->line, v->col};
                c->currency_pos[i] = (struct dw_ws_pos){c->file, v->line, v->col};
            }
        }
        int64_t digits;
        if ((v = DW__YGET(f, "digits")) && dw__y_int(c, v, "digits", 0, 4, &digits))
            cur->digits = (int)digits;
        co->cur = (int)i;
        if ((v = DW__YGET(f, "countries")))
            dw__y_strlist(c, v, "countries", check_currency_country, co, &cur->countries,
                          &cur->n_countries);
    }
    ws->n_currencies = n;
    dw__report_dups(c, names, n_names, "currency");
    c->have_currencies = true;
}

/* The company's letterhead on the documents customers receive (the proposal PDF): its
 * address as the lines it is written in, and how to reach it. Each a line of its own, so
 * each is one line of text of at most 120 bytes without control characters. */
static bool check_letterhead_line(struct dw__ws_ctx *c, const struct dw__yref *r, const char *v,
                                  void *arg) {
    const char *what = arg;
    size_t n = strlen(v);
    if (n == 0 || n > 120) {
        dw__y_err(c, r, "%s: a line of 1-120 bytes, got %zu", what, n);
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f) {
            dw__y_err(c, r, "%s: control characters are not allowed", what);
            return false;
        }
    return true;
}

static void parse_company_contact(struct dw__ws_ctx *c, const struct dw__yfield *cf, size_t n) {
    struct dw_workspace *ws = c->ws;
    const struct dw__yref *v;
    if ((v = dw__y_get(cf, n, "address"))) {
        char **lines = NULL;
        size_t n_lines = 0;
        if (dw__y_strlist(c, v, "address", check_letterhead_line, "address", &lines, &n_lines)) {
            if (n_lines == 0 || n_lines > 6)
                dw__y_err(c, v, "address: 1-6 lines (street, postcode and city, country), got %zu",
                          n_lines);
            ws->company_address = lines;
            ws->n_company_address = n_lines;
        }
    }
    static const char *const keys[] = {"email", "phone", "website", "vat_id"};
    char **dst[] = {&ws->company_email, &ws->company_phone, &ws->company_website,
                    &ws->company_vat_id};
    for (size_t i = 0; i < DW_ARRAY_SIZE(keys); i++) {
        if (!(v = dw__y_get(cf, n, keys[i])) || !dw__y_str(c, v, keys[i], dst[i]) || !*dst[i])
            continue;
        if (!check_letterhead_line(c, v, *dst[i], (void *)keys[i]))
            *dst[i] = NULL;
        else if (i == 0 && (!strchr(*dst[i], '@') || strpbrk(*dst[i], " <>\"")))
            dw__y_err(c, v, "email: '%s' is not an e-mail address", *dst[i]);
    }
}

static void parse_company(struct dw__ws_ctx *c, const struct dw__yref *root) {
    struct dw_workspace *ws = c->ws;
    struct dw__yfield f[] = {DW__REQ("company"), DW__REQ("currencies"), DW__OPT("mail"),
                             DW__OPT("webhooks")};
    ws->webhooks =
        (struct dw_webhook_config){.attempts = 8, .backoff_ms = 1000, .timeout_ms = 10000};
    if (!dw__y_fields(c, root, "dealwright.yaml", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v, *home = NULL;
    if ((v = DW__YGET(f, "currencies")))
        parse_currencies(c, v);
    if ((v = DW__YGET(f, "mail")))
        dw__parse_mail(c, v);
    if ((v = DW__YGET(f, "webhooks")))
        dw__parse_webhooks(c, v);

    struct dw__yfield cf[] = {DW__REQ("name"),     DW__REQ("country"), DW__REQ("home_currency"),
                              DW__OPT("language"), DW__OPT("address"), DW__OPT("email"),
                              DW__OPT("phone"),    DW__OPT("website"), DW__OPT("vat_id")};
    if ((v = DW__YGET(f, "company")) && dw__y_fields(c, v, "company", cf, DW_ARRAY_SIZE(cf))) {
        if ((v = DW__YGET(cf, "name")))
            dw__y_str(c, v, "name", &ws->company_name);
        if ((v = DW__YGET(cf, "country")) && dw__y_str(c, v, "country", &ws->company_country))
            dw__check_country(c, v, ws->company_country, NULL);
        home = DW__YGET(cf, "home_currency");
        if ((v = DW__YGET(cf, "language")) && dw__y_str(c, v, "language", &ws->language) &&
            ws->language && !dw_ws_language_known(ws->language))
            dw__y_err(c, v,
                      "language: '%s' is not a supported language (en, de, fr, es, it, nl, pt)",
                      ws->language);
        parse_company_contact(c, cf, DW_ARRAY_SIZE(cf));
    }
    const char *code = home ? dw__y_scalar(c, home, "home_currency") : NULL;
    if (code && !dw__is_currency(code))
        dw__y_err(c, home, "home_currency: '%s' is not a currency code (like EUR)", code);
    else if (code) {
        memcpy(ws->home_currency, code, 4);
        if (c->have_currencies && !dw_ws_currency(ws, code))
            dw__y_err(c, home, "home_currency: %s is not one of the currencies", code);
    }
}

void dw__load_company(struct dw__ws_ctx *c) {
    dw__ws_load_yaml(c, "dealwright.yaml", true, parse_company);
}

/* ---- catalog.yaml: terms ---------------------------------------------------------------- */

static void parse_terms(struct dw__ws_ctx *c, const struct dw__yref *list, const char *what,
                        struct dw_term **ret, size_t *ret_n) {
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    if (!dw__y_seq(c, list, what, &items, &n) || n == 0)
        return;
    struct dw_term *t = dw__ws_array(c->w, n, sizeof *t);
    _cleanup_free_ struct dw__named *names = calloc(n, sizeof *names);
    if (!t || !names) {
        c->w->oom = true;
        return;
    }
    size_t n_names = 0;
    char entry[64];
    snprintf(entry, sizeof entry, "%s entry", what);
    for (size_t i = 0; i < n; i++) {
        t[i].pos = (struct dw_ws_pos){c->file, items[i].line, items[i].col};
        t[i].name = "";
        struct dw__yfield f[] = {DW__REQ("name"), DW__OPT("description"), DW__OPT("synonyms")};
        if (!dw__y_fields(c, &items[i], entry, f, DW_ARRAY_SIZE(f)))
            continue;
        const struct dw__yref *v;
        if ((v = DW__YGET(f, "name")) && dw__y_str(c, v, "name", &t[i].name)) {
            if (!t[i].name[0])
                dw__y_err(c, v, "name: must not be empty");
            names[n_names++] = (struct dw__named){t[i].name, v->line, v->col};
        }
        if ((v = DW__YGET(f, "description")))
            dw__y_str(c, v, "description", &t[i].description);
        if ((v = DW__YGET(f, "synonyms")))
            dw__y_strlist(c, v, "synonyms", NULL, NULL, &t[i].synonyms, &t[i].n_synonyms);
    }
    dw__report_dups(c, names, n_names, what);
    *ret = t;
    *ret_n = n;
}

static int term_names(struct dw__names *set, const struct dw_term *t, size_t n) {
    _cleanup_free_ const char **v = n ? calloc(n, sizeof *v) : NULL;
    if (n && !v)
        return -DW_ENOMEM;
    for (size_t i = 0; i < n; i++)
        v[i] = t[i].name;
    return dw__names_build(set, v, n);
}

/* ---- catalog.yaml: items ---------------------------------------------------------------- */

static bool is_sku(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > SKU_MAX || s[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

/* A reference to another item. `what` names the list; the item itself is arg. */
struct sku_ref {
    const char *what;
    const struct dw_item *self;
};

bool dw__sku_exists(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                    const char *sku) {
    if (dw__names_has(&c->skus, sku))
        return true;
    const char *hint = dw__closest(sku, c->skus.v, c->skus.n);
    if (hint)
        dw__y_err(c, r, "%s: unknown sku '%s' (did you mean '%s'?)", what, sku, hint);
    else
        dw__y_err(c, r, "%s: unknown sku '%s'", what, sku);
    return false;
}

static bool in_list(char **v, size_t n, const char *s) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

static bool requires_sku(const struct dw_item *it, const char *sku) {
    for (size_t i = 0; i < it->n_requires; i++)
        if (strcmp(it->requires[i].sku, sku) == 0)
            return true;
    return false;
}

static bool check_sku_ref(struct dw__ws_ctx *c, const struct dw__yref *r, const char *value,
                          void *arg) {
    const struct sku_ref *ref = arg;
    if (!dw__sku_exists(c, r, ref->what, value))
        return false;
    if (strcmp(value, ref->self->sku) == 0) {
        dw__y_err(c, r, "%s: an item cannot name itself", ref->what);
        return false;
    }
    if (strcmp(ref->what, "excludes") == 0 && requires_sku(ref->self, value)) {
        dw__y_err(c, r,
                  "excludes: %s is also in requires; an item cannot both require and "
                  "exclude it",
                  value);
        return false;
    }
    if (strcmp(ref->what, "options") == 0 &&
        in_list(ref->self->excludes, ref->self->n_excludes, value)) {
        dw__y_err(c, r, "options: %s is also in excludes", value);
        return false;
    }
    return true;
}

static bool check_capability(struct dw__ws_ctx *c, const struct dw__yref *r, const char *value,
                             void *arg) {
    if (dw__names_has(&c->capabilities, value))
        return true;
    const char *hint = dw__closest(value, c->capabilities.v, c->capabilities.n);
    if (hint)
        dw__y_err(c, r, "capabilities: unknown capability '%s' (did you mean '%s'?)", value, hint);
    else
        dw__y_err(c, r, "capabilities: unknown capability '%s' (not in catalog.yaml)", value);
    return false;
}

static void parse_requires(struct dw__ws_ctx *c, const struct dw__yref *list, struct dw_item *it) {
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    if (!dw__y_seq(c, list, "requires", &items, &n) || n == 0)
        return;
    it->requires = dw__ws_array(c->w, n, sizeof *it->requires);
    if (!it->requires)
        return;
    _cleanup_free_ struct dw__named *names = calloc(n, sizeof *names);
    if (!names) {
        c->w->oom = true;
        return;
    }
    size_t n_names = 0;
    for (size_t i = 0; i < n; i++) {
        struct dw_item_req *req = &it->requires[i];
        req->sku = "";
        req->per = 1;
        req->count = 1;
        struct dw__yfield f[] = {DW__REQ("sku"), DW__OPT("per"), DW__OPT("count")};
        if (!dw__y_fields(c, &items[i], "requires entry", f, DW_ARRAY_SIZE(f)))
            continue;
        const struct dw__yref *v;
        if ((v = DW__YGET(f, "sku")) && dw__y_str(c, v, "requires", &req->sku)) {
            struct sku_ref ref = {"requires", it};
            if (check_sku_ref(c, v, req->sku, &ref))
                names[n_names++] = (struct dw__named){req->sku, v->line, v->col};
        }
        if ((v = DW__YGET(f, "per")))
            dw__y_int(c, v, "per", 1, QTY_MAX, &req->per);
        if ((v = DW__YGET(f, "count")))
            dw__y_int(c, v, "count", 1, 1000, &req->count);
    }
    it->n_requires = n;
    dw__report_dups(c, names, n_names, "required sku");
}

static void parse_attributes(struct dw__ws_ctx *c, const struct dw__yref *map, struct dw_item *it) {
    _cleanup_free_ struct dw__yref *keys = NULL, *values = NULL;
    size_t n;
    dw__y_pairs(c, map, "attributes", &keys, &values, &n);
    if (n == 0)
        return;
    it->attributes = dw__ws_array(c->w, n, sizeof *it->attributes);
    if (!it->attributes)
        return;
    for (size_t i = 0; i < n; i++) {
        struct dw_attr *a = &it->attributes[i];
        a->name = dw__ws_strdup(c->w, dw__y_text(&keys[i]));
        for (const char *p = a->name; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
                dw__y_err(c, &keys[i],
                          "attributes: name '%s' must be lower-case letters, "
                          "digits and '_'",
                          a->name);
                break;
            }
        char what[96];
        snprintf(what, sizeof what, "attributes.%s", a->name);
        dw__y_int(c, &values[i], what, INT64_MIN, INT64_MAX, &a->value);
    }
    it->n_attributes = n;
}

static bool slot_name_ok(const char *s) {
    if (!*s || strlen(s) > 64)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return false;
    return true;
}

/* slots: {modem: 1} — what a host offers its hosted parts (docs/internals/configurator.md). */
static void parse_slots(struct dw__ws_ctx *c, const struct dw__yref *map, struct dw_item *it) {
    _cleanup_free_ struct dw__yref *keys = NULL, *values = NULL;
    size_t n;
    dw__y_pairs(c, map, "slots", &keys, &values, &n);
    if (n == 0)
        return;
    it->slots = dw__ws_array(c->w, n, sizeof *it->slots);
    if (!it->slots)
        return;
    for (size_t i = 0; i < n; i++) {
        struct dw_attr *a = &it->slots[i];
        a->name = dw__ws_strdup(c->w, dw__y_text(&keys[i]));
        if (a->name && !slot_name_ok(a->name))
            dw__y_err(c, &keys[i],
                      "slots: name '%s' must be lower-case letters, digits, '-' and '_'", a->name);
        char what[96];
        snprintf(what, sizeof what, "slots.%s", a->name ? a->name : "");
        dw__y_int(c, &values[i], what, 1, 1000, &a->value);
    }
    it->n_slots = n;
}

static void parse_quantity(struct dw__ws_ctx *c, const struct dw__yref *map, struct dw_item *it) {
    struct dw__yfield f[] = {DW__REQ("unit"), DW__OPT("factor")};
    if (!dw__y_fields(c, map, "quantity", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    if ((v = DW__YGET(f, "unit")) && dw__y_str(c, v, "quantity.unit", &it->quantity_unit) &&
        !dw__names_has(&c->units, it->quantity_unit)) {
        const char *hint = dw__closest(it->quantity_unit, c->units.v, c->units.n);
        if (hint)
            dw__y_err(c, v, "quantity.unit: unknown unit '%s' (did you mean '%s'?)",
                      it->quantity_unit, hint);
        else
            dw__y_err(c, v, "quantity.unit: unknown unit '%s' (not in units)", it->quantity_unit);
    }
    if ((v = DW__YGET(f, "factor")))
        dw__y_int(c, v, "quantity.factor", 1, QTY_MAX, &it->quantity_factor);
}

static const char *const item_kinds[] = {"hardware", "subscription", "service"};
static const char *const billings[] = {"one_time", "monthly"};

static void parse_item(struct dw__ws_ctx *c, const struct dw__yref *r, struct dw_item *it) {
    it->sku = it->name = "";
    it->pos = (struct dw_ws_pos){c->file, r->line, r->col};
    it->billing = DW_BILL_ONE_TIME;
    it->quantity_factor = 1;
    it->min_qty = 1;
    it->rank = 100;
    struct dw__yfield f[] = {
        DW__REQ("sku"),        DW__REQ("name"),        DW__REQ("kind"),
        DW__OPT("billing"),    DW__OPT("description"), DW__OPT("capabilities"),
        DW__OPT("attributes"), DW__OPT("quantity"),    DW__OPT("min_qty"),
        DW__OPT("max_qty"),    DW__OPT("rank"),        DW__OPT("requires"),
        DW__OPT("excludes"),   DW__OPT("options"),     DW__OPT("option_only"),
        DW__OPT("slot"),       DW__OPT("slots"),
    };
    if (!dw__y_fields(c, r, "item", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    int e;
    if ((v = DW__YGET(f, "sku")))
        dw__y_str(c, v, "sku", &it->sku); /* its shape was checked in the first pass */
    if ((v = DW__YGET(f, "name")))
        dw__y_str(c, v, "name", &it->name);
    if ((v = DW__YGET(f, "kind")) &&
        dw__y_enum(c, v, "kind", item_kinds, DW_ARRAY_SIZE(item_kinds), &e))
        it->kind = (enum dw_item_kind)e;
    if ((v = DW__YGET(f, "billing")) &&
        dw__y_enum(c, v, "billing", billings, DW_ARRAY_SIZE(billings), &e))
        it->billing = (enum dw_billing)e;
    if ((v = DW__YGET(f, "description")))
        dw__y_str(c, v, "description", &it->description);
    if ((v = DW__YGET(f, "capabilities")))
        dw__y_strlist(c, v, "capabilities", check_capability, NULL, &it->capabilities,
                      &it->n_capabilities);
    if ((v = DW__YGET(f, "attributes")))
        parse_attributes(c, v, it);
    if ((v = DW__YGET(f, "quantity")))
        parse_quantity(c, v, it);
    if ((v = DW__YGET(f, "min_qty")))
        dw__y_int(c, v, "min_qty", 1, QTY_MAX, &it->min_qty);
    if ((v = DW__YGET(f, "max_qty")) && dw__y_int(c, v, "max_qty", 0, QTY_MAX, &it->max_qty) &&
        it->max_qty && it->max_qty < it->min_qty)
        dw__y_err(c, v, "max_qty: %lld is below min_qty %lld", (long long)it->max_qty,
                  (long long)it->min_qty);
    int64_t rank;
    if ((v = DW__YGET(f, "rank")) && dw__y_int(c, v, "rank", 0, 1000000, &rank))
        it->rank = (int)rank;
    /* Order matters: excludes is checked against requires, options against excludes. */
    if ((v = DW__YGET(f, "requires")))
        parse_requires(c, v, it);
    struct sku_ref ex = {"excludes", it}, opt = {"options", it};
    if ((v = DW__YGET(f, "excludes")))
        dw__y_strlist(c, v, "excludes", check_sku_ref, &ex, &it->excludes, &it->n_excludes);
    if ((v = DW__YGET(f, "options")))
        dw__y_strlist(c, v, "options", check_sku_ref, &opt, &it->options, &it->n_options);
    if ((v = DW__YGET(f, "option_only")))
        dw__y_bool(c, v, "option_only", &it->option_only);
    if ((v = DW__YGET(f, "slots")))
        parse_slots(c, v, it);
    if ((v = DW__YGET(f, "slot")) && dw__y_str(c, v, "slot", &it->slot) && !slot_name_ok(it->slot))
        dw__y_err(c, v, "slot: '%s' must be lower-case letters, digits, '-' and '_'", it->slot);
}

/* First pass: every SKU defined, so references may point forward. */
static void collect_skus(struct dw__ws_ctx *c, const struct dw__yref *items, size_t n) {
    _cleanup_free_ struct dw__named *names = calloc(n, sizeof *names);
    _cleanup_free_ const char **v = calloc(n, sizeof *v);
    if (!names || !v) {
        c->w->oom = true;
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!dw__y_is_map(&items[i]))
            continue;
        struct fy_node *sn = fy_node_mapping_lookup_by_string(items[i].n, "sku", 3);
        if (!sn)
            continue;
        struct dw__yref r = dw__y_ref(c, sn, &items[i]);
        const char *sku = dw__y_scalar(c, &r, "sku");
        if (!sku)
            continue;
        if (!is_sku(sku)) {
            dw__y_err(c, &r, "sku: '%s' must be 1-%d upper-case letters, digits and '-'", sku,
                      SKU_MAX);
            continue;
        }
        names[k] = (struct dw__named){sku, r.line, r.col};
        v[k++] = sku;
    }
    if (dw__names_build(&c->skus, v, k) < 0)
        c->w->oom = true;
    dw__report_dups(c, names, k, "sku");
}

static int cmp_item(const void *a, const void *b) {
    return strcmp(((const struct dw_item *)a)->sku, ((const struct dw_item *)b)->sku);
}

static void report_at_item(struct dw__ws_ctx *c, const struct dw_item *it, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report_at_item(struct dw__ws_ctx *c, const struct dw_item *it, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dw__ws_diag(c, it->pos.line, it->pos.col, "%s", msg);
}

/* `requires` must not loop: an iterative depth-first search (colour per item, explicit
 * stack, so a long chain cannot exhaust the C stack) reports each back edge once, with the
 * path that closes the loop. */
static void check_cycles(struct dw__ws_ctx *c) {
    const struct dw_workspace *ws = c->ws;
    size_t n = ws->n_items;
    _cleanup_free_ unsigned char *colour = calloc(n, 1); /* 0 new, 1 on stack, 2 done */
    _cleanup_free_ size_t *stack = calloc(n, sizeof *stack);
    _cleanup_free_ size_t *next = calloc(n, sizeof *next); /* next edge to follow */
    if (!colour || !stack || !next) {
        c->w->oom = true;
        return;
    }
    for (size_t s = 0; s < n; s++) {
        if (colour[s])
            continue;
        size_t depth = 0;
        stack[depth++] = s;
        colour[s] = 1;
        next[s] = 0;
        while (depth) {
            size_t u = stack[depth - 1];
            const struct dw_item *it = &ws->items[u];
            if (next[u] == it->n_requires) {
                colour[u] = 2;
                depth--;
                continue;
            }
            const struct dw_item *to = dw_ws_item(ws, it->requires[next[u]++].sku);
            if (!to)
                continue;
            size_t v = (size_t)(to - ws->items);
            if (v == u)
                continue; /* an item requiring itself is reported where it says so */
            if (colour[v] == 0) {
                colour[v] = 1;
                next[v] = 0;
                stack[depth++] = v;
            } else if (colour[v] == 1) {
                struct dw_buf path;
                dw_buf_init(&path, 4096);
                size_t k = depth;
                while (k > 0 && stack[k - 1] != v)
                    k--;
                for (size_t j = k ? k - 1 : 0; j < depth; j++)
                    dw_buf_printf(&path, "%s -> ", ws->items[stack[j]].sku);
                dw_buf_puts(&path, to->sku);
                report_at_item(c, to, "requires cycle: %s", path.data ? path.data : to->sku);
                dw_buf_release(&path);
            }
        }
    }
}

static void check_catalog(struct dw__ws_ctx *c) {
    const struct dw_workspace *ws = c->ws;
    size_t n_offered = 0;
    for (size_t i = 0; i < ws->n_items; i++)
        n_offered += ws->items[i].n_options;
    _cleanup_free_ const char **offered = n_offered ? calloc(n_offered, sizeof *offered) : NULL;
    if (n_offered && !offered) {
        c->w->oom = true;
        return;
    }
    n_offered = 0;
    for (size_t i = 0; i < ws->n_items; i++) {
        const struct dw_item *a = &ws->items[i];
        for (size_t j = 0; j < a->n_requires; j++) {
            const struct dw_item *b = dw_ws_item(ws, a->requires[j].sku);
            if (b && in_list(b->excludes, b->n_excludes, a->sku))
                report_at_item(c, a, "%s requires %s, which excludes %s", a->sku, b->sku, a->sku);
        }
        for (size_t j = 0; j < a->n_options; j++)
            offered[n_offered++] = a->options[j];
    }
    struct dw__names set = {0};
    if (dw__names_build(&set, offered, n_offered) < 0)
        c->w->oom = true;
    for (size_t i = 0; i < ws->n_items; i++) {
        const struct dw_item *a = &ws->items[i];
        if (a->option_only && !dw__names_has(&set, a->sku))
            report_at_item(c, a, "%s is option_only but no item offers it in options", a->sku);
    }
    dw__names_release(&set);
    for (size_t i = 0; i < ws->n_items; i++) { /* a hosted part needs a host of its slot */
        const struct dw_item *a = &ws->items[i];
        bool host = !a->slot;
        for (size_t j = 0; j < ws->n_items && !host; j++)
            for (size_t k = 0; k < ws->items[j].n_slots && !host; k++)
                host = j != i && ws->items[j].slots[k].name &&
                       strcmp(ws->items[j].slots[k].name, a->slot) == 0;
        if (!host)
            report_at_item(c, a, "slot: no item offers a '%s' slot (slots: {%s: N})", a->slot,
                           a->slot);
    }
    check_cycles(c);
}

static void parse_items(struct dw__ws_ctx *c, const struct dw__yref *list) {
    struct dw_workspace *ws = c->ws;
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    if (!dw__y_seq(c, list, "items", &items, &n))
        return;
    if (n == 0) {
        dw__y_err(c, list, "items: the catalog has no items");
        return;
    }
    collect_skus(c, items, n);
    ws->items = dw__ws_array(c->w, n, sizeof *ws->items);
    if (!ws->items)
        return;
    for (size_t i = 0; i < n; i++)
        parse_item(c, &items[i], &ws->items[i]);
    ws->n_items = n;
    if (n > 1)
        qsort(ws->items, n, sizeof *ws->items, cmp_item);

    /* From here on the set holds the snapshot's strings, not the document's. */
    _cleanup_free_ const char **v = calloc(n, sizeof *v);
    size_t k = 0;
    if (!v) {
        c->w->oom = true;
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (ws->items[i].sku[0])
            v[k++] = ws->items[i].sku;
    if (dw__names_build(&c->skus, v, k) < 0)
        c->w->oom = true;
    c->have_catalog = true;
    check_catalog(c);
}

/* ---- catalog.yaml: constraints and objective ----------------------------------------- */

static bool is_attr_name(const char *s) {
    if (!s[0])
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

static bool check_attr(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                       const char *name) {
    if (!is_attr_name(name)) {
        dw__y_err(c, r, "%s: '%s' is not an attribute name (lower-case letters, digits, '_')", what,
                  name);
        return false;
    }
    for (size_t i = 0; i < c->ws->n_items; i++)
        for (size_t k = 0; k < c->ws->items[i].n_attributes; k++)
            if (strcmp(c->ws->items[i].attributes[k].name, name) == 0)
                return true;
    dw__y_err(c, r, "%s: no item has the attribute '%s'", what, name);
    return false;
}

static bool check_ref_only(struct dw__ws_ctx *c, const struct dw__yref *r, const char *value,
                           void *arg) {
    return dw__sku_exists(c, r, (const char *)arg, value);
}

static void parse_compat(struct dw__ws_ctx *c, const struct dw__yref *map,
                         struct dw_cfg_rule *rule) {
    struct dw__yfield f[] = {DW__REQ("among"), DW__REQ("table")};
    if (!dw__y_fields(c, map, "compatible", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    if ((v = DW__YGET(f, "among")))
        dw__y_strlist(c, v, "among", check_ref_only, (void *)"among", &rule->among, &rule->n_among);
    if (!(v = DW__YGET(f, "table")))
        return;
    _cleanup_free_ struct dw__yref *keys = NULL, *values = NULL;
    size_t n;
    if (!dw__y_pairs(c, v, "table", &keys, &values, &n) || n == 0) {
        if (n == 0)
            dw__y_err(c, v, "table: at least one row");
        return;
    }
    rule->rows = dw__ws_array(c->w, n, sizeof *rule->rows);
    if (!rule->rows)
        return;
    for (size_t i = 0; i < n; i++) {
        struct dw_compat_row *row = &rule->rows[i];
        row->sku = dw__ws_strdup(c->w, dw__y_text(&keys[i]));
        if (!row->sku)
            return;
        if (dw__sku_exists(c, &keys[i], "table", row->sku) &&
            in_list(rule->among, rule->n_among, row->sku))
            dw__y_err(c, &keys[i], "table: %s is both a row and in among", row->sku);
        dw__y_strlist(c, &values[i], "table", check_ref_only, (void *)"table", &row->with,
                      &row->n_with);
        for (size_t k = 0; k < row->n_with; k++)
            if (!in_list(rule->among, rule->n_among, row->with[k]))
                dw__y_err(c, &values[i], "table: %s is not in among", row->with[k]);
    }
    rule->n_rows = n;
}

static void parse_constraints(struct dw__ws_ctx *c, const struct dw__yref *list) {
    struct dw_workspace *ws = c->ws;
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    if (!dw__y_seq(c, list, "constraints", &items, &n) || n == 0)
        return;
    ws->cfg_rules = dw__ws_array(c->w, n, sizeof *ws->cfg_rules);
    _cleanup_free_ struct dw__named *names = calloc(n, sizeof *names);
    if (!ws->cfg_rules || !names) {
        c->w->oom = true;
        return;
    }
    size_t n_names = 0;
    for (size_t i = 0; i < n; i++) {
        struct dw_cfg_rule *rule = &ws->cfg_rules[i];
        rule->name = "";
        rule->pos = (struct dw_ws_pos){c->file, items[i].line, items[i].col};
        struct dw__yfield f[] = {DW__REQ("name"), DW__OPT("description"), DW__OPT("supply"),
                                 DW__OPT("demand"), DW__OPT("compatible")};
        if (!dw__y_fields(c, &items[i], "constraint", f, DW_ARRAY_SIZE(f)))
            continue;
        const struct dw__yref *v, *sup = DW__YGET(f, "supply"), *dem = DW__YGET(f, "demand"),
                                  *cmp = DW__YGET(f, "compatible");
        if ((v = DW__YGET(f, "name")) && dw__y_str(c, v, "name", &rule->name)) {
            if (!is_attr_name(rule->name) && !strchr(rule->name, '-'))
                dw__y_err(c, v, "name: '%s' must be lower-case letters, digits, '_' and '-'",
                          rule->name);
            names[n_names++] = (struct dw__named){rule->name, v->line, v->col};
        }
        if ((v = DW__YGET(f, "description")))
            dw__y_str(c, v, "description", &rule->description);
        if (cmp && (sup || dem)) {
            dw__y_err(c, cmp, "constraint: either supply/demand or compatible, not both");
            continue;
        }
        if (cmp) {
            rule->kind = DW_CFG_RULE_COMPAT;
            parse_compat(c, cmp, rule);
        } else if (sup && dem) {
            rule->kind = DW_CFG_RULE_SUPPLY;
            if (dw__y_str(c, sup, "supply", &rule->supply))
                check_attr(c, sup, "supply", rule->supply);
            if (dw__y_str(c, dem, "demand", &rule->demand))
                check_attr(c, dem, "demand", rule->demand);
        } else {
            dw__y_err(c, &items[i], "constraint: needs supply and demand, or compatible");
        }
    }
    ws->n_cfg_rules = n;
    dw__report_dups(c, names, n_names, "constraint");
}

static void parse_objective(struct dw__ws_ctx *c, const struct dw__yref *v) {
    struct dw_workspace *ws = c->ws;
    const char *s = dw__y_scalar(c, v, "objective");
    if (!s)
        return;
    if (strcmp(s, "list_cost") == 0)
        ws->cfg_objective = DW_CFG_OBJ_LIST_COST;
    else if (strcmp(s, "rank") == 0)
        ws->cfg_objective = DW_CFG_OBJ_RANK;
    else if (strncmp(s, "attribute:", 10) == 0) {
        ws->cfg_objective = DW_CFG_OBJ_ATTRIBUTE;
        ws->cfg_objective_attribute = dw__ws_strdup(c->w, s + 10);
        if (ws->cfg_objective_attribute)
            check_attr(c, v, "objective", ws->cfg_objective_attribute);
    } else
        dw__y_err(c, v, "objective: '%s' is not list_cost, rank or attribute:NAME", s);
}

static void parse_catalog(struct dw__ws_ctx *c, const struct dw__yref *root) {
    struct dw_workspace *ws = c->ws;
    struct dw__yfield f[] = {DW__OPT("capabilities"), DW__OPT("standards"),   DW__OPT("units"),
                             DW__REQ("items"),        DW__OPT("constraints"), DW__OPT("objective")};
    if (!dw__y_fields(c, root, "catalog.yaml", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    if ((v = DW__YGET(f, "capabilities")))
        parse_terms(c, v, "capability", &ws->capabilities, &ws->n_capabilities);
    if ((v = DW__YGET(f, "standards")))
        parse_terms(c, v, "standard", &ws->standards, &ws->n_standards);
    if ((v = DW__YGET(f, "units")))
        parse_terms(c, v, "unit", &ws->units, &ws->n_units);
    if (term_names(&c->capabilities, ws->capabilities, ws->n_capabilities) < 0 ||
        term_names(&c->units, ws->units, ws->n_units) < 0)
        c->w->oom = true;
    if ((v = DW__YGET(f, "items")))
        parse_items(c, v);
    if ((v = DW__YGET(f, "constraints")) && c->have_catalog)
        parse_constraints(c, v);
    if ((v = DW__YGET(f, "objective")) && c->have_catalog)
        parse_objective(c, v);
}

void dw__load_catalog(struct dw__ws_ctx *c) {
    dw__ws_load_yaml(c, "catalog.yaml", true, parse_catalog);
}
