/* The configurator reads the requirements: the capabilities wanted and ruled out,
 * the counts of each unit, attribute bounds and the SKUs asked for by name. */
#include "engines/configure/configure-internal.h"

/* ---- requirements ---------------------------------------------------------------------- */

static const char *entry_name(const json_t *e) {
    if (json_is_string(e))
        return json_string_value(e);
    return dw_json_str(e, "name");
}

int dw__cf_read_names(const json_t *req, const char *key, const char ***ret, size_t *ret_n,
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
int dw__cf_read_units(struct cfg *c, const json_t *q, struct dw_error *err) {
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
int dw__cf_read_attrs(struct cfg *c, const json_t *v, struct dw_error *err) {
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
int dw__cf_read_skus(struct cfg *c, const json_t *req, struct dw_error *err) {
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

const struct unit_count *dw__cf_unit_of(const struct cfg *c, const struct dw_item *it) {
    if (!it->quantity_unit)
        return NULL;
    for (size_t k = 0; k < c->n_units; k++)
        if (strcmp(c->units[k].unit, it->quantity_unit) == 0)
            return &c->units[k];
    return NULL;
}

/* The quantity of item i when chosen for the customer: the count in its unit times its
 * factor (*counted), else 1. With `active`, a switched-off count does not apply. */
int64_t dw__cf_demand_of(const struct cfg *c, size_t i, const bool *active, bool *counted) {
    const struct dw_item *it = c->items[i];
    const struct unit_count *u = dw__cf_unit_of(c, it);
    *counted = u && (!active || active[u->gid]);
    if (!*counted)
        return 1;
    int64_t f = it->quantity_factor > 0 ? it->quantity_factor : 1, d;
    if (dw_mul_checked(u->value, f, &d) < 0 || d > DW_CFG_MAX_QUANTITY)
        d = DW_CFG_MAX_QUANTITY;
    return d;
}

bool dw__cf_banned(const struct cfg *c, const struct dw_item *it, const bool *active) {
    for (size_t k = 0; k < it->n_capabilities; k++) {
        size_t e = sorted_find(c->excaps, c->n_excaps, it->capabilities[k]);
        if (e != NONE && (!active || active[c->excap_gid[e]]))
            return true;
    }
    return false;
}

const char *dw__cf_banned_cap(const struct cfg *c, const struct dw_item *it) {
    for (size_t k = 0; k < it->n_capabilities; k++)
        if (sorted_find(c->excaps, c->n_excaps, it->capabilities[k]) != NONE)
            return it->capabilities[k];
    return NULL;
}

bool dw__cf_wanted_provider(const struct cfg *c, const struct dw_item *it) {
    for (size_t k = 0; k < it->n_capabilities; k++)
        if (sorted_find(c->wants, c->n_wants, it->capabilities[k]) != NONE)
            return true;
    return false;
}

int64_t dw__cf_slots_of(const struct dw_item *it, const char *kind) {
    for (size_t k = 0; k < it->n_slots; k++)
        if (it->slots[k].name && strcmp(it->slots[k].name, kind) == 0)
            return it->slots[k].value;
    return 0;
}

/* Does item i require, directly or down its requires chain, an item that provides cap?
 * An HA kit counted in hubs brings the hub gateways, so it serves the hubs with SD-WAN.
 * memo per catalog item: 0 not known yet, 1 no, 2 yes (each item is settled once). */
bool dw__cf_requires_provider(const struct cfg *c, size_t i, const char *cap, unsigned char *memo,
                              int depth) {
    if (memo[i])
        return memo[i] == 2;
    const struct dw_item *it = c->items[i];
    bool yes = false;
    for (size_t r = 0; r < it->n_requires && !yes && depth <= DW_CFG_MAX_DEPTH; r++) {
        size_t j = find_item(c, it->requires[r].sku);
        yes = j != NONE && j != i &&
              (provides(c->items[j], cap) || dw__cf_requires_provider(c, j, cap, memo, depth + 1));
    }
    memo[i] = yes ? 2 : 1;
    return yes;
}

/* How item p serves the customer's count of unit u for capability k: 1 when it provides k
 * and is counted in u, 2 when it is counted in u and brings a provider of k through its
 * requires, 0 when it does not. Only items with an allocation column serve a count. */
int dw__cf_serves(const struct cfg *c, size_t p, size_t k, const struct unit_count *u) {
    const struct dw_item *it = c->items[c->rel[p]];
    if (!c->alloc_ok[p] || !it->quantity_unit || strcmp(it->quantity_unit, u->unit) != 0)
        return 0;
    if (provides(it, c->wants[k]))
        return 1;
    return c->brings[p * c->n_wants + k] ? 2 : 0;
}

/* The customer's counts that capability k is measured in: units in which some relevant
 * provider of k is counted. Each of them must be served in full when k is covered. */
bool dw__cf_measured_in(const struct cfg *c, size_t k, const struct unit_count *u) {
    for (size_t p = 0; p < c->m; p++)
        if (dw__cf_serves(c, p, k, u) == 1)
            return true;
    return false;
}

int64_t dw__cf_factor_of(const struct dw_item *it) {
    return it->quantity_factor > 0 ? it->quantity_factor : 1;
}
