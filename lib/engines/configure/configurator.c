/* The configurator's entry points: reading the request, optimising objective by
 * objective, and the result. */
#include "engines/configure/configure-internal.h"

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
    int r = dw__cf_read_names(req, "capabilities", &c->wants, &c->n_wants, DW_CFG_MAX_WANTS, err);
    if (r == 0)
        r = dw__cf_read_names(req, "excluded_capabilities", &c->excaps, &c->n_excaps,
                              DW_CFG_MAX_ENTRIES, err);
    if (r == 0)
        r = dw__cf_read_units(c, json_object_get(req, "quantities"), err);
    if (r == 0)
        r = dw__cf_read_attrs(c, json_object_get(req, "attributes"), err);
    if (r == 0)
        r = dw__cf_read_skus(c, req, err);
    if (r == 0)
        r = dw__cf_find_relevant(c);
    if (r == 0)
        r = dw__cf_compute_bounds(c, err);
    if (r == 0)
        r = dw__cf_build_groups(c, err);
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
    int r = dw__cf_build_model(c, active, !lenient, &lp);
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
        dw__cf_set_objective(c, lp, stages[k]);
        r = dw__cf_solve(c, lp, dir);
        if (r <= 0)
            break;
        if (stages[k] == OBJ_COST)
            *ret_cost = (int64_t)llround(glp_mip_obj_val(lp));
        if (k + 1 < ns)
            r = dw__cf_fix_objective(c, lp, stages[k], glp_mip_obj_val(lp), dir) ?: 1;
    }
    if (r == 1)
        dw__cf_read_solution(c, lp, s);
    dw__cf_drop_prob(c, lp);
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
        r = dw__cf_deletion_filter(&c, active);
        json_t *list = NULL;
        char *text = NULL;
        if (r == 0)
            r = dw__cf_conflict_json(&c, active, &list, &text);
        if (r < 0)
            goto out;
        json_object_set_new(sol, "feasible", json_false());
        json_object_set_new(sol, "conflict", list);
        json_object_set_new(sol, "explanation", json_string(text));
        free(text);
    } else {
        r = dw__cf_check_solution(&c, &s, opts->strict, err);
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
        r = dw__cf_emit_lines(&c, &s, json_object_get(sol, "lines"));
        if (r == 0)
            r = dw__cf_emit_options(&c, &s, json_object_get(sol, "options"));
        for (size_t k = 0; k < c.n_wants && r == 0; k++) {
            if (covered[k])
                continue;
            char *why = NULL;
            r = dw__cf_uncovered_reason(&c, k, covered, &why);
            if (r == 0 && json_array_append_new(
                              json_object_get(sol, "not_covered"),
                              json_pack("{s:s, s:s}", "capability", c.wants[k], "reason", why)) < 0)
                r = -DW_ENOMEM;
            free(why);
        }
        /* what the customer ruled out without asking for it ("we don't need Wi-Fi") is not
         * covered either, and the proposal says so */
        for (size_t k = 0; k < c.n_excaps && r == 0; k++)
            if (sorted_find(c.wants, c.n_wants, c.excaps[k]) == NONE &&
                json_array_append_new(json_object_get(sol, "not_covered"),
                                      json_pack("{s:s, s:s}", "capability", c.excaps[k], "reason",
                                                "excluded by the customer")) < 0)
                r = -DW_ENOMEM;
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
            r = g ? dw__cf_guide(&c, active, &s, g) : -DW_ENOMEM;
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
            r = dw__cf_violation(err, "lines[%zu]: unknown, repeated or empty line", i);
            break;
        }
        s.q[it] = q;
        s.chosen[it] = json_array_size(json_object_get(line, "covers")) > 0;
        size_t k;
        json_t *cap;
        json_array_foreach(json_object_get(line, "covers"), k, cap) {
            if (!json_is_string(cap) || !provides(c.items[it], json_string_value(cap)) ||
                sorted_find(c.wants, c.n_wants, json_string_value(cap)) == NONE) {
                r = dw__cf_violation(err, "lines[%zu]: %s does not provide a wanted %s", i, sku,
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
        int64_t full = dw__cf_demand_of(&c, it, NULL, &counted),
                need = dw__cf_required_of(&c, s.q, it);
        if (!c.alloc_ok[p] || (dw__cf_wanted_provider(&c, c.items[it]) && !s.chosen[it]))
            continue;
        int64_t a = need < 0 ? 0 : s.q[it] - need;
        s.alloc[it] = a < 0 ? 0 : a > full ? full : a;
        if (s.chosen[it] && s.alloc[it] == 0)
            s.alloc[it] = 1; /* fails the check below: chosen but nothing left to serve */
    }
    if (r == 0)
        r = dw__cf_check_solution(&c, &s, strict, err);
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
        r = dw__cf_group_text(&c, &c.groups[g], &b);
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
        r = dw__cf_feasible(&c, active);
    cfg_release(&c);
    return r;
}
