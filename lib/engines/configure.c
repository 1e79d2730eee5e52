/* The configurator as a mixed-integer linear program (GLPK).
 *
 * Per relevant item p three columns: q_p (integer quantity), b_p (binary: in the solution)
 * and c_p (binary: chosen for the customer, so it covers the wanted capabilities it
 * provides and is sized from the customer's count); per wanted capability k a binary s_k
 * (covered). The catalog's rules and the customer's requirements are rows and bounds, each
 * belonging to one named *group* ("the customer has 12 sites", "NW-EDGE-50 is sold at most
 * 50 per deal"). A group can be switched off, which is how the conflict explanation works:
 * a deletion filter over the groups leaves an irreducible infeasible subset, and its groups
 * are worded for a sales engineer. docs/internals/configurator.md has the model row by row.
 *
 * Solves, in order: (lenient only) the most wanted capabilities coverable; then the
 * workspace's objective (list cost by default); then, with that fixed, list cost when the
 * objective was something else; then the fewest units. Each stage fixes the previous
 * optimum as a row, so the final answer is the lexicographic optimum of the stages, and the
 * model is built from sorted inputs, so it does not depend on the order of any input.
 *
 * Every configuration is checked by check_solution() — exact integer arithmetic, no solver
 * — before it is returned: a numerical slip in the solver becomes an error, never a wrong
 * quote. The same check is public as dw_configure_verify() for the property tests.
 */
#include <glpk.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/configure.h"

#define NONE ((size_t)-1)
#define SOLVE_MS 10000 /* per solve; a solve that hits it returns what it found */

enum gkind {
    G_WANT,   /* a: want index — the customer needs capability k */
    G_QTY,    /* a: unit index — the customer's count of a unit */
    G_EXCAP,  /* a: excluded capability index — the customer ruled it out */
    G_ATTR,   /* a: attribute requirement index — total at least / at most */
    G_LIMIT,  /* a: limit index — at most N of a SKU */
    G_SELECT, /* a: selection index — exactly N of a SKU */
    G_MIN,    /* a: item — min_qty */
    G_MAX,    /* a: item — max_qty */
    G_REQ,    /* a: item, b: its requires entry */
    G_EXCL,   /* a, b: items (a < b) that exclude each other */
    G_COMPAT, /* a: catalog constraint (compatibility table) */
    G_SUPPLY, /* a: catalog constraint (supply covers demand) */
    G_OPTION, /* a: item — option_only: needs a host */
    G_SLOT,   /* a: slot kind index — hosted parts fit the hosts' slots */
};

struct group {
    enum gkind kind;
    size_t a, b;
};

struct unit_count {
    const char *unit;
    int64_t value; /* > 0 */
    size_t gid;
    int64_t lead; /* the lead the count came from, -1 when not said */
};

struct attr_req {
    const char *name;
    bool has_min, has_max;
    int64_t min, max;
    size_t gid;
};

struct sku_qty {
    size_t item;
    int64_t qty;
    size_t gid;
};

struct edge {
    size_t from; /* the requiring item */
    size_t k;    /* its requires entry */
};

struct cfg {
    const struct dw_workspace *ws;
    bool strict;

    const struct dw_item **items; /* every catalog item, sorted by SKU */
    size_t n;
    int64_t *price; /* home list price, 0 when unpriced */
    const struct dw_pricebook *book;

    const char **wants; /* sorted, unique */
    size_t n_wants;
    size_t *want_gid;
    const char **excaps; /* excluded capabilities, sorted, unique */
    size_t n_excaps;
    size_t *excap_gid;
    struct unit_count *units; /* sorted by unit */
    size_t n_units;
    struct attr_req *attrs; /* sorted by name */
    size_t n_attrs;
    struct sku_qty *limits, *selects; /* sorted by item */
    size_t n_limits, n_selects;

    /* the items the model speaks about, sorted by SKU; pos[i] is i's position or NONE */
    size_t *rel;
    size_t m;
    size_t *pos;
    int64_t *ub; /* a bound on each relevant item's quantity in any minimal solution */
    /* per relevant position: the item serves the customer's count in its unit (a wanted
     * provider, or a host of slots, counted in a unit the customer gave) — column a_p */
    bool *alloc_ok;
    bool *brings;            /* [p * n_wants + k]: p's requires chain holds a provider of want k */
    const char **slot_kinds; /* the slots the relevant hosted parts take, sorted, unique */
    size_t n_slot_kinds;
    size_t *slot_gid;

    struct group *groups;
    size_t n_groups;
    size_t *min_gid, *max_gid, *opt_gid; /* per item, NONE when the item has no such rule */
    size_t **req_gid;                    /* per item and requires entry */
    size_t *rule_gid;                    /* per catalog constraint */

    /* who requires each catalog item: (requirer, its requires entry), requirers by SKU */
    struct edge *req_in;
    size_t *req_in_at; /* item i's edges are req_in[req_in_at[i] .. req_in_at[i + 1]] */

    int solves;
    bool exhaustive;
    bool glpk_reset; /* GLPK failed inside and its environment was freed: no lp is valid */
};

/* ---- small helpers --------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

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

static bool has_str(char *const *v, size_t n, const char *s) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

static bool provides(const struct dw_item *it, const char *cap) {
    return has_str(it->capabilities, it->n_capabilities, cap);
}

static int64_t attr_of(const struct dw_item *it, const char *name) {
    for (size_t i = 0; i < it->n_attributes; i++)
        if (strcmp(it->attributes[i].name, name) == 0)
            return it->attributes[i].value;
    return 0;
}

static int64_t req_count(const struct dw_item_req *r) {
    return r->count > 0 ? r->count : 1;
}

static int64_t req_per(const struct dw_item_req *r) {
    return r->per > 0 ? r->per : 1;
}

static int64_t min_of(const struct dw_item *it) {
    return it->min_qty > 1 ? it->min_qty : 1;
}

static size_t sorted_find(const char *const *v, size_t n, const char *s) {
    const char *const *hit = n ? bsearch(&s, v, n, sizeof *v, cmp_str) : NULL;
    return hit ? (size_t)(hit - v) : NONE;
}

static int64_t gcd64(int64_t a, int64_t b) {
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* A non-negative fraction, kept reduced; den 0 marks an overflow. */
struct frac {
    __int128 num;
    __int128 den;
};

static void frac_add(struct frac *f, int64_t num, int64_t den) {
    if (f->den == 0)
        return;
    __int128 n = f->num * den + (__int128)num * f->den, d = f->den * den;
    __int128 a = n < 0 ? -n : n, b = d;
    while (b) {
        __int128 t = a % b;
        a = b;
        b = t;
    }
    if (a > 1) {
        n /= a;
        d /= a;
    }
    const __int128 lim = (__int128)1 << 100;
    f->num = n;
    f->den = d > lim || n > lim ? 0 : d;
}

static int64_t frac_ceil(const struct frac *f) {
    return (int64_t)((f->num + f->den - 1) / f->den);
}

/* ---- requirements ---------------------------------------------------------------------- */

static const char *entry_name(const json_t *e) {
    if (json_is_string(e))
        return json_string_value(e);
    return dw_json_str(e, "name");
}

static int read_names(const json_t *req, const char *key, const char ***ret, size_t *ret_n,
                      size_t limit, struct dw_error *err) {
    json_t *v = json_object_get(req, key);
    if (v && !json_is_array(v) && !json_is_null(v))
        return dw_error_field(err, -DW_EINVAL, key, "must be a list");
    size_t n = json_array_size(v), k = 0;
    const char **out = calloc(n ? n : 1, sizeof *out);
    if (!out)
        return -DW_ENOMEM;
    *ret = out;
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
        const char *name = entry_name(e);
        if (!name) {
            char field[64];
            snprintf(field, sizeof field, "%s[%zu].name", key, i);
            return dw_error_field(err, -DW_EINVAL, field, "must be a capability name");
        }
        out[k++] = name;
    }
    if (k > 1)
        qsort(out, k, sizeof *out, cmp_str);
    size_t u = 0;
    for (size_t j = 0; j < k; j++)
        if (u == 0 || strcmp(out[u - 1], out[j]) != 0)
            out[u++] = out[j];
    if (u > limit)
        return dw_error_field(err, -DW_ETOOBIG, key, "more than %zu capabilities", limit);
    *ret_n = u;
    return 0;
}

static int bad_count(struct dw_error *err, const char *field, const json_t *v) {
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return dw_error_field(err, -DW_EINVAL, field, "must be a non-negative integer");
    if (json_integer_value(v) > DW_CFG_MAX_QUANTITY)
        return dw_error_field(err, -DW_ETOOBIG, field,
                              "%" JSON_INTEGER_FORMAT " is above the limit of %lld",
                              json_integer_value(v), DW_CFG_MAX_QUANTITY);
    return 0;
}

static int cmp_unit(const void *a, const void *b) {
    return strcmp(((const struct unit_count *)a)->unit, ((const struct unit_count *)b)->unit);
}

/* Counts by unit. For a unit given twice, a later lead's count wins (a follow-up corrects
 * the first message); two counts from the same lead are parts and whole ("12 sites (three
 * hospitals and nine clinics)", "27 access points, three per store"), so the larger wins;
 * without lead ids the later entry wins. A count of 0 counts as not given. */
static int read_units(struct cfg *c, const json_t *q, struct dw_error *err) {
    if (q && !json_is_array(q) && !json_is_null(q))
        return dw_error_field(err, -DW_EINVAL, "quantities", "must be a list");
    size_t n = json_array_size(q);
    if (n > DW_CFG_MAX_ENTRIES)
        return dw_error_field(err, -DW_ETOOBIG, "quantities", "more than %d entries",
                              DW_CFG_MAX_ENTRIES);
    c->units = calloc(n ? n : 1, sizeof *c->units);
    if (!c->units)
        return -DW_ENOMEM;
    size_t i;
    json_t *e;
    json_array_foreach(q, i, e) {
        char field[64];
        const char *unit = dw_json_str(e, "unit");
        if (!unit) {
            snprintf(field, sizeof field, "quantities[%zu].unit", i);
            return dw_error_field(err, -DW_EINVAL, field, "must be a unit name");
        }
        snprintf(field, sizeof field, "quantities[%zu].value", i);
        int r = bad_count(err, field, json_object_get(e, "value"));
        if (r < 0)
            return r;
        int64_t v = json_integer_value(json_object_get(e, "value"));
        json_t *lj = json_object_get(e, "lead");
        int64_t lead =
            json_is_integer(lj) && json_integer_value(lj) >= 0 ? json_integer_value(lj) : -1;
        size_t k = 0;
        while (k < c->n_units && strcmp(c->units[k].unit, unit) != 0)
            k++;
        if (k == c->n_units)
            c->units[c->n_units++] = (struct unit_count){unit, v, NONE, lead};
        else if (lead < 0 || lead != c->units[k].lead || v > c->units[k].value) {
            if (lead >= 0 && c->units[k].lead >= 0 && lead < c->units[k].lead)
                continue; /* an earlier lead's count, listed late */
            c->units[k].value = v;
            c->units[k].lead = lead;
        }
    }
    size_t u = 0;
    for (size_t k = 0; k < c->n_units; k++)
        if (c->units[k].value > 0)
            c->units[u++] = c->units[k];
    c->n_units = u;
    if (u > 1)
        qsort(c->units, u, sizeof *c->units, cmp_unit);
    return 0;
}

static int cmp_attr(const void *a, const void *b) {
    return strcmp(((const struct attr_req *)a)->name, ((const struct attr_req *)b)->name);
}

