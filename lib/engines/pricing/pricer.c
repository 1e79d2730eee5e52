/* Pricing: a solution's lines priced from the currency's book — the region's prices for the
 * customer's country, the entry's model (all-units, graduated or block), bundles, discount
 * schedules, price rules (CEL), the term with proration — then the customer's discount per
 * line, the costs and margin, the totals, and the approvals the policies require.
 *
 * Why per line: every adjustment and the discount are rounded half to even on the line, and
 * the quote's figures are the sums of the lines', so subtotal - discount == total holds to
 * the minor unit and every line shown to the customer is itself consistent. Rounding a
 * total once and spreading it over the lines would need a second, arbitrary rule for where
 * the leftover minor unit goes.
 *
 * Speed: a price rule is only tested on lines of the SKUs it names (indexed at load) plus
 * the unscoped rules; the CEL variables other than `line` are bound once per quote, and the
 * `line` value is rebuilt in a per-line arena only when an action changed the line.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/pricing.h"
#include "engines/rulevars.h"

#define ADJ_MAX 6 /* adjustments recorded per line; more are applied but summed into the last */

static const struct dw_pricebook *find_book(const struct dw_workspace *ws, const char *cur) {
    for (size_t i = 0; cur && i < ws->n_pricebooks; i++)
        if (strcmp(ws->pricebooks[i].currency, cur) == 0)
            return &ws->pricebooks[i];
    return NULL;
}

/* Entries are sorted by the loader; a snapshot built by hand may not be, so fall back to a
 * scan when the binary search misses on an unsorted list. */
static const struct dw_price *find_price_in(const struct dw_price *v, size_t n, bool sorted,
                                            const char *sku) {
    if (sorted)
        return dw_prices_find(v, n, sku);
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].sku, sku) == 0)
            return &v[i];
    return NULL;
}

static bool prices_sorted(const struct dw_price *v, size_t n) {
    for (size_t i = 1; i < n; i++)
        if (strcmp(v[i - 1].sku, v[i].sku) >= 0)
            return false;
    return true;
}

static bool items_sorted(const struct dw_workspace *ws) {
    for (size_t i = 1; i < ws->n_items; i++)
        if (strcmp(ws->items[i - 1].sku, ws->items[i].sku) >= 0)
            return false;
    return true;
}

static const struct dw_item *find_item(const struct dw_workspace *ws, bool sorted,
                                       const char *sku) {
    if (sorted)
        return dw_ws_item(ws, sku);
    for (size_t i = 0; i < ws->n_items; i++)
        if (strcmp(ws->items[i].sku, sku) == 0)
            return &ws->items[i];
    return NULL;
}

/* ---- currency and region ------------------------------------------------------------- */

const char *dw_pricing_currency(const struct dw_workspace *ws, const json_t *requirements) {
    const char *budget = dw_json_str(json_object_get(requirements, "budget"), "currency");
    const struct dw_pricebook *pb = find_book(ws, budget);
    if (pb)
        return pb->currency;
    const char *country = dw_json_str(json_object_get(requirements, "country"), "code");
    for (size_t i = 0; country && i < ws->n_currencies; i++) {
        const struct dw_currency *cur = &ws->currencies[i];
        for (size_t k = 0; k < cur->n_countries; k++) {
            if (strcmp(cur->countries[k], country) != 0)
                continue;
            pb = find_book(ws, cur->code);
            if (pb)
                return pb->currency;
        }
    }
    return ws->home_currency;
}

const struct dw_region *dw_pricing_region(const struct dw_pricebook *pb, const char *country) {
    for (size_t i = 0; country && pb && i < pb->n_regions; i++)
        for (size_t k = 0; k < pb->regions[i].n_countries; k++)
            if (strcmp(pb->regions[i].countries[k], country) == 0)
                return &pb->regions[i];
    return NULL;
}

/* ---- the models ---------------------------------------------------------------------- */

/* All-units: the tier with the highest minimum the quantity reaches prices every unit;
 * below the first tier the list price applies. */
static int64_t tier_price(const struct dw_price *p, int64_t qty) {
    int64_t price = p->list, reached = 0;
    for (size_t t = 0; t < p->n_tiers; t++)
        if (qty >= p->tiers[t].min_qty && p->tiers[t].min_qty >= reached) {
            reached = p->tiers[t].min_qty;
            price = p->tiers[t].unit_price;
        }
    return price;
}

/* The amount of qty units for one period, and the units that count for a per-unit
 * adjustment (blocks for the block model). */
static int model_amount(const struct dw_price *p, int64_t qty, int64_t *ret, int64_t *ret_units) {
    int64_t amount = 0;
    *ret_units = qty;
    switch (p->model) {
    case DW_PRICE_ALL_UNITS:
        return dw_mul_checked(tier_price(p, qty), qty, ret);
    case DW_PRICE_BLOCK: {
        int64_t size = p->block_size > 0 ? p->block_size : 1;
        int64_t blocks = qty / size + (qty % size != 0);
        *ret_units = blocks;
        return dw_mul_checked(tier_price(p, qty), blocks, ret);
    }
    case DW_PRICE_GRADUATED: {
        /* units 1 .. tiers[0].min-1 at list, then each tier up to the next one's min */
        int64_t from = 1, price = p->list;
        for (size_t t = 0; t <= p->n_tiers; t++) {
            int64_t next = t < p->n_tiers ? p->tiers[t].min_qty : INT64_MAX;
            int64_t upto = qty < next - 1 ? qty : next - 1; /* last unit at this price */
            int64_t part;
            if (upto >= from) {
                if (dw_mul_checked(upto - from + 1, price, &part) < 0 ||
                    dw_add_checked(amount, part, &amount) < 0)
                    return -DW_ETOOBIG;
            }
            if (qty < next)
                break;
            from = next;
            price = p->tiers[t].unit_price;
        }
        *ret = amount;
        return 0;
    }
    }
    return -DW_EINVAL;
}

