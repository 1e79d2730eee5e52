/* The configurator: choose catalog items that cover the capabilities a customer asked for,
 * with their required companions, without excluded pairs or quantity violations.
 *
 * The search is a bounded depth-first search over the wanted capabilities in the order they
 * were requested. At each capability it tries the eligible items in preference order (rank,
 * then list price in the home currency, then SKU), and last "leave it uncovered". A
 * configuration is better than another when its coverage, read as a bit vector in request
 * order, is lexicographically larger: covering the first capability asked for outweighs
 * anything after it. Among equal coverage the first configuration found wins, which is the
 * one whose choices are the most preferred, position by position. docs/internals/
 * configurator.md has the argument and the limits.
 *
 * Every candidate set is evaluated whole (evaluate_set): the transitive requires closure
 * with merged quantities, min/max, excluded pairs, and items that provide a capability the
 * customer ruled out. Re-evaluating from scratch at each node is simpler than undoing
 * incremental state and costs little at the sizes the node limit allows.
 *
 * Two rules that are easy to get wrong. A capability counts as covered only by a line chosen
 * for the customer, never by an item that is merely required by another line: that item is
 * sized for its requirer, not for the customer's count. And requirers share what they
 * require: `per` is a capacity, so the need is ceil(sum(quantity / per)) over all
 * requirers, computed exactly (struct slot).
 *
 * Nothing here depends on the order of the catalog or the price book: items are reached
 * through an index sorted by SKU that this file builds itself, so the engine behaves the
 * same on a snapshot from the loader and on one built by hand in a test.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/configure.h"

#define NONE ((size_t)-1)

enum want_state {
    WANT_SEARCH,   /* eligible items or options may cover it */
    WANT_EXCLUDED, /* the customer both asked for it and ruled it out */
};

struct want {
    const char *name;
    enum want_state state;
    size_t *cands; /* item indices, not option_only, not banned; preference order */
    size_t n_cands;
    size_t *opts; /* option_only item indices providing it, not banned; preference order */
    size_t n_opts;
};

/* Why a set is invalid: the first problem found. */
enum why_kind { WHY_NONE, WHY_BANNED, WHY_MAX, WHY_CONFLICT };
struct why {
    enum why_kind kind;
    size_t item;     /* the item at fault */
    size_t other;    /* WHY_CONFLICT: the item it conflicts with */
    int64_t qty;     /* WHY_MAX: the quantity needed */
    const char *cap; /* WHY_BANNED: the excluded capability it provides */
};

struct main_entry {
    size_t item;
    size_t want; /* the capability it was chosen for */
    bool option; /* added as an option of another line */
};

/* An item's quantities while a set is evaluated. What the requirers need is kept as the exact
 * fraction num/den = sum(requirer quantity / per), rounded up once: `per` says how many
 * units of the requirer one unit of the required item serves, and requirers share it (one
 * cloud tenant for 10,000 seats, whichever items the seats are). */
struct slot {
    int64_t total; /* quantity in the set; 0 = not a member */
    int64_t main;  /* quantity as a chosen line; 0 = not chosen */
    bool counted;  /* main follows a requested count, not the default of one */
    int64_t req;   /* what the requirers need: ceil(num / den) */
    __int128 num;
    int64_t den;
    unsigned char mark; /* visit(): 1 on the path, 2 done */
};

struct cfg {
    const struct dw_workspace *ws;
    const json_t *excluded; /* requirements.excluded_capabilities (array or NULL) */
    const json_t *quantities;

    const struct dw_item **items; /* sorted by SKU */
    size_t n;
    int64_t *price;         /* home list price per index; INT64_MAX when unpriced */
    const char **banned_by; /* the excluded capability the item provides, or NULL */

    struct want wants[DW_CFG_MAX_WANTS];
    size_t n_wants;

    /* evaluate_set state, per item; valid until the next evaluation */
    struct slot *slot;
    size_t *order; /* members, post-order (required items before their requirers) */
    size_t n_order;

    /* the search */
    struct main_entry main[2 * DW_CFG_MAX_WANTS];
    size_t n_main;
    unsigned char cov[DW_CFG_MAX_WANTS]; /* optimistic coverage of decided positions */
    bool have_best;
    struct main_entry best_main[2 * DW_CFG_MAX_WANTS];
    size_t n_best_main;
    unsigned char best_cov[DW_CFG_MAX_WANTS];
    long nodes, max_nodes;
    bool stopped;
};

/* ---- catalog index ------------------------------------------------------------------- */

static int cmp_item_sku(const void *a, const void *b) {
    const struct dw_item *x = *(const struct dw_item *const *)a;
    const struct dw_item *y = *(const struct dw_item *const *)b;
    return strcmp(x->sku, y->sku);
}

static size_t find_item(const struct cfg *c, const char *sku) {
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(c->items[mid]->sku, sku);
        if (r == 0)
            return mid;
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NONE;
}

static bool item_provides(const struct dw_item *it, const char *cap) {
    for (size_t i = 0; i < it->n_capabilities; i++)
        if (strcmp(it->capabilities[i], cap) == 0)
            return true;
    return false;
}

static bool item_offers(const struct dw_item *it, const char *sku) {
    for (size_t i = 0; i < it->n_options; i++)
        if (strcmp(it->options[i], sku) == 0)
            return true;
    return false;
}

