/* The catalog items relevant to a request, the upper bounds of their quantities, and
 * the groups of constraints a conflict is explained by. */
#include "engines/configure/configure-internal.h"

/* ---- the relevant items ------------------------------------------------------------------ */

/* The items a configuration may contain: providers of wanted capabilities, selected and
 * limited items, and — to a fixpoint — what they require, the options they offer, and the
 * accessories (items without capabilities) that supply an attribute they demand. Nothing
 * else is bought: not a gateway from an unrelated family to reach a throughput total, nor a
 * switch nobody asked for to power access points (the conflict then says so). */
int dw__cf_find_relevant(struct cfg *c) {
    _cleanup_free_ bool *in = calloc(c->n ? c->n : 1, sizeof *in);
    c->pos = calloc(c->n ? c->n : 1, sizeof *c->pos);
    c->rel = calloc(c->n ? c->n : 1, sizeof *c->rel);
    if (!in || !c->pos || !c->rel)
        return -DW_ENOMEM;
    for (size_t i = 0; i < c->n; i++)
        in[i] = dw__cf_wanted_provider(c, c->items[i]);
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
                if (!in[j] && dw__cf_slots_of(c->items[j], it->slot) > 0)
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
            c->brings[p * c->n_wants + k] =
                dw__cf_requires_provider(c, c->rel[p], c->wants[k], memo, 0);
    }
    for (size_t p = 0; p < c->m; p++) {
        const struct dw_item *it = c->items[c->rel[p]];
        c->alloc_ok[p] =
            dw__cf_unit_of(c, it) && (dw__cf_wanted_provider(c, it) || it->n_slots > 0);
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

int dw__cf_compute_bounds(struct cfg *c, struct dw_error *err) {
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
            int64_t d = dw__cf_demand_of(c, c->rel[p], NULL, &counted);
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
int dw__cf_build_groups(struct cfg *c, struct dw_error *err) {
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