/* attributes: [{name, min?, max?}] — totals over the solution. */
static int read_attrs(struct cfg *c, const json_t *v, struct dw_error *err) {
    if (v && !json_is_array(v) && !json_is_null(v))
        return dw_error_field(err, -DW_EINVAL, "attributes", "must be a list");
    size_t n = json_array_size(v);
    if (n > DW_CFG_MAX_ENTRIES)
        return dw_error_field(err, -DW_ETOOBIG, "attributes", "more than %d entries",
                              DW_CFG_MAX_ENTRIES);
    c->attrs = calloc(n ? n : 1, sizeof *c->attrs);
    if (!c->attrs)
        return -DW_ENOMEM;
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
        char field[64];
        struct attr_req *a = &c->attrs[c->n_attrs];
        a->name = dw_json_str(e, "name");
        if (!a->name || !a->name[0]) {
            snprintf(field, sizeof field, "attributes[%zu].name", i);
            return dw_error_field(err, -DW_EINVAL, field, "must be an attribute name");
        }
        for (size_t k = 0; k < c->n_attrs; k++)
            if (strcmp(c->attrs[k].name, a->name) == 0) {
                snprintf(field, sizeof field, "attributes[%zu].name", i);
                return dw_error_field(err, -DW_EINVAL, field, "'%s' is given twice", a->name);
            }
        static const char *const keys[] = {"min", "max"};
        for (int k = 0; k < 2; k++) {
            json_t *x = json_object_get(e, keys[k]);
            if (!x)
                continue;
            snprintf(field, sizeof field, "attributes[%zu].%s", i, keys[k]);
            int r = bad_count(err, field, x);
            if (r < 0)
                return r;
            if (k == 0) {
                a->has_min = true;
                a->min = json_integer_value(x);
            } else {
                a->has_max = true;
                a->max = json_integer_value(x);
            }
        }
        if (!a->has_min && !a->has_max) {
            snprintf(field, sizeof field, "attributes[%zu]", i);
            return dw_error_field(err, -DW_EINVAL, field, "needs min or max");
        }
        c->n_attrs++;
    }
    if (c->n_attrs > 1)
        qsort(c->attrs, c->n_attrs, sizeof *c->attrs, cmp_attr);
    return 0;
}

static int cmp_skuq(const void *a, const void *b) {
    size_t x = ((const struct sku_qty *)a)->item, y = ((const struct sku_qty *)b)->item;
    return x < y ? -1 : x > y;
}

/* limits: [{sku, max}] and select: {SKU: N}. */
static int read_skus(struct cfg *c, const json_t *req, struct dw_error *err) {
    json_t *lim = json_object_get(req, "limits"), *sel = json_object_get(req, "select");
    if (lim && !json_is_array(lim) && !json_is_null(lim))
        return dw_error_field(err, -DW_EINVAL, "limits", "must be a list");
    if (sel && !json_is_object(sel) && !json_is_null(sel))
        return dw_error_field(err, -DW_EINVAL, "select", "must be an object {SKU: quantity}");
    size_t nl = json_array_size(lim), ns = json_object_size(sel);
    if (nl > DW_CFG_MAX_ENTRIES || ns > DW_CFG_MAX_ENTRIES)
        return dw_error_field(err, -DW_ETOOBIG, nl > DW_CFG_MAX_ENTRIES ? "limits" : "select",
                              "more than %d entries", DW_CFG_MAX_ENTRIES);
    c->limits = calloc(nl ? nl : 1, sizeof *c->limits);
    c->selects = calloc(ns ? ns : 1, sizeof *c->selects);
    if (!c->limits || !c->selects)
        return -DW_ENOMEM;
    char field[96];
    size_t i;
    json_t *e;
    json_array_foreach(lim, i, e) {
        const char *sku = dw_json_str(e, "sku");
        size_t it = sku ? find_item(c, sku) : NONE;
        snprintf(field, sizeof field, "limits[%zu].sku", i);
        if (it == NONE)
            return dw_error_field(err, -DW_EINVAL, field, "'%s' is not a catalog item",
                                  sku ? sku : "");
        for (size_t k = 0; k < c->n_limits; k++)
            if (c->limits[k].item == it)
                return dw_error_field(err, -DW_EINVAL, field, "%s is limited twice", sku);
        snprintf(field, sizeof field, "limits[%zu].max", i);
        int r = bad_count(err, field, json_object_get(e, "max"));
        if (r < 0)
            return r;
        c->limits[c->n_limits++] =
            (struct sku_qty){it, json_integer_value(json_object_get(e, "max")), NONE};
    }
    const char *key;
    json_t *v;
    json_object_foreach(sel, key, v) {
        size_t it = find_item(c, key);
        snprintf(field, sizeof field, "select.%.64s", key);
        if (it == NONE)
            return dw_error_field(err, -DW_EINVAL, field, "'%s' is not a catalog item", key);
        int r = bad_count(err, field, v);
        if (r < 0)
            return r;
        c->selects[c->n_selects++] = (struct sku_qty){it, json_integer_value(v), NONE};
    }
    if (c->n_limits > 1)
        qsort(c->limits, c->n_limits, sizeof *c->limits, cmp_skuq);
    if (c->n_selects > 1)
        qsort(c->selects, c->n_selects, sizeof *c->selects, cmp_skuq);
    return 0;
}

static const struct unit_count *unit_of(const struct cfg *c, const struct dw_item *it) {
    if (!it->quantity_unit)
        return NULL;
    for (size_t k = 0; k < c->n_units; k++)
        if (strcmp(c->units[k].unit, it->quantity_unit) == 0)
            return &c->units[k];
    return NULL;
}

/* The quantity of item i when chosen for the customer: the count in its unit times its
 * factor (*counted), else 1. With `active`, a switched-off count does not apply. */
static int64_t demand_of(const struct cfg *c, size_t i, const bool *active, bool *counted) {
    const struct dw_item *it = c->items[i];
    const struct unit_count *u = unit_of(c, it);
    *counted = u && (!active || active[u->gid]);
    if (!*counted)
        return 1;
    int64_t f = it->quantity_factor > 0 ? it->quantity_factor : 1, d;
    if (dw_mul_checked(u->value, f, &d) < 0 || d > DW_CFG_MAX_QUANTITY)
        d = DW_CFG_MAX_QUANTITY;
    return d;
}

static bool banned(const struct cfg *c, const struct dw_item *it, const bool *active) {
    for (size_t k = 0; k < it->n_capabilities; k++) {
        size_t e = sorted_find(c->excaps, c->n_excaps, it->capabilities[k]);
        if (e != NONE && (!active || active[c->excap_gid[e]]))
            return true;
    }
    return false;
}

static const char *banned_cap(const struct cfg *c, const struct dw_item *it) {
    for (size_t k = 0; k < it->n_capabilities; k++)
        if (sorted_find(c->excaps, c->n_excaps, it->capabilities[k]) != NONE)
            return it->capabilities[k];
    return NULL;
}

static bool wanted_provider(const struct cfg *c, const struct dw_item *it) {
    for (size_t k = 0; k < it->n_capabilities; k++)
        if (sorted_find(c->wants, c->n_wants, it->capabilities[k]) != NONE)
            return true;
    return false;
}

static int64_t slots_of(const struct dw_item *it, const char *kind) {
    for (size_t k = 0; k < it->n_slots; k++)
        if (it->slots[k].name && strcmp(it->slots[k].name, kind) == 0)
            return it->slots[k].value;
    return 0;
}

/* Does item i require, directly or down its requires chain, an item that provides cap?
 * An HA kit counted in hubs brings the hub gateways, so it serves the hubs with SD-WAN.
 * memo per catalog item: 0 not known yet, 1 no, 2 yes (each item is settled once). */
static bool requires_provider(const struct cfg *c, size_t i, const char *cap, unsigned char *memo,
                              int depth) {
    if (memo[i])
        return memo[i] == 2;
    const struct dw_item *it = c->items[i];
    bool yes = false;
    for (size_t r = 0; r < it->n_requires && !yes && depth <= DW_CFG_MAX_DEPTH; r++) {
        size_t j = find_item(c, it->requires[r].sku);
        yes = j != NONE && j != i &&
              (provides(c->items[j], cap) || requires_provider(c, j, cap, memo, depth + 1));
    }
    memo[i] = yes ? 2 : 1;
    return yes;
}

/* How item p serves the customer's count of unit u for capability k: 1 when it provides k
 * and is counted in u, 2 when it is counted in u and brings a provider of k through its
 * requires, 0 when it does not. Only items with an allocation column serve a count. */
static int serves(const struct cfg *c, size_t p, size_t k, const struct unit_count *u) {
    const struct dw_item *it = c->items[c->rel[p]];
    if (!c->alloc_ok[p] || !it->quantity_unit || strcmp(it->quantity_unit, u->unit) != 0)
        return 0;
    if (provides(it, c->wants[k]))
        return 1;
    return c->brings[p * c->n_wants + k] ? 2 : 0;
}

/* The customer's counts that capability k is measured in: units in which some relevant
 * provider of k is counted. Each of them must be served in full when k is covered. */
static bool measured_in(const struct cfg *c, size_t k, const struct unit_count *u) {
    for (size_t p = 0; p < c->m; p++)
        if (serves(c, p, k, u) == 1)
            return true;
    return false;
}

static int64_t factor_of(const struct dw_item *it) {
    return it->quantity_factor > 0 ? it->quantity_factor : 1;
}

/* ---- the relevant items ------------------------------------------------------------------ */

/* The items a configuration may contain: providers of wanted capabilities, selected and
 * limited items, and — to a fixpoint — what they require, the options they offer, and the
 * accessories (items without capabilities) that supply an attribute they demand. Nothing
 * else is bought: not a gateway from an unrelated family to reach a throughput total, nor a
 * switch nobody asked for to power access points (the conflict then says so). */
static int find_relevant(struct cfg *c) {
    _cleanup_free_ bool *in = calloc(c->n ? c->n : 1, sizeof *in);
    c->pos = calloc(c->n ? c->n : 1, sizeof *c->pos);
    c->rel = calloc(c->n ? c->n : 1, sizeof *c->rel);
    if (!in || !c->pos || !c->rel)
        return -DW_ENOMEM;
    for (size_t i = 0; i < c->n; i++)
        in[i] = wanted_provider(c, c->items[i]);
    for (size_t k = 0; k < c->n_limits; k++)
        in[c->limits[k].item] = true;
    for (size_t k = 0; k < c->n_selects; k++)
        in[c->selects[k].item] = true;
    const struct dw_workspace *ws = c->ws;
    for (bool grew = true; grew;) {
        grew = false;
        for (size_t i = 0; i < c->n; i++) {
            if (!in[i])
                continue;
            const struct dw_item *it = c->items[i];
            for (size_t r = 0; r < it->n_requires; r++) {
                size_t j = find_item(c, it->requires[r].sku);
                if (j != NONE && !in[j])
                    in[j] = grew = true;
            }
            for (size_t o = 0; o < it->n_options; o++) {
                size_t j = find_item(c, it->options[o]);
                if (j != NONE && !in[j])
                    in[j] = grew = true;
            }
            for (size_t j = 0; j < c->n && it->slot; j++) /* a hosted part's hosts */
                if (!in[j] && slots_of(c->items[j], it->slot) > 0)
                    in[j] = grew = true;
            for (size_t t = 0; t < ws->n_cfg_rules; t++) {
                const struct dw_cfg_rule *rule = &ws->cfg_rules[t];
                if (rule->kind != DW_CFG_RULE_SUPPLY || attr_of(it, rule->demand) <= 0)
                    continue;
                for (size_t j = 0; j < c->n; j++) /* accessories, or what was asked for */
                    if (!in[j] && attr_of(c->items[j], rule->supply) > 0 &&
                        c->items[j]->n_capabilities == 0)
                        in[j] = grew = true;
            }
        }
    }
    for (size_t i = 0; i < c->n; i++) {
        c->pos[i] = NONE;
        if (in[i]) {
            c->pos[i] = c->m;
            c->rel[c->m++] = i;
        }
    }
    c->alloc_ok = calloc(c->m ? c->m : 1, sizeof *c->alloc_ok);
    c->slot_kinds = calloc(c->m ? c->m : 1, sizeof *c->slot_kinds);
    c->brings = calloc(c->m * c->n_wants + 1, sizeof *c->brings);
    _cleanup_free_ unsigned char *memo = calloc(c->n ? c->n : 1, 1);
    if (!c->alloc_ok || !c->slot_kinds || !c->brings || !memo)
        return -DW_ENOMEM;
    for (size_t k = 0; k < c->n_wants; k++) {
        memset(memo, 0, c->n ? c->n : 1);
        for (size_t p = 0; p < c->m; p++)
            c->brings[p * c->n_wants + k] = requires_provider(c, c->rel[p], c->wants[k], memo, 0);
    }
    for (size_t p = 0; p < c->m; p++) {
        const struct dw_item *it = c->items[c->rel[p]];
        c->alloc_ok[p] = unit_of(c, it) && (wanted_provider(c, it) || it->n_slots > 0);
        if (it->slot && sorted_find(c->slot_kinds, c->n_slot_kinds, it->slot) == NONE) {
            size_t k = c->n_slot_kinds++; /* insertion keeps the list sorted */
            while (k > 0 && strcmp(c->slot_kinds[k - 1], it->slot) > 0) {
                c->slot_kinds[k] = c->slot_kinds[k - 1];
                k--;
            }
            c->slot_kinds[k] = it->slot;
        }
    }
    return 0;
}