/* A capability name from an entry of capabilities / excluded_capabilities: an object with
 * "name" (the extractor's shape) or a bare string. */
static const char *entry_name(const json_t *e) {
    if (json_is_string(e))
        return json_string_value(e);
    return dw_json_str(e, "name");
}

static bool is_excluded(const struct cfg *c, const char *cap) {
    size_t i;
    json_t *e;
    json_array_foreach(c->excluded, i, e) {
        const char *name = entry_name(e);
        if (name && strcmp(name, cap) == 0)
            return true;
    }
    return false;
}

static const struct dw_pricebook *home_book(const struct dw_workspace *ws) {
    for (size_t i = 0; i < ws->n_pricebooks; i++)
        if (strcmp(ws->pricebooks[i].currency, ws->home_currency) == 0)
            return &ws->pricebooks[i];
    return NULL;
}

static int build_index(struct cfg *c) {
    const struct dw_workspace *ws = c->ws;
    c->n = ws->n_items;
    size_t n = c->n ? c->n : 1;
    c->items = calloc(n, sizeof *c->items);
    c->price = calloc(n, sizeof *c->price);
    c->banned_by = calloc(n, sizeof *c->banned_by);
    c->slot = calloc(n, sizeof *c->slot);
    c->order = calloc(n, sizeof *c->order);
    if (!c->items || !c->price || !c->banned_by || !c->slot || !c->order)
        return -DW_ENOMEM;
    for (size_t i = 0; i < c->n; i++)
        c->items[i] = &ws->items[i];
    qsort(c->items, c->n, sizeof *c->items, cmp_item_sku);

    for (size_t i = 0; i < c->n; i++) {
        c->price[i] = INT64_MAX;
        const struct dw_item *it = c->items[i];
        for (size_t k = 0; k < it->n_capabilities && !c->banned_by[i]; k++)
            if (is_excluded(c, it->capabilities[k]))
                c->banned_by[i] = it->capabilities[k];
    }
    const struct dw_pricebook *pb = home_book(ws);
    for (size_t p = 0; pb && p < pb->n_prices; p++) {
        size_t i = find_item(c, pb->prices[p].sku);
        if (i != NONE)
            c->price[i] = pb->prices[p].list;
    }
    return 0;
}

static void cfg_release(struct cfg *c) {
    for (size_t i = 0; i < c->n_wants; i++) {
        free(c->wants[i].cands);
        free(c->wants[i].opts);
    }
    free(c->items);
    free(c->price);
    free(c->banned_by);
    free(c->slot);
    free(c->order);
}

/* ---- candidates ---------------------------------------------------------------------- */

struct cand_key {
    size_t idx;
    int rank;
    int64_t price;
    const char *sku;
};

static int cmp_cand(const void *a, const void *b) {
    const struct cand_key *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (x->price != y->price)
        return x->price < y->price ? -1 : 1;
    return strcmp(x->sku, y->sku);
}

/* The items providing w's capability, in preference order: regular ones into w->cands,
 * option_only ones into w->opts. Items that provide an excluded capability are left out. */
static int collect_candidates(struct cfg *c, struct want *w) {
    _cleanup_free_ struct cand_key *keys = calloc(c->n ? c->n : 1, sizeof *keys);
    if (!keys)
        return -DW_ENOMEM;
    for (int pass = 0; pass < 2; pass++) {
        size_t nk = 0;
        for (size_t i = 0; i < c->n; i++) {
            const struct dw_item *it = c->items[i];
            if (it->option_only != (pass == 1) || c->banned_by[i] || !item_provides(it, w->name))
                continue;
            keys[nk++] = (struct cand_key){i, it->rank, c->price[i], it->sku};
        }
        qsort(keys, nk, sizeof *keys, cmp_cand);
        size_t *v = calloc(nk ? nk : 1, sizeof *v);
        if (!v)
            return -DW_ENOMEM;
        for (size_t k = 0; k < nk; k++)
            v[k] = keys[k].idx;
        if (pass == 0) {
            w->cands = v;
            w->n_cands = nk;
        } else {
            w->opts = v;
            w->n_opts = nk;
        }
    }
    return 0;
}

/* ---- requirements -------------------------------------------------------------------- */

static int check_list(const json_t *req, const char *key, struct dw_error *err) {
    json_t *v = json_object_get(req, key);
    if (v && !json_is_array(v) && !json_is_null(v))
        return dw_error_field(err, -DW_EINVAL, key, "must be a list");
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
        if (!entry_name(e)) {
            char field[64];
            snprintf(field, sizeof field, "%s[%zu].name", key, i);
            return dw_error_field(err, -DW_EINVAL, field, "must be a capability name");
        }
    }
    return 0;
}

