/* The integer program (GLPK): columns, rows and objectives of one configuration
 * request, solved with a time limit. */
#include "engines/configure/configure-internal.h"

/* ---- the model --------------------------------------------------------------------------- */

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
int dw__cf_build_model(const struct cfg *c, const bool *active, bool cover_all, glp_prob **ret) {
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
        bool ban = dw__cf_banned(c, it, active);
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
        if (!dw__cf_wanted_provider(c, it))
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
        dw__cf_demand_of(c, i, active, &counted);
        bool alloc = c->alloc_ok[p] && counted;
        /* a_p counts what p serves in the customer's unit (sites), so an item with factor f
         * needs f a_p units for it; N = d / f is the customer's count */
        const struct unit_count *uc = dw__cf_unit_of(c, it);
        double N = alloc ? (double)uc->value : 0;
        glp_set_col_kind(lp, COL_A(c, p), GLP_IV);
        glp_set_col_bnds(lp, COL_A(c, p), alloc ? GLP_DB : GLP_FX, 0, N);
        if (alloc && dw__cf_wanted_provider(c, it)) {
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
            e = e ?: row_add(&r, COL_A(c, p), -Lf * (double)dw__cf_factor_of(it));
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
            if (!active[uc->gid] || !dw__cf_measured_in(c, k, uc))
                continue;
            for (size_t p = 0; p < m && !e; p++)
                if (dw__cf_serves(c, p, k, uc))
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
            double n = (double)dw__cf_slots_of(it, c->slot_kinds[k]);
            bool counted;
            dw__cf_demand_of(c, c->rel[p], active, &counted);
            bool by_alloc = n > 0 && c->alloc_ok[p] && counted;
            if (hosted - (by_alloc ? 0 : n) != 0)
                e = row_add(&r, COL_Q(c, p), hosted - (by_alloc ? 0 : n));
            if (by_alloc && !e)
                e = row_add(&r, COL_A(c, p), -n * (double)dw__cf_factor_of(it));
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

void dw__cf_drop_prob(const struct cfg *c, glp_prob *lp) {
    if (lp && !c->glpk_reset)
        glp_delete_prob(lp);
}

/* Solve; 1 when a solution was found, 0 when infeasible, < 0 on a solver failure. */
int dw__cf_solve(struct cfg *c, glp_prob *lp, int dir) {
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

int dw__cf_feasible(struct cfg *c, const bool *active) {
    glp_prob *lp = NULL;
    int r = dw__cf_build_model(c, active, true, &lp);
    if (r < 0)
        return r;
    r = dw__cf_solve(c, lp, GLP_MIN);
    dw__cf_drop_prob(c, lp);
    return r;
}

/* Set the objective: coefficient per column from fn, or clear it. */

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

void dw__cf_set_objective(const struct cfg *c, glp_prob *lp, enum objective o) {
    for (size_t p = 0; p < c->m; p++) {
        glp_set_obj_coef(lp, COL_Q(c, p), obj_coef(c, o, p, 0));
        glp_set_obj_coef(lp, COL_B(c, p), obj_coef(c, o, p, 1));
        glp_set_obj_coef(lp, COL_C(c, p), 0);
    }
    for (size_t k = 0; k < c->n_wants; k++)
        glp_set_obj_coef(lp, COL_S(c, k), o == OBJ_COVER ? 1 : 0);
}

/* Fix the current objective at its optimum (all coefficients are integers, so is it). */
int dw__cf_fix_objective(const struct cfg *c, glp_prob *lp, enum objective o, double value,
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