/* Upper bounds on each relevant quantity (the big-M of q <= U b): what the customer's
 * counts, minimums, selections, totals and the requires closure could ask for. */
static int visit_ub(struct cfg *c, size_t p, unsigned char *mark, const int64_t *base, int depth,
                    struct dw_error *err) {
    if (mark[p] == 2)
        return 0;
    const struct dw_item *it = c->items[c->rel[p]];
    if (mark[p] == 1)
        return dw_error_set(err, -DW_EVALIDATE, "the requires of %s form a cycle", it->sku);
    if (depth > DW_CFG_MAX_DEPTH)
        return dw_error_set(err, -DW_EVALIDATE, "requires chain below %s is deeper than %d",
                            it->sku, DW_CFG_MAX_DEPTH);
    mark[p] = 1;
    int64_t u = base[p];
    size_t i = c->rel[p];
    for (size_t x = c->req_in_at[i]; x < c->req_in_at[i + 1]; x++) { /* requirers of p */
        size_t q = c->pos[c->req_in[x].from], k = c->req_in[x].k;
        const struct dw_item *r = c->items[c->req_in[x].from];
        if (q == NONE)
            continue;
        {
            int e = visit_ub(c, q, mark, base, depth + 1, err);
            if (e < 0)
                return e;
            __int128 need =
                ((__int128)c->ub[q] * req_count(&r->requires[k]) + req_per(&r->requires[k]) - 1) /
                req_per(&r->requires[k]);
            u = need + u > DW_CFG_MAX_QUANTITY ? DW_CFG_MAX_QUANTITY : u + (int64_t)need;
        }
    }
    c->ub[p] = u;
    mark[p] = 2;
    return 0;
}

static int compute_bounds(struct cfg *c, struct dw_error *err) {
    size_t m = c->m ? c->m : 1;
    c->ub = calloc(m, sizeof *c->ub);
    _cleanup_free_ int64_t *base = calloc(m, sizeof *base);
    _cleanup_free_ unsigned char *mark = calloc(m, 1);
    if (!c->ub || !base || !mark)
        return -DW_ENOMEM;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t p = 0; p < c->m; p++) {
            const struct dw_item *it = c->items[c->rel[p]];
            bool counted;
            int64_t d = demand_of(c, c->rel[p], NULL, &counted);
            int64_t b = d > min_of(it) ? d : min_of(it);
            for (size_t k = 0; k < c->n_selects; k++)
                if (c->selects[k].item == c->rel[p] && c->selects[k].qty > b)
                    b = c->selects[k].qty;
            if (pass == 1) {
                for (size_t a = 0; a < c->n_attrs; a++) {
                    int64_t v = attr_of(it, c->attrs[a].name);
                    if (c->attrs[a].has_min && v > 0)
                        b += (c->attrs[a].min + v - 1) / v;
                }
                for (size_t t = 0; t < c->ws->n_cfg_rules; t++) {
                    const struct dw_cfg_rule *rule = &c->ws->cfg_rules[t];
                    int64_t s = rule->kind == DW_CFG_RULE_SUPPLY ? attr_of(it, rule->supply) : 0;
                    if (s <= 0)
                        continue;
                    __int128 dem = 0;
                    for (size_t q = 0; q < c->m; q++)
                        dem += (__int128)c->ub[q] * attr_of(c->items[c->rel[q]], rule->demand);
                    __int128 add = (dem + s - 1) / s;
                    b = add + b > DW_CFG_MAX_QUANTITY ? DW_CFG_MAX_QUANTITY : b + (int64_t)add;
                }
            }
            base[p] = b > DW_CFG_MAX_QUANTITY ? DW_CFG_MAX_QUANTITY : b;
        }
        memset(mark, 0, m);
        for (size_t p = 0; p < c->m; p++) {
            int r = visit_ub(c, p, mark, base, 0, err);
            if (r < 0)
                return r;
        }
    }
    for (size_t p = 0; p < c->m; p++) {
        if (c->ub[p] < 1)
            c->ub[p] = 1;
    }
    return 0;
}

/* ---- groups ------------------------------------------------------------------------------ */

static size_t add_group(struct cfg *c, enum gkind kind, size_t a, size_t b) {
    c->groups[c->n_groups] = (struct group){kind, a, b};
    return c->n_groups++;
}

