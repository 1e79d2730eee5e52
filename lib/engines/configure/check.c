/* The solver's answer checked exactly, in integers: every requirement, bundle and
 * exclusion of the catalog holds for the quantities chosen. */
#include "engines/configure/configure-internal.h"

/* ---- the solution, checked exactly -------------------------------------------------------- */

/* What requirers need of item j: ceil(sum q_r x count / per). -1 on overflow. */
int64_t dw__cf_required_of(const struct cfg *c, const int64_t *q, size_t j) {
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

int dw__cf_violation(struct dw_error *err, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dw_error_set(err, -DW_EVALIDATE, "configuration check: %s", msg);
}

int dw__cf_check_solution(const struct cfg *c, const struct sol *s, bool strict,
                          struct dw_error *err) {
    const struct dw_workspace *ws = c->ws;
    for (size_t i = 0; i < c->n; i++) {
        const struct dw_item *it = c->items[i];
        int64_t q = s->q[i];
        if (q < 0)
            return dw__cf_violation(err, "%s has a negative quantity", it->sku);
        if (s->chosen[i] && (q == 0 || !dw__cf_wanted_provider(c, it)))
            return dw__cf_violation(err, "%s covers a capability it cannot", it->sku);
        for (size_t k = 0; k < c->n_selects; k++)
            if (c->selects[k].item == i && c->selects[k].qty != q)
                return dw__cf_violation(err,
                                        "%s: %" PRId64 " selected, %" PRId64 " in the solution",
                                        it->sku, c->selects[k].qty, q);
        if (q == 0)
            continue;
        if (q < it->min_qty)
            return dw__cf_violation(err, "%s: %" PRId64 " is below its minimum of %" PRId64,
                                    it->sku, q, it->min_qty);
        if (it->max_qty > 0 && q > it->max_qty)
            return dw__cf_violation(err, "%s: %" PRId64 " is above its maximum of %" PRId64,
                                    it->sku, q, it->max_qty);
        for (size_t k = 0; k < c->n_limits; k++)
            if (c->limits[k].item == i && q > c->limits[k].qty)
                return dw__cf_violation(err,
                                        "%s: %" PRId64 " is above the customer's limit of %" PRId64,
                                        it->sku, q, c->limits[k].qty);
        if (dw__cf_banned(c, it, NULL))
            return dw__cf_violation(err, "%s provides %s, which the customer ruled out", it->sku,
                                    dw__cf_banned_cap(c, it));
        bool counted;
        int64_t d = s->chosen[i] ? dw__cf_demand_of(c, i, NULL, &counted) : 0;
        int64_t need = dw__cf_required_of(c, s->q, i);
        if (need < 0)
            return dw__cf_violation(err, "%s: the requires ratios are too fine to check", it->sku);
        size_t p = c->pos[i];
        bool alloc = p != NONE && c->alloc_ok[p];
        if (alloc) {
            int64_t full = dw__cf_demand_of(c, i, NULL, &counted);
            if (s->alloc[i] < 0 || s->alloc[i] > full ||
                (dw__cf_wanted_provider(c, it) && s->chosen[i] != (s->alloc[i] > 0)))
                return dw__cf_violation(err, "%s serves %" PRId64 " of the customer's %" PRId64,
                                        it->sku, s->alloc[i], full);
        } else if (s->alloc[i])
            return dw__cf_violation(err, "%s serves a count it is not counted in", it->sku);
        int64_t want = alloc ? s->alloc[i] + need : (need > d ? need : d);
        if (q < want)
            return dw__cf_violation(err, "%s: %" PRId64 " in the solution but %" PRId64 " needed",
                                    it->sku, q, want);
        for (size_t k = 0; k < it->n_excludes; k++) {
            size_t j = find_item(c, it->excludes[k]);
            if (j != NONE && s->q[j] > 0)
                return dw__cf_violation(err, "%s and %s exclude each other", it->sku,
                                        it->excludes[k]);
        }
        if (it->option_only) {
            bool host = false;
            for (size_t j = 0; j < c->n && !host; j++)
                host =
                    s->q[j] > 0 && has_str(c->items[j]->options, c->items[j]->n_options, it->sku);
            if (!host)
                return dw__cf_violation(err, "%s is sold only as an option, and no line offers it",
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
                return dw__cf_violation(err, "%s: total %s %" PRId64 " is below total %s %" PRId64,
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
                    return dw__cf_violation(err, "%s: %s does not work with %s", rule->name,
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
            return dw__cf_violation(err, "total %s is %" PRId64 ", outside what the customer asked",
                                    c->attrs[a].name, (int64_t)tot);
    }
    for (size_t k = 0; k < c->n_wants; k++) {
        bool cov = false;
        for (size_t i = 0; i < c->n && !cov; i++)
            cov = s->chosen[i] && provides(c->items[i], c->wants[k]);
        if ((strict || s->cov[k]) && !cov)
            return dw__cf_violation(err, "%s is not covered", c->wants[k]);
        for (size_t u = 0; u < c->n_units && s->cov[k]; u++) {
            if (!dw__cf_measured_in(c, k, &c->units[u]))
                continue;
            __int128 served = 0;
            for (size_t p = 0; p < c->m; p++)
                if (dw__cf_serves(c, p, k, &c->units[u]))
                    served += s->alloc[c->rel[p]] / dw__cf_factor_of(c->items[c->rel[p]]);
            if (served < c->units[u].value)
                return dw__cf_violation(err,
                                        "%s: fewer than the customer's %" PRId64 " %s are served",
                                        c->wants[k], c->units[u].value, c->units[u].unit);
        }
    }
    for (size_t k = 0; k < c->n_slot_kinds; k++) {
        __int128 used = 0, offered = 0;
        for (size_t i = 0; i < c->n; i++) {
            const struct dw_item *it = c->items[i];
            if (it->slot && strcmp(it->slot, c->slot_kinds[k]) == 0)
                used += s->q[i];
            int64_t n = dw__cf_slots_of(it, c->slot_kinds[k]);
            size_t p = c->pos[i];
            if (n > 0)
                offered += (__int128)n * (p != NONE && c->alloc_ok[p] ? s->alloc[i] : s->q[i]);
        }
        if (used > offered)
            return dw__cf_violation(err,
                                    "%" PRId64 " parts need a %s slot, the hosts offer %" PRId64,
                                    (int64_t)used, c->slot_kinds[k], (int64_t)offered);
    }
    return 0;
}
