/* The CEL evaluator: a walk over the resolved tree. Strict calls propagate the first error
 * (or unknown) among their arguments; `&&`, `||` and `?:` absorb them where the result
 * does not depend on them, as cel-spec says. Every node and iteration costs one step;
 * the program's budget bounds the walk. */
#include "rules/cel_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>

static cel_value ev(struct cel_ctx *c, const struct cel_node *n);

cel_value cel_err_oom(struct cel_ctx *c, int32_t pos) {
    return cel_error(c->a, pos, "memory limit of the evaluation exceeded");
}

cel_value cel_err_cost(struct cel_ctx *c, int32_t pos) {
    return cel_error(c->a, pos, "evaluation cost limit of %" PRIu64 " steps exceeded", c->max_cost);
}

static bool is_err(cel_value v) {
    return v.kind == CEL_ERROR || v.kind == CEL_UNKNOWN;
}

static const cel_value *lookup_extra(const struct cel_activation *act, const char *name) {
    for (size_t i = 0; i < act->n_extra; i++)
        if (strcmp(act->extra[i].name, name) == 0)
            return &act->extra[i].v;
    return NULL;
}

static cel_value select_field(struct cel_ctx *c, cel_value t, const struct cel_str *key,
                              int32_t pos) {
    if (is_err(t))
        return t;
    if (t.kind == CEL_MAP) {
        const cel_value *v = cel_map_get_str(t.m, key->data, key->len);
        if (!v)
            return cel_error(c->a, pos, "no such key: '%s'", key->data);
        return *v;
    }
    return cel_error(c->a, pos, "type '%s' does not support field selection", cel_type_name_of(t));
}

static cel_value eval_ident(struct cel_ctx *c, const struct cel_node *n) {
    const struct cel_activation *act = c->act;
    const cel_value *v = NULL;
    if (act && act->env == c->p->env && n->slot >= 0)
        v = &act->slots[n->slot];
    else if (act)
        v = lookup_extra(act, n->name);
    if (!v || v->kind == CEL_ABSENT)
        return cel_error(c->a, n->pos, "no value for variable '%s'", n->name);
    return *v;
}

static cel_value eval_qident(struct cel_ctx *c, const struct cel_node *n) {
    const struct cel_str *const *segs = (const struct cel_str *const *)n->args;
    for (int i = 0; i < n->n_cands; i++) {
        const cel_value *v = c->act ? lookup_extra(c->act, n->cands[i].name) : NULL;
        if (!v || v->kind == CEL_ABSENT)
            continue;
        cel_value r = *v;
        for (int k = n->nargs - n->cands[i].n_select; k < n->nargs; k++)
            r = select_field(c, r, segs[k], n->pos);
        return r;
    }
    return cel_error(c->a, n->pos, "undeclared reference to '%s'",
                     n->n_cands ? n->cands[n->n_cands - 1].name : "?");
}

static cel_value dispatch(struct cel_ctx *c, const struct cel_node *n, const cel_value *args) {
    for (int i = 0; i < n->n_ovl; i++) {
        const struct cel_overload *o = n->ovl[i];
        int j;
        for (j = 0; j < n->nargs; j++)
            if (o->kinds[j] != K_ANY && o->kinds[j] != args[j].kind)
                break;
        if (j == n->nargs)
            return o->impl(c, args, n->pos);
    }
    if (n->n_ovl == 0 && !cel_function_known(n->name))
        return cel_error(c->a, n->pos, "unbound function '%s'", n->name);
    char kinds[128] = "";
    size_t l = 0;
    for (int j = 0; j < n->nargs && l < sizeof(kinds); j++)
        l += (size_t)snprintf(kinds + l, sizeof(kinds) - l, "%s%s", j ? ", " : "",
                              cel_type_name_of(args[j]));
    return cel_error(c->a, n->pos, "no such overload: %s(%s)", n->name, kinds);
}

static cel_value eval_call(struct cel_ctx *c, const struct cel_node *n) {
    cel_value args[8];
    const cel_value *unknown = NULL, *error = NULL;
    for (int i = 0; i < n->nargs && i < 8; i++) {
        args[i] = ev(c, n->args[i]);
        if (args[i].kind == CEL_UNKNOWN && !unknown)
            unknown = &args[i];
        else if (args[i].kind == CEL_ERROR && !error)
            error = &args[i];
        if (error && c->cost > c->max_cost)
            return *error;
    }
    if (unknown)
        return *unknown;
    if (error)
        return *error;
    return dispatch(c, n, args);
}

static cel_value eval_logic(struct cel_ctx *c, const struct cel_node *n) {
    bool is_and = n->op == N_AND;
    cel_value err = {.kind = CEL_ABSENT}, unk = {.kind = CEL_ABSENT};
    for (int i = 0; i < n->nargs; i++) {
        cel_value v = ev(c, n->args[i]);
        if (v.kind == CEL_BOOL) {
            if (v.b != is_and)
                return v; /* false && ..., true || ... */
            continue;
        }
        if (c->cost > c->max_cost)
            return v;
        if (v.kind == CEL_UNKNOWN) {
            if (unk.kind == CEL_ABSENT)
                unk = v;
        } else if (err.kind == CEL_ABSENT) {
            err = v.kind == CEL_ERROR
                      ? v
                      : cel_error(c->a, n->args[i]->pos, "no matching overload for '%s' on %s",
                                  is_and ? "_&&_" : "_||_", cel_type_name_of(v));
        }
    }
    if (unk.kind != CEL_ABSENT)
        return unk;
    if (err.kind != CEL_ABSENT)
        return err;
    return cel_bool(is_and);
}