static int cmp_pair(const void *x, const void *y) {
    const struct group *a = x, *b = y;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

/* Every group, in a canonical order: the customer's requirements first, then the catalog's
 * rules by SKU. The deletion filter walks them in this order. */
static int build_groups(struct cfg *c, struct dw_error *err) {
    size_t cap = c->n_wants + c->n_excaps + c->n_units + c->n_attrs + c->n_limits + c->n_selects +
                 c->ws->n_cfg_rules + c->n_slot_kinds;
    for (size_t p = 0; p < c->m; p++) {
        const struct dw_item *it = c->items[c->rel[p]];
        cap += 3 + it->n_requires + it->n_excludes;
    }
    if (cap > DW_CFG_MAX_GROUPS * 64)
        cap = DW_CFG_MAX_GROUPS * 64;
    c->groups = calloc(cap + 1, sizeof *c->groups);
    size_t n = c->n ? c->n : 1;
    c->min_gid = calloc(n, sizeof *c->min_gid);
    c->max_gid = calloc(n, sizeof *c->max_gid);
    c->opt_gid = calloc(n, sizeof *c->opt_gid);
    c->req_gid = calloc(n, sizeof *c->req_gid);
    c->want_gid = calloc(c->n_wants + 1, sizeof *c->want_gid);
    c->excap_gid = calloc(c->n_excaps + 1, sizeof *c->excap_gid);
    c->rule_gid = calloc(c->ws->n_cfg_rules + 1, sizeof *c->rule_gid);
    c->slot_gid = calloc(c->n_slot_kinds + 1, sizeof *c->slot_gid);
    if (!c->groups || !c->min_gid || !c->max_gid || !c->opt_gid || !c->req_gid || !c->want_gid ||
        !c->excap_gid || !c->rule_gid || !c->slot_gid)
        return -DW_ENOMEM;
    for (size_t k = 0; k < c->n_wants; k++)
        c->want_gid[k] = add_group(c, G_WANT, k, 0);
    for (size_t k = 0; k < c->n_excaps; k++)
        c->excap_gid[k] = add_group(c, G_EXCAP, k, 0);
    for (size_t k = 0; k < c->n_units; k++)
        c->units[k].gid = add_group(c, G_QTY, k, 0);
    for (size_t k = 0; k < c->n_attrs; k++)
        c->attrs[k].gid = add_group(c, G_ATTR, k, 0);
    for (size_t k = 0; k < c->n_limits; k++)
        c->limits[k].gid = add_group(c, G_LIMIT, k, 0);
    for (size_t k = 0; k < c->n_selects; k++)
        c->selects[k].gid = add_group(c, G_SELECT, k, 0);
    for (size_t i = 0; i < c->n; i++)
        c->min_gid[i] = c->max_gid[i] = c->opt_gid[i] = NONE;
    for (size_t p = 0; p < c->m; p++) {
        size_t i = c->rel[p];
        const struct dw_item *it = c->items[i];
        if (c->n_groups + it->n_requires + 3 > cap)
            return dw_error_set(err, -DW_ETOOBIG, "configure: more than %zu constraints", cap);
        if (it->min_qty > 1)
            c->min_gid[i] = add_group(c, G_MIN, i, 0);
        if (it->max_qty > 0)
            c->max_gid[i] = add_group(c, G_MAX, i, 0);
        if (it->option_only)
            c->opt_gid[i] = add_group(c, G_OPTION, i, 0);
        c->req_gid[i] = calloc(it->n_requires + 1, sizeof **c->req_gid);
        if (!c->req_gid[i])
            return -DW_ENOMEM;
        for (size_t r = 0; r < it->n_requires; r++)
            c->req_gid[i][r] =
                find_item(c, it->requires[r].sku) == NONE ? NONE : add_group(c, G_REQ, i, r);
    }
    /* excluded pairs, each once whichever side declares it, in (a, b) order */
    size_t n_pairs = 0;
    for (size_t p = 0; p < c->m; p++)
        n_pairs += c->items[c->rel[p]]->n_excludes;
    _cleanup_free_ struct group *pairs = calloc(n_pairs + 1, sizeof *pairs);
    if (!pairs)
        return -DW_ENOMEM;
    n_pairs = 0;
    for (size_t p = 0; p < c->m; p++) {
        const struct dw_item *it = c->items[c->rel[p]];
        for (size_t k = 0; k < it->n_excludes; k++) {
            size_t j = find_item(c, it->excludes[k]);
            if (j == NONE || c->pos[j] == NONE || j == c->rel[p])
                continue;
            size_t a = j < c->rel[p] ? j : c->rel[p], b = j < c->rel[p] ? c->rel[p] : j;
            pairs[n_pairs++] = (struct group){G_EXCL, a, b};
        }
    }
    qsort(pairs, n_pairs, sizeof *pairs, cmp_pair);
    for (size_t k = 0; k < n_pairs; k++) {
        if (k && pairs[k].a == pairs[k - 1].a && pairs[k].b == pairs[k - 1].b)
            continue;
        if (c->n_groups + c->ws->n_cfg_rules + c->n_slot_kinds >= cap)
            return dw_error_set(err, -DW_ETOOBIG, "configure: more than %zu constraints", cap);
        add_group(c, G_EXCL, pairs[k].a, pairs[k].b);
    }
    for (size_t t = 0; t < c->ws->n_cfg_rules; t++)
        c->rule_gid[t] = add_group(
            c, c->ws->cfg_rules[t].kind == DW_CFG_RULE_COMPAT ? G_COMPAT : G_SUPPLY, t, 0);
    for (size_t k = 0; k < c->n_slot_kinds; k++)
        c->slot_gid[k] = add_group(c, G_SLOT, k, 0);
    return 0;
}

/* ---- the model --------------------------------------------------------------------------- */

#define COL_Q(c, p) ((int)(p) + 1)
#define COL_B(c, p) ((int)((c)->m + (p)) + 1)
#define COL_C(c, p) ((int)(2 * (c)->m + (p)) + 1)
#define COL_S(c, k) ((int)(3 * (c)->m + (k)) + 1)
#define COL_A(c, p) ((int)(3 * (c)->m + (c)->n_wants + (p)) + 1)

struct row {
    int n, cap;
    int *ind; /* 1-based, GLPK style */
    double *val;
};

static int row_add(struct row *r, int col, double v) {
    if (r->n + 2 > r->cap) {
        int cap = r->cap ? 2 * r->cap : 16;
        int *ind = realloc(r->ind, (size_t)cap * sizeof *ind);
        if (ind)
            r->ind = ind;
        double *val = realloc(r->val, (size_t)cap * sizeof *val);
        if (val)
            r->val = val;
        if (!ind || !val)
            return -DW_ENOMEM;
        r->cap = cap;
    }
    r->n++;
    r->ind[r->n] = col;
    r->val[r->n] = v;
    return 0;
}

/* Add the row and reset r for the next one. type: GLP_LO, GLP_UP, GLP_FX, GLP_DB. */
static int row_put(glp_prob *lp, struct row *r, int type, double lo, double up) {
    int i = glp_add_rows(lp, 1);
    glp_set_row_bnds(lp, i, type, lo, up);
    if (r->n)
        glp_set_mat_row(lp, i, r->n, r->ind, r->val);
    r->n = 0;
    return i;
}

static bool on(const bool *active, size_t gid) {
    return gid == NONE || active[gid];
}

/* Build the MILP with the active groups. cover_all: the active wanted capabilities must be
 * covered (s_k = 1); otherwise s_k is free and the caller maximises coverage. */
static int build_model(const struct cfg *c, const bool *active, bool cover_all, glp_prob **ret) {
    const struct dw_workspace *ws = c->ws;
    glp_prob *lp = glp_create_prob();
    size_t m = c->m;
    int ncols = (int)(4 * m + c->n_wants);
    if (ncols)
        glp_add_cols(lp, ncols);
    struct row r = {0};
    int e = 0;
    for (size_t p = 0; p < m; p++) {
        size_t i = c->rel[p];
        const struct dw_item *it = c->items[i];
        double ub = (double)c->ub[p], lb = 0;
        if (on(active, c->max_gid[i]) && it->max_qty > 0 && it->max_qty < ub)
            ub = (double)it->max_qty;
        for (size_t k = 0; k < c->n_limits; k++)
            if (c->limits[k].item == i && active[c->limits[k].gid] && c->limits[k].qty < ub)
                ub = (double)c->limits[k].qty;
        bool selected = false;
        for (size_t k = 0; k < c->n_selects; k++)
            if (c->selects[k].item == i && active[c->selects[k].gid]) {
                lb = (double)c->selects[k].qty;
                selected = true;
            }
        bool ban = banned(c, it, active);
        if (ban)
            ub = 0;
        glp_set_col_kind(lp, COL_Q(c, p), GLP_IV);
        if (lb > 0 || selected)
            glp_set_col_bnds(lp, COL_Q(c, p), GLP_FX, lb, lb);
        else
            glp_set_col_bnds(lp, COL_Q(c, p), ub > 0 ? GLP_DB : GLP_FX, 0, ub > 0 ? ub : 0);
        if (lb > 0 && lb > ub) { /* selected above a bound, or banned: infeasible, as it is */
            e = e ?: row_add(&r, COL_Q(c, p), 1);
            if (!e)
                row_put(lp, &r, GLP_UP, 0, ub);
        }
        glp_set_col_kind(lp, COL_B(c, p), GLP_BV);
        glp_set_col_kind(lp, COL_C(c, p), GLP_BV);
        if (!wanted_provider(c, it))
            glp_set_col_bnds(lp, COL_C(c, p), GLP_FX, 0, 0);
        /* q - U b <= 0, q - b >= 0, c - b <= 0 */
        double big = (double)c->ub[p] > lb ? (double)c->ub[p] : lb;
        e = e ?: row_add(&r, COL_Q(c, p), 1) ?: row_add(&r, COL_B(c, p), -big);
        if (!e)
            row_put(lp, &r, GLP_UP, 0, 0);
        e = e ?: row_add(&r, COL_Q(c, p), 1) ?: row_add(&r, COL_B(c, p), -1);
        if (!e)
            row_put(lp, &r, GLP_LO, 0, 0);
        e = e ?: row_add(&r, COL_C(c, p), 1) ?: row_add(&r, COL_B(c, p), -1);
        if (!e)
            row_put(lp, &r, GLP_UP, 0, 0);
        /* min: q - min b >= 0 */
        if (c->min_gid[i] != NONE && active[c->min_gid[i]]) {
            e = e ?: row_add(&r, COL_Q(c, p), 1) ?: row_add(&r, COL_B(c, p), -(double)it->min_qty);
            if (!e)
                row_put(lp, &r, GLP_LO, 0, 0);
        }
        /* option_only: b - sum(b of hosts) <= 0 */
        if (c->opt_gid[i] != NONE && active[c->opt_gid[i]]) {
            e = e ?: row_add(&r, COL_B(c, p), 1);
            for (size_t q = 0; q < m && !e; q++) {
                const struct dw_item *h = c->items[c->rel[q]];
                if (q != p && has_str(h->options, h->n_options, it->sku))
                    e = row_add(&r, COL_B(c, q), -1);
            }
            if (!e)
                row_put(lp, &r, GLP_UP, 0, 0);
        }
        /* what p must be: the part of the customer's count it serves plus what its
         * requirers need, L q_p - L a_p - sum (L count/per) q_r >= 0 for a counted demand,
         * else the larger of the two: q_p >= c_p (the link rows) and L q_p - sum(...) >= 0.
         * a_p (0..d) is at least 1 when p is chosen and 0 when not (a host that is not
         * chosen for a capability serves sites for its hosted parts: a_p <= d b_p). */
        bool counted;
        demand_of(c, i, active, &counted);
        bool alloc = c->alloc_ok[p] && counted;
        /* a_p counts what p serves in the customer's unit (sites), so an item with factor f
         * needs f a_p units for it; N = d / f is the customer's count */
        const struct unit_count *uc = unit_of(c, it);
        double N = alloc ? (double)uc->value : 0;
        glp_set_col_kind(lp, COL_A(c, p), GLP_IV);
        glp_set_col_bnds(lp, COL_A(c, p), alloc ? GLP_DB : GLP_FX, 0, N);
        if (alloc && wanted_provider(c, it)) {
            e = e ?: row_add(&r, COL_A(c, p), 1) ?: row_add(&r, COL_C(c, p), -N);
            if (!e)
                row_put(lp, &r, GLP_UP, 0, 0);
            e = e ?: row_add(&r, COL_A(c, p), 1) ?: row_add(&r, COL_C(c, p), -1);
            if (!e)
                row_put(lp, &r, GLP_LO, 0, 0);
        } else if (alloc) {
            e = e ?: row_add(&r, COL_A(c, p), 1) ?: row_add(&r, COL_B(c, p), -N);
            if (!e)
                row_put(lp, &r, GLP_UP, 0, 0);
        }
        int64_t L = 1;
        bool any = false;
        for (size_t x = c->req_in_at[i]; x < c->req_in_at[i + 1]; x++) {
            size_t from = c->req_in[x].from, k = c->req_in[x].k;
            if (c->pos[from] == NONE || !on(active, c->req_gid[from][k]))
                continue;
            int64_t per = req_per(&c->items[from]->requires[k]);
            int64_t l = L < 0 ? L : L / gcd64(L, per) * per;
            L = l > 1000000 ? -1 : l;
            any = true;
        }
        double Lf = L > 0 ? (double)L : 1.0;
        if (!any && !alloc)
            continue;
        e = e ?: row_add(&r, COL_Q(c, p), Lf);
        if (alloc)
            e = e ?: row_add(&r, COL_A(c, p), -Lf * (double)factor_of(it));
        /* requirers are distinct items (the loader refuses a SKU twice in requires) */
        for (size_t x = c->req_in_at[i]; x < c->req_in_at[i + 1] && !e; x++) {
            size_t from = c->req_in[x].from, k = c->req_in[x].k;
            if (c->pos[from] == NONE || !on(active, c->req_gid[from][k]))
                continue;
            const struct dw_item_req *rq = &c->items[from]->requires[k];
            e = row_add(&r, COL_Q(c, c->pos[from]),
                        -Lf * (double)req_count(rq) / (double)req_per(rq));
        }
        if (!e)
            row_put(lp, &r, GLP_LO, 0, 0);
    }
    /* coverage: s_k - sum(c of providers) <= 0 */
    for (size_t k = 0; k < c->n_wants && !e; k++) {
        glp_set_col_kind(lp, COL_S(c, k), GLP_BV);
        if (cover_all)
            glp_set_col_bnds(lp, COL_S(c, k), GLP_FX, active[c->want_gid[k]] ? 1 : 0,
                             active[c->want_gid[k]] ? 1 : 0);
        e = row_add(&r, COL_S(c, k), 1);
        for (size_t p = 0; p < m && !e; p++)
            if (provides(c->items[c->rel[p]], c->wants[k]))
                e = row_add(&r, COL_C(c, p), -1);
        if (!e)
            row_put(lp, &r, GLP_UP, 0, 0);
        /* every count k is measured in is served in full when k is covered:
         * sum a_p over the items serving it - count s_k >= 0 */
        for (size_t u = 0; u < c->n_units && !e; u++) {
            const struct unit_count *uc = &c->units[u];
            if (!active[uc->gid] || !measured_in(c, k, uc))
                continue;
            for (size_t p = 0; p < m && !e; p++)
                if (serves(c, p, k, uc))
                    e = row_add(&r, COL_A(c, p), 1);
            e = e ?: row_add(&r, COL_S(c, k), -(double)uc->value);
            if (!e)
                row_put(lp, &r, GLP_LO, 0, 0);
        }
    }
    /* hosted parts fit the hosts' slots: sum q_hosted - sum slots_h x_h <= 0, where x_h is
     * the part of h that serves the customer's count when h is counted, else all of h */
    for (size_t k = 0; k < c->n_slot_kinds && !e; k++) {
        if (!active[c->slot_gid[k]])
            continue;
        for (size_t p = 0; p < m && !e; p++) {
            const struct dw_item *it = c->items[c->rel[p]];
            double hosted = it->slot && strcmp(it->slot, c->slot_kinds[k]) == 0 ? 1 : 0;
            double n = (double)slots_of(it, c->slot_kinds[k]);
            bool counted;
            demand_of(c, c->rel[p], active, &counted);
            bool by_alloc = n > 0 && c->alloc_ok[p] && counted;
            if (hosted - (by_alloc ? 0 : n) != 0)
                e = row_add(&r, COL_Q(c, p), hosted - (by_alloc ? 0 : n));
            if (by_alloc && !e)
                e = row_add(&r, COL_A(c, p), -n * (double)factor_of(it));
        }
        if (!e)
            row_put(lp, &r, GLP_UP, 0, 0);
    }
    /* excludes: b_a + b_b <= 1 */
    for (size_t g = 0; g < c->n_groups && !e; g++) {
        if (c->groups[g].kind != G_EXCL || !active[g])
            continue;
        e = row_add(&r, COL_B(c, c->pos[c->groups[g].a]), 1)
                ?: row_add(&r, COL_B(c, c->pos[c->groups[g].b]), 1);
        if (!e)
            row_put(lp, &r, GLP_UP, 0, 1);
    }
    /* catalog constraints */
    for (size_t t = 0; t < ws->n_cfg_rules && !e; t++) {
        const struct dw_cfg_rule *rule = &ws->cfg_rules[t];
        if (!active[c->rule_gid[t]])
            continue;
        if (rule->kind == DW_CFG_RULE_SUPPLY) {
            for (size_t p = 0; p < m && !e; p++) {
                const struct dw_item *it = c->items[c->rel[p]];
                double v = (double)attr_of(it, rule->supply) - (double)attr_of(it, rule->demand);
                if (v != 0)
                    e = row_add(&r, COL_Q(c, p), v);
            }
            if (!e)
                row_put(lp, &r, GLP_LO, 0, 0);
            continue;
        }
        for (size_t w = 0; w < rule->n_rows && !e; w++) {
            size_t x = find_item(c, rule->rows[w].sku);
            if (x == NONE || c->pos[x] == NONE)
                continue;
            for (size_t a = 0; a < rule->n_among && !e; a++) {
                size_t y = find_item(c, rule->among[a]);
                if (y == NONE || c->pos[y] == NONE ||
                    has_str(rule->rows[w].with, rule->rows[w].n_with, rule->among[a]))
                    continue;
                e = row_add(&r, COL_B(c, c->pos[x]), 1) ?: row_add(&r, COL_B(c, c->pos[y]), 1);
                if (!e)
                    row_put(lp, &r, GLP_UP, 0, 1);
            }
        }
    }
    /* the customer's totals */
    for (size_t a = 0; a < c->n_attrs && !e; a++) {
        if (!active[c->attrs[a].gid])
            continue;
        for (size_t p = 0; p < m && !e; p++) {
            int64_t v = attr_of(c->items[c->rel[p]], c->attrs[a].name);
            if (v)
                e = row_add(&r, COL_Q(c, p), (double)v);
        }
        if (e)
            break;
        const struct attr_req *ar = &c->attrs[a];
        if (ar->has_min && ar->has_max)
            row_put(lp, &r, ar->min < ar->max ? GLP_DB : GLP_FX, (double)ar->min, (double)ar->max);
        else if (ar->has_min)
            row_put(lp, &r, GLP_LO, (double)ar->min, 0);
        else
            row_put(lp, &r, GLP_UP, 0, (double)ar->max);
    }
    free(r.ind);
    free(r.val);
    if (e) {
        glp_delete_prob(lp);
        return e;
    }
    *ret = lp;
    return 0;
}

/* GLPK ends the process on an internal error (an assertion in its presolver on extreme
 * bounds, say) unless a hook jumps out; the environment must then be freed, which frees
 * every problem object of this thread too. */
static void glpk_hook(void *info) {
    longjmp(*(jmp_buf *)info, 1);
}

static int intopt_guarded(struct cfg *c, glp_prob *lp, const glp_iocp *parm) {
    jmp_buf jb;
    glp_error_hook(glpk_hook, &jb);
    if (setjmp(jb)) {
        glp_error_hook(NULL, NULL);
        glp_free_env();
        c->glpk_reset = true;
        return -DW_EINTERNAL;
    }
    int r = glp_intopt(lp, parm);
    glp_error_hook(NULL, NULL);
    return r;
}

static void drop_prob(const struct cfg *c, glp_prob *lp) {
    if (lp && !c->glpk_reset)
        glp_delete_prob(lp);
}

/* Solve; 1 when a solution was found, 0 when infeasible, < 0 on a solver failure. */
static int solve(struct cfg *c, glp_prob *lp, int dir) {
    if (c->glpk_reset)
        return -DW_EINTERNAL;
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_ON;
    parm.tm_lim = SOLVE_MS;
    glp_set_obj_dir(lp, dir);
    c->solves++;
    if (glp_get_num_cols(lp) == 0)
        return 1;
    if (glp_get_num_rows(lp) == 0) { /* GLPK's presolver wants a row */
        int i = glp_add_rows(lp, 1);
        glp_set_row_bnds(lp, i, GLP_FR, 0, 0);
    }
    int r = intopt_guarded(c, lp, &parm);
    if (r < 0)
        return r;
    if (r == GLP_ENOPFS || r == GLP_ENODFS)
        return 0;
    int st = glp_mip_status(lp);
    if (r == GLP_ETMLIM || r == GLP_EMIPGAP) {
        c->exhaustive = false;
        return st == GLP_FEAS || st == GLP_OPT;
    }
    if (r != 0)
        return -DW_EINTERNAL;
    if (st == GLP_NOFEAS)
        return 0;
    return st == GLP_OPT || st == GLP_FEAS ? 1 : -DW_EINTERNAL;
}

static int feasible(struct cfg *c, const bool *active) {
    glp_prob *lp = NULL;
    int r = build_model(c, active, true, &lp);
    if (r < 0)
        return r;
    r = solve(c, lp, GLP_MIN);
    drop_prob(c, lp);
    return r;
}

/* Set the objective: coefficient per column from fn, or clear it. */
enum objective { OBJ_COVER, OBJ_COST, OBJ_RANK, OBJ_ATTR, OBJ_UNITS };

static double obj_coef(const struct cfg *c, enum objective o, size_t p, int which) {
    const struct dw_item *it = c->items[c->rel[p]];
    switch (o) {
    case OBJ_COST:
        return which == 0 ? (double)c->price[c->rel[p]] : 0;
    case OBJ_RANK:
        return which == 1 ? (double)it->rank : 0;
    case OBJ_ATTR:
        return which == 0 ? (double)attr_of(it, c->ws->cfg_objective_attribute) : 0;
    case OBJ_UNITS:
        return which == 0 ? 1 : 0;
    case OBJ_COVER:
        break;
    }
    return 0;
}

static void set_objective(const struct cfg *c, glp_prob *lp, enum objective o) {
    for (size_t p = 0; p < c->m; p++) {
        glp_set_obj_coef(lp, COL_Q(c, p), obj_coef(c, o, p, 0));
        glp_set_obj_coef(lp, COL_B(c, p), obj_coef(c, o, p, 1));
        glp_set_obj_coef(lp, COL_C(c, p), 0);
    }
    for (size_t k = 0; k < c->n_wants; k++)
        glp_set_obj_coef(lp, COL_S(c, k), o == OBJ_COVER ? 1 : 0);
}

/* Fix the current objective at its optimum (all coefficients are integers, so is it). */
static int fix_objective(const struct cfg *c, glp_prob *lp, enum objective o, double value,
                         int dir) {
    struct row r = {0};
    int e = 0;
    for (size_t p = 0; p < c->m && !e; p++) {
        double q = obj_coef(c, o, p, 0), b = obj_coef(c, o, p, 1);
        if (q != 0)
            e = row_add(&r, COL_Q(c, p), q);
        if (b != 0 && !e)
            e = row_add(&r, COL_B(c, p), b);
    }
    for (size_t k = 0; k < c->n_wants && !e && o == OBJ_COVER; k++)
        e = row_add(&r, COL_S(c, k), 1);
    double v = floor(value + 0.5);
    if (!e && r.n) {
        if (dir == GLP_MIN)
            row_put(lp, &r, GLP_UP, 0, v + 0.5);
        else
            row_put(lp, &r, GLP_LO, v - 0.5, 0);
    }
    free(r.ind);
    free(r.val);
    return e;
}

/* ---- the conflict ------------------------------------------------------------------------ */

/* Deletion filter: starting from an infeasible set of groups, drop groups and keep them
 * dropped while the rest stays infeasible. Blocks first (half of the candidates, then half
 * of a half, ...), so a conflict of k groups among n costs about 2 k log2(n) solves rather
 * than n. What is left is irreducible: each kept group was kept because dropping it from a
 * superset of the final set made the model feasible, and dropping constraints never makes
 * a feasible model infeasible, so dropping it from the final set does too. */
static int drop_block(struct cfg *c, bool *active, const size_t *cand, size_t n) {
    if (n == 0)
        return 0;
    for (size_t k = 0; k < n; k++)
        active[cand[k]] = false;
    int r = feasible(c, active);
    if (r <= 0) /* still infeasible without the whole block (or an error) */
        return r;
    for (size_t k = 0; k < n; k++)
        active[cand[k]] = true;
    if (n == 1)
        return 0;
    r = drop_block(c, active, cand, n / 2);
    return r < 0 ? r : drop_block(c, active, cand + n / 2, n - n / 2);
}

static int deletion_filter(struct cfg *c, bool *active) {
    _cleanup_free_ size_t *cand = calloc(c->n_groups + 1, sizeof *cand);
    if (!cand)
        return -DW_ENOMEM;
    size_t n = 0;
    for (size_t g = 0; g < c->n_groups; g++)
        if (active[g])
            cand[n++] = g;
    /* the customer's requirements come first: split them from the catalog's rules so a
     * block never mixes the two (conflicts usually involve a few of each) */
    size_t n_req = 0;
    while (n_req < n && c->groups[cand[n_req]].kind <= G_SELECT)
        n_req++;
    int r = drop_block(c, active, cand + n_req, n - n_req);
    return r < 0 ? r : drop_block(c, active, cand, n_req);
}

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

static const char *const gkind_names[] = {
    [G_WANT] = "capability",
    [G_QTY] = "quantity",
    [G_EXCAP] = "excluded_capability",
    [G_ATTR] = "total",
    [G_LIMIT] = "limit",
    [G_SELECT] = "selection",
    [G_MIN] = "minimum",
    [G_MAX] = "maximum",
    [G_REQ] = "requires",
    [G_EXCL] = "excludes",
    [G_COMPAT] = "compatibility",
    [G_SUPPLY] = "supply",
    [G_OPTION] = "option_only",
    [G_SLOT] = "slot",
};

/* One group in words a sales engineer reads to a customer. */
static int group_text(const struct cfg *c, const struct group *g, struct dw_buf *b) {
    char one[64];
    switch (g->kind) {
    case G_WANT:
        return dw_buf_printf(b, "the customer needs %s", c->wants[g->a]);
    case G_QTY: {
        const struct unit_count *u = &c->units[g->a];
        singular(u->unit, one, sizeof one);
        int r = dw_buf_printf(b, "the customer has %" PRId64 " %s", u->value,
                              u->value == 1 ? one : u->unit);
        /* what the count sizes, among the relevant items */
        bool first = true;
        for (size_t p = 0; p < c->m && r == 0; p++) {
            const struct dw_item *it = c->items[c->rel[p]];
            if (!it->quantity_unit || strcmp(it->quantity_unit, u->unit) != 0 ||
                !wanted_provider(c, it))
                continue;
            r = dw_buf_printf(b, "%s%s x %" PRId64, first ? ", which sizes " : ", ", it->sku,
                              it->quantity_factor > 0 ? it->quantity_factor : 1);
            first = false;
        }
        if (r == 0 && !first)
            r = dw_buf_printf(b, " per %s", one);
        return r;
    }
    case G_EXCAP:
        return dw_buf_printf(b, "the customer ruled out %s", c->excaps[g->a]);
    case G_ATTR: {
        const struct attr_req *a = &c->attrs[g->a];
        if (a->has_min && a->has_max)
            return dw_buf_printf(b,
                                 "the customer needs a total %s between %" PRId64 " and %" PRId64,
                                 a->name, a->min, a->max);
        if (a->has_min)
            return dw_buf_printf(b, "the customer needs a total %s of at least %" PRId64, a->name,
                                 a->min);
        return dw_buf_printf(b, "the customer allows a total %s of at most %" PRId64, a->name,
                             a->max);
    }
    case G_LIMIT:
        return dw_buf_printf(b, "the customer allows at most %" PRId64 " x %s", c->limits[g->a].qty,
                             c->items[c->limits[g->a].item]->sku);
    case G_SELECT:
        return dw_buf_printf(b, "the customer selected %" PRId64 " x %s", c->selects[g->a].qty,
                             c->items[c->selects[g->a].item]->sku);
    case G_MIN:
        return dw_buf_printf(b, "%s is sold at least %" PRId64 " at a time", c->items[g->a]->sku,
                             c->items[g->a]->min_qty);
    case G_MAX:
        return dw_buf_printf(b, "%s is sold at most %" PRId64 " per deal", c->items[g->a]->sku,
                             c->items[g->a]->max_qty);
    case G_REQ: {
        const struct dw_item *it = c->items[g->a];
        const struct dw_item_req *rq = &it->requires[g->b];
        if (req_per(rq) == 1)
            return dw_buf_printf(b, "each %s requires %" PRId64 " x %s", it->sku, req_count(rq),
                                 rq->sku);
        return dw_buf_printf(b, "%s requires %" PRId64 " x %s per %" PRId64, it->sku, req_count(rq),
                             rq->sku, req_per(rq));
    }
    case G_EXCL:
        return dw_buf_printf(b, "%s and %s cannot be in the same solution", c->items[g->a]->sku,
                             c->items[g->b]->sku);
    case G_COMPAT: {
        const struct dw_cfg_rule *rule = &c->ws->cfg_rules[g->a];
        int r = dw_buf_printf(b, "compatibility table %s:", rule->name);
        for (size_t w = 0; w < rule->n_rows && r == 0; w++) {
            r = dw_buf_printf(b, "%s %s works only with ", w ? ";" : "", rule->rows[w].sku);
            for (size_t k = 0; k < rule->rows[w].n_with && r == 0; k++)
                r = dw_buf_printf(b, "%s%s", k ? ", " : "", rule->rows[w].with[k]);
            if (r == 0 && rule->rows[w].n_with == 0)
                r = dw_buf_puts(b, "none of them");
        }
        return r;
    }
    case G_SUPPLY: {
        const struct dw_cfg_rule *rule = &c->ws->cfg_rules[g->a];
        return dw_buf_printf(b, "%s: the total %s must cover the total %s", rule->name,
                             rule->supply, rule->demand);
    }
    case G_SLOT: {
        const char *kind = c->slot_kinds[g->a];
        int r = dw_buf_printf(b, "each %s slot holds one of ", kind);
        bool first = true;
        for (size_t p = 0; p < c->m && r == 0; p++)
            if (c->items[c->rel[p]]->slot && strcmp(c->items[c->rel[p]]->slot, kind) == 0) {
                r = dw_buf_printf(b, "%s%s", first ? "" : ", ", c->items[c->rel[p]]->sku);
                first = false;
            }
        if (r == 0)
            r = dw_buf_puts(b, ", and only");
        first = true;
        for (size_t p = 0; p < c->m && r == 0; p++) {
            int64_t n = slots_of(c->items[c->rel[p]], kind);
            if (n > 0) {
                r = dw_buf_printf(b, "%s %s (%" PRId64 ")", first ? "" : ",",
                                  c->items[c->rel[p]]->sku, n);
                first = false;
            }
        }
        return r ?: dw_buf_puts(b, " offer them, at the sites they serve");
    }
    case G_OPTION: {
        const struct dw_item *it = c->items[g->a];
        int r = dw_buf_printf(b, "%s is sold only as an option of ", it->sku);
        bool first = true;
        for (size_t i = 0; i < c->n && r == 0; i++)
            if (has_str(c->items[i]->options, c->items[i]->n_options, it->sku)) {
                r = dw_buf_printf(b, "%s%s", first ? "" : ", ", c->items[i]->sku);
                first = false;
            }
        return r;
    }
    }
    return dw_buf_puts(b, "a constraint");
}

/* The groups left in active as [{kind, text}] and one sentence. */
static int conflict_json(const struct cfg *c, const bool *active, json_t **ret_list,
                         char **ret_text) {
    json_t *list = json_array();
    struct dw_buf all;
    dw_buf_init(&all, 0);
    int r = list ? 0 : -DW_ENOMEM;
    size_t n = 0;
    for (size_t g = 0; g < c->n_groups && r == 0; g++) {
        if (!active[g])
            continue;
        struct dw_buf b;
        dw_buf_init(&b, 0);
        r = group_text(c, &c->groups[g], &b);
        char *text = r == 0 ? dw_buf_steal(&b) : NULL;
        if (r == 0 && !text)
            r = -DW_ENOMEM;
        dw_buf_release(&b);
        if (r == 0)
            r = dw_buf_printf(&all, "%s%s", n++ ? "; " : "", text);
        if (r == 0 && json_array_append_new(list, json_pack("{s:s, s:s}", "kind",
                                                            gkind_names[c->groups[g].kind], "text",
                                                            text)) < 0)
            r = -DW_ENOMEM;
        free(text);
    }
    if (r == 0)
        r = dw_buf_puts(&all,
                        n > 1 ? " — these cannot all hold at once" : " — this alone cannot be met");
    char *text = r == 0 ? dw_buf_steal(&all) : NULL;
    dw_buf_release(&all);
    if (r == 0 && !text)
        r = -DW_ENOMEM;
    if (r < 0) {
        json_decref(list);
        return r;
    }
    *ret_list = list;
    *ret_text = text;
    return 0;
}

/* ---- the solution, checked exactly -------------------------------------------------------- */

struct sol {
    int64_t *q;     /* per catalog item */
    bool *chosen;   /* per catalog item */
    int64_t *alloc; /* per catalog item: the part of the customer's count it serves */
    bool *cov;      /* per wanted capability: covered */
};

/* What requirers need of item j: ceil(sum q_r x count / per). -1 on overflow. */
static int64_t required_of(const struct cfg *c, const int64_t *q, size_t j) {
    struct frac f = {0, 1};
    bool any = false;
    for (size_t x = c->req_in_at[j]; x < c->req_in_at[j + 1]; x++) {
        size_t i = c->req_in[x].from;
        if (q[i] <= 0)
            continue;
        const struct dw_item_req *rq = &c->items[i]->requires[c->req_in[x].k];
        frac_add(&f, q[i] * req_count(rq), req_per(rq));
        any = true;
    }
    if (f.den == 0)
        return -1;
    return any ? frac_ceil(&f) : 0;
}

static int violation(struct dw_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int violation(struct dw_error *err, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dw_error_set(err, -DW_EVALIDATE, "configuration check: %s", msg);
}

static int check_solution(const struct cfg *c, const struct sol *s, bool strict,
                          struct dw_error *err) {
    const struct dw_workspace *ws = c->ws;
    for (size_t i = 0; i < c->n; i++) {
        const struct dw_item *it = c->items[i];
        int64_t q = s->q[i];
        if (q < 0)
            return violation(err, "%s has a negative quantity", it->sku);
        if (s->chosen[i] && (q == 0 || !wanted_provider(c, it)))
            return violation(err, "%s covers a capability it cannot", it->sku);
        for (size_t k = 0; k < c->n_selects; k++)
            if (c->selects[k].item == i && c->selects[k].qty != q)
                return violation(err, "%s: %" PRId64 " selected, %" PRId64 " in the solution",
                                 it->sku, c->selects[k].qty, q);
        if (q == 0)
            continue;
        if (q < it->min_qty)
            return violation(err, "%s: %" PRId64 " is below its minimum of %" PRId64, it->sku, q,
                             it->min_qty);
        if (it->max_qty > 0 && q > it->max_qty)
            return violation(err, "%s: %" PRId64 " is above its maximum of %" PRId64, it->sku, q,
                             it->max_qty);
        for (size_t k = 0; k < c->n_limits; k++)
            if (c->limits[k].item == i && q > c->limits[k].qty)
                return violation(err, "%s: %" PRId64 " is above the customer's limit of %" PRId64,
                                 it->sku, q, c->limits[k].qty);
        if (banned(c, it, NULL))
            return violation(err, "%s provides %s, which the customer ruled out", it->sku,
                             banned_cap(c, it));
        bool counted;
        int64_t d = s->chosen[i] ? demand_of(c, i, NULL, &counted) : 0;
        int64_t need = required_of(c, s->q, i);
        if (need < 0)
            return violation(err, "%s: the requires ratios are too fine to check", it->sku);
        size_t p = c->pos[i];
        bool alloc = p != NONE && c->alloc_ok[p];
        if (alloc) {
            int64_t full = demand_of(c, i, NULL, &counted);
            if (s->alloc[i] < 0 || s->alloc[i] > full ||
                (wanted_provider(c, it) && s->chosen[i] != (s->alloc[i] > 0)))
                return violation(err, "%s serves %" PRId64 " of the customer's %" PRId64, it->sku,
                                 s->alloc[i], full);
        } else if (s->alloc[i])
            return violation(err, "%s serves a count it is not counted in", it->sku);
        int64_t want = alloc ? s->alloc[i] + need : (need > d ? need : d);
        if (q < want)
            return violation(err, "%s: %" PRId64 " in the solution but %" PRId64 " needed", it->sku,
                             q, want);
        for (size_t k = 0; k < it->n_excludes; k++) {
            size_t j = find_item(c, it->excludes[k]);
            if (j != NONE && s->q[j] > 0)
                return violation(err, "%s and %s exclude each other", it->sku, it->excludes[k]);
        }
        if (it->option_only) {
            bool host = false;
            for (size_t j = 0; j < c->n && !host; j++)
                host =
                    s->q[j] > 0 && has_str(c->items[j]->options, c->items[j]->n_options, it->sku);
            if (!host)
                return violation(err, "%s is sold only as an option, and no line offers it",
                                 it->sku);
        }
    }
    for (size_t t = 0; t < ws->n_cfg_rules; t++) {
        const struct dw_cfg_rule *rule = &ws->cfg_rules[t];
        if (rule->kind == DW_CFG_RULE_SUPPLY) {
            __int128 sup = 0, dem = 0;
            for (size_t i = 0; i < c->n; i++) {
                sup += (__int128)s->q[i] * attr_of(c->items[i], rule->supply);
                dem += (__int128)s->q[i] * attr_of(c->items[i], rule->demand);
            }
            if (sup < dem)
                return violation(err, "%s: total %s %" PRId64 " is below total %s %" PRId64,
                                 rule->name, rule->supply, (int64_t)sup, rule->demand,
                                 (int64_t)dem);
            continue;
        }
        for (size_t w = 0; w < rule->n_rows; w++) {
            size_t x = find_item(c, rule->rows[w].sku);
            if (x == NONE || s->q[x] == 0)
                continue;
            for (size_t a = 0; a < rule->n_among; a++) {
                size_t y = find_item(c, rule->among[a]);
                if (y != NONE && s->q[y] > 0 &&
                    !has_str(rule->rows[w].with, rule->rows[w].n_with, rule->among[a]))
                    return violation(err, "%s: %s does not work with %s", rule->name,
                                     rule->rows[w].sku, rule->among[a]);
            }
        }
    }
    for (size_t a = 0; a < c->n_attrs; a++) {
        __int128 tot = 0;
        for (size_t i = 0; i < c->n; i++)
            tot += (__int128)s->q[i] * attr_of(c->items[i], c->attrs[a].name);
        if ((c->attrs[a].has_min && tot < c->attrs[a].min) ||
            (c->attrs[a].has_max && tot > c->attrs[a].max))
            return violation(err, "total %s is %" PRId64 ", outside what the customer asked",
                             c->attrs[a].name, (int64_t)tot);
    }
    for (size_t k = 0; k < c->n_wants; k++) {
        bool cov = false;
        for (size_t i = 0; i < c->n && !cov; i++)
            cov = s->chosen[i] && provides(c->items[i], c->wants[k]);
        if ((strict || s->cov[k]) && !cov)
            return violation(err, "%s is not covered", c->wants[k]);
        for (size_t u = 0; u < c->n_units && s->cov[k]; u++) {
            if (!measured_in(c, k, &c->units[u]))
                continue;
            __int128 served = 0;
            for (size_t p = 0; p < c->m; p++)
                if (serves(c, p, k, &c->units[u]))
                    served += s->alloc[c->rel[p]] / factor_of(c->items[c->rel[p]]);
            if (served < c->units[u].value)
                return violation(err, "%s: fewer than the customer's %" PRId64 " %s are served",
                                 c->wants[k], c->units[u].value, c->units[u].unit);
        }
    }
    for (size_t k = 0; k < c->n_slot_kinds; k++) {
        __int128 used = 0, offered = 0;
        for (size_t i = 0; i < c->n; i++) {
            const struct dw_item *it = c->items[i];
            if (it->slot && strcmp(it->slot, c->slot_kinds[k]) == 0)
                used += s->q[i];
            int64_t n = slots_of(it, c->slot_kinds[k]);
            size_t p = c->pos[i];
            if (n > 0)
                offered += (__int128)n * (p != NONE && c->alloc_ok[p] ? s->alloc[i] : s->q[i]);
        }
        if (used > offered)
            return violation(err, "%" PRId64 " parts need a %s slot, the hosts offer %" PRId64,
                             (int64_t)used, c->slot_kinds[k], (int64_t)offered);
    }
    return 0;
}

/* ---- output ------------------------------------------------------------------------------- */

static int line_reason(const struct cfg *c, const struct sol *s, size_t i, struct dw_buf *b) {
    const struct dw_item *it = c->items[i];
    char one[64];
    int r = 0;
    bool counted = false;
    int64_t d = 0;
    for (size_t k = 0; k < c->n_selects; k++)
        if (c->selects[k].item == i)
            return dw_buf_printf(b, "selected by the customer: %" PRId64, c->selects[k].qty);
    if (it->option_only) {
        for (size_t j = 0; j < c->n; j++)
            if (s->q[j] > 0 && has_str(c->items[j]->options, c->items[j]->n_options, it->sku)) {
                r = dw_buf_printf(b, "option of %s", c->items[j]->sku);
                break;
            }
    }
    size_t prefix = b->len; /* "option of X" */
    bool alloc = s->alloc[i] > 0;
    if (r == 0 && (s->chosen[i] || alloc) && prefix)
        r = dw_buf_puts(b, "; ");
    if (r == 0 && (s->chosen[i] || alloc)) {
        d = demand_of(c, i, NULL, &counted);
        const struct unit_count *u = unit_of(c, it);
        if (u && alloc) {
            int64_t f = factor_of(it), served = s->alloc[i] / f;
            singular(u->unit, one, sizeof one);
            if (served < u->value)
                r = dw_buf_printf(b, "%" PRId64 " of ", served);
            if (r == 0)
                r = dw_buf_printf(b, "%" PRId64 " %s x %" PRId64 " per %s", u->value,
                                  u->value == 1 ? one : u->unit, f, one);
            for (size_t j = 0; j < c->n && r == 0 && !s->chosen[i] && it->n_slots; j++)
                if (s->q[j] > 0 && c->items[j]->slot && slots_of(it, c->items[j]->slot) > 0)
                    r = dw_buf_printf(b, ", a %s slot for %s", c->items[j]->slot, c->items[j]->sku);
        } else if (u)
            r = dw_buf_printf(b, "%s counted in %s", it->sku, u->unit);
        else if (it->quantity_unit)
            r = dw_buf_printf(b, "no number of %s given", it->quantity_unit);
        else
            r = dw_buf_puts(b, "one per solution");
    }
    int64_t need = required_of(c, s->q, i);
    if (r == 0 && need > 0) {
        if (alloc)
            r = dw_buf_printf(b, " + %" PRId64 " ", need);
        else if (s->chosen[i] || prefix)
            r = dw_buf_puts(b, "; ");
        if (r == 0)
            r = dw_buf_puts(b, "required by ");
        bool first = true;
        for (size_t j = 0; j < c->n && r == 0; j++) {
            const struct dw_item *p = c->items[j];
            for (size_t k = 0; k < p->n_requires && r == 0 && s->q[j] > 0; k++) {
                if (strcmp(p->requires[k].sku, it->sku) != 0)
                    continue;
                r = dw_buf_printf(b, "%s%" PRId64 " x %s (%" PRId64 " per %" PRId64 ")",
                                  first ? "" : " + ", s->q[j], p->sku, req_count(&p->requires[k]),
                                  req_per(&p->requires[k]));
                first = false;
            }
        }
        if (r == 0 && !alloc)
            r = dw_buf_printf(b, ": %" PRId64, need);
        if (r == 0 && s->chosen[i] && !alloc && need > d)
            r = dw_buf_puts(b, ", the larger quantity applies");
    }
    int64_t base = alloc ? s->alloc[i] + need : (need > d ? need : d);
    if (r == 0 && base > 0 && base < it->min_qty) {
        r = dw_buf_printf(b, "%sraised to the minimum of %" PRId64, b->len ? "; " : "",
                          it->min_qty);
        base = it->min_qty;
    }
    if (r == 0 && s->q[i] > base) {
        r = dw_buf_printf(b, "%s%" PRId64 " to meet ",
                          base > 0 ? "; raised to "
                          : b->len ? "; "
                                   : "",
                          s->q[i]);
        bool first = true;
        for (size_t t = 0; t < c->ws->n_cfg_rules && r == 0; t++) {
            const struct dw_cfg_rule *rule = &c->ws->cfg_rules[t];
            if (rule->kind == DW_CFG_RULE_SUPPLY && attr_of(it, rule->supply) > 0) {
                r = dw_buf_printf(b, "%s%s (%s)", first ? "" : " and ", rule->name, rule->supply);
                first = false;
            }
        }
        for (size_t a = 0; a < c->n_attrs && r == 0; a++)
            if (c->attrs[a].has_min && attr_of(it, c->attrs[a].name) > 0) {
                r = dw_buf_printf(b, "%sthe total %s of at least %" PRId64, first ? "" : " and ",
                                  c->attrs[a].name, c->attrs[a].min);
                first = false;
            }
        if (r == 0 && first)
            r = dw_buf_puts(b, "the catalog's rules");
    }
    if (r == 0 && b->len == 0)
        r = dw_buf_puts(b, "needed by the catalog's rules");
    return r;
}

static int emit_lines(const struct cfg *c, const struct sol *s, json_t *out) {
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < c->n; i++) {
            if (s->q[i] == 0 || s->chosen[i] != (pass == 0))
                continue;
            const struct dw_item *it = c->items[i];
            struct dw_buf b;
            dw_buf_init(&b, 0);
            int r = line_reason(c, s, i, &b);
            _cleanup_free_ char *reason = r == 0 ? dw_buf_steal(&b) : NULL;
            dw_buf_release(&b);
            if (!reason)
                return -DW_ENOMEM;
            json_t *covers = json_array();
            for (size_t k = 0; covers && k < c->n_wants && s->chosen[i]; k++)
                if (provides(it, c->wants[k]) && s->cov[k])
                    json_array_append_new(covers, json_string(c->wants[k]));
            const char *req_by = NULL;
            for (size_t j = 0; j < c->n && !s->chosen[i] && !req_by; j++)
                for (size_t k = 0; k < c->items[j]->n_requires && s->q[j] > 0 && !req_by; k++)
                    if (strcmp(c->items[j]->requires[k].sku, it->sku) == 0)
                        req_by = c->items[j]->sku;
            json_t *line = json_pack("{s:s, s:s, s:I, s:o*, s:s, s:o}", "sku", it->sku, "name",
                                     it->name ? it->name : it->sku, "quantity", (json_int_t)s->q[i],
                                     "covers", covers, "reason", reason, "required_by",
                                     req_by ? json_string(req_by) : json_null());
            if (!line || json_array_append_new(out, line) < 0)
                return -DW_ENOMEM;
        }
    }
    return 0;
}