static int check_quantities(const json_t *q, struct dw_error *err) {
    if (q && !json_is_array(q) && !json_is_null(q))
        return dw_error_field(err, -DW_EINVAL, "quantities", "must be a list");
    size_t i;
    json_t *e;
    json_array_foreach(q, i, e) {
        char field[64];
        json_t *v = json_object_get(e, "value");
        if (!dw_json_str(e, "unit")) {
            snprintf(field, sizeof field, "quantities[%zu].unit", i);
            return dw_error_field(err, -DW_EINVAL, field, "must be a unit name");
        }
        snprintf(field, sizeof field, "quantities[%zu].value", i);
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            return dw_error_field(err, -DW_EINVAL, field, "must be a non-negative integer");
        if (json_integer_value(v) > DW_CFG_MAX_QUANTITY)
            return dw_error_field(err, -DW_ETOOBIG, field,
                                  "%" JSON_INTEGER_FORMAT " is above the limit of %lld",
                                  json_integer_value(v), DW_CFG_MAX_QUANTITY);
    }
    return 0;
}

static int load_wants(struct cfg *c, const json_t *req, struct dw_error *err) {
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(req, "capabilities"), i, e) {
        const char *name = entry_name(e);
        bool dup = false;
        for (size_t k = 0; k < c->n_wants && !dup; k++)
            dup = strcmp(c->wants[k].name, name) == 0;
        if (dup)
            continue;
        if (c->n_wants == DW_CFG_MAX_WANTS)
            return dw_error_field(err, -DW_ETOOBIG, "capabilities", "more than %d capabilities",
                                  DW_CFG_MAX_WANTS);
        struct want *w = &c->wants[c->n_wants++];
        *w = (struct want){.name = name};
        if (is_excluded(c, name))
            w->state = WANT_EXCLUDED;
        int r = collect_candidates(c, w);
        if (r < 0)
            return r;
    }
    return 0;
}

/* The requested quantity in unit, or -1 when none was given (a zero counts as none). When
 * the same unit appears twice the later entry wins, as it does in the requirements merge. */
static int64_t requested(const struct cfg *c, const char *unit) {
    int64_t v = -1;
    size_t i;
    json_t *e;
    json_array_foreach(c->quantities, i, e) {
        const char *u = dw_json_str(e, "unit");
        if (u && strcmp(u, unit) == 0)
            v = dw_json_int(e, "value", 0) > 0 ? dw_json_int(e, "value", 0) : -1;
    }
    return v;
}

/* How an item's line quantity follows the requirements: its unit and the requested count
 * (-1 when none was given), or NULL for an item without a unit. An item without a unit is
 * sold once per solution: a count in some other unit ("300 devices") says nothing about how
 * many management appliances are needed, so an item that scales declares its unit. */
static const char *quantity_source(const struct cfg *c, const struct dw_item *it,
                                   int64_t *ret_value) {
    *ret_value = it->quantity_unit ? requested(c, it->quantity_unit) : -1;
    return it->quantity_unit;
}

/* The quantity of an item chosen for a capability, before min and requires; *ret_counted
 * tells whether it follows a requested count. */
static int main_quantity(const struct cfg *c, const struct dw_item *it, int64_t *ret,
                         bool *ret_counted, struct dw_error *err) {
    int64_t v;
    const char *unit = quantity_source(c, it, &v);
    *ret_counted = v > 0;
    if (v <= 0) {
        *ret = 1;
        return 0;
    }
    int64_t factor = it->quantity_factor > 0 ? it->quantity_factor : 1;
    if (dw_mul_checked(v, factor, ret) < 0)
        return dw_error_set(err, -DW_ETOOBIG, "%s: %" PRId64 " %s x %" PRId64 " overflows", it->sku,
                            v, unit, factor);
    return 0;
}

/* ---- evaluating a set ---------------------------------------------------------------- */

static void eval_reset(struct cfg *c) {
    for (size_t k = 0; k < c->n_order; k++)
        c->slot[c->order[k]] = (struct slot){0};
    c->n_order = 0;
}

static int visit(struct cfg *c, size_t i, int depth, struct dw_error *err) {
    if (c->slot[i].mark == 2)
        return 0;
    const struct dw_item *it = c->items[i];
    if (c->slot[i].mark == 1)
        return dw_error_set(err, -DW_EVALIDATE, "the requires of %s form a cycle", it->sku);
    if (depth > DW_CFG_MAX_DEPTH)
        return dw_error_set(err, -DW_EVALIDATE, "requires chain below %s is deeper than %d",
                            it->sku, DW_CFG_MAX_DEPTH);
    c->slot[i].mark = 1;
    for (size_t r = 0; r < it->n_requires; r++) {
        size_t j = find_item(c, it->requires[r].sku);
        if (j == NONE)
            return dw_error_set(err, -DW_EVALIDATE, "%s requires %s, which is not in the catalog",
                                it->sku, it->requires[r].sku);
        int ret = visit(c, j, depth + 1, err);
        if (ret < 0)
            return ret;
    }
    c->slot[i].mark = 2;
    c->order[c->n_order++] = i;
    return 0;
}

static int64_t min_of(const struct dw_item *it) {
    return it->min_qty > 0 ? it->min_qty : 1;
}

#define MAX_DEN 1000000000000LL /* common denominator of the per ratios of one item */