/* ---- comprehensions --------------------------------------------------------------------- */

struct growing {
    cel_value *v;
    size_t n, cap;
};

static bool grow_push(struct cel_ctx *c, struct growing *g, cel_value x) {
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        cel_value *v = cel_arena_alloc(c->a, cap * sizeof(*v));
        if (!v)
            return false;
        if (g->n)
            memcpy(v, g->v, g->n * sizeof(*v));
        g->v = v;
        g->cap = cap;
    }
    g->v[g->n++] = x;
    return true;
}

static cel_value eval_comp(struct cel_ctx *c, const struct cel_node *n) {
    cel_value range = ev(c, n->args[0]);
    if (is_err(range))
        return range;
    if (range.kind != CEL_LIST && range.kind != CEL_MAP)
        return cel_error(c->a, n->pos, "%s() needs a list or a map, not %s", n->name,
                         cel_type_name_of(range));
    bool two = n->v2 != NULL, is_list = range.kind == CEL_LIST;
    size_t count = is_list ? range.l->n : range.m->n;
    bool filtered = n->nargs == 3;
    const struct cel_node *pred = n->args[1], *xform = filtered ? n->args[2] : n->args[1];
    struct growing out = {0}; /* values; for maps, key and value pairs */
    cel_value err = {.kind = CEL_ABSENT};
    size_t trues = 0;
    for (size_t i = 0; i < count; i++) {
        if (!cel_charge(c, 1))
            return cel_err_cost(c, n->pos);
        cel_value elem = is_list ? range.l->v[i] : range.m->e[i].k;
        if (two) {
            c->locals[n->slot] = is_list ? cel_int((int64_t)i) : range.m->e[i].k;
            c->locals[n->slot + 1] = is_list ? range.l->v[i] : range.m->e[i].v;
        } else {
            c->locals[n->slot] = elem;
        }
        switch (n->comp) {
        case COMP_ALL:
        case COMP_EXISTS: {
            cel_value r = ev(c, pred);
            bool decisive = n->comp == COMP_EXISTS;
            if (r.kind == CEL_BOOL) {
                if (r.b == decisive)
                    return r;
            } else if (err.kind == CEL_ABSENT || (r.kind == CEL_UNKNOWN && err.kind == CEL_ERROR)) {
                err = is_err(r) ? r
                                : cel_error(c->a, pred->pos,
                                            "no matching overload: %s() needs a "
                                            "bool, not %s",
                                            n->name, cel_type_name_of(r));
            }
            if (c->cost > c->max_cost)
                return cel_err_cost(c, n->pos);
            break;
        }
        case COMP_EXISTS_ONE: {
            cel_value r = ev(c, pred);
            if (r.kind != CEL_BOOL)
                return is_err(r) ? r
                                 : cel_error(c->a, pred->pos,
                                             "no matching overload: %s() needs a "
                                             "bool, not %s",
                                             n->name, cel_type_name_of(r));
            trues += r.b;
            break;
        }
        case COMP_FILTER:
        case COMP_MAP:
        case COMP_TLIST:
        case COMP_TMAP:
        case COMP_TMAP_ENTRY: {
            if (n->comp == COMP_FILTER || filtered) {
                cel_value r = ev(c, pred);
                if (r.kind != CEL_BOOL)
                    return is_err(r) ? r
                                     : cel_error(c->a, pred->pos,
                                                 "no matching overload: the "
                                                 "filter must be a bool, not %s",
                                                 cel_type_name_of(r));
                if (!r.b)
                    break;
            }
            cel_value x = n->comp == COMP_FILTER ? elem : ev(c, xform);
            if (is_err(x))
                return x;
            if (n->comp == COMP_TMAP) {
                if (!grow_push(c, &out, c->locals[n->slot]) || !grow_push(c, &out, x))
                    return cel_err_oom(c, n->pos);
            } else if (n->comp == COMP_TMAP_ENTRY) {
                if (x.kind != CEL_MAP)
                    return cel_error(c->a, xform->pos,
                                     "transformMapEntry() needs a map entry, "
                                     "not %s",
                                     cel_type_name_of(x));
                for (size_t k = 0; k < x.m->n; k++)
                    if (!grow_push(c, &out, x.m->e[k].k) || !grow_push(c, &out, x.m->e[k].v))
                        return cel_err_oom(c, n->pos);
            } else if (!grow_push(c, &out, x)) {
                return cel_err_oom(c, n->pos);
            }
            break;
        }
        }
    }
    switch (n->comp) {
    case COMP_ALL:
    case COMP_EXISTS:
        if (err.kind != CEL_ABSENT)
            return err;
        return cel_bool(n->comp == COMP_ALL);
    case COMP_EXISTS_ONE:
        return cel_bool(trues == 1);
    case COMP_TMAP:
    case COMP_TMAP_ENTRY:
        return cel_map_new(c->a, (const struct cel_entry *)out.v, out.n / 2);
    default:
        return cel_list_new(c->a, out.v, out.n);
    }
}