/* Options the lines offer that are not lines themselves, would not break an exclusion and
 * do not provide something the customer ruled out; by SKU, each once. */
static int emit_options(const struct cfg *c, const struct sol *s, json_t *out) {
    for (size_t o = 0; o < c->n; o++) {
        const struct dw_item *opt = c->items[o];
        if (s->q[o] > 0 || banned(c, opt, NULL))
            continue;
        const char *host = NULL;
        bool skip = false;
        for (size_t j = 0; j < c->n && !skip; j++) {
            if (s->q[j] == 0)
                continue;
            const struct dw_item *it = c->items[j];
            if (!host && has_str(it->options, it->n_options, opt->sku))
                host = it->sku;
            skip = has_str(it->excludes, it->n_excludes, opt->sku) ||
                   has_str(opt->excludes, opt->n_excludes, it->sku);
        }
        if (!host || skip)
            continue;
        if (json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "sku", opt->sku, "for", host,
                                                 "name", opt->name ? opt->name : opt->sku)) < 0)
            return -DW_ENOMEM;
    }
    return 0;
}

/* Why a wanted capability is not covered: the simple cases by name, otherwise the
 * irreducible conflict with the capabilities that are covered. */
static int uncovered_reason(struct cfg *c, size_t k, const bool *covered, char **ret) {
    const char *cap = c->wants[k];
    if (sorted_find(c->excaps, c->n_excaps, cap) != NONE) {
        *ret = strdup("excluded by the customer");
        return *ret ? 0 : -DW_ENOMEM;
    }
    bool any = false;
    for (size_t i = 0; i < c->n && !any; i++)
        any = provides(c->items[i], cap);
    if (!any) {
        *ret = strdup("no item in the catalog provides it");
        return *ret ? 0 : -DW_ENOMEM;
    }
    _cleanup_free_ bool *active = calloc(c->n_groups + 1, sizeof *active);
    if (!active)
        return -DW_ENOMEM;
    for (size_t g = 0; g < c->n_groups; g++)
        active[g] = c->groups[g].kind != G_WANT || (c->groups[g].a == k || covered[c->groups[g].a]);
    int r = feasible(c, active);
    if (r == 1) {
        *ret = strdup("could not be covered within the solver's time limit");
        return *ret ? 0 : -DW_ENOMEM;
    }
    if (r == 0)
        r = deletion_filter(c, active);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *list = NULL;
    return conflict_json(c, active, &list, ret);
}

