/* An unsatisfiable request explained: the smallest set of constraint groups that
 * cannot hold together (a deletion filter), in words. */
#include "engines/configure/configure-internal.h"

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
    int r = dw__cf_feasible(c, active);
    if (r <= 0) /* still infeasible without the whole block (or an error) */
        return r;
    for (size_t k = 0; k < n; k++)
        active[cand[k]] = true;
    if (n == 1)
        return 0;
    r = drop_block(c, active, cand, n / 2);
    return r < 0 ? r : drop_block(c, active, cand + n / 2, n - n / 2);
}

int dw__cf_deletion_filter(struct cfg *c, bool *active) {
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

void dw__cf_singular(const char *unit, char *buf, size_t size) {
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
int dw__cf_group_text(const struct cfg *c, const struct group *g, struct dw_buf *b) {
    char one[64];
    switch (g->kind) {
    case G_WANT:
        return dw_buf_printf(b, "the customer needs %s", c->wants[g->a]);
    case G_QTY: {
        const struct unit_count *u = &c->units[g->a];
        dw__cf_singular(u->unit, one, sizeof one);
        int r = dw_buf_printf(b, "the customer has %" PRId64 " %s", u->value,
                              u->value == 1 ? one : u->unit);
        /* what the count sizes, among the relevant items */
        bool first = true;
        for (size_t p = 0; p < c->m && r == 0; p++) {
            const struct dw_item *it = c->items[c->rel[p]];
            if (!it->quantity_unit || strcmp(it->quantity_unit, u->unit) != 0 ||
                !dw__cf_wanted_provider(c, it))
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
            int64_t n = dw__cf_slots_of(c->items[c->rel[p]], kind);
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
int dw__cf_conflict_json(const struct cfg *c, const bool *active, json_t **ret_list,
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
        r = dw__cf_group_text(c, &c->groups[g], &b);
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