/* ---- nodes -------------------------------------------------------------------------------- */

static cel_value ev(struct cel_ctx *c, const struct cel_node *n) {
    if (!cel_charge(c, 1))
        return cel_err_cost(c, n->pos);
    switch (n->op) {
    case N_CONST:
        return n->c;
    case N_IDENT:
        return eval_ident(c, n);
    case N_QIDENT:
        return eval_qident(c, n);
    case N_LOCAL:
        return c->locals[n->slot];
    case N_SELECT:
        return select_field(c, ev(c, n->args[0]), n->key, n->pos);
    case N_HAS: {
        cel_value t = ev(c, n->args[0]);
        if (is_err(t))
            return t;
        if (t.kind == CEL_MAP)
            return cel_bool(cel_map_get_str(t.m, n->key->data, n->key->len) != NULL);
        return cel_error(c->a, n->pos, "has() needs a map, not %s", cel_type_name_of(t));
    }
    case N_CALL:
        return eval_call(c, n);
    case N_LIST: {
        cel_value *v = n->nargs ? cel_arena_alloc(c->a, sizeof(*v) * (size_t)n->nargs) : NULL;
        if (n->nargs && !v)
            return cel_err_oom(c, n->pos);
        for (int i = 0; i < n->nargs; i++) {
            v[i] = ev(c, n->args[i]);
            if (is_err(v[i]))
                return v[i];
        }
        struct cel_list *l = cel_arena_alloc(c->a, sizeof(*l));
        if (!l)
            return cel_err_oom(c, n->pos);
        l->n = (size_t)n->nargs;
        l->v = v;
        return (cel_value){.kind = CEL_LIST, .l = l};
    }
    case N_MAP: {
        size_t np = (size_t)n->nargs / 2;
        struct cel_entry *e = np ? cel_arena_alloc(c->a, sizeof(*e) * np) : NULL;
        if (np && !e)
            return cel_err_oom(c, n->pos);
        for (size_t i = 0; i < np; i++) {
            e[i].k = ev(c, n->args[2 * i]);
            if (is_err(e[i].k))
                return e[i].k;
            e[i].v = ev(c, n->args[2 * i + 1]);
            if (is_err(e[i].v))
                return e[i].v;
        }
        cel_value m = cel_map_new(c->a, e, np);
        if (m.kind == CEL_ERROR && m.e && m.e->pos < 0) /* point at the map literal */
            return cel_error(c->a, n->pos, "%s", m.e->msg);
        return m;
    }
    case N_AND:
    case N_OR:
        return eval_logic(c, n);
    case N_COND: {
        cel_value cond = ev(c, n->args[0]);
        if (is_err(cond))
            return cond;
        if (cond.kind != CEL_BOOL)
            return cel_error(c->a, n->args[0]->pos, "no matching overload for '_?_:_' on %s",
                             cel_type_name_of(cond));
        return ev(c, n->args[cond.b ? 1 : 2]);
    }
    case N_COMP:
        return eval_comp(c, n);
    }
    return cel_error(c->a, n->pos, "internal error: unknown node");
}

cel_value cel_eval(const struct cel_program *p, const struct cel_activation *act,
                   struct cel_arena *a) {
    cel_value small[16];
    struct cel_ctx c = {.p = p, .act = act, .a = a, .max_cost = p->max_cost, .locals = small};
    if (p->n_locals > (int)DW_ARRAY_SIZE(small)) {
        c.locals = cel_arena_alloc(a, sizeof(cel_value) * (size_t)p->n_locals);
        if (!c.locals)
            return cel_err_oom(&c, 0);
    }
    return ev(&c, p->root);
}

int cel_eval_bool(const struct cel_program *p, const struct cel_activation *act,
                  struct cel_arena *a, struct dw_error *err) {
    cel_value v = cel_eval(p, act, a);
    if (v.kind == CEL_BOOL)
        return v.b ? 1 : 0;
    int32_t pos = v.kind == CEL_ERROR && v.e ? v.e->pos : 0;
    int line = 1, col = 1;
    if (pos >= 0)
        cel_pos_to_line_col(p->src, p->src_len, pos, &line, &col);
    int r;
    if (v.kind == CEL_ERROR)
        r = dw_error_set(err, -DW_EVALIDATE, "%s", v.e ? v.e->msg : "error");
    else if (v.kind == CEL_UNKNOWN)
        r = dw_error_set(err, -DW_EVALIDATE, "the result depends on an unknown value");
    else
        r = dw_error_set(err, -DW_EVALIDATE, "the condition gave %s, not a bool",
                         cel_type_name_of(v));
    if (err) {
        err->line = line;
        err->col = col;
    }
    return r;
}