/* ---- the term ------------------------------------------------------------------------ */

static int date_parse(const char *s, int64_t *ret_days) {
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 ||
        m > 12 || d < 1 || y < 1970 || y > 9999)
        return -DW_EINVAL;
    int64_t days = dw_days_from_civil(y, (unsigned)m, (unsigned)d);
    int yy;
    unsigned mm, dd;
    dw_civil_from_days(days, &yy, &mm, &dd);
    if (yy != y || (int)mm != m || (int)dd != d) /* 2026-02-30 */
        return -DW_EINVAL;
    *ret_days = days;
    return 0;
}

/* The day `months` months after `start`, the day of month clamped to the month's length. */
static int64_t add_months(int64_t start, int64_t months) {
    int y;
    unsigned m, d;
    dw_civil_from_days(start, &y, &m, &d);
    int64_t total = (int64_t)y * 12 + (m - 1) + months;
    int ny = (int)(total / 12);
    unsigned nm = (unsigned)(total % 12) + 1;
    static const unsigned dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned last = dim[nm - 1] + (nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0));
    return dw_days_from_civil(ny, nm, d < last ? d : last);
}

/* A co-termed line runs from start through end (inclusive): whole months, then the days
 * left as a fraction of the month they fall in. */
struct term {
    int64_t months, days, month_days; /* days / month_days of one more month */
};

static void coterm(int64_t start, int64_t end, struct term *t) {
    int64_t stop = end + 1, m = 0;
    while (m < DW_PRICE_MAX_TERM + 1 && add_months(start, m + 1) <= stop)
        m++;
    int64_t from = add_months(start, m);
    t->months = m;
    t->days = stop - from;
    t->month_days = add_months(start, m + 1) - from;
}

/* ---- lines --------------------------------------------------------------------------- */

enum line_role {
    LINE_PLAIN,
    LINE_PACKAGE,   /* a bundle priced as a package: its own price */
    LINE_HEAD,      /* a bundle priced as its components: 0 on its own */
    LINE_INCLUDED,  /* a component of a package: included at 0 */
    LINE_COMPONENT, /* a component of a bundle priced as components */
};

struct adj {
    const char *source, *name;
    int64_t amount; /* the change to the line's amount per period */
};

struct pline {
    const struct dw_item *it;
    const struct dw_price *p;    /* the price in effect (the region's or the book's) */
    const struct dw_price *base; /* the book's entry: its rule index */
    int64_t qty, units;
    enum line_role role;
    int parent; /* index of the bundle line, or -1 */
    int32_t bundle_bp;
    const char *added_by;
    bool coterm;
    const char *end_date;
    struct term term;
    int64_t period; /* amount for one period (a month for monthly lines) */
    int64_t amount, discount, net, cost;
    bool cost_known;
    struct adj adj[ADJ_MAX];
    size_t n_adj;
    size_t src; /* index of the solution line it came from */
};

struct pctx {
    const struct dw_workspace *ws;
    const struct dw_pricebook *pb;
    const struct dw_region *region;
    bool items_sorted, book_sorted, region_sorted;
    int32_t bp;
    int term_months;
    bool have_start;
    int64_t start;
    const char *start_date;
    struct pline *v;
    size_t n, cap;
    struct dw_error *err;
    /* price rules */
    struct cel_arena base_arena, line_arena;
    struct cel_activation act;
    bool rules_bound;
    const struct dw_rule_inputs *in;
    dw_time_t now; /* the rules' now without in */
    bool unhashed; /* the caller stamps the hash */
    bool *fired;   /* add_line rules that held, by rule index */
    cel_value keys[11];
    cel_value *item_str; /* per catalog item: sku and name, made once per quote */
    cel_value kinds[3], billings[2], empty;
    cel_value shape[2]; /* `line` maps of 10 and 11 fields: their key index, made once */
};

