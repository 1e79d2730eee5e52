/* pricebooks/CUR.yaml — one price book per currency: list prices with their pricing model
 * (all-units tiers, graduated tiers or blocks), costs, bundles, regional price lists,
 * discount schedules and price rules (a CEL condition over `line` and an action).
 *
 * Every check reports where the problem stands. Cross-references (a bundle's components,
 * a rule's SKUs, an added line's SKU) are checked against the catalog and against the book
 * itself, so a price book never names something that cannot be priced. The rules' SKU
 * scopes are indexed here, once, so pricing a line tests only the rules that may apply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workspace/ws-internal.h"

#define QTY_MAX 1000000000LL
#define BUNDLE_MAX 64     /* components per bundle */
#define RULES_MAX 1000    /* price rules per book */
#define SCHEDULES_MAX 100 /* discount schedules per book */

/* A sku the catalog has (reported with a did-you-mean hint); not checked when the catalog
 * itself failed to load, so one broken file is not reported once per price. */
static bool sku_known(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                      const char *sku) {
    return !c->have_catalog || dw__sku_exists(c, r, what, sku);
}

static bool check_sku(struct dw__ws_ctx *c, const struct dw__yref *r, const char *value,
                      void *arg) {
    return sku_known(c, r, (const char *)arg, value);
}

/* ---- one price entry ---------------------------------------------------------------- */

static void parse_tiers(struct dw__ws_ctx *c, const struct dw__yref *list,
                        const struct dw_pricebook *pb, struct dw_price *p) {
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    if (!dw__y_seq(c, list, "tiers", &items, &n) || n == 0)
        return;
    p->tiers = dw__ws_array(c->w, n, sizeof *p->tiers);
    if (!p->tiers)
        return;
    const struct dw_tier *prev = NULL;
    char money[2][32];
    for (size_t i = 0; i < n; i++) {
        struct dw_tier *t = &p->tiers[i];
        struct dw__yfield f[] = {DW__REQ("min"), DW__REQ("price")};
        if (!dw__y_fields(c, &items[i], "tier", f, DW_ARRAY_SIZE(f)))
            continue;
        const struct dw__yref *v;
        /* a graduated tier starting at 1 would leave the list price unused */
        int64_t lowest = p->model == DW_PRICE_GRADUATED ? 2 : 1;
        bool ok_min =
            (v = DW__YGET(f, "min")) && dw__y_int(c, v, "min", lowest, QTY_MAX, &t->min_qty);
        if (ok_min && prev && t->min_qty <= prev->min_qty)
            dw__y_err(c, v, "tiers: min %lld must be above the previous tier's %lld",
                      (long long)t->min_qty, (long long)prev->min_qty);
        bool ok_price = (v = DW__YGET(f, "price")) &&
                        dw__y_money(c, v, "price", pb->currency, pb->digits, &t->unit_price);
        if (ok_price && t->unit_price >= p->list)
            dw__y_err(c, v, "tiers: price %s must be below the list price %s",
                      dw_money_format(t->unit_price, pb->digits, money[0], sizeof money[0]),
                      dw_money_format(p->list, pb->digits, money[1], sizeof money[1]));
        else if (ok_price && prev && t->unit_price > prev->unit_price)
            dw__y_err(c, v, "tiers: price %s rises above the previous tier's %s",
                      dw_money_format(t->unit_price, pb->digits, money[0], sizeof money[0]),
                      dw_money_format(prev->unit_price, pb->digits, money[1], sizeof money[1]));
        if (ok_min && ok_price)
            prev = t;
    }
    p->n_tiers = n;
}

