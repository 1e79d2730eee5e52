/* The configuration as JSON: the lines with the reason for each, the options, and
 * what is left uncovered. */
#include "engines/configure/configure-internal.h"

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
        d = dw__cf_demand_of(c, i, NULL, &counted);
        const struct unit_count *u = dw__cf_unit_of(c, it);
        if (u && alloc) {
            int64_t f = dw__cf_factor_of(it), served = s->alloc[i] / f;
            dw__cf_singular(u->unit, one, sizeof one);
            if (served < u->value)
                r = dw_buf_printf(b, "%" PRId64 " of ", served);
            if (r == 0)
                r = dw_buf_printf(b, "%" PRId64 " %s x %" PRId64 " per %s", u->value,
                                  u->value == 1 ? one : u->unit, f, one);
            for (size_t j = 0; j < c->n && r == 0 && !s->chosen[i] && it->n_slots; j++)
                if (s->q[j] > 0 && c->items[j]->slot && dw__cf_slots_of(it, c->items[j]->slot) > 0)
                    r = dw_buf_printf(b, ", a %s slot for %s", c->items[j]->slot, c->items[j]->sku);
        } else if (u)
            r = dw_buf_printf(b, "%s counted in %s", it->sku, u->unit);
        else if (it->quantity_unit)
            r = dw_buf_printf(b, "no number of %s given", it->quantity_unit);
        else
            r = dw_buf_puts(b, "one per solution");
    }
    int64_t need = dw__cf_required_of(c, s->q, i);
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

int dw__cf_emit_lines(const struct cfg *c, const struct sol *s, json_t *out) {
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
            /* {sku, name, quantity, covers, reason, required_by}, built directly (json_pack
             * parses its format per line) */
            json_t *line = json_object();
            bool bad = !line || !covers;
            if (!bad)
                bad = json_object_set_new_nocheck(line, "sku", json_string(it->sku)) < 0 ||
                      json_object_set_new_nocheck(line, "name",
                                                  json_string(it->name ? it->name : it->sku)) < 0 ||
                      json_object_set_new_nocheck(line, "quantity", json_integer(s->q[i])) < 0;
            if (!bad) { /* set_new takes covers even when it fails */
                bad = json_object_set_new_nocheck(line, "covers", covers) < 0;
                covers = NULL;
            }
            if (!bad)
                bad = json_object_set_new_nocheck(line, "reason", json_string(reason)) < 0 ||
                      json_object_set_new_nocheck(line, "required_by",
                                                  req_by ? json_string(req_by) : json_null()) < 0;
            json_decref(covers);
            if (bad) {
                json_decref(line);
                return -DW_ENOMEM;
            }
            if (json_array_append_new(out, line) < 0)
                return -DW_ENOMEM;
        }
    }
    return 0;
}

/* Options the lines offer that are not lines themselves, would not break an exclusion and
 * do not provide something the customer ruled out; by SKU, each once. */
int dw__cf_emit_options(const struct cfg *c, const struct sol *s, json_t *out) {
    for (size_t o = 0; o < c->n; o++) {
        const struct dw_item *opt = c->items[o];
        if (s->q[o] > 0 || dw__cf_banned(c, opt, NULL))
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
        json_t *e = json_object();
        if (!e || json_object_set_new_nocheck(e, "sku", json_string(opt->sku)) < 0 ||
            json_object_set_new_nocheck(e, "for", json_string(host)) < 0 ||
            json_object_set_new_nocheck(e, "name", json_string(opt->name ? opt->name : opt->sku)) <
                0) {
            json_decref(e);
            return -DW_ENOMEM;
        }
        if (json_array_append_new(out, e) < 0)
            return -DW_ENOMEM;
    }
    return 0;
}

/* Why a wanted capability is not covered: the simple cases by name, otherwise the
 * irreducible conflict with the capabilities that are covered. */
int dw__cf_uncovered_reason(struct cfg *c, size_t k, const bool *covered, char **ret) {
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
    int r = dw__cf_feasible(c, active);
    if (r == 1) {
        *ret = strdup("could not be covered within the solver's time limit");
        return *ret ? 0 : -DW_ENOMEM;
    }
    if (r == 0)
        r = dw__cf_deletion_filter(c, active);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *list = NULL;
    return dw__cf_conflict_json(c, active, &list, ret);
}

void dw__cf_read_solution(const struct cfg *c, glp_prob *lp, struct sol *s) {
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
            int64_t d = dw__cf_demand_of(c, i, NULL, &counted),
                    need = dw__cf_required_of(c, s->q, i);
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
        dw__cf_demand_of(c, i, NULL, &counted);
        if (s->q[i] > 0 && !counted && dw__cf_wanted_provider(c, c->items[i]))
            s->chosen[i] = true;
    }
    /* a capability not measured in any of the customer's counts is covered by any chosen
     * provider (as above); one that is measured is covered when every count is served */
    for (size_t k = 0; k < c->n_wants; k++) {
        bool measured = false;
        for (size_t u = 0; u < c->n_units && !measured; u++)
            measured = dw__cf_measured_in(c, k, &c->units[u]);
        for (size_t i = 0; i < c->n && !measured && !s->cov[k]; i++)
            s->cov[k] = s->chosen[i] && provides(c->items[i], c->wants[k]);
    }
}

int dw__cf_guide(struct cfg *c, const bool *active, const struct sol *s, json_t *out) {
    glp_prob *lp = NULL;
    int r = dw__cf_build_model(c, active, true, &lp);
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
        r = dw__cf_solve(c, lp, GLP_MIN);
        if (r < 0)
            break;
        glp_set_col_bnds(lp, col, type, lb, ub);
        json_t *dst = in ? (r == 0 ? forced : possible) : (r == 1 ? possible : impossible);
        json_array_append_new(dst, json_string(c->items[i]->sku));
        r = 0;
    }
    dw__cf_drop_prob(c, lp);
    return r;
}