static void read_solution(const struct cfg *c, glp_prob *lp, struct sol *s) {
    for (size_t p = 0; p < c->m; p++) {
        size_t i = c->rel[p];
        s->q[i] = (int64_t)llround(glp_mip_col_val(lp, COL_Q(c, p)));
        s->chosen[i] = s->q[i] > 0 && llround(glp_mip_col_val(lp, COL_C(c, p))) == 1;
    }
    for (size_t p = 0; p < c->m; p++) {
        size_t i = c->rel[p];
        s->alloc[i] = 0;
        if (c->alloc_ok[p] && glp_mip_col_val(lp, COL_A(c, p)) > 1e-6) {
            /* the most it can serve: what its requirers leave, up to the count (at least
             * the solver's a_p, which is at most q_p - need_p) */
            bool counted;
            int64_t d = demand_of(c, i, NULL, &counted), need = required_of(c, s->q, i);
            int64_t a = need < 0 ? 0 : s->q[i] - need;
            s->alloc[i] = a > d ? d : a;
        }
    }
    for (size_t k = 0; k < c->n_wants; k++)
        s->cov[k] = llround(glp_mip_col_val(lp, COL_S(c, k))) == 1;
    /* An item without a counted demand that is in the solution anyway covers what it
     * provides at no extra cost (the larger quantity applies). */
    for (size_t p = 0; p < c->m; p++) {
        size_t i = c->rel[p];
        bool counted;
        demand_of(c, i, NULL, &counted);
        if (s->q[i] > 0 && !counted && wanted_provider(c, c->items[i]))
            s->chosen[i] = true;
    }
    /* a capability not measured in any of the customer's counts is covered by any chosen
     * provider (as above); one that is measured is covered when every count is served */
    for (size_t k = 0; k < c->n_wants; k++) {
        bool measured = false;
        for (size_t u = 0; u < c->n_units && !measured; u++)
            measured = measured_in(c, k, &c->units[u]);
        for (size_t i = 0; i < c->n && !measured && !s->cov[k]; i++)
            s->cov[k] = s->chosen[i] && provides(c->items[i], c->wants[k]);
    }
}