static void parse_bundle(struct dw__ws_ctx *c, const struct dw__yref *map, struct dw_price *p) {
    struct dw__yfield f[] = {DW__REQ("components"), DW__OPT("pricing"), DW__OPT("discount_pct")};
    if (!dw__y_fields(c, map, "bundle", f, DW_ARRAY_SIZE(f)))
        return;
    static const char *const pricings[] = {"package", "components"};
    const struct dw__yref *v;
    int e;
    if ((v = DW__YGET(f, "pricing")) &&
        dw__y_enum(c, v, "bundle.pricing", pricings, DW_ARRAY_SIZE(pricings), &e))
        p->components_pricing = e == 1;
    if ((v = DW__YGET(f, "discount_pct"))) {
        dw__y_pct(c, v, "bundle.discount_pct", &p->bundle_discount_bp);
        if (!p->components_pricing)
            dw__y_err(c, v,
                      "bundle.discount_pct: only a bundle priced as its components "
                      "(pricing: components) takes a discount; a package has its own list "
                      "price");
    }
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    if (!(v = DW__YGET(f, "components")) || !dw__y_seq(c, v, "bundle.components", &items, &n))
        return;
    if (n == 0 || n > BUNDLE_MAX) {
        dw__y_err(c, v, "bundle.components: 1 to %d components", BUNDLE_MAX);
        return;
    }
    p->bundle = dw__ws_array(c->w, n, sizeof *p->bundle);
    if (!p->bundle)
        return;
    for (size_t i = 0; i < n; i++) {
        struct dw_bundle_part *part = &p->bundle[i];
        part->sku = "";
        part->quantity = 1;
        struct dw__yfield cf[] = {DW__REQ("sku"), DW__OPT("quantity")};
        if (!dw__y_fields(c, &items[i], "bundle component", cf, DW_ARRAY_SIZE(cf)))
            continue;
        const struct dw__yref *w;
        if ((w = DW__YGET(cf, "sku")) && dw__y_str(c, w, "bundle.components", &part->sku)) {
            if (strcmp(part->sku, p->sku) == 0)
                dw__y_err(c, w, "bundle.components: a bundle cannot contain itself");
            else
                sku_known(c, w, "bundle.components", part->sku);
        }
        if ((w = DW__YGET(cf, "quantity")))
            dw__y_int(c, w, "bundle.components.quantity", 1, 1000000, &part->quantity);
    }
    p->n_bundle = n;
}

static const char *const models[] = {"all_units", "graduated", "block"};