static int64_t gcd64(int64_t a, int64_t b) {
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Add q / per to what item j's requirers need. */
static int add_need(struct cfg *c, size_t j, int64_t q, int64_t per, struct dw_error *err) {
    struct slot *s = &c->slot[j];
    if (s->den == 0)
        s->den = 1;
    int64_t l = s->den / gcd64(s->den, per);
    if (l > MAX_DEN / per)
        return dw_error_set(err, -DW_ETOOBIG, "the per ratios requiring %s are too fine",
                            c->items[j]->sku);
    l *= per; /* lcm(den, per) <= MAX_DEN */
    __int128 num = s->num * (l / s->den) + (__int128)q * (l / per);
    __int128 need = (num + l - 1) / l;
    if (need > INT64_MAX)
        return dw_error_set(err, -DW_ETOOBIG, "quantity of %s overflows", c->items[j]->sku);
    s->num = num;
    s->den = l;
    s->req = (int64_t)need;
    return 0;
}

/* An item's quantity from its own line and its requirers: a requested count and what other
 * lines require count different things and add up (24x7 support for 12 sites, plus the two
 * hub gateways that require it); a default of one is absorbed by what is required. */
static int slot_total(const struct slot *s, const struct dw_item *it, int64_t *ret) {
    int64_t q;
    if (s->counted) {
        if (dw_add_checked(s->main, s->req, &q) < 0)
            return -DW_ETOOBIG;
    } else
        q = s->main > s->req ? s->main : s->req;
    *ret = q > min_of(it) ? q : min_of(it);
    return 0;
}

/* Evaluate main[0..n_main) with everything it requires. Returns 0 when the set is valid, 1
 * when it is not (*why says why), a negative code on error. Members and their quantities
 * stay in c->order / c->slot until the next call. */
static int evaluate_set(struct cfg *c, const struct main_entry *main, size_t n_main,
                        struct why *why, struct dw_error *err) {
    eval_reset(c);
    *why = (struct why){.kind = WHY_NONE};
    for (size_t k = 0; k < n_main; k++) {
        struct slot *s = &c->slot[main[k].item];
        int r = main_quantity(c, c->items[main[k].item], &s->main, &s->counted, err);
        if (r < 0)
            return r;
    }
    for (size_t k = 0; k < n_main; k++) {
        int r = visit(c, main[k].item, 0, err);
        if (r < 0)
            return r;
    }
    /* Reverse post-order is a topological order: every requirer before what it requires,
     * so a required item's need is complete when its turn comes. */
    for (size_t k = c->n_order; k-- > 0;) {
        size_t i = c->order[k];
        const struct dw_item *it = c->items[i];
        if (slot_total(&c->slot[i], it, &c->slot[i].total) < 0)
            return dw_error_set(err, -DW_ETOOBIG, "quantity of %s overflows", it->sku);
        for (size_t r = 0; r < it->n_requires; r++) {
            size_t j = find_item(c, it->requires[r].sku);
            int64_t per = it->requires[r].per > 0 ? it->requires[r].per : 1;
            int ret = add_need(c, j, c->slot[i].total, per, err);
            if (ret < 0)
                return ret;
        }
    }
    for (size_t k = 0; k < c->n_order; k++) {
        size_t i = c->order[k];
        const struct dw_item *it = c->items[i];
        if (c->banned_by[i]) {
            *why = (struct why){.kind = WHY_BANNED, .item = i, .cap = c->banned_by[i]};
            return 1;
        }
        if (it->max_qty > 0 && c->slot[i].total > it->max_qty) {
            *why = (struct why){.kind = WHY_MAX, .item = i, .qty = c->slot[i].total};
            return 1;
        }
        for (size_t e = 0; e < it->n_excludes; e++) {
            size_t j = find_item(c, it->excludes[e]);
            if (j != NONE && c->slot[j].total > 0) {
                *why = (struct why){.kind = WHY_CONFLICT, .item = i, .other = j};
                return 1;
            }
        }
    }
    return 0;
}

/* Is cap covered by a line chosen for the customer (a capability or an option)? Items that
 * are only required by other lines do not count: they are sized for their requirers, not
 * for the customer's numbers (two hub gateways required by an HA kit do not give SD-WAN to
 * sixty sites). Choosing such an item for the capability later adds the customer's count. */
static bool set_covers(const struct cfg *c, const char *cap) {
    for (size_t k = 0; k < c->n_main; k++)
        if (item_provides(c->items[c->main[k].item], cap))
            return true;
    return false;
}

static bool set_offers(const struct cfg *c, const char *sku) {
    for (size_t k = 0; k < c->n_order; k++)
        if (item_offers(c->items[c->order[k]], sku))
            return true;
    return false;
}

/* ---- the search ---------------------------------------------------------------------- */

static bool coverable(const struct want *w) {
    return w->state == WANT_SEARCH && (w->n_cands > 0 || w->n_opts > 0);
}

/* May a leaf below this node beat the best? Positions before depth count as decided (a
 * skipped one only if an option might still cover it), the rest as covered when possible.
 * A tie cannot win: the leaf found first is the preferred one. */
static bool may_improve(const struct cfg *c, size_t depth) {
    if (!c->have_best)
        return true;
    for (size_t j = 0; j < c->n_wants; j++) {
        unsigned char ub = j < depth ? c->cov[j] : coverable(&c->wants[j]);
        if (ub != c->best_cov[j])
            return ub > c->best_cov[j];
    }
    return false;
}

/* At a leaf, cover what is still uncovered with options of the lines in the set, in request
 * order, then keep the configuration if its coverage beats the best. */
static int leaf(struct cfg *c, struct dw_error *err) {
    struct why why;
    size_t saved = c->n_main;
    int r = evaluate_set(c, c->main, c->n_main, &why, err);
    if (r != 0)
        return r < 0 ? r : dw_error_set(err, -DW_EINTERNAL, "configurator: invalid leaf");
    for (size_t j = 0; j < c->n_wants; j++) {
        const struct want *w = &c->wants[j];
        if (w->state != WANT_SEARCH || set_covers(c, w->name))
            continue;
        for (size_t k = 0; k < w->n_opts; k++) {
            size_t o = w->opts[k];
            if (!set_offers(c, c->items[o]->sku))
                continue;
            c->main[c->n_main++] = (struct main_entry){o, j, true};
            r = evaluate_set(c, c->main, c->n_main, &why, err);
            if (r < 0)
                return r;
            if (r == 0)
                break;
            c->n_main--;
            r = evaluate_set(c, c->main, c->n_main, &why, err);
            if (r != 0)
                return r < 0 ? r : dw_error_set(err, -DW_EINTERNAL, "configurator: lost leaf");
        }
    }
    unsigned char cov[DW_CFG_MAX_WANTS];
    int cmp = c->have_best ? 0 : 1;
    for (size_t j = 0; j < c->n_wants; j++) {
        cov[j] = c->wants[j].state == WANT_SEARCH && set_covers(c, c->wants[j].name);
        if (cmp == 0 && cov[j] != c->best_cov[j])
            cmp = cov[j] > c->best_cov[j] ? 1 : -1;
    }
    if (cmp > 0) {
        c->have_best = true;
        memcpy(c->best_cov, cov, c->n_wants);
        memcpy(c->best_main, c->main, c->n_main * sizeof *c->main);
        c->n_best_main = c->n_main;
    }
    c->n_main = saved;
    return 0;
}

/* Out of nodes. The search still finishes the path it is on until it has one leaf, so a
 * configuration exists however small the limit (the path is at most one node per want). */
static bool halted(const struct cfg *c) {
    return c->stopped && c->have_best;
}

static int dfs(struct cfg *c, size_t depth, struct dw_error *err) {
    if (c->nodes >= c->max_nodes)
        c->stopped = true;
    if (halted(c))
        return 0;
    c->nodes++;
    if (depth == c->n_wants)
        return leaf(c, err);

    const struct want *w = &c->wants[depth];
    struct why why;
    int r;
    if (w->state == WANT_SEARCH && set_covers(c, w->name)) {
        c->cov[depth] = 1;
        return dfs(c, depth + 1, err);
    }
    if (w->state == WANT_SEARCH) {
        c->cov[depth] = 1;
        for (size_t k = 0; k < w->n_cands && !halted(c) && may_improve(c, depth + 1); k++) {
            c->main[c->n_main++] = (struct main_entry){w->cands[k], depth, false};
            r = evaluate_set(c, c->main, c->n_main, &why, err);
            if (r == 0)
                r = dfs(c, depth + 1, err);
            c->n_main--;
            if (r < 0)
                return r;
        }
    }
    c->cov[depth] = w->state == WANT_SEARCH && w->n_opts > 0;
    if (halted(c) || !may_improve(c, depth + 1))
        return 0;
    return dfs(c, depth + 1, err);
}

/* ---- the solution document ----------------------------------------------------------- */

/* "site" for "sites", "branch" for "branches": good enough for unit names in reasons. */
static void singular(const char *unit, char *buf, size_t size) {
    size_t n = strlen(unit);
    snprintf(buf, size, "%s", unit);
    if (n >= size || n < 2 || unit[n - 1] != 's' || unit[n - 2] == 's')
        return;
    if (n > 3 && unit[n - 2] == 'e' &&
        (unit[n - 3] == 'x' ||
         (n > 4 && unit[n - 3] == 'h' && (unit[n - 4] == 'c' || unit[n - 4] == 's')) ||
         (n > 4 && unit[n - 3] == 's' && unit[n - 4] == 's')))
        buf[n - 2] = '\0';
    else
        buf[n - 1] = '\0';
}

static int main_reason(const struct cfg *c, size_t i, struct dw_buf *b) {
    const struct dw_item *it = c->items[i];
    int64_t v;
    const char *unit = quantity_source(c, it, &v);
    char one[64];
    if (unit && v > 0) {
        singular(unit, one, sizeof one);
        int64_t f = it->quantity_factor > 0 ? it->quantity_factor : 1;
        return dw_buf_printf(b, "%" PRId64 " %s x %" PRId64 " per %s", v, v == 1 ? one : unit, f,
                             one);
    }
    if (unit)
        return dw_buf_printf(b, "no number of %s given", unit);
    return dw_buf_puts(b, "one per solution");
}

/* The first line (in line order) that requires item i, or NONE. */
static size_t first_requirer(const struct cfg *c, const size_t *lines, size_t n_lines, size_t i) {
    for (size_t l = 0; l < n_lines; l++) {
        const struct dw_item *p = c->items[lines[l]];
        for (size_t r = 0; r < p->n_requires; r++)
            if (strcmp(p->requires[r].sku, c->items[i]->sku) == 0)
                return lines[l];
    }
    return NONE;
}

/* "required by 12 x EDGE-100 (1 per 1) + 120 x VPN-GW (1 per 50)" */
static int required_by_text(const struct cfg *c, const size_t *lines, size_t n_lines, size_t i,
                            struct dw_buf *b) {
    int r = dw_buf_puts(b, "required by ");
    bool first = true;
    for (size_t l = 0; l < n_lines && r == 0; l++) {
        const struct dw_item *p = c->items[lines[l]];
        for (size_t k = 0; k < p->n_requires && r == 0; k++) {
            if (strcmp(p->requires[k].sku, c->items[i]->sku) != 0)
                continue;
            int64_t per = p->requires[k].per > 0 ? p->requires[k].per : 1;
            r = dw_buf_printf(b, "%s%" PRId64 " x %s (1 per %" PRId64 ")", first ? "" : " + ",
                              c->slot[lines[l]].total, p->sku, per);
            first = false;
        }
    }
    return r;
}

static int line_reason(const struct cfg *c, const size_t *lines, size_t n_lines, size_t l,
                       const struct main_entry *me, char **ret) {
    size_t i = lines[l];
    const struct dw_item *it = c->items[i];
    const struct slot *s = &c->slot[i];
    struct dw_buf b;
    dw_buf_init(&b, 0);
    int r = 0;
    if (me && me->option) {
        size_t host = NONE;
        for (size_t k = 0; k < n_lines && host == NONE; k++)
            if (k != l && item_offers(c->items[lines[k]], it->sku))
                host = lines[k];
        if (host != NONE)
            r = dw_buf_printf(&b, "option of %s; ", c->items[host]->sku);
    }
    if (r == 0 && me)
        r = main_reason(c, i, &b);
    if (r == 0 && s->req > 0) {
        bool added = me && s->counted;
        bool absorbed = me && !s->counted;
        if (added)
            r = dw_buf_printf(&b, " + %" PRId64 " ", s->req);
        else if (absorbed)
            r = dw_buf_puts(&b, "; ");
        if (r == 0)
            r = required_by_text(c, lines, n_lines, i, &b);
        if (r == 0 && !added)
            r = dw_buf_printf(&b, ": %" PRId64, s->req);
        if (r == 0 && absorbed && s->req > s->main)
            r = dw_buf_puts(&b, ", the larger quantity applies");
    }
    int64_t before = s->counted ? s->main + s->req : (s->main > s->req ? s->main : s->req);
    if (r == 0 && before < min_of(it))
        r = dw_buf_printf(&b, "; raised to the minimum of %" PRId64, min_of(it));
    if (r < 0) {
        dw_buf_release(&b);
        return r;
    }
    *ret = dw_buf_steal(&b);
    return 0;
}

static const struct main_entry *main_of(const struct cfg *c, size_t i) {
    for (size_t k = 0; k < c->n_best_main; k++)
        if (c->best_main[k].item == i)
            return &c->best_main[k];
    return NULL;
}

static int cmp_main(const void *a, const void *b) {
    const struct main_entry *x = a, *y = b;
    if (x->want != y->want)
        return x->want < y->want ? -1 : 1;
    return x->option - y->option;
}

/* Lines: chosen items by the position of the capability they were chosen for, then
 * breadth-first the items the lines before require, each once. */
static size_t order_lines(struct cfg *c, size_t *lines) {
    size_t n = 0;
    qsort(c->best_main, c->n_best_main, sizeof *c->best_main, cmp_main);
    for (size_t k = 0; k < c->n_best_main; k++) {
        bool dup = false;
        for (size_t l = 0; l < n && !dup; l++)
            dup = lines[l] == c->best_main[k].item;
        if (!dup)
            lines[n++] = c->best_main[k].item;
    }
    for (size_t l = 0; l < n; l++) {
        const struct dw_item *it = c->items[lines[l]];
        for (size_t r = 0; r < it->n_requires; r++) {
            size_t j = find_item(c, it->requires[r].sku);
            bool dup = false;
            for (size_t m = 0; m < n && !dup; m++)
                dup = lines[m] == j;
            if (!dup && j != NONE)
                lines[n++] = j;
        }
    }
    return n;
}

/* The wanted capabilities a chosen line provides; required lines cover nothing. */
static json_t *covers_of(const struct cfg *c, const struct dw_item *it, bool chosen) {
    json_t *a = json_array();
    for (size_t j = 0; a && chosen && j < c->n_wants; j++)
        if (c->wants[j].state == WANT_SEARCH && item_provides(it, c->wants[j].name) &&
            json_array_append_new(a, json_string(c->wants[j].name)) < 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static int emit_lines(struct cfg *c, const size_t *lines, size_t n_lines, json_t *out) {
    for (size_t l = 0; l < n_lines; l++) {
        size_t i = lines[l];
        const struct dw_item *it = c->items[i];
        const struct main_entry *me = main_of(c, i);
        _cleanup_free_ char *reason = NULL;
        int r = line_reason(c, lines, n_lines, l, me, &reason);
        if (r < 0)
            return r;
        size_t req = me ? NONE : first_requirer(c, lines, n_lines, i);
        json_t *line =
            json_pack("{s:s, s:s, s:I, s:o*, s:s, s:o}", "sku", it->sku, "name",
                      it->name ? it->name : it->sku, "quantity", (json_int_t)c->slot[i].total,
                      "covers", covers_of(c, it, me != NULL), "reason", reason, "required_by",
                      req != NONE ? json_string(c->items[req]->sku) : json_null());
        if (!line || !json_object_get(line, "covers") || json_array_append_new(out, line) < 0) {
            json_decref(line);
            return -DW_ENOMEM;
        }
    }
    return 0;
}

/* Why a candidate cannot join the final set, for people. in_final marks the members of the
 * final set, so a conflict names the side that is already in the solution. */
static int why_text(const struct cfg *c, const bool *in_final, const struct why *why, size_t cand,
                    struct dw_buf *b) {
    const struct dw_item *ci = c->items[cand], *bad = c->items[why->item];
    switch (why->kind) {
    case WHY_BANNED:
        return dw_buf_printf(b, "%s requires %s, which provides %s that the customer excluded",
                             ci->sku, bad->sku, why->cap);
    case WHY_MAX:
        if (why->item == cand)
            return dw_buf_printf(b, "%s allows at most %" PRId64 " but %" PRId64 " are needed",
                                 ci->sku, bad->max_qty, why->qty);
        return dw_buf_printf(b, "%s would need %" PRId64 " x %s, above its maximum of %" PRId64,
                             ci->sku, why->qty, bad->sku, bad->max_qty);
    case WHY_CONFLICT: {
        size_t mine = why->item, theirs = why->other;
        if (in_final[mine]) {
            mine = why->other;
            theirs = why->item;
        }
        if (!in_final[theirs])
            return dw_buf_printf(b, "%s needs both %s and %s, which exclude each other", ci->sku,
                                 c->items[mine]->sku, c->items[theirs]->sku);
        if (mine == cand)
            return dw_buf_printf(b, "%s conflicts with %s", ci->sku, c->items[theirs]->sku);
        return dw_buf_printf(b, "%s requires %s, which conflicts with %s", ci->sku,
                             c->items[mine]->sku, c->items[theirs]->sku);
    }
    case WHY_NONE:
        break;
    }
    return dw_buf_printf(b, "%s could not be added", ci->sku);
}

#define MAX_REASONS 3 /* candidates named in one not_covered reason */

static int uncovered_reason(struct cfg *c, const struct want *w, const bool *in_final,
                            struct dw_buf *b, struct dw_error *err) {
    if (w->state == WANT_EXCLUDED)
        return dw_buf_puts(b, "excluded by the customer");
    if (w->n_cands == 0 && w->n_opts == 0) {
        /* Either nothing provides it, or only items the customer's exclusions rule out. */
        int r = 0;
        size_t named = 0;
        for (size_t i = 0; i < c->n && r == 0; i++) {
            if (!item_provides(c->items[i], w->name))
                continue;
            if (named++ == 0)
                r = dw_buf_puts(b, "every item providing it also provides a capability the "
                                   "customer excluded: ");
            else
                r = dw_buf_puts(b, ", ");
            if (r == 0)
                r = dw_buf_printf(b, "%s (%s)", c->items[i]->sku, c->banned_by[i]);
        }
        return named || r < 0 ? r : dw_buf_puts(b, "no item in the catalog provides it");
    }
    if (w->n_cands == 0) {
        int r = dw_buf_puts(b, "only sold as an option (");
        for (size_t k = 0; k < w->n_opts && r == 0; k++)
            r = dw_buf_printf(b, "%s%s", k ? ", " : "", c->items[w->opts[k]]->sku);
        return r < 0 ? r : dw_buf_puts(b, ") of items not in this solution");
    }
    struct main_entry set[2 * DW_CFG_MAX_WANTS + 1];
    memcpy(set, c->best_main, c->n_best_main * sizeof *set);
    int r = 0;
    for (size_t k = 0; k < w->n_cands && k < MAX_REASONS && r == 0; k++) {
        struct why why;
        set[c->n_best_main] = (struct main_entry){w->cands[k], 0, false};
        r = evaluate_set(c, set, c->n_best_main + 1, &why, err);
        if (r < 0)
            return r;
        r = k > 0 ? dw_buf_puts(b, "; ") : 0;
        if (r == 0)
            r = why_text(c, in_final, &why, w->cands[k], b);
    }
    if (r == 0 && w->n_cands > MAX_REASONS)
        r = dw_buf_printf(b, "; and %zu more", w->n_cands - MAX_REASONS);
    if (r == 0 && c->stopped)
        r = dw_buf_puts(b, " (search limit reached)");
    return r;
}

static int emit_not_covered(struct cfg *c, json_t *out, struct dw_error *err) {
    struct why why;
    int r = evaluate_set(c, c->best_main, c->n_best_main, &why, err);
    if (r != 0)
        return r < 0 ? r : dw_error_set(err, -DW_EINTERNAL, "configurator: invalid best set");
    _cleanup_free_ bool *in_final = calloc(c->n ? c->n : 1, sizeof *in_final);
    if (!in_final)
        return -DW_ENOMEM;
    for (size_t k = 0; k < c->n_order; k++)
        in_final[c->order[k]] = true;
    for (size_t j = 0; j < c->n_wants; j++) {
        if (c->best_cov[j])
            continue;
        struct dw_buf b;
        dw_buf_init(&b, 0);
        r = uncovered_reason(c, &c->wants[j], in_final, &b, err);
        if (r < 0) {
            dw_buf_release(&b);
            return r;
        }
        _cleanup_free_ char *text = dw_buf_steal(&b);
        if (json_array_append_new(
                out, json_pack("{s:s, s:s}", "capability", c->wants[j].name, "reason", text)) < 0)
            return -DW_ENOMEM;
    }
    return 0;
}

/* Options the lines offer that are not lines themselves, could join without breaking an
 * exclusion, and do not provide something the customer ruled out; in line order, then in
 * the order the catalog lists them, each once. Expects the final set evaluated. */
static int emit_options(const struct cfg *c, const size_t *lines, size_t n_lines, json_t *out) {
    for (size_t l = 0; l < n_lines; l++) {
        const struct dw_item *host = c->items[lines[l]];
        for (size_t k = 0; k < host->n_options; k++) {
            size_t o = find_item(c, host->options[k]);
            if (o == NONE || c->slot[o].total > 0 || c->banned_by[o])
                continue;
            const struct dw_item *opt = c->items[o];
            bool skip = false;
            for (size_t e = 0; e < opt->n_excludes && !skip; e++) {
                size_t x = find_item(c, opt->excludes[e]);
                skip = x != NONE && c->slot[x].total > 0;
            }
            for (size_t m = 0; m < n_lines && !skip; m++) {
                const struct dw_item *li = c->items[lines[m]];
                for (size_t e = 0; e < li->n_excludes && !skip; e++)
                    skip = strcmp(li->excludes[e], opt->sku) == 0;
            }
            size_t i;
            json_t *prev;
            json_array_foreach(out, i, prev) skip =
                skip || strcmp(dw_json_str(prev, "sku"), opt->sku) == 0;
            if (skip)
                continue;
            if (json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "sku", opt->sku, "for",
                                                     host->sku, "name",
                                                     opt->name ? opt->name : opt->sku)) < 0)
                return -DW_ENOMEM;
        }
    }
    return 0;
}

static int build_solution(struct cfg *c, json_t **ret, struct dw_error *err) {
    _cleanup_json_ json_t *sol =
        json_pack("{s:[], s:[], s:[], s:{s:I, s:b}}", "lines", "not_covered", "options", "search",
                  "nodes", (json_int_t)c->nodes, "exhaustive", !c->stopped);
    if (!sol)
        return -DW_ENOMEM;
    _cleanup_free_ size_t *lines = calloc(c->n ? c->n : 1, sizeof *lines);
    if (!lines)
        return -DW_ENOMEM;
    /* not_covered evaluates trial sets; do it before the final set is evaluated again. */
    int r = emit_not_covered(c, json_object_get(sol, "not_covered"), err);
    if (r < 0)
        return r;
    struct why why;
    r = evaluate_set(c, c->best_main, c->n_best_main, &why, err);
    if (r != 0)
        return r < 0 ? r : dw_error_set(err, -DW_EINTERNAL, "configurator: invalid best set");
    size_t n_lines = order_lines(c, lines);
    r = emit_lines(c, lines, n_lines, json_object_get(sol, "lines"));
    if (r == 0)
        r = emit_options(c, lines, n_lines, json_object_get(sol, "options"));
    if (r < 0)
        return r == -DW_ENOMEM ? dw_error_set(err, r, "out of memory") : r;
    *ret = DW_TAKE_PTR(sol);
    return 0;
}

/* ---- entry points -------------------------------------------------------------------- */

int dw__configure_limited(const struct dw_workspace *ws, const json_t *requirements, long max_nodes,
                          json_t **ret_solution, struct dw_error *err) {
    if (!ws || !json_is_object(requirements) || !ret_solution || max_nodes < 1)
        return dw_error_set(err, -DW_EINVAL, "configure: requirements must be an object");
    int r = check_list(requirements, "capabilities", err);
    if (r == 0)
        r = check_list(requirements, "excluded_capabilities", err);
    if (r == 0)
        r = check_quantities(json_object_get(requirements, "quantities"), err);
    if (r < 0)
        return r;

    struct cfg *c = calloc(1, sizeof *c);
    if (!c)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    c->ws = ws;
    c->excluded = json_object_get(requirements, "excluded_capabilities");
    c->quantities = json_object_get(requirements, "quantities");
    c->max_nodes = max_nodes;
    r = build_index(c);
    if (r == 0)
        r = load_wants(c, requirements, err);
    if (r == 0)
        r = dfs(c, 0, err);
    if (r == 0 && !c->have_best)
        r = dw_error_set(err, -DW_EINTERNAL, "configurator: no configuration found");
    if (r == 0)
        r = build_solution(c, ret_solution, err);
    if (r == -DW_ENOMEM)
        dw_error_set(err, r, "out of memory");
    cfg_release(c);
    free(c);
    return r;
}

int dw_configure(const struct dw_workspace *ws, const json_t *requirements, json_t **ret_solution,
                 struct dw_error *err) {
    return dw__configure_limited(ws, requirements, DW_CFG_MAX_NODES, ret_solution, err);
}
