/* The configurator's family-internal header: the request as the model sees it and what
 * the files of lib/engines/configure/ share. Not for use outside the family; the interface
 * is engines/configure.h.
 *
 * The configurator as a mixed-integer linear program (GLPK).
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
 * Every configuration is checked by dw__cf_check_solution() — exact integer arithmetic, no solver
 * — before it is returned: a numerical slip in the solver becomes an error, never a wrong
 * quote. The same check is public as dw_configure_verify() for the property tests.
 */
#ifndef DW_CONFIGURE_INTERNAL_H
#define DW_CONFIGURE_INTERNAL_H

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

static inline int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static inline int cmp_item_sku(const void *a, const void *b) {
    const struct dw_item *x = *(const struct dw_item *const *)a;
    const struct dw_item *y = *(const struct dw_item *const *)b;
    return strcmp(x->sku, y->sku);
}

static inline size_t find_item(const struct cfg *c, const char *sku) {
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

static inline bool has_str(char *const *v, size_t n, const char *s) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

static inline bool provides(const struct dw_item *it, const char *cap) {
    return has_str(it->capabilities, it->n_capabilities, cap);
}

static inline int64_t attr_of(const struct dw_item *it, const char *name) {
    for (size_t i = 0; i < it->n_attributes; i++)
        if (strcmp(it->attributes[i].name, name) == 0)
            return it->attributes[i].value;
    return 0;
}

static inline int64_t req_count(const struct dw_item_req *r) {
    return r->count > 0 ? r->count : 1;
}

static inline int64_t req_per(const struct dw_item_req *r) {
    return r->per > 0 ? r->per : 1;
}

static inline int64_t min_of(const struct dw_item *it) {
    return it->min_qty > 1 ? it->min_qty : 1;
}

static inline size_t sorted_find(const char *const *v, size_t n, const char *s) {
    const char *const *hit = n ? bsearch(&s, v, n, sizeof *v, cmp_str) : NULL;
    return hit ? (size_t)(hit - v) : NONE;
}

static inline int64_t gcd64(int64_t a, int64_t b) {
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

static inline void frac_add(struct frac *f, int64_t num, int64_t den) {
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

static inline int64_t frac_ceil(const struct frac *f) {
    return (int64_t)((f->num + f->den - 1) / f->den);
}

/* the model's columns (model.c) */
#define COL_Q(c, p) ((int)(p) + 1)
#define COL_B(c, p) ((int)((c)->m + (p)) + 1)
#define COL_C(c, p) ((int)(2 * (c)->m + (p)) + 1)
#define COL_S(c, k) ((int)(3 * (c)->m + (k)) + 1)
#define COL_A(c, p) ((int)(3 * (c)->m + (c)->n_wants + (p)) + 1)

enum objective { OBJ_COVER, OBJ_COST, OBJ_RANK, OBJ_ATTR, OBJ_UNITS };

struct sol {
    int64_t *q;     /* per catalog item */
    bool *chosen;   /* per catalog item */
    int64_t *alloc; /* per catalog item: the part of the customer's count it serves */
    bool *cov;      /* per wanted capability: covered */
};

/* needs.c */
int dw__cf_read_names(const json_t *req, const char *key, const char ***ret, size_t *ret_n,
                      size_t limit, struct dw_error *err);
int dw__cf_read_units(struct cfg *c, const json_t *q, struct dw_error *err);
int dw__cf_read_attrs(struct cfg *c, const json_t *v, struct dw_error *err);
int dw__cf_read_skus(struct cfg *c, const json_t *req, struct dw_error *err);
const struct unit_count *dw__cf_unit_of(const struct cfg *c, const struct dw_item *it);
int64_t dw__cf_demand_of(const struct cfg *c, size_t i, const bool *active, bool *counted);
bool dw__cf_banned(const struct cfg *c, const struct dw_item *it, const bool *active);
const char *dw__cf_banned_cap(const struct cfg *c, const struct dw_item *it);
bool dw__cf_wanted_provider(const struct cfg *c, const struct dw_item *it);
int64_t dw__cf_slots_of(const struct dw_item *it, const char *kind);
bool dw__cf_requires_provider(const struct cfg *c, size_t i, const char *cap, unsigned char *memo,
                              int depth);
int dw__cf_serves(const struct cfg *c, size_t p, size_t k, const struct unit_count *u);
bool dw__cf_measured_in(const struct cfg *c, size_t k, const struct unit_count *u);
int64_t dw__cf_factor_of(const struct dw_item *it);

/* items.c */
int dw__cf_find_relevant(struct cfg *c);
int dw__cf_compute_bounds(struct cfg *c, struct dw_error *err);
int dw__cf_build_groups(struct cfg *c, struct dw_error *err);

/* model.c */
int dw__cf_build_model(const struct cfg *c, const bool *active, bool cover_all, glp_prob **ret);
void dw__cf_drop_prob(const struct cfg *c, glp_prob *lp);
int dw__cf_solve(struct cfg *c, glp_prob *lp, int dir);
int dw__cf_feasible(struct cfg *c, const bool *active);
void dw__cf_set_objective(const struct cfg *c, glp_prob *lp, enum objective o);
int dw__cf_fix_objective(const struct cfg *c, glp_prob *lp, enum objective o, double value,
                         int dir);

/* conflict.c */
int dw__cf_deletion_filter(struct cfg *c, bool *active);
void dw__cf_singular(const char *unit, char *buf, size_t size);
int dw__cf_group_text(const struct cfg *c, const struct group *g, struct dw_buf *b);
int dw__cf_conflict_json(const struct cfg *c, const bool *active, json_t **ret_list,
                         char **ret_text);

/* check.c */
int64_t dw__cf_required_of(const struct cfg *c, const int64_t *q, size_t j);
int dw__cf_violation(struct dw_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int dw__cf_check_solution(const struct cfg *c, const struct sol *s, bool strict,
                          struct dw_error *err);

/* output.c */
int dw__cf_emit_lines(const struct cfg *c, const struct sol *s, json_t *out);
int dw__cf_emit_options(const struct cfg *c, const struct sol *s, json_t *out);
int dw__cf_uncovered_reason(struct cfg *c, size_t k, const bool *covered, char **ret);
void dw__cf_read_solution(const struct cfg *c, glp_prob *lp, struct sol *s);
int dw__cf_guide(struct cfg *c, const bool *active, const struct sol *s, json_t *out);

#endif