static int line_err(struct pctx *x, int code, size_t src, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int line_err(struct pctx *x, int code, size_t src, const char *key, const char *fmt, ...) {
    char field[64], msg[512];
    snprintf(field, sizeof field, "lines[%zu].%s", src, key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dw_error_field(x->err, code, field, "%s", msg);
}

static struct pline *push(struct pctx *x) {
    if (DW_GROW(x->v, x->cap, x->n + 1) < 0)
        return NULL;
    struct pline *l = &x->v[x->n++];
    memset(l, 0, sizeof *l);
    l->parent = -1;
    return l;
}

/* The price in effect for sku: the region's override, else the book's. */
static const struct dw_price *effective(struct pctx *x, const char *sku,
                                        const struct dw_price **ret_base) {
    const struct dw_price *base =
        find_price_in(x->pb->prices, x->pb->n_prices, x->book_sorted, sku);
    *ret_base = base;
    if (x->region) {
        const struct dw_price *rp =
            find_price_in(x->region->prices, x->region->n_prices, x->region_sorted, sku);
        if (rp)
            return rp;
    }
    return base;
}

static int add_line(struct pctx *x, const char *sku, int64_t qty, size_t src, int parent,
                    enum line_role role, int32_t bundle_bp, const char *end_date,
                    const char *added_by) {
    const struct dw_item *it = find_item(x->ws, x->items_sorted, sku);
    if (!it)
        return line_err(x, -DW_ENOENT, src, "sku", "%s is not in the catalog", sku);
    const struct dw_price *base, *p = effective(x, sku, &base);
    if (!p && role != LINE_INCLUDED)
        return line_err(x, -DW_ENOENT, src, "sku", "%s has no price in the %s price book", sku,
                        x->pb->currency);
    struct pline *l = push(x);
    if (!l)
        return dw_error_set(x->err, -DW_ENOMEM, "out of memory");
    l->it = it;
    l->p = p;
    l->base = base;
    l->qty = qty;
    l->src = src;
    l->parent = parent;
    l->role = role;
    l->bundle_bp = bundle_bp;
    l->end_date = end_date;
    l->added_by = added_by;
    if (p && p->n_bundle && role == LINE_PLAIN) {
        int head = (int)(x->n - 1);
        bool comps = p->components_pricing;
        l->role = comps ? LINE_HEAD : LINE_PACKAGE;
        for (size_t k = 0; k < p->n_bundle; k++) {
            int64_t q;
            if (dw_mul_checked(qty, p->bundle[k].quantity, &q) < 0)
                return line_err(
                    x, -DW_ETOOBIG, src, "quantity",
                    "%s: the bundle's component quantities overflow the quote's arithmetic", sku);
            int r =
                add_line(x, p->bundle[k].sku, q, src, head, comps ? LINE_COMPONENT : LINE_INCLUDED,
                         p->bundle_discount_bp, end_date, NULL);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

static int expand(struct pctx *x, const json_t *in) {
    size_t i;
    json_t *e;
    json_array_foreach(in, i, e) {
        const char *sku = dw_json_str(e, "sku");
        json_t *jq = json_object_get(e, "quantity");
        if (!json_is_object(e) || !sku)
            return line_err(x, -DW_EINVAL, i, "sku", "must be a SKU");
        if (!json_is_integer(jq) || json_integer_value(jq) < 1)
            return line_err(x, -DW_EINVAL, i, "quantity", "must be a positive integer");
        json_t *je = json_object_get(e, "end_date");
        const char *end = json_is_string(je) ? json_string_value(je) : NULL;
        if (je && !json_is_null(je) && !end)
            return line_err(x, -DW_EINVAL, i, "end_date", "must be a date (YYYY-MM-DD)");
        int r = add_line(x, sku, json_integer_value(jq), i, -1, LINE_PLAIN, 0, end, NULL);
        if (r < 0)
            return r;
    }
    return 0;
}

/* ---- adjustments --------------------------------------------------------------------- */

static void record(struct pline *l, const char *source, const char *name, int64_t delta) {
    if (delta == 0)
        return;
    if (l->n_adj < ADJ_MAX) {
        l->adj[l->n_adj++] = (struct adj){source, name, delta};
        return;
    }
    l->adj[ADJ_MAX - 1].amount += delta; /* cannot overflow: |sum| <= the line's amounts */
    l->adj[ADJ_MAX - 1].name = "further adjustments";
}

/* period less bp (negative bp: plus), rounded half to even */
static int apply_pct(struct pline *l, int32_t bp, bool up, const char *source, const char *name) {
    int64_t d;
    if (dw_muldiv_half_even(l->period, bp, 10000, &d) < 0)
        return -DW_ETOOBIG;
    int64_t next;
    if (up ? dw_add_checked(l->period, d, &next) < 0 : __builtin_sub_overflow(l->period, d, &next))
        return -DW_ETOOBIG;
    record(l, source, name, next - l->period);
    l->period = next;
    return 0;
}

static int apply_schedules(struct pctx *x, struct pline *l) {
    for (size_t i = 0; i < x->pb->n_schedules; i++) {
        const struct dw_schedule *s = &x->pb->schedules[i];
        bool monthly = l->it->billing == DW_BILL_MONTHLY;
        if (s->by == DW_SCHED_TERM && !monthly)
            continue;
        if (s->n_skus) {
            bool in = false;
            for (size_t k = 0; k < s->n_skus && !in; k++)
                in = strcmp(s->skus[k], l->it->sku) == 0;
            if (!in)
                continue;
        }
        int64_t measure = s->by == DW_SCHED_TERM ? l->term.months : l->qty;
        int32_t bp = 0;
        for (size_t k = 0; k < s->n_steps; k++)
            if (measure >= s->steps[k].min)
                bp = s->steps[k].bp;
        if (bp && apply_pct(l, bp, false, "schedule", s->name) < 0)
            return -DW_ETOOBIG;
    }
    return 0;
}

/* ---- price rules --------------------------------------------------------------------- */

static int bind_rules(struct pctx *x) {
    struct dw_rule_inputs none = {.now = dw_clock_now(&(struct dw_clock){x->now})};
    const struct dw_rule_inputs *in = x->in ? x->in : &none;
    cel_arena_init(&x->base_arena, 0);
    cel_arena_init(&x->line_arena, 0);
    int r = dw_rules_bind(x->ws, DW_RULE_PRICE, in, &x->base_arena, &x->act);
    x->rules_bound = true;
    if (r < 0)
        return r;
    const char *region = x->region ? x->region->name : "";
    cel_value cur = cel_string(&x->base_arena, x->pb->currency, strlen(x->pb->currency));
    cel_value reg = cel_string(&x->base_arena, region, strlen(region));
    if (cur.kind == CEL_ERROR || reg.kind == CEL_ERROR)
        return -DW_ENOMEM;
    if ((r = cel_activation_bind(&x->act, "currency", cur)) < 0 ||
        (r = cel_activation_bind(&x->act, "region", reg)) < 0)
        return r;
    static const char *const names[] = {"sku",         "name",       "kind",       "billing",
                                        "quantity",    "list_price", "unit_price", "amount",
                                        "term_months", "bundle",     "cost"};
    for (size_t i = 0; i < DW_ARRAY_SIZE(names); i++) {
        x->keys[i] = cel_string(&x->base_arena, names[i], strlen(names[i]));
        if (x->keys[i].kind == CEL_ERROR)
            return -DW_ENOMEM;
    }
    static const char *const kn[] = {"hardware", "subscription", "service"};
    for (size_t i = 0; i < 3; i++)
        x->kinds[i] = cel_string(&x->base_arena, kn[i], strlen(kn[i]));
    x->billings[0] = cel_string(&x->base_arena, "one_time", 8);
    x->billings[1] = cel_string(&x->base_arena, "monthly", 7);
    x->empty = cel_string(&x->base_arena, "", 0);
    x->item_str = calloc(2 * (x->ws->n_items ? x->ws->n_items : 1), sizeof *x->item_str);
    for (size_t k = 0; k < 2; k++) {
        struct cel_entry e[11];
        for (size_t i = 0; i < 10 + k; i++)
            e[i] = (struct cel_entry){x->keys[i], cel_int(0)};
        x->shape[k] = cel_map_new(&x->base_arena, e, 10 + k);
        if (x->shape[k].kind != CEL_MAP)
            return -DW_ENOMEM;
    }
    x->fired = calloc(x->pb->n_rules, sizeof *x->fired);
    return x->fired && x->item_str ? 0 : -DW_ENOMEM;
}

static double major(int64_t minor, int digits) {
    double scale = 1;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    return (double)minor / scale;
}

/* sku and name of an item as CEL strings, made once per quote in the base arena */
static const cel_value *item_strings(struct pctx *x, const struct dw_item *it) {
    cel_value *v = &x->item_str[2 * (size_t)(it - x->ws->items)];
    if (v[0].kind == CEL_NULL) {
        const char *name = it->name ? it->name : it->sku;
        v[0] = cel_string(&x->base_arena, it->sku, strlen(it->sku));
        v[1] = cel_string(&x->base_arena, name, strlen(name));
    }
    return v;
}

static cel_value line_value(struct pctx *x, const struct pline *l) {
    struct cel_arena *a = &x->line_arena;
    int dg = x->pb->digits;
    const cel_value *is = item_strings(x, l->it);
    bool monthly = l->it->billing == DW_BILL_MONTHLY;
    struct cel_entry e[11];
    size_t n = 0;
    e[n++] = (struct cel_entry){x->keys[0], is[0]};
    e[n++] = (struct cel_entry){x->keys[1], is[1]};
    e[n++] = (struct cel_entry){x->keys[2], x->kinds[l->it->kind]};
    e[n++] = (struct cel_entry){x->keys[3], x->billings[monthly]};
    e[n++] = (struct cel_entry){x->keys[4], cel_int(l->qty)};
    e[n++] = (struct cel_entry){x->keys[5], cel_double(major(l->p ? l->p->list : 0, dg))};
    e[n++] = (struct cel_entry){x->keys[6], cel_double(major(l->period, dg) / (double)l->qty)};
    e[n++] = (struct cel_entry){x->keys[7], cel_double(major(l->period, dg))};
    e[n++] = (struct cel_entry){x->keys[8], cel_int(monthly ? l->term.months : 0)};
    e[n++] = (struct cel_entry){x->keys[9],
                                l->parent >= 0 ? item_strings(x, x->v[l->parent].it)[0] : x->empty};
    if (l->p && l->p->has_cost)
        e[n++] = (struct cel_entry){x->keys[10], cel_double(major(l->p->cost, dg))};
    for (size_t i = 0; i < n; i++)
        if (e[i].v.kind == CEL_ERROR)
            return e[i].v;
    /* the same keys in the same order as a shape made at bind: share its key index */
    const struct cel_map *shape = x->shape[n == 11].m;
    struct cel_map *m = cel_arena_alloc(a, sizeof *m);
    struct cel_entry *copy = cel_arena_alloc(a, n * sizeof *copy);
    if (!m || !copy)
        return cel_error(a, -1, "memory limit of the evaluation exceeded");
    memcpy(copy, e, n * sizeof *copy);
    *m = (struct cel_map){.n = n, .e = copy, .index = shape->index, .index_cap = shape->index_cap};
    return (cel_value){.kind = CEL_MAP, .m = m};
}

static int apply_rule(struct pctx *x, struct pline *l, uint32_t idx) {
    const struct dw_price_rule *pr = &x->pb->rules[idx];
    int64_t next = l->period, v;
    switch (pr->action) {
    case DW_PA_DISCOUNT_PCT:
        return apply_pct(l, pr->bp, false, "rule", pr->name);
    case DW_PA_MARKUP_PCT:
        return apply_pct(l, pr->bp, true, "rule", pr->name);
    case DW_PA_DISCOUNT_AMT:
        if (dw_mul_checked(pr->amount, l->units, &v) < 0)
            return -DW_ETOOBIG;
        next = v >= l->period ? 0 : l->period - v; /* never below zero */
        break;
    case DW_PA_SET_PRICE:
        if (dw_mul_checked(pr->amount, l->units, &next) < 0)
            return -DW_ETOOBIG;
        break;
    case DW_PA_ADD_LINE:
        x->fired[idx] = true;
        return 0;
    }
    record(l, "rule", pr->name, next - l->period);
    l->period = next;
    return 0;
}

/* The rules that may apply to l — the entry's scoped ones merged with the unscoped, in the
 * order written — each tested on the line as the rules before it left it. */
static int apply_rules(struct pctx *x, struct pline *l, bool added) {
    const struct dw_pricebook *pb = x->pb;
    const uint32_t *sc = l->base ? l->base->rules : NULL;
    size_t ns = l->base ? l->base->n_rules : 0, nu = pb->n_unscoped, i = 0, j = 0;
    if (added || ns + nu == 0)
        return 0;
    if (!x->rules_bound) {
        int r = bind_rules(x);
        if (r < 0)
            return dw_error_set(x->err, r, "price rules: cannot bind the variables");
    }
    cel_arena_reset(&x->line_arena);
    cel_value lv = line_value(x, l);
    bool stale = false, bound = false;
    while (i < ns || j < nu) {
        uint32_t idx = j >= nu || (i < ns && sc[i] < pb->unscoped[j]) ? sc[i++] : pb->unscoped[j++];
        const struct dw_price_rule *pr = &pb->rules[idx];
        if (pr->action == DW_PA_ADD_LINE && x->fired[idx])
            continue;
        if (stale || !bound) {
            if (stale) {
                cel_arena_reset(&x->line_arena);
                lv = line_value(x, l);
            }
            if (lv.kind == CEL_ERROR || cel_activation_bind(&x->act, "line", lv) < 0)
                return dw_error_set(x->err, -DW_ENOMEM, "out of memory");
            stale = false;
            bound = true;
        }
        struct dw_error e = {0};
        int r = dw_rule_eval(&pr->rule, &x->act, &x->line_arena, &e);
        if (r < 0) {
            char where[600];
            return line_err(x, -DW_EVALIDATE, l->src, "sku",
                            "%s: the price rule could not be evaluated: %s", l->it->sku,
                            dw_error_format(&e, where, sizeof where));
        }
        if (r == 1) {
            int64_t before = l->period;
            if (apply_rule(x, l, idx) < 0)
                return line_err(x, -DW_ETOOBIG, l->src, "sku", "%s: price rule %s overflows",
                                l->it->sku, pr->name);
            stale = l->period != before;
        }
    }
    return 0;
}

/* ---- one line, whole ----------------------------------------------------------------- */

static int term_of(struct pctx *x, struct pline *l) {
    l->term = (struct term){.months = x->term_months};
    const char *end = l->end_date;
    if (!end || l->it->billing != DW_BILL_MONTHLY)
        return 0;
    int64_t e;
    if (!x->have_start)
        return line_err(x, -DW_EINVAL, l->src, "end_date",
                        "co-terming to %s needs the solution's start_date", end);
    if (date_parse(end, &e) < 0)
        return line_err(x, -DW_EINVAL, l->src, "end_date", "'%s' is not a date (YYYY-MM-DD)", end);
    if (e < x->start)
        return line_err(x, -DW_EINVAL, l->src, "end_date", "%s is before the start date %s", end,
                        x->start_date);
    coterm(x->start, e, &l->term);
    if (l->term.months > DW_PRICE_MAX_TERM)
        return line_err(x, -DW_EINVAL, l->src, "end_date", "a term beyond %d months",
                        DW_PRICE_MAX_TERM);
    l->coterm = true;
    return 0;
}

/* amount x months + amount x days / month_days, rounded half to even */
static int over_term(const struct pline *l, int64_t period, int64_t *ret) {
    if (l->it->billing != DW_BILL_MONTHLY) {
        *ret = period;
        return 0;
    }
    int64_t whole, part = 0;
    if (dw_mul_checked(period, l->term.months, &whole) < 0 ||
        (l->term.days &&
         dw_muldiv_half_even(period, l->term.days, l->term.month_days, &part) < 0) ||
        dw_add_checked(whole, part, ret) < 0)
        return -DW_ETOOBIG;
    return 0;
}

static int price_one(struct pctx *x, struct pline *l) {
    int r = term_of(x, l);
    if (r < 0)
        return r;
    const char *sku = l->it->sku;
    if (l->role == LINE_INCLUDED || l->role == LINE_HEAD) {
        l->units = l->qty;
        l->period = 0;
    } else {
        if (model_amount(l->p, l->qty, &l->period, &l->units) < 0)
            return line_err(x, -DW_ETOOBIG, l->src, "quantity",
                            "%s: the amount of %" PRId64 " units overflows the quote's arithmetic",
                            sku, l->qty);
        if (l->role == LINE_COMPONENT && l->bundle_bp &&
            apply_pct(l, l->bundle_bp, false, "bundle", x->v[l->parent].it->sku) < 0)
            return line_err(x, -DW_ETOOBIG, l->src, "quantity",
                            "%s overflows the quote's arithmetic", sku);
        if (apply_schedules(x, l) < 0)
            return line_err(x, -DW_ETOOBIG, l->src, "quantity",
                            "%s overflows the quote's arithmetic", sku);
        if ((r = apply_rules(x, l, l->added_by != NULL)) < 0)
            return r;
    }
    /* cost: the entry's per unit; a package without its own cost is its components' */
    l->cost_known = l->role == LINE_INCLUDED || l->role == LINE_HEAD || (l->p && l->p->has_cost);
    int64_t unit_cost = l->p && l->p->has_cost ? l->p->cost : 0, cost_period = 0;
    if (l->role == LINE_INCLUDED || l->role == LINE_HEAD)
        unit_cost = 0;
    if (dw_mul_checked(unit_cost, l->qty, &cost_period) < 0 ||
        over_term(l, l->period, &l->amount) < 0 || over_term(l, cost_period, &l->cost) < 0 ||
        dw_muldiv_half_even(l->amount, x->bp, 10000, &l->discount) < 0 ||
        __builtin_sub_overflow(l->amount, l->discount, &l->net))
        return line_err(x, -DW_ETOOBIG, l->src, "quantity",
                        "%s: the amount of %" PRId64 " units overflows the quote's arithmetic", sku,
                        l->qty);
    return 0;
}

/* A package's cost is its own, else the sum of its components' (each known). */
static void package_costs(struct pctx *x) {
    for (size_t i = 0; i < x->n; i++) {
        struct pline *l = &x->v[i];
        if (l->role != LINE_PACKAGE || (l->p && l->p->has_cost))
            continue;
        bool known = true;
        int64_t sum = 0;
        for (size_t k = i + 1; k < x->n && x->v[k].parent == (int)i; k++) {
            const struct dw_price *base, *ep = effective(x, x->v[k].it->sku, &base);
            int64_t c;
            known &= ep && ep->has_cost;
            if (!known || dw_mul_checked(ep->cost, x->v[k].qty, &c) < 0 ||
                over_term(&x->v[k], c, &c) < 0 || dw_add_checked(sum, c, &sum) < 0) {
                known = false;
                break;
            }
        }
        l->cost_known = known;
        l->cost = known ? sum : 0;
    }
}

/* ---- output -------------------------------------------------------------------------- */

static json_t *line_json(struct pctx *x, const struct pline *l) {
    bool monthly = l->it->billing == DW_BILL_MONTHLY;
    int64_t unit = 0;
    if (l->units > 0)
        dw_muldiv_half_even(l->period, 1, l->units, &unit);
    json_t *o = json_object();
    if (!o)
        return NULL;
    int bad = 0;
    bad |= json_object_set_new_nocheck(o, "sku", json_string_nocheck(l->it->sku));
    bad |= json_object_set_new_nocheck(o, "name",
                                       json_string_nocheck(l->it->name ? l->it->name : l->it->sku));
    bad |= json_object_set_new_nocheck(o, "quantity", json_integer(l->qty));
    bad |= json_object_set_new_nocheck(o, "list_price",
                                       json_integer(l->p && l->role != LINE_HEAD ? l->p->list : 0));
    bad |= json_object_set_new_nocheck(o, "unit_price", json_integer(unit));
    bad |= json_object_set_new_nocheck(o, "amount", json_integer(l->amount));
    bad |= json_object_set_new_nocheck(o, "discount", json_integer(l->discount));
    bad |= json_object_set_new_nocheck(o, "net", json_integer(l->net));
    bad |= json_object_set_new_nocheck(o, "billing",
                                       json_string_nocheck(monthly ? "monthly" : "one_time"));
    bad |= json_object_set_new_nocheck(o, "term_months",
                                       monthly ? json_integer(l->term.months) : json_null());
    if (l->cost_known)
        bad |= json_object_set_new(o, "cost", json_integer(l->cost));
    if (l->p && l->p->model == DW_PRICE_BLOCK && l->role != LINE_INCLUDED)
        bad |= json_object_set_new(o, "blocks", json_integer(l->units));
    if (l->parent >= 0)
        bad |= json_object_set_new(o, "bundle", json_string(x->v[l->parent].it->sku));
    if (l->role == LINE_INCLUDED)
        bad |= json_object_set_new(o, "included", json_true());
    if (l->added_by)
        bad |= json_object_set_new(o, "added_by", json_string(l->added_by));
    if (l->coterm) {
        bad |= json_object_set_new(o, "term_days", json_integer(l->term.days));
        bad |= json_object_set_new(o, "end_date", json_string(l->end_date));
    }
    if (l->n_adj) {
        json_t *a = json_array();
        for (size_t k = 0; a && k < l->n_adj; k++) {
            json_t *e = json_object();
            bad |=
                !e ||
                json_object_set_new_nocheck(e, "source", json_string_nocheck(l->adj[k].source)) ||
                json_object_set_new_nocheck(e, "name", json_string(l->adj[k].name)) ||
                json_object_set_new_nocheck(e, "amount", json_integer(l->adj[k].amount)) ||
                json_array_append_new(a, e);
        }
        bad |= json_object_set_new(o, "adjustments", a);
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static void pctx_release(struct pctx *x) {
    if (x->rules_bound) {
        cel_activation_release(&x->act);
        cel_arena_release(&x->line_arena);
        cel_arena_release(&x->base_arena);
    }
    free(x->fired);
    free(x->item_str);
    free(x->v);
}

static int start_of(struct pctx *x, const json_t *solution) {
    json_t *js = json_object_get(solution, "start_date");
    json_t *je = json_object_get(solution, "end_date");
    if (js && !json_is_null(js)) {
        if (!json_is_string(js) || date_parse(json_string_value(js), &x->start) < 0)
            return dw_error_field(x->err, -DW_EINVAL, "start_date", "must be a date (YYYY-MM-DD)");
        x->have_start = true;
        x->start_date = json_string_value(js);
    }
    if (je && !json_is_null(je) && !json_is_string(je))
        return dw_error_field(x->err, -DW_EINVAL, "end_date", "must be a date (YYYY-MM-DD)");
    return 0;
}

static int run(struct pctx *x, const json_t *solution, json_t **ret_quote) {
    json_t *in = json_object_get(solution, "lines");
    if (!json_is_array(in))
        return dw_error_field(x->err, -DW_EINVAL, "lines", "the solution has no list of lines");
    if (json_array_size(in) > DW_WS_MAX_ITEMS)
        return dw_error_field(x->err, -DW_ETOOBIG, "lines", "more than %d lines", DW_WS_MAX_ITEMS);
    int r = start_of(x, solution);
    /* one allocation for the usual case: bundles and added lines may grow it */
    x->cap = json_array_size(in) + 16;
    x->v = malloc(x->cap * sizeof *x->v);
    if (!x->v)
        return dw_error_set(x->err, -DW_ENOMEM, "out of memory");
    if (r < 0 || (r = expand(x, in)) < 0)
        return r;
    /* a solution-wide end_date co-terms every monthly line that names none */
    const char *end_all = dw_json_str(solution, "end_date");
    for (size_t i = 0; end_all && i < x->n; i++)
        if (!x->v[i].end_date)
            x->v[i].end_date = end_all;
    size_t n_solution = x->n;
    for (size_t i = 0; i < n_solution; i++)
        if ((r = price_one(x, &x->v[i])) < 0)
            return r;
    /* lines the rules added, once each, in the order of the rules */
    for (size_t k = 0; x->fired && k < x->pb->n_rules; k++) {
        if (!x->fired[k])
            continue;
        const struct dw_price_rule *pr = &x->pb->rules[k];
        size_t from = x->n;
        if ((r = add_line(x, pr->add_sku, pr->add_qty, json_array_size(in), -1, LINE_PLAIN, 0,
                          end_all, pr->name)) < 0)
            return r;
        for (size_t i = from; i < x->n; i++) {
            x->v[i].added_by = pr->name;
            if ((r = price_one(x, &x->v[i])) < 0)
                return r;
        }
    }
    if (x->n > DW_WS_MAX_ITEMS)
        return dw_error_field(x->err, -DW_ETOOBIG, "lines",
                              "more than %d lines once the bundles are expanded", DW_WS_MAX_ITEMS);
    package_costs(x);

    int64_t subtotal = 0, discount = 0, total = 0, cost = 0;
    bool all_costs = true;
    _cleanup_json_ json_t *lines = json_array();
    if (!lines)
        return dw_error_set(x->err, -DW_ENOMEM, "out of memory");
    for (size_t i = 0; i < x->n; i++) {
        const struct pline *l = &x->v[i];
        if (dw_add_checked(subtotal, l->amount, &subtotal) < 0 ||
            dw_add_checked(discount, l->discount, &discount) < 0 ||
            dw_add_checked(total, l->net, &total) < 0 || dw_add_checked(cost, l->cost, &cost) < 0)
            return line_err(x, -DW_ETOOBIG, l->src, "quantity",
                            "%s: the sum of the lines overflows the quote's arithmetic",
                            l->it->sku);
        all_costs &= l->cost_known;
        json_t *lj = line_json(x, l);
        if (!lj || json_array_append_new(lines, lj) < 0)
            return dw_error_set(x->err, -DW_ENOMEM, "out of memory");
    }
    _cleanup_json_ json_t *quote =
        json_pack("{s:s, s:i, s:I, s:I, s:I, s:i, s:i, s:O}", "currency", x->pb->currency, "digits",
                  x->pb->digits, "subtotal", (json_int_t)subtotal, "discount", (json_int_t)discount,
                  "total", (json_int_t)total, "discount_bp", (int)x->bp, "term_months",
                  x->term_months, "lines", lines);
    if (!quote)
        return dw_error_set(x->err, -DW_ENOMEM, "out of memory");
    int bad = 0;
    if (x->region)
        bad |= json_object_set_new(quote, "region", json_string(x->region->name));
    if (x->have_start)
        bad |= json_object_set_new(quote, "start_date", json_string(x->start_date));
    if (all_costs) {
        /* margin_bp: (total - cost) / total, half to even; none for a zero total */
        int64_t margin, mbp = 0;
        if (__builtin_sub_overflow(total, cost, &margin) ||
            (total > 0 && dw_muldiv_half_even(margin, 10000, total, &mbp) < 0))
            return dw_error_set(x->err, -DW_ETOOBIG, "the quote's margin overflows");
        bad |= json_object_set_new(quote, "cost", json_integer(cost));
        bad |= json_object_set_new(quote, "margin", json_integer(margin));
        if (total > 0)
            bad |= json_object_set_new(quote, "margin_bp", json_integer(mbp));
    }
    char hash[DW_SHA256_HEX];
    if (!bad && !x->unhashed) {
        dw_json_hash(quote, hash);
        bad = dw_json_set(quote, "hash", json_string(hash)) < 0;
    }
    if (bad)
        return dw_error_set(x->err, -DW_ENOMEM, "out of memory");
    *ret_quote = DW_TAKE_PTR(quote);
    return 0;
}

int dw_price_quote(const struct dw_workspace *ws, const json_t *solution,
                   const struct dw_price_opts *o, json_t **ret_quote, struct dw_error *err) {
    if (!ws || !o || !ret_quote)
        return dw_error_set(err, -DW_EINVAL, "price: no workspace");
    if (o->discount_bp < 0 || o->discount_bp > 10000)
        return dw_error_field(err, -DW_EINVAL, "discount", "%d basis points is not 0..100 %%",
                              (int)o->discount_bp);
    if (o->term_months < 1 || o->term_months > DW_PRICE_MAX_TERM)
        return dw_error_field(err, -DW_EINVAL, "term_months", "%d is not 1..%d months",
                              o->term_months, DW_PRICE_MAX_TERM);
    if (!json_is_object(solution))
        return dw_error_field(err, -DW_EINVAL, "lines", "the solution is not an object");
    const struct dw_pricebook *pb = find_book(ws, o->currency);
    if (!pb)
        return dw_error_set(err, -DW_ENOENT, "no price book for currency %s",
                            o->currency ? o->currency : "(none)");
    struct pctx x = {.ws = ws,
                     .pb = pb,
                     .region = dw_pricing_region(pb, o->country),
                     .items_sorted = items_sorted(ws),
                     .book_sorted = prices_sorted(pb->prices, pb->n_prices),
                     .bp = o->discount_bp,
                     .term_months = o->term_months,
                     .in = o->in,
                     .now = o->now,
                     .unhashed = o->unhashed,
                     .err = err};
    x.region_sorted = x.region && prices_sorted(x.region->prices, x.region->n_prices);
    int r = run(&x, solution, ret_quote);
    pctx_release(&x);
    return r;
}

int dw_price(const struct dw_workspace *ws, const json_t *solution, const char *currency,
             int32_t discount_bp, int term_months, json_t **ret_quote, struct dw_error *err) {
    struct dw_price_opts o = {
        .currency = currency, .discount_bp = discount_bp, .term_months = term_months};
    return dw_price_quote(ws, solution, &o, ret_quote, err);
}

/* ---- approvals ----------------------------------------------------------------------- */

static int add_approval(json_t *list, const char *kind, const char *role, const char *reason,
                        const char *rule) {
    json_t *a = json_pack("{s:s, s:s, s:s, s:s}", "kind", kind, "required_role", role, "reason",
                          reason, "rule", rule);
    if (!a || json_array_append_new(list, a) < 0)
        return -DW_ENOMEM;
    return 0;
}

/* "policies.yaml:12:11 discount_bands[1] (manager): quote.discount_pct <= 20.0" */
static void rule_text(const struct dw_rule *r, char *buf, size_t size) {
    snprintf(buf, size, "%s: %s", r->name, r->when ? r->when : "");
}

/* The discount ladder: the first band whose condition holds approves; band 0 is the rep's
 * own authority. A band whose condition cannot be evaluated counts as not holding, so the
 * request climbs to a higher authority, never to a lower one. */
static int discount_approval(const struct dw_policies *p, const struct cel_activation *act,
                             struct cel_arena *a, int32_t bp, json_t *list) {
    if (p->n_bands == 0)
        return 0;
    size_t k;
    char failed[400] = "";
    for (k = 0; k < p->n_bands; k++) {
        struct dw_error e = {0};
        int r = dw_rule_eval(&p->bands[k].within, act, a, &e);
        if (r == 1)
            break;
        if (r < 0 && !failed[0])
            snprintf(failed, sizeof failed, " (%.300s)", e.msg);
    }
    if (k == 0)
        return 0;
    bool beyond = k == p->n_bands;
    if (beyond)
        k = p->n_bands - 1;
    const struct dw_band *own = &p->bands[0], *band = &p->bands[k];
    char pct[16], reason[700], rule[600];
    dw_pct_format(bp, pct, sizeof pct);
    if (beyond)
        snprintf(reason, sizeof reason,
                 "Discount %s %% is beyond every discount band; the highest is the %s's%s", pct,
                 band->role, failed);
    else
        snprintf(reason, sizeof reason, "Discount %s %% is beyond the %s's authority (%s)%s", pct,
                 own->role, own->within.when ? own->within.when : "", failed);
    rule_text(&band->within, rule, sizeof rule);
    return add_approval(list, "discount", band->role, reason, rule);
}

/* policies.yaml approvals: each rule that holds asks its role. A rule that cannot be
 * evaluated asks too, with the error as its reason: a broken policy must not let a deal
 * through unreviewed. */
static int rule_approvals(const struct dw_policies *p, const struct cel_activation *act,
                          struct cel_arena *a, json_t *list) {
    for (size_t i = 0; i < p->n_approvals; i++) {
        const struct dw_approval_rule *ar = &p->approvals[i];
        struct dw_error e = {0};
        int r = dw_rule_eval(&ar->rule, act, a, &e);
        if (r == 0)
            continue;
        char reason[700], rule[600];
        if (r < 0)
            snprintf(reason, sizeof reason, "%s (the rule could not be evaluated: %s)", ar->reason,
                     e.msg);
        else
            snprintf(reason, sizeof reason, "%s", ar->reason);
        rule_text(&ar->rule, rule, sizeof rule);
        if ((r = add_approval(list, ar->name, ar->role, reason, rule)) < 0)
            return r;
    }
    return 0;
}

int dw_approvals_needed(const struct dw_workspace *ws, const json_t *quote,
                        const struct dw_rule_inputs *in, json_t **ret_list) {
    const char *currency = dw_json_str(quote, "currency");
    json_t *jbp = json_object_get(quote, "discount_bp");
    json_t *jtotal = json_object_get(quote, "total");
    if (!ws || !currency || !json_is_integer(jbp) || !json_is_integer(jtotal) || !ret_list)
        return -DW_EINVAL;
    json_int_t bp = json_integer_value(jbp);
    if (bp < 0 || bp > 10000)
        return -DW_EINVAL;
    _cleanup_json_ json_t *list = json_array();
    if (!list)
        return -DW_ENOMEM;
    struct dw_rule_inputs vars = in ? *in : (struct dw_rule_inputs){.now = dw_clock_now(NULL)};
    vars.quote = quote;
    struct cel_arena arena;
    struct cel_activation act;
    cel_arena_init(&arena, 0);
    int r = dw_rules_bind(ws, DW_RULE_QUOTE, &vars, &arena, &act);
    if (r == 0)
        r = discount_approval(&ws->policies, &act, &arena, (int32_t)bp, list);
    if (r == 0)
        r = rule_approvals(&ws->policies, &act, &arena, list);
    cel_activation_release(&act);
    cel_arena_release(&arena);
    if (r < 0)
        return r;
    *ret_list = DW_TAKE_PTR(list);
    return 0;
}

int dw_discount_own_authority(const struct dw_workspace *ws, const json_t *quote, int32_t upto_bp,
                              dw_time_t now, int32_t *ret_bp) {
    const struct dw_policies *p = &ws->policies;
    *ret_bp = 0;
    if (p->n_bands == 0)
        return 0;
    _cleanup_json_ json_t *q = json_deep_copy(quote);
    if (!q)
        return -DW_ENOMEM;
    struct cel_arena arena;
    cel_arena_init(&arena, 0);
    int r = 0;
    /* from the rejected discount down in steps of half a percent */
    for (int32_t bp = upto_bp - upto_bp % 50; bp > 0 && r == 0; bp -= 50) {
        if (json_object_set_new(q, "discount_bp", json_integer(bp)) < 0)
            return -DW_ENOMEM;
        struct dw_rule_inputs vars = {.quote = q, .now = now};
        struct cel_activation act;
        r = dw_rules_bind(ws, DW_RULE_QUOTE, &vars, &arena, &act);
        if (r == 0 && dw_rule_eval(&p->bands[0].within, &act, &arena, NULL) == 1) {
            *ret_bp = bp;
            cel_activation_release(&act);
            break;
        }
        cel_activation_release(&act);
        cel_arena_reset(&arena);
    }
    cel_arena_release(&arena);
    return r;
}