static int guide(struct cfg *c, const bool *active, const struct sol *s, json_t *out) {
    glp_prob *lp = NULL;
    int r = build_model(c, active, true, &lp);
    if (r < 0)
        return r;
    json_t *forced = json_array(), *possible = json_array(), *impossible = json_array();
    json_object_set_new(out, "forced", forced);
    json_object_set_new(out, "possible", possible);
    json_object_set_new(out, "impossible", impossible);
    for (size_t p = 0; p < c->m && r >= 0; p++) {
        size_t i = c->rel[p];
        bool in = s->q[i] > 0;
        int col = COL_B(c, p), type = glp_get_col_type(lp, col);
        double lb = glp_get_col_lb(lp, col), ub = glp_get_col_ub(lp, col);
        if (in)
            glp_set_col_bnds(lp, col, GLP_FX, 0, 0);
        else
            glp_set_col_bnds(lp, col, GLP_FX, 1, 1);
        r = solve(c, lp, GLP_MIN);
        if (r < 0)
            break;
        glp_set_col_bnds(lp, col, type, lb, ub);
        json_t *dst = in ? (r == 0 ? forced : possible) : (r == 1 ? possible : impossible);
        json_array_append_new(dst, json_string(c->items[i]->sku));
        r = 0;
    }
    drop_prob(c, lp);
    return r;
}

/* ---- entry points ------------------------------------------------------------------------- */

static void cfg_release(struct cfg *c) {
    for (size_t i = 0; c->req_gid && i < c->n; i++)
        free(c->req_gid[i]);
    free(c->req_gid);
    free(c->items);
    free(c->price);
    free(c->wants);
    free(c->want_gid);
    free(c->excaps);
    free(c->excap_gid);
    free(c->units);
    free(c->attrs);
    free(c->limits);
    free(c->selects);
    free(c->rel);
    free(c->pos);
    free(c->ub);
    free(c->alloc_ok);
    free(c->brings);
    free(c->slot_kinds);
    free(c->slot_gid);
    free(c->groups);
    free(c->min_gid);
    free(c->max_gid);
    free(c->opt_gid);
    free(c->rule_gid);
    free(c->req_in);
    free(c->req_in_at);
}

static int cfg_init(struct cfg *c, const struct dw_workspace *ws, const json_t *req,
                    struct dw_error *err) {
    if (!ws || !json_is_object(req))
        return dw_error_set(err, -DW_EINVAL, "configure: requirements must be an object");
    c->ws = ws;
    c->exhaustive = true;
    c->n = ws->n_items;
    size_t n = c->n ? c->n : 1;
    c->items = calloc(n, sizeof *c->items);
    c->price = calloc(n, sizeof *c->price);
    if (!c->items || !c->price)
        return -DW_ENOMEM;
    for (size_t i = 0; i < c->n; i++)
        c->items[i] = &ws->items[i];
    qsort(c->items, c->n, sizeof *c->items, cmp_item_sku);
    size_t n_edges = 0;
    for (size_t i = 0; i < c->n; i++)
        n_edges += c->items[i]->n_requires;
    c->req_in = calloc(n_edges + 1, sizeof *c->req_in);
    c->req_in_at = calloc(c->n + 2, sizeof *c->req_in_at);
    if (!c->req_in || !c->req_in_at)
        return -DW_ENOMEM;
    for (int pass = 0; pass < 2; pass++) { /* count, then place: a counting sort by target */
        for (size_t i = 0; i < c->n; i++)
            for (size_t k = 0; k < c->items[i]->n_requires; k++) {
                size_t j = find_item(c, c->items[i]->requires[k].sku);
                if (j == NONE)
                    continue;
                if (pass == 0)
                    c->req_in_at[j + 2]++;
                else
                    c->req_in[c->req_in_at[j + 1]++] = (struct edge){i, k};
            }
        if (pass == 0)
            for (size_t j = 2; j < c->n + 2; j++)
                c->req_in_at[j] += c->req_in_at[j - 1];
    }
    for (size_t i = 0; i < ws->n_pricebooks && !c->book; i++)
        if (strcmp(ws->pricebooks[i].currency, ws->home_currency) == 0)
            c->book = &ws->pricebooks[i];
    for (size_t i = 0; i < c->n && c->book; i++) {
        const struct dw_price *pr = dw_pricebook_price(c->book, c->items[i]->sku);
        if (!pr) /* hand-built books may be unsorted */
            for (size_t k = 0; k < c->book->n_prices && !pr; k++)
                if (strcmp(c->book->prices[k].sku, c->items[i]->sku) == 0)
                    pr = &c->book->prices[k];
        c->price[i] = pr && pr->list > 0 ? pr->list : 0;
    }
    int r = read_names(req, "capabilities", &c->wants, &c->n_wants, DW_CFG_MAX_WANTS, err);
    if (r == 0)
        r = read_names(req, "excluded_capabilities", &c->excaps, &c->n_excaps, DW_CFG_MAX_ENTRIES,
                       err);
    if (r == 0)
        r = read_units(c, json_object_get(req, "quantities"), err);
    if (r == 0)
        r = read_attrs(c, json_object_get(req, "attributes"), err);
    if (r == 0)
        r = read_skus(c, req, err);
    if (r == 0)
        r = find_relevant(c);
    if (r == 0)
        r = compute_bounds(c, err);
    if (r == 0)
        r = build_groups(c, err);
    return r;
}