static void parse_price(struct dw__ws_ctx *c, const struct dw__yref *r, struct dw_pricebook *pb,
                        struct dw_price *p, struct dw__named *ret_name) {
    p->sku = "";
    p->pos = (struct dw_ws_pos){c->file, r->line, r->col};
    struct dw__yfield f[] = {DW__REQ("sku"),       DW__OPT("list"), DW__OPT("tiers"),
                             DW__OPT("model"),     DW__OPT("cost"), DW__OPT("bundle"),
                             DW__OPT("block_size")};
    if (!dw__y_fields(c, r, "price", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    int e;
    if ((v = DW__YGET(f, "sku")) && dw__y_str(c, v, "sku", &p->sku)) {
        sku_known(c, v, "sku", p->sku);
        *ret_name = (struct dw__named){p->sku, v->line, v->col};
    }
    if ((v = DW__YGET(f, "model")) && dw__y_enum(c, v, "model", models, DW_ARRAY_SIZE(models), &e))
        p->model = (enum dw_price_model)e;
    if ((v = DW__YGET(f, "block_size"))) {
        dw__y_int(c, v, "block_size", 1, QTY_MAX, &p->block_size);
        if (p->model != DW_PRICE_BLOCK)
            dw__y_err(c, v, "block_size: only for model: block");
    } else if (p->model == DW_PRICE_BLOCK) {
        dw__y_err(c, DW__YGET(f, "model"), "model: block needs block_size (units per block)");
    }
    if ((v = DW__YGET(f, "cost")) && dw__y_money(c, v, "cost", pb->currency, pb->digits, &p->cost))
        p->has_cost = true;
    if ((v = DW__YGET(f, "bundle")))
        parse_bundle(c, v, p);
    v = DW__YGET(f, "list");
    if (p->components_pricing) {
        if (v)
            dw__y_err(c, v,
                      "list: a bundle priced as its components has no list price of its "
                      "own");
        if ((v = DW__YGET(f, "tiers")))
            dw__y_err(c, v, "tiers: a bundle priced as its components has no tiers");
        return;
    }
    if (!v) {
        dw__y_err(c, r, "missing required key 'list' in price");
        return;
    }
    if (dw__y_money(c, v, "list", pb->currency, pb->digits, &p->list) && (v = DW__YGET(f, "tiers")))
        parse_tiers(c, v, pb, p);
}

static int cmp_price(const void *a, const void *b) {
    return strcmp(((const struct dw_price *)a)->sku, ((const struct dw_price *)b)->sku);
}

/* A list of prices (the book's or a region's); sorted by sku, duplicates reported. */
static void parse_prices(struct dw__ws_ctx *c, const struct dw__yref *list, struct dw_pricebook *pb,
                         struct dw_price **ret, size_t *ret_n) {
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    if (!dw__y_seq(c, list, "prices", &items, &n))
        return;
    struct dw_price *prices = dw__ws_array(c->w, n, sizeof *prices);
    _cleanup_free_ struct dw__named *names = n ? calloc(n, sizeof *names) : NULL;
    if (n && (!prices || !names)) {
        c->w->oom = true;
        return;
    }
    size_t n_names = 0;
    for (size_t i = 0; i < n; i++) {
        struct dw__named nm = {0};
        parse_price(c, &items[i], pb, &prices[i], &nm);
        if (nm.name && nm.name[0])
            names[n_names++] = nm;
    }
    dw__report_dups(c, names, n_names, "price for sku");
    if (n > 1)
        qsort(prices, n, sizeof *prices, cmp_price);
    *ret = prices;
    *ret_n = n;
}

/* ---- regions -------------------------------------------------------------------------- */

static void parse_regions(struct dw__ws_ctx *c, const struct dw__yref *list,
                          struct dw_pricebook *pb) {
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    if (!dw__y_seq(c, list, "regions", &items, &n) || n == 0)
        return;
    pb->regions = dw__ws_array(c->w, n, sizeof *pb->regions);
    if (!pb->regions)
        return;
    for (size_t i = 0; i < n; i++) {
        struct dw_region *rg = &pb->regions[i];
        rg->name = "";
        struct dw__yfield f[] = {DW__REQ("name"), DW__REQ("countries"), DW__REQ("prices")};
        if (!dw__y_fields(c, &items[i], "region", f, DW_ARRAY_SIZE(f)))
            continue;
        const struct dw__yref *v;
        if ((v = DW__YGET(f, "name")))
            dw__y_str(c, v, "name", &rg->name);
        if ((v = DW__YGET(f, "countries")))
            dw__y_strlist(c, v, "countries", dw__check_country, NULL, &rg->countries,
                          &rg->n_countries);
        /* a country in two regions of one book would make its price depend on the order */
        for (size_t k = 0; k < rg->n_countries; k++)
            for (size_t j = 0; j < i; j++)
                for (size_t m = 0; m < pb->regions[j].n_countries; m++)
                    if (strcmp(pb->regions[j].countries[m], rg->countries[k]) == 0)
                        dw__y_err(c, v, "countries: %s is already in region %s", rg->countries[k],
                                  pb->regions[j].name);
        if ((v = DW__YGET(f, "prices")))
            parse_prices(c, v, pb, &rg->prices, &rg->n_prices);
        for (size_t k = 0; k < rg->n_prices; k++) {
            const struct dw_price *rp = &rg->prices[k];
            const struct dw_price *base = dw_prices_find(pb->prices, pb->n_prices, rp->sku);
            if (rp->sku[0] && !base)
                dw__ws_diag(c, rp->pos.line, rp->pos.col,
                            "region %s: %s has no price in the book itself to override", rg->name,
                            rp->sku);
            else if (base && (rp->n_bundle || base->n_bundle))
                dw__ws_diag(c, rp->pos.line, rp->pos.col,
                            "region %s: a bundle's definition is the book's; override its "
                            "components' prices instead",
                            rg->name);
        }
    }
    pb->n_regions = n;
}

/* ---- discount schedules --------------------------------------------------------------- */

static void parse_schedules(struct dw__ws_ctx *c, const struct dw__yref *list,
                            struct dw_pricebook *pb) {
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    if (!dw__y_seq(c, list, "schedules", &items, &n) || n == 0)
        return;
    if (n > SCHEDULES_MAX) {
        dw__y_err(c, list, "schedules: more than %d", SCHEDULES_MAX);
        return;
    }
    pb->schedules = dw__ws_array(c->w, n, sizeof *pb->schedules);
    if (!pb->schedules)
        return;
    static const char *const bys[] = {"quantity", "term"};
    for (size_t i = 0; i < n; i++) {
        struct dw_schedule *s = &pb->schedules[i];
        s->name = "";
        struct dw__yfield f[] = {DW__REQ("name"), DW__REQ("by"), DW__OPT("skus"), DW__REQ("steps")};
        if (!dw__y_fields(c, &items[i], "schedule", f, DW_ARRAY_SIZE(f)))
            continue;
        const struct dw__yref *v;
        int e;
        if ((v = DW__YGET(f, "name")))
            dw__y_str(c, v, "name", &s->name);
        if ((v = DW__YGET(f, "by")) && dw__y_enum(c, v, "by", bys, DW_ARRAY_SIZE(bys), &e))
            s->by = (enum dw_schedule_by)e;
        if ((v = DW__YGET(f, "skus")))
            dw__y_strlist(c, v, "skus", check_sku, "skus", &s->skus, &s->n_skus);
        _cleanup_free_ struct dw__yref *steps = NULL;
        size_t k;
        if (!(v = DW__YGET(f, "steps")) || !dw__y_seq(c, v, "steps", &steps, &k))
            continue;
        if (k == 0) {
            dw__y_err(c, v, "steps: at least one step");
            continue;
        }
        s->steps = dw__ws_array(c->w, k, sizeof *s->steps);
        if (!s->steps)
            continue;
        const struct dw_schedule_step *prev = NULL;
        for (size_t j = 0; j < k; j++) {
            struct dw_schedule_step *st = &s->steps[j];
            struct dw__yfield sf[] = {DW__REQ("min"), DW__REQ("discount_pct")};
            if (!dw__y_fields(c, &steps[j], "step", sf, DW_ARRAY_SIZE(sf)))
                continue;
            const struct dw__yref *w;
            bool ok_min = (w = DW__YGET(sf, "min")) && dw__y_int(c, w, "min", 1, QTY_MAX, &st->min);
            if (ok_min && prev && st->min <= prev->min)
                dw__y_err(c, w, "steps: min %lld must be above the previous step's %lld",
                          (long long)st->min, (long long)prev->min);
            bool ok_bp =
                (w = DW__YGET(sf, "discount_pct")) && dw__y_pct(c, w, "discount_pct", &st->bp);
            if (ok_bp && prev && st->bp < prev->bp)
                dw__y_err(c, w, "steps: a discount must not fall as min rises");
            if (ok_min && ok_bp)
                prev = st;
        }
        s->n_steps = k;
    }
    pb->n_schedules = n;
}

/* ---- price rules ---------------------------------------------------------------------- */

static const char *const actions[] = {"discount_pct", "markup_pct", "discount_amount", "set_price",
                                      "add_line"};

static void parse_rule(struct dw__ws_ctx *c, const struct dw__yref *r, struct dw_pricebook *pb,
                       size_t idx, struct dw_price_rule *pr) {
    pr->name = "";
    struct dw__yfield f[] = {DW__REQ("name"),     DW__OPT("skus"),     DW__REQ("when"),
                             DW__OPT(actions[0]), DW__OPT(actions[1]), DW__OPT(actions[2]),
                             DW__OPT(actions[3]), DW__OPT(actions[4])};
    if (!dw__y_fields(c, r, "price rule", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    if ((v = DW__YGET(f, "name")))
        dw__y_str(c, v, "name", &pr->name);
    if ((v = DW__YGET(f, "skus")))
        dw__y_strlist(c, v, "skus", check_sku, "skus", &pr->skus, &pr->n_skus);
    char name[160];
    snprintf(name, sizeof name, "%s rules[%zu] (%.80s)", c->file, idx, pr->name);
    if ((v = DW__YGET(f, "when")))
        dw__y_rule(c, v, DW_RULE_PRICE, name, &pr->rule);
    int n_actions = 0;
    for (size_t a = 0; a < DW_ARRAY_SIZE(actions); a++) {
        if (!(v = DW__YGET(f, actions[a])))
            continue;
        if (n_actions++) {
            dw__y_err(c, v,
                      "%s: a price rule has one action (discount_pct, markup_pct, "
                      "discount_amount, set_price or add_line)",
                      actions[a]);
            continue;
        }
        pr->action = (enum dw_price_action)a;
        switch (pr->action) {
        case DW_PA_DISCOUNT_PCT:
            dw__y_pct(c, v, actions[a], &pr->bp);
            break;
        case DW_PA_MARKUP_PCT:
            dw__y_pct(c, v, actions[a], &pr->bp);
            break;
        case DW_PA_DISCOUNT_AMT:
        case DW_PA_SET_PRICE:
            dw__y_money(c, v, actions[a], pb->currency, pb->digits, &pr->amount);
            break;
        case DW_PA_ADD_LINE: {
            struct dw__yfield af[] = {DW__REQ("sku"), DW__OPT("quantity")};
            pr->add_sku = "";
            pr->add_qty = 1;
            if (!dw__y_fields(c, v, "add_line", af, DW_ARRAY_SIZE(af)))
                break;
            const struct dw__yref *w;
            if ((w = DW__YGET(af, "sku")) && dw__y_str(c, w, "add_line.sku", &pr->add_sku) &&
                sku_known(c, w, "add_line.sku", pr->add_sku) &&
                !dw_prices_find(pb->prices, pb->n_prices, pr->add_sku))
                dw__y_err(c, w, "add_line.sku: %s has no price in this book", pr->add_sku);
            if ((w = DW__YGET(af, "quantity")))
                dw__y_int(c, w, "add_line.quantity", 1, QTY_MAX, &pr->add_qty);
            break;
        }
        }
    }
    if (n_actions == 0)
        dw__y_err(c, r,
                  "price rule: no action (discount_pct, markup_pct, discount_amount, "
                  "set_price or add_line)");
}

static void parse_rules(struct dw__ws_ctx *c, const struct dw__yref *list,
                        struct dw_pricebook *pb) {
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    if (!dw__y_seq(c, list, "rules", &items, &n) || n == 0)
        return;
    if (n > RULES_MAX) {
        dw__y_err(c, list, "rules: more than %d price rules", RULES_MAX);
        return;
    }
    pb->rules = dw__ws_array(c->w, n, sizeof *pb->rules);
    if (!pb->rules)
        return;
    for (size_t i = 0; i < n; i++)
        parse_rule(c, &items[i], pb, i, &pb->rules[i]);
    pb->n_rules = n;
}

/* Each price entry's scoped rules and the unscoped ones, in the order written. */
static void index_rules(struct dw__ws_ctx *c, struct dw_pricebook *pb) {
    if (!pb->n_rules)
        return;
    size_t n_unscoped = 0;
    for (size_t i = 0; i < pb->n_rules; i++)
        n_unscoped += pb->rules[i].n_skus == 0;
    pb->unscoped = dw__ws_array(c->w, n_unscoped, sizeof *pb->unscoped);
    for (size_t i = 0; i < pb->n_rules; i++)
        if (pb->rules[i].n_skus == 0 && pb->unscoped)
            pb->unscoped[pb->n_unscoped++] = (uint32_t)i;
    _cleanup_free_ size_t *count = pb->n_prices ? calloc(pb->n_prices, sizeof *count) : NULL;
    if (pb->n_prices && !count) {
        c->w->oom = true;
        return;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < pb->n_rules; i++) {
            const struct dw_price_rule *pr = &pb->rules[i];
            for (size_t k = 0; k < pr->n_skus; k++) {
                const struct dw_price *p = dw_prices_find(pb->prices, pb->n_prices, pr->skus[k]);
                if (!p)
                    continue;
                struct dw_price *mp = &pb->prices[p - pb->prices];
                if (pass == 0)
                    count[p - pb->prices]++;
                else if (mp->rules && (mp->n_rules == 0 || mp->rules[mp->n_rules - 1] != i))
                    mp->rules[mp->n_rules++] = (uint32_t)i;
            }
        }
        for (size_t j = 0; pass == 0 && j < pb->n_prices; j++)
            if (count[j])
                pb->prices[j].rules = dw__ws_array(c->w, count[j], sizeof *pb->prices[j].rules);
    }
}

/* ---- the book -------------------------------------------------------------------------- */

static void check_bundles(struct dw__ws_ctx *c, const struct dw_pricebook *pb) {
    for (size_t i = 0; i < pb->n_prices; i++) {
        const struct dw_price *p = &pb->prices[i];
        for (size_t k = 0; k < p->n_bundle; k++) {
            const struct dw_price *part =
                dw_prices_find(pb->prices, pb->n_prices, p->bundle[k].sku);
            if (part && part->n_bundle)
                dw__ws_diag(c, p->pos.line, p->pos.col,
                            "bundle %s: component %s is itself a bundle (bundles do not nest)",
                            p->sku, part->sku);
            else if (!part && p->components_pricing && p->bundle[k].sku[0])
                dw__ws_diag(c, p->pos.line, p->pos.col,
                            "bundle %s: component %s has no price in this book, so the bundle "
                            "cannot be priced as its components",
                            p->sku, p->bundle[k].sku);
        }
    }
}

static void parse_pricebook(struct dw__ws_ctx *c, const struct dw__yref *root) {
    struct dw_pricebook *pb = c->book;
    struct dw__yfield f[] = {DW__REQ("currency"), DW__REQ("prices"), DW__OPT("regions"),
                             DW__OPT("schedules"), DW__OPT("rules")};
    if (!dw__y_fields(c, root, "price book", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    const struct dw_currency *cur = dw_ws_currency(c->ws, pb->currency);
    if (cur)
        pb->digits = cur->digits;
    if ((v = DW__YGET(f, "currency"))) {
        const char *code = dw__y_scalar(c, v, "currency");
        if (code && strcmp(code, pb->currency) != 0)
            dw__y_err(c, v, "currency: '%s' does not match the file name %s (expected %s)", code,
                      c->file, pb->currency);
        else if (code && !cur && c->have_currencies)
            dw__y_err(c, v, "currency: %s is not declared in dealwright.yaml", pb->currency);
    }
    if ((v = DW__YGET(f, "prices")))
        parse_prices(c, v, pb, &pb->prices, &pb->n_prices);
    const struct dw__yref *key = dw__y_key(f, DW_ARRAY_SIZE(f), "prices");
    for (size_t i = 0; key && c->have_catalog && i < c->ws->n_items; i++) {
        const struct dw_item *it = &c->ws->items[i];
        if (!it->option_only && it->sku[0] && !dw_pricebook_price(pb, it->sku))
            dw__y_err(c, key, "prices: %s has no price in the %s price book", it->sku,
                      pb->currency);
    }
    check_bundles(c, pb);
    if ((v = DW__YGET(f, "regions")))
        parse_regions(c, v, pb);
    if ((v = DW__YGET(f, "schedules")))
        parse_schedules(c, v, pb);
    if ((v = DW__YGET(f, "rules")))
        parse_rules(c, v, pb);
    index_rules(c, pb);
}

static int cmp_book(const void *a, const void *b) {
    return strcmp(((const struct dw_pricebook *)a)->currency,
                  ((const struct dw_pricebook *)b)->currency);
}

void dw__load_pricebooks(struct dw__ws_ctx *c) {
    struct dw_workspace *ws = c->ws;
    char **files = NULL;
    size_t n = 0;
    if (dw__ws_list(c, "pricebooks", ".yaml", &files, &n) < 0)
        return;
    ws->pricebooks = dw__ws_array(c->w, n, sizeof *ws->pricebooks);
    size_t k = 0;
    for (size_t i = 0; i < n && ws->pricebooks; i++) {
        struct dw_pricebook *pb = &ws->pricebooks[k];
        *pb = (struct dw_pricebook){0}; /* the slot may hold a rejected file's name */
        const char *stem = files[i] + strlen("pricebooks/");
        size_t stem_len = strlen(stem) - strlen(".yaml");
        pb->file = dw__ws_strdup(c->w, files[i]);
        pb->digits = 2;
        if (stem_len == 3) {
            memcpy(pb->currency, stem, 3);
            pb->currency[3] = '\0';
        }
        if (!dw__is_currency(pb->currency)) {
            const char *data;
            size_t len;
            if (dw__ws_read(c, files[i], true, &data, &len) == 0)
                dw__ws_diag(c, 1, 1,
                            "a price book is named after its currency code, like "
                            "pricebooks/EUR.yaml");
            continue;
        }
        c->book = pb;
        dw__ws_load_yaml(c, files[i], true, parse_pricebook);
        c->book = NULL;
        k++;
    }
    ws->n_pricebooks = k;
    if (k > 1)
        qsort(ws->pricebooks, k, sizeof *ws->pricebooks, cmp_book);

    if (c->have_currencies) {
        dw__ws_set_file(c, "dealwright.yaml");
        for (size_t i = 0; i < ws->n_currencies; i++) {
            const struct dw_currency *cur = &ws->currencies[i];
            if (cur->code[0] && !dw_ws_pricebook(ws, cur->code))
                dw__ws_diag(c, c->currency_pos[i].line, c->currency_pos[i].col,
                            "currency %s has no price book (pricebooks/%s.yaml)", cur->code,
                            cur->code);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
}