static const char *objective_name(const struct dw_workspace *ws) {
    switch (ws->cfg_objective) {
    case DW_CFG_OBJ_RANK:
        return "rank";
    case DW_CFG_OBJ_ATTRIBUTE:
        return "attribute";
    case DW_CFG_OBJ_LIST_COST:
        break;
    }
    return "list_cost";
}

/* The staged solves on one model; 1 with *s filled, 0 when infeasible. */
static int optimise(struct cfg *c, const bool *active, bool lenient, struct sol *s,
                    int64_t *ret_cost) {
    glp_prob *lp = NULL;
    int r = build_model(c, active, !lenient, &lp);
    if (r < 0)
        return r;
    enum objective stages[4];
    int ns = 0;
    if (lenient)
        stages[ns++] = OBJ_COVER;
    if (c->ws->cfg_objective == DW_CFG_OBJ_RANK)
        stages[ns++] = OBJ_RANK;
    else if (c->ws->cfg_objective == DW_CFG_OBJ_ATTRIBUTE && c->ws->cfg_objective_attribute)
        stages[ns++] = OBJ_ATTR;
    stages[ns++] = OBJ_COST;
    stages[ns++] = OBJ_UNITS;
    for (int k = 0; k < ns && r >= 0; k++) {
        int dir = stages[k] == OBJ_COVER ? GLP_MAX : GLP_MIN;
        set_objective(c, lp, stages[k]);
        r = solve(c, lp, dir);
        if (r <= 0)
            break;
        if (stages[k] == OBJ_COST)
            *ret_cost = (int64_t)llround(glp_mip_obj_val(lp));
        if (k + 1 < ns)
            r = fix_objective(c, lp, stages[k], glp_mip_obj_val(lp), dir) ?: 1;
    }
    if (r == 1)
        read_solution(c, lp, s);
    drop_prob(c, lp);
    return r;
}

int dw_configure_opts(const struct dw_workspace *ws, const json_t *requirements,
                      const struct dw_cfg_opts *opts, json_t **ret_solution, struct dw_error *err) {
    static const struct dw_cfg_opts none = {0};
    if (!opts)
        opts = &none;
    if (!ret_solution)
        return dw_error_set(err, -DW_EINVAL, "configure: no result pointer");
    struct cfg c = {0};
    struct sol s = {0};
    _cleanup_free_ bool *active = NULL, *covered = NULL;
    _cleanup_json_ json_t *sol = NULL;
    int64_t cost = 0;
    int r = cfg_init(&c, ws, requirements, err);
    if (r < 0)
        goto out;
    active = calloc(c.n_groups + 1, sizeof *active);
    covered = calloc(c.n_wants + 1, sizeof *covered);
    s.q = calloc(c.n ? c.n : 1, sizeof *s.q);
    s.chosen = calloc(c.n ? c.n : 1, sizeof *s.chosen);
    s.alloc = calloc(c.n ? c.n : 1, sizeof *s.alloc);
    s.cov = calloc(c.n_wants + 1, sizeof *s.cov);
    sol = json_pack("{s:b, s:[], s:[], s:[]}", "feasible", true, "lines", "not_covered", "options");
    if (!active || !covered || !s.q || !s.chosen || !s.alloc || !s.cov || !sol) {
        r = -DW_ENOMEM;
        goto out;
    }
    for (size_t g = 0; g < c.n_groups; g++)
        active[g] = true;
    /* Best effort covers as much as it can; when that is everything (the usual case) the
     * answer is the strict one, found without the coverage stage's solve. */
    r = optimise(&c, active, false, &s, &cost);
    if (r == 0 && !opts->strict)
        r = optimise(&c, active, true, &s, &cost);
    if (r < 0)
        goto out;
    if (r == 0) {
        /* no configuration: the smallest set of requirements and rules that conflict */
        r = deletion_filter(&c, active);
        json_t *list = NULL;
        char *text = NULL;
        if (r == 0)
            r = conflict_json(&c, active, &list, &text);
        if (r < 0)
            goto out;
        json_object_set_new(sol, "feasible", json_false());
        json_object_set_new(sol, "conflict", list);
        json_object_set_new(sol, "explanation", json_string(text));
        free(text);
    } else {
        r = check_solution(&c, &s, opts->strict, err);
        if (r < 0) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg);
            r = dw_error_set(err, -DW_EINTERNAL,
                             "configure: the solver's answer failed the "
                             "exact check (%s)",
                             why);
            goto out;
        }
        for (size_t k = 0; k < c.n_wants; k++)
            covered[k] = s.cov[k];
        r = emit_lines(&c, &s, json_object_get(sol, "lines"));
        if (r == 0)
            r = emit_options(&c, &s, json_object_get(sol, "options"));
        for (size_t k = 0; k < c.n_wants && r == 0; k++) {
            if (covered[k])
                continue;
            char *why = NULL;
            r = uncovered_reason(&c, k, covered, &why);
            if (r == 0 && json_array_append_new(
                              json_object_get(sol, "not_covered"),
                              json_pack("{s:s, s:s}", "capability", c.wants[k], "reason", why)) < 0)
                r = -DW_ENOMEM;
            free(why);
        }
        json_t *obj =
            json_pack("{s:s, s:I}", "kind", objective_name(ws), "list_cost", (json_int_t)cost);
        if (obj && c.book)
            json_object_set_new(obj, "currency", json_string(c.book->currency));
        json_object_set_new(sol, "objective", obj);
        if (r == 0 && opts->guide) {
            for (size_t k = 0; k < c.n_wants; k++) /* probe with what is covered */
                active[c.want_gid[k]] = covered[k];
            json_t *g = json_object();
            json_object_set_new(sol, "guide", g);
            r = g ? guide(&c, active, &s, g) : -DW_ENOMEM;
        }
        if (r < 0)
            goto out;
    }
    json_object_set_new(sol, "search",
                        json_pack("{s:s, s:i, s:b}", "solver", "glpk", "solves", c.solves,
                                  "exhaustive", c.exhaustive));
    *ret_solution = DW_TAKE_PTR(sol);
    r = 0;
out:
    if (r == -DW_EINTERNAL && !err->code)
        dw_error_set(err, r,
                     "configure: the solver failed (numerical trouble; smaller counts "
                     "or totals may help)");
    if (r == -DW_ENOMEM)
        dw_error_set(err, r, "out of memory");
    free(s.q);
    free(s.chosen);
    free(s.alloc);
    free(s.cov);
    cfg_release(&c);
    /* GLPK keeps an environment per thread; free it here, or every thread that configures
     * (the server's agent worker) leaks it at exit. */
    glp_free_env();
    return r;
}

int dw_configure(const struct dw_workspace *ws, const json_t *requirements, json_t **ret_solution,
                 struct dw_error *err) {
    return dw_configure_opts(ws, requirements, NULL, ret_solution, err);
}

int dw_configure_verify(const struct dw_workspace *ws, const json_t *requirements,
                        const json_t *solution, bool strict, struct dw_error *err) {
    struct cfg c = {0};
    struct sol s = {0};
    int r = cfg_init(&c, ws, requirements, err);
    if (r == 0) {
        s.q = calloc(c.n ? c.n : 1, sizeof *s.q);
        s.chosen = calloc(c.n ? c.n : 1, sizeof *s.chosen);
        s.alloc = calloc(c.n ? c.n : 1, sizeof *s.alloc);
        s.cov = calloc(c.n_wants + 1, sizeof *s.cov);
        r = s.q && s.chosen && s.alloc && s.cov ? 0 : -DW_ENOMEM;
    }
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(solution, "lines"), i, line) {
        if (r < 0)
            break;
        const char *sku = dw_json_str(line, "sku");
        size_t it = sku ? find_item(&c, sku) : NONE;
        int64_t q = dw_json_int(line, "quantity", -1);
        if (it == NONE || q <= 0 || s.q[it]) {
            r = violation(err, "lines[%zu]: unknown, repeated or empty line", i);
            break;
        }
        s.q[it] = q;
        s.chosen[it] = json_array_size(json_object_get(line, "covers")) > 0;
        size_t k;
        json_t *cap;
        json_array_foreach(json_object_get(line, "covers"), k, cap) {
            if (!json_is_string(cap) || !provides(c.items[it], json_string_value(cap)) ||
                sorted_find(c.wants, c.n_wants, json_string_value(cap)) == NONE) {
                r = violation(err, "lines[%zu]: %s does not provide a wanted %s", i, sku,
                              json_is_string(cap) ? json_string_value(cap) : "capability");
                break;
            }
            s.cov[sorted_find(c.wants, c.n_wants, json_string_value(cap))] = true;
        }
    }
    /* The lines say how many of each item, not which of them serve the customer's counts:
     * take the most each could serve (what its requirers leave), which every rule is
     * monotone in, so the check holds exactly when some allocation satisfies it. */
    for (size_t p = 0; p < c.m && r == 0; p++) {
        size_t it = c.rel[p];
        bool counted;
        int64_t full = demand_of(&c, it, NULL, &counted), need = required_of(&c, s.q, it);
        if (!c.alloc_ok[p] || (wanted_provider(&c, c.items[it]) && !s.chosen[it]))
            continue;
        int64_t a = need < 0 ? 0 : s.q[it] - need;
        s.alloc[it] = a < 0 ? 0 : a > full ? full : a;
        if (s.chosen[it] && s.alloc[it] == 0)
            s.alloc[it] = 1; /* fails the check below: chosen but nothing left to serve */
    }
    if (r == 0)
        r = check_solution(&c, &s, strict, err);
    if (r == -DW_ENOMEM)
        dw_error_set(err, r, "out of memory");
    free(s.q);
    free(s.chosen);
    free(s.alloc);
    free(s.cov);
    cfg_release(&c);
    return r;
}

int dw__configure_probe(const struct dw_workspace *ws, const json_t *requirements,
                        const json_t *conflict, size_t drop, struct dw_error *err) {
    struct cfg c = {0};
    int r = cfg_init(&c, ws, requirements, err);
    _cleanup_free_ bool *active = r == 0 ? calloc(c.n_groups + 1, sizeof *active) : NULL;
    if (r == 0 && !active)
        r = -DW_ENOMEM;
    size_t matched = 0;
    for (size_t g = 0; g < c.n_groups && r == 0; g++) {
        struct dw_buf b;
        dw_buf_init(&b, 0);
        r = group_text(&c, &c.groups[g], &b);
        _cleanup_free_ char *text = r == 0 ? dw_buf_steal(&b) : NULL;
        dw_buf_release(&b);
        size_t i;
        json_t *e;
        json_array_foreach(conflict, i, e) {
            if (text && strcmp(dw_json_str(e, "text"), text) == 0) {
                matched++;
                active[g] = i != drop;
            }
        }
    }
    if (r == 0 && matched != json_array_size(conflict))
        r = dw_error_set(err, -DW_EINVAL, "probe: %zu of %zu conflict entries matched", matched,
                         json_array_size(conflict));
    if (r == 0)
        r = feasible(&c, active);
    cfg_release(&c);
    return r;
}
