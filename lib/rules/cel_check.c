/* CEL environments, compilation, name resolution and the type check.
 *
 * One pass over the parsed tree resolves every name — comprehension variables to local
 * slots, declared variables (longest dotted prefix first, within the container) to
 * activation slots, type denotations to constants — and, unless CEL_NO_CHECK, computes
 * each node's static type and rejects calls with no matching overload, unknown record
 * fields and undeclared names, each at its column. Without the check, undeclared names
 * and functions become runtime errors, as the spec asks of unchecked evaluation. */
#include "rules/cel_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>

struct cel_env_var {
    const char *name;
    const struct cel_type *type;
};

struct cel_env {
    struct cel_arena arena;
    struct cel_limits limits;
    char *container;
    struct cel_env_var *vars;
    size_t n_vars, cap_vars;
    const struct cel_type **records;
    size_t n_records, cap_records;
};

struct cel_node *cel_parse(const char *src, size_t len, unsigned flags, int max_depth,
                           struct cel_arena *a, struct dw_error *err);

struct cel_env *cel_env_new(void) {
    struct cel_env *env = calloc(1, sizeof(*env));
    if (!env)
        return NULL;
    cel_arena_init(&env->arena, 16 << 20);
    return env;
}

void cel_env_free(struct cel_env *env) {
    if (!env)
        return;
    cel_arena_release(&env->arena);
    free(env->container);
    free(env->vars);
    free(env->records);
    free(env);
}

void cel_env_set_limits(struct cel_env *env, const struct cel_limits *l) {
    env->limits = *l;
}

static size_t lim_bytes(const struct cel_env *env) {
    return env->limits.max_expr_bytes ? env->limits.max_expr_bytes : 16384;
}
static int lim_depth(const struct cel_env *env) {
    return env->limits.max_depth ? env->limits.max_depth : 64;
}
static uint64_t lim_cost(const struct cel_env *env) {
    return env->limits.max_cost ? env->limits.max_cost : 1000000;
}

int cel_env_set_container(struct cel_env *env, const char *container, struct dw_error *err) {
    char *c = strdup(container ? container : "");
    if (!c)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    free(env->container);
    env->container = c;
    return 0;
}

size_t cel_env_variable_count(const struct cel_env *env) {
    return env->n_vars;
}

static const struct cel_type *find_record(const struct cel_env *env, const char *name, size_t n) {
    for (size_t i = 0; i < env->n_records; i++)
        if (strlen(env->records[i]->name) == n && memcmp(env->records[i]->name, name, n) == 0)
            return env->records[i];
    return NULL;
}

/* ---- type specs: "list(map(string, dyn))" ---------------------------------------------- */

static void skip_ws(const char **p) {
    while (**p == ' ' || **p == '\t' || **p == '\n')
        (*p)++;
}

static const struct cel_type *parse_type(struct cel_env *env, const char **p, int depth) {
    skip_ws(p);
    const char *s = *p;
    while (**p && (isalnum((unsigned char)**p) || **p == '_' || **p == '.'))
        (*p)++;
    size_t n = (size_t)(*p - s);
    if (!n || depth > 16)
        return NULL;
    skip_ws(p);
#define IS(w) (n == strlen(w) && memcmp(s, w, n) == 0)
    if ((IS("list") || IS("map")) && **p == '(') {
        bool map = IS("map");
        (*p)++;
        const struct cel_type *a = parse_type(env, p, depth + 1), *b = NULL;
        if (!a)
            return NULL;
        skip_ws(p);
        if (map) {
            if (**p != ',')
                return NULL;
            (*p)++;
            b = parse_type(env, p, depth + 1);
            if (!b)
                return NULL;
            skip_ws(p);
        }
        if (**p != ')')
            return NULL;
        (*p)++;
        struct cel_type *t = cel_arena_alloc(&env->arena, sizeof(*t));
        if (!t)
            return NULL;
        t->kind = map ? CT_MAP : CT_LIST;
        t->name = map ? "map" : "list";
        t->p1 = a;
        t->p2 = b;
        return t;
    }
    if (IS("dyn") || IS("any"))
        return &cel_t_dyn;
    if (IS("timestamp"))
        return &cel_t_timestamp;
    if (IS("duration"))
        return &cel_t_duration;
    if (IS("list"))
        return &cel_t_list;
    if (IS("map"))
        return &cel_t_map;
#undef IS
    const struct cel_type *t = cel_type_by_name(s, n);
    return t ? t : find_record(env, s, n);
}

static const struct cel_type *type_from_spec(struct cel_env *env, const char *spec,
                                             struct dw_error *err) {
    const char *p = spec;
    const struct cel_type *t = parse_type(env, &p, 0);
    skip_ws(&p);
    if (!t || *p) {
        dw_error_set(err, -DW_EINVAL,
                     "'%s' is not a CEL type (int, uint, double, bool, string, "
                     "bytes, timestamp, duration, dyn, list(T), map(K, V) or "
                     "a declared record)",
                     spec);
        return NULL;
    }
    return t;
}

static int cmp_field(const void *a, const void *b) {
    return strcmp(((const struct cel_field *)a)->name, ((const struct cel_field *)b)->name);
}

int cel_env_declare_record(struct cel_env *env, const char *name, const char *spec,
                           struct dw_error *err) {
    if (find_record(env, name, strlen(name)))
        return dw_error_set(err, -DW_EEXIST, "record type '%s' is declared twice", name);
    struct cel_type *t = cel_arena_alloc(&env->arena, sizeof(*t));
    char *nm = cel_arena_alloc(&env->arena, strlen(name) + 1);
    size_t nf = 1;
    for (const char *q = spec; *q; q++)
        nf += *q == ',';
    struct cel_field *f = cel_arena_alloc(&env->arena, nf * sizeof(*f));
    if (!t || !nm || !f)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    strcpy(nm, name);
    t->kind = CT_RECORD;
    t->name = nm;
    t->fields = f;
    /* A record may refer to itself or to records declared before it. */
    if (DW_GROW(env->records, env->cap_records, env->n_records + 1) < 0)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    env->records[env->n_records++] = t;
    const char *p = spec;
    size_t k = 0;
    while (*p) {
        skip_ws(&p);
        const char *s = p;
        while (*p && (isalnum((unsigned char)*p) || *p == '_'))
            p++;
        size_t n = (size_t)(p - s);
        skip_ws(&p);
        if (!n || *p != ':') {
            env->n_records--;
            return dw_error_set(err, -DW_EINVAL, "record '%s': expected 'field: type' at '%s'",
                                name, s);
        }
        p++;
        char *fname = cel_arena_alloc(&env->arena, n + 1);
        if (!fname)
            return dw_error_set(err, -DW_ENOMEM, "out of memory");
        memcpy(fname, s, n);
        const char *ts = p;
        const struct cel_type *ft = parse_type(env, &p, 0);
        skip_ws(&p);
        if (!ft || (*p && *p != ',')) {
            env->n_records--;
            return dw_error_set(err, -DW_EINVAL, "record '%s' field '%s': bad type at '%s'", name,
                                fname, ts);
        }
        f[k].name = fname;
        f[k].type = ft;
        k++;
        if (*p == ',')
            p++;
    }
    qsort(f, k, sizeof(*f), cmp_field);
    t->n_fields = k;
    return 0;
}

int cel_env_declare(struct cel_env *env, const char *name, const char *type, struct dw_error *err) {
    const struct cel_type *t = type_from_spec(env, type, err);
    if (!t)
        return -DW_EINVAL;
    for (size_t i = 0; i < env->n_vars; i++)
        if (strcmp(env->vars[i].name, name) == 0) {
            env->vars[i].type = t;
            return 0;
        }
    if (DW_GROW(env->vars, env->cap_vars, env->n_vars + 1) < 0)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    char *nm = cel_arena_alloc(&env->arena, strlen(name) + 1);
    if (!nm)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    strcpy(nm, name);
    env->vars[env->n_vars++] = (struct cel_env_var){nm, t};
    return 0;
}

static int find_var(const struct cel_env *env, const char *name, size_t n) {
    if (!env)
        return -1;
    for (size_t i = 0; i < env->n_vars; i++)
        if (strlen(env->vars[i].name) == n && memcmp(env->vars[i].name, name, n) == 0)
            return (int)i;
    return -1;
}

/* ---- activations ------------------------------------------------------------------------ */

int cel_activation_init(struct cel_activation *act, const struct cel_env *env) {
    memset(act, 0, sizeof(*act));
    act->env = env;
    size_t n = env ? env->n_vars : 0;
    if (n) {
        act->slots = malloc(n * sizeof(*act->slots));
        if (!act->slots)
            return -DW_ENOMEM;
    }
    cel_activation_clear(act);
    return 0;
}

void cel_activation_clear(struct cel_activation *act) {
    size_t n = act->env ? act->env->n_vars : 0;
    for (size_t i = 0; i < n; i++)
        act->slots[i] = (cel_value){.kind = CEL_ABSENT};
    for (size_t i = 0; i < act->n_extra; i++)
        free((char *)act->extra[i].name);
    act->n_extra = 0;
}

int cel_activation_bind(struct cel_activation *act, const char *name, cel_value v) {
    int slot = find_var(act->env, name, strlen(name));
    if (slot >= 0) {
        act->slots[slot] = v;
        return 0;
    }
    for (size_t i = 0; i < act->n_extra; i++)
        if (strcmp(act->extra[i].name, name) == 0) {
            act->extra[i].v = v;
            return 0;
        }
    if (DW_GROW(act->extra, act->cap_extra, act->n_extra + 1) < 0)
        return -DW_ENOMEM;
    char *nm = strdup(name);
    if (!nm)
        return -DW_ENOMEM;
    act->extra[act->n_extra++] = (struct cel_binding){nm, v};
    return 0;
}

int cel_activation_bind_unknown(struct cel_activation *act, const char *name) {
    return cel_activation_bind(act, name, (cel_value){.kind = CEL_UNKNOWN});
}

void cel_activation_release(struct cel_activation *act) {
    cel_activation_clear(act);
    free(act->slots);
    free(act->extra);
    memset(act, 0, sizeof(*act));
}

/* ---- the checker -------------------------------------------------------------------------- */

struct local {
    const char *name;
    const struct cel_type *type;
    int index;
};

struct checker {
    const struct cel_env *env;
    struct cel_program *p;
    bool check;
    struct dw_error *err;
    bool failed;
    struct local scope[64];
    int n_scope;
    int depth;
};

static const struct cel_type *cfail(struct checker *c, int32_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static const struct cel_type *cfail(struct checker *c, int32_t pos, const char *fmt, ...) {
    if (!c->failed) {
        c->failed = true;
        va_list ap;
        va_start(ap, fmt);
        cel_error_vat(c->err, -DW_EVALIDATE, c->p->src, c->p->src_len, pos, fmt, ap);
        va_end(ap);
    }
    return &cel_t_error;
}

static const char *tname(const struct cel_type *t, char *buf, size_t n) {
    return cel_type_format(t, buf, n);
}

static struct cel_type *mk_type(struct checker *c, enum cel_tkind k, const struct cel_type *p1,
                                const struct cel_type *p2) {
    struct cel_type *t = cel_arena_alloc(&c->p->arena, sizeof(*t));
    if (!t)
        return NULL;
    t->kind = k;
    t->name = k == CT_LIST ? "list" : k == CT_MAP ? "map" : "type";
    t->p1 = p1;
    t->p2 = p2;
    return t;
}

static bool same_type(const struct cel_type *a, const struct cel_type *b) {
    if (a == b)
        return true;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case CT_LIST:
    case CT_TYPE:
        return same_type(a->p1, b->p1);
    case CT_MAP:
        return same_type(a->p1, b->p1) && same_type(a->p2, b->p2);
    case CT_RECORD:
        return strcmp(a->name, b->name) == 0;
    default:
        return true;
    }
}

/* The join of two types: the type itself when equal, else dyn. */
static const struct cel_type *join(const struct cel_type *a, const struct cel_type *b) {
    if (!a)
        return b;
    if (a->kind == CT_ERROR || b->kind == CT_ERROR)
        return &cel_t_error;
    if (a->kind == CT_NULL && b->kind != CT_NULL)
        return b->kind == CT_RECORD || b->kind == CT_TIMESTAMP || b->kind == CT_DURATION
                   ? b
                   : &cel_t_dyn;
    return same_type(a, b) ? a : &cel_t_dyn;
}

static int kind_of_type(const struct cel_type *t) {
    switch (t->kind) {
    case CT_NULL:
        return CEL_NULL;
    case CT_BOOL:
        return CEL_BOOL;
    case CT_INT:
        return CEL_INT;
    case CT_UINT:
        return CEL_UINT;
    case CT_DOUBLE:
        return CEL_DOUBLE;
    case CT_STRING:
        return CEL_STRING;
    case CT_BYTES:
        return CEL_BYTES;
    case CT_LIST:
        return CEL_LIST;
    case CT_MAP:
    case CT_RECORD:
        return CEL_MAP;
    case CT_TIMESTAMP:
        return CEL_TIMESTAMP;
    case CT_DURATION:
        return CEL_DURATION;
    case CT_TYPE:
        return CEL_TYPE;
    default:
        return K_ANY;
    }
}

static const struct cel_type *type_of_kind(int k) {
    switch (k) {
    case CEL_NULL:
        return &cel_t_null;
    case CEL_BOOL:
        return &cel_t_bool;
    case CEL_INT:
        return &cel_t_int;
    case CEL_UINT:
        return &cel_t_uint;
    case CEL_DOUBLE:
        return &cel_t_double;
    case CEL_STRING:
        return &cel_t_string;
    case CEL_BYTES:
        return &cel_t_bytes;
    case CEL_LIST:
        return &cel_t_list;
    case CEL_MAP:
        return &cel_t_map;
    case CEL_TIMESTAMP:
        return &cel_t_timestamp;
    case CEL_DURATION:
        return &cel_t_duration;
    case CEL_TYPE:
        return &cel_t_type;
    default:
        return &cel_t_dyn;
    }
}

static const struct cel_type *check(struct checker *c, struct cel_node *n);

static const struct local *find_local(struct checker *c, const char *name) {
    for (int i = c->n_scope - 1; i >= 0; i--)
        if (strcmp(c->scope[i].name, name) == 0)
            return &c->scope[i];
    return NULL;
}

/* The chain a.b.c as [ident a, select b, select c]; 0 when n is not such a chain. */
static int dotted_chain(struct cel_node *n, struct cel_node **out, int cap) {
    int k = 0;
    struct cel_node *x = n;
    while (x->op == N_SELECT) {
        if (k == cap)
            return 0;
        out[k++] = x;
        x = x->args[0];
    }
    if (x->op != N_IDENT || k == cap)
        return 0;
    out[k++] = x;
    for (int i = 0; i < k / 2; i++) { /* innermost first */
        struct cel_node *t = out[i];
        out[i] = out[k - 1 - i];
        out[k - 1 - i] = t;
    }
    return k;
}

/* Candidate full names for the first `len` segments, most specific container first. */
static int candidates(struct checker *c, struct cel_node **chain, int len, char out[][256],
                      int cap) {
    char base[256] = "";
    size_t bl = 0;
    const char *first = chain[0]->name;
    bool absolute = first[0] == '.';
    for (int i = 0; i < len; i++) {
        const char *s = i == 0 ? first + absolute : chain[i]->name;
        int w = snprintf(base + bl, sizeof(base) - bl, "%s%s", i ? "." : "", s);
        if (w < 0 || (size_t)w >= sizeof(base) - bl)
            return 0;
        bl += (size_t)w;
    }
    int k = 0;
    const char *cont = c->env ? c->env->container : NULL;
    if (!absolute && cont && *cont) {
        char pre[256];
        snprintf(pre, sizeof(pre), "%s", cont);
        for (;;) {
            if (k < cap && strlen(pre) + bl + 2 <= 256) {
                memcpy(out[k], pre, strlen(pre));
                out[k][strlen(pre)] = '.';
                memcpy(out[k] + strlen(pre) + 1, base, bl + 1);
                k++;
            }
            char *dot = strrchr(pre, '.');
            if (!dot)
                break;
            *dot = 0;
        }
    }
    if (k < cap)
        snprintf(out[k++], 256, "%s", base);
    return k;
}

static char *pdup(struct checker *c, const char *s) {
    char *d = cel_arena_alloc(&c->p->arena, strlen(s) + 1);
    if (d)
        strcpy(d, s);
    return d;
}

/* Resolve a dotted chain to a variable (longest prefix) or a type denotation. Rewrites the
 * chain in place; returns the type of the outermost node, or NULL when the chain's root
 * is a local variable (the caller checks it normally). */
static const struct cel_type *resolve_chain(struct checker *c, struct cel_node *outer) {
    struct cel_node *chain[32];
    int k = dotted_chain(outer, chain, 32);
    if (!k || chain[0]->slot >= 0) /* empty, or resolved already */
        return NULL;
    if (chain[0]->name[0] != '.' && find_local(c, chain[0]->name))
        return NULL;
    char names[8][256];
    for (int len = k; len >= 1; len--) {
        int nc = candidates(c, chain, len, names, 8);
        for (int i = 0; i < nc; i++) {
            int slot = find_var(c->env, names[i], strlen(names[i]));
            const struct cel_type *tt = NULL;
            if (slot < 0 && len == k)
                tt = cel_type_by_name(names[i], strlen(names[i]));
            if (slot < 0 && !tt)
                continue;
            struct cel_node *id = chain[len - 1];
            id->op = tt ? N_CONST : N_IDENT;
            id->slot = slot;
            id->name = pdup(c, names[i]);
            id->name_len = strlen(names[i]);
            id->args = NULL;
            id->nargs = 0;
            if (tt) {
                id->c = (cel_value){.kind = CEL_TYPE, .t = tt};
                id->type = mk_type(c, CT_TYPE, tt, NULL);
            } else {
                id->type = c->env->vars[slot].type;
            }
            if (len == k)
                return id->type;
            return check(c, outer);
        }
    }
    if (c->check)
        return cfail(c, chain[0]->pos, "undeclared reference to '%s' (in container '%s')",
                     chain[0]->name, c->env && c->env->container ? c->env->container : "");
    /* Unchecked: every candidate, resolved among the extra bindings at run time. */
    struct cel_cand *cands = cel_arena_alloc(&c->p->arena, sizeof(*cands) * (size_t)k * 8);
    struct cel_str **segs = cel_arena_alloc(&c->p->arena, sizeof(*segs) * (size_t)k);
    if (!cands || !segs)
        return cfail(c, outer->pos, "expression too large");
    int nc_total = 0;
    for (int len = k; len >= 1; len--) {
        int nc = candidates(c, chain, len, names, 8);
        for (int i = 0; i < nc; i++) {
            cands[nc_total].name = pdup(c, names[i]);
            cands[nc_total].slot = -1;
            cands[nc_total].n_select = k - len;
            nc_total++;
        }
    }
    for (int i = 1; i < k; i++)
        segs[i] = chain[i]->key;
    outer->op = N_QIDENT;
    outer->cands = cands;
    outer->n_cands = nc_total;
    outer->args = (struct cel_node **)segs; /* segs[1..k-1]: the field keys */
    outer->nargs = k;
    outer->pos = chain[0]->pos;
    outer->type = &cel_t_dyn;
    return outer->type;
}

static const struct cel_type *field_type(struct checker *c, struct cel_node *n,
                                         const struct cel_type *t) {
    char b[128];
    switch (t->kind) {
    case CT_DYN:
    case CT_ERROR:
        return &cel_t_dyn;
    case CT_MAP:
        if (t->p1->kind != CT_STRING && t->p1->kind != CT_DYN)
            return cfail(c, n->pos, "type '%s' does not support field selection",
                         tname(t, b, sizeof(b)));
        return t->p2;
    case CT_RECORD: {
        struct cel_field key = {.name = n->name};
        const struct cel_field *f = bsearch(&key, t->fields, t->n_fields, sizeof(*f), cmp_field);
        if (!f) {
            char list[256] = "";
            size_t l = 0;
            for (size_t i = 0; i < t->n_fields && l < sizeof(list) - 40; i++)
                l += (size_t)snprintf(list + l, sizeof(list) - l, "%s%s", i ? ", " : "",
                                      t->fields[i].name);
            return cfail(c, n->pos, "'%s' has no field '%s' (fields: %s)", t->name, n->name, list);
        }
        return f->type;
    }
    default:
        return cfail(c, n->pos, "type '%s' does not support field selection",
                     tname(t, b, sizeof(b)));
    }
}

static bool arg_matches(int kind, const struct cel_type *t) {
    if (kind == K_ANY || t->kind == CT_DYN || t->kind == CT_ERROR)
        return true;
    return kind_of_type(t) == kind;
}

static const struct cel_type *check_call(struct checker *c, struct cel_node *n) {
    const struct cel_type *at[8];
    if (n->nargs > 8)
        return cfail(c, n->pos, "too many arguments to '%s'", n->name);
    for (int i = 0; i < n->nargs; i++) {
        at[i] = check(c, n->args[i]);
        if (c->failed)
            return &cel_t_error;
    }
    const struct cel_overload *cand[16], *match[16];
    size_t nc = cel_overloads_find(n->name, n->receiver, n->nargs, cand, 16);
    if (!nc && !cel_function_known(n->name) && c->check)
        return cfail(c, n->pos, "undeclared reference to '%s'", n->name);
    size_t nm = 0;
    for (size_t i = 0; i < nc; i++) {
        bool ok = true;
        for (int j = 0; j < n->nargs && ok; j++)
            ok = arg_matches(cand[i]->kinds[j], at[j]);
        if (ok)
            match[nm++] = cand[i];
    }
    const struct cel_overload **keep = cel_arena_alloc(&c->p->arena, sizeof(*keep) * (nc ? nc : 1));
    if (!keep)
        return cfail(c, n->pos, "expression too large");
    /* Checked programs dispatch among the matching overloads only. */
    size_t nk = c->check ? nm : nc;
    memcpy(keep, c->check ? match : cand, nk * sizeof(*keep));
    n->ovl = keep;
    n->n_ovl = (int)nk;
    if (!c->check)
        return &cel_t_dyn;
    if (!nm) {
        char args[256] = "";
        size_t l = 0;
        for (int j = 0; j < n->nargs; j++) {
            char b[96];
            l += (size_t)snprintf(args + l, sizeof(args) - l, "%s%s", j ? ", " : "",
                                  tname(at[j], b, sizeof(b)));
            if (l >= sizeof(args))
                break;
        }
        const char *shown = n->name;
        static const struct {
            const char *fn, *op;
        } opname[] = {{"_+_", "+"},   {"_-_", "-"},   {"_*_", "*"}, {"_/_", "/"},   {"_%_", "%"},
                      {"_<_", "<"},   {"_<=_", "<="}, {"_>_", ">"}, {"_>=_", ">="}, {"_==_", "=="},
                      {"_!=_", "!="}, {"!_", "!"},    {"-_", "-"},  {"@in", "in"},  {"_[_]", "[]"}};
        for (size_t i = 0; i < DW_ARRAY_SIZE(opname); i++)
            if (strcmp(opname[i].fn, n->name) == 0)
                shown = opname[i].op;
        return cfail(c, n->pos, "found no matching overload for '%s' applied to '(%s)'", shown,
                     args);
    }
    const struct cel_type *rt = NULL;
    for (size_t i = 0; i < nm; i++) {
        const struct cel_type *r;
        switch (match[i]->rt) {
        case RT_FIXED:
            r = match[i]->result;
            break;
        case RT_ARG0:
            r = at[0];
            break;
        case RT_ELEM0:
            r = at[0]->kind == CT_LIST ? at[0]->p1 : at[0]->kind == CT_MAP ? at[0]->p2 : &cel_t_dyn;
            break;
        case RT_TYPE_OF0:
            r = mk_type(c, CT_TYPE, at[0], NULL);
            if (!r)
                return cfail(c, n->pos, "expression too large");
            break;
        default:
            r = &cel_t_dyn;
        }
        rt = rt ? join(rt, r) : r;
    }
    if (strcmp(n->name, "_[_]") == 0 && at[0]->kind == CT_RECORD)
        rt = &cel_t_dyn;
    return rt;
}

static const struct cel_type *check_comp(struct checker *c, struct cel_node *n) {
    const struct cel_type *rt = check(c, n->args[0]);
    if (c->failed)
        return &cel_t_error;
    const struct cel_type *t1, *t2 = NULL;
    char b[128];
    bool two = n->v2 != NULL;
    if (rt->kind == CT_LIST) {
        t1 = two ? &cel_t_int : rt->p1;
        t2 = two ? rt->p1 : NULL;
    } else if (rt->kind == CT_MAP) {
        t1 = rt->p1;
        t2 = two ? rt->p2 : NULL;
    } else if (rt->kind == CT_RECORD) {
        t1 = &cel_t_string;
        t2 = two ? &cel_t_dyn : NULL;
    } else if (rt->kind == CT_DYN) {
        t1 = &cel_t_dyn;
        t2 = two ? &cel_t_dyn : NULL;
    } else {
        if (!c->check)
            t1 = t2 = &cel_t_dyn;
        else
            return cfail(c, n->args[0]->pos, "%s() needs a list or a map, not '%s'", n->name,
                         tname(rt, b, sizeof(b)));
    }
    if (c->n_scope + 2 > (int)DW_ARRAY_SIZE(c->scope))
        return cfail(c, n->pos, "comprehensions nested too deeply");
    n->slot = c->p->n_locals;
    c->p->n_locals += two ? 2 : 1;
    c->scope[c->n_scope++] = (struct local){n->v1, t1, n->slot};
    if (two)
        c->scope[c->n_scope++] = (struct local){n->v2, t2, n->slot + 1};
    const struct cel_type *body[2] = {NULL, NULL};
    for (int i = 1; i < n->nargs; i++)
        body[i - 1] = check(c, n->args[i]);
    c->n_scope -= two ? 2 : 1;
    if (c->failed)
        return &cel_t_error;
    /* with a filter (3 parts), args[1] is the predicate and args[2] the transform */
    bool filtered = n->nargs == 3;
    if (c->check) {
        bool pred_bool = n->comp <= COMP_EXISTS_ONE || n->comp == COMP_FILTER || filtered;
        const struct cel_type *pt = body[0];
        if (pred_bool && pt->kind != CT_BOOL && pt->kind != CT_DYN)
            return cfail(c, n->args[1]->pos, "the condition of %s() must be a bool, not '%s'",
                         n->name, tname(pt, b, sizeof(b)));
    }
    const struct cel_type *xf = filtered ? body[1] : body[0];
    switch (n->comp) {
    case COMP_ALL:
    case COMP_EXISTS:
    case COMP_EXISTS_ONE:
        return &cel_t_bool;
    case COMP_MAP:
    case COMP_TLIST:
        return mk_type(c, CT_LIST, xf, NULL);
    case COMP_FILTER:
        return mk_type(c, CT_LIST, rt->kind == CT_LIST ? rt->p1 : t1, NULL);
    case COMP_TMAP:
        return mk_type(c, CT_MAP, t1, xf);
    default:
        return &cel_t_map;
    }
}

static const struct cel_type *check_node(struct checker *c, struct cel_node *n) {
    char b[128];
    switch (n->op) {
    case N_CONST:
        if (n->c.kind == CEL_TYPE)
            return n->type ? n->type : &cel_t_type;
        return type_of_kind(n->c.kind);
    case N_IDENT: {
        if (n->slot >= 0)
            return n->type;
        const struct local *l = n->name[0] != '.' ? find_local(c, n->name) : NULL;
        if (l) {
            n->op = N_LOCAL;
            n->slot = l->index;
            return l->type;
        }
        const struct cel_type *t = resolve_chain(c, n);
        return t ? t : &cel_t_error;
    }
    case N_SELECT: {
        const struct cel_type *t = resolve_chain(c, n);
        if (t || c->failed)
            return t ? t : &cel_t_error;
        const struct cel_type *tt = check(c, n->args[0]);
        if (c->failed)
            return &cel_t_error;
        if (!c->check)
            return &cel_t_dyn;
        return field_type(c, n, tt);
    }
    case N_HAS: {
        const struct cel_type *tt = check(c, n->args[0]);
        if (c->failed)
            return &cel_t_error;
        if (c->check && tt->kind != CT_DYN && tt->kind != CT_MAP && tt->kind != CT_RECORD)
            return cfail(c, n->pos, "has() needs a map or record, not '%s'",
                         tname(tt, b, sizeof(b)));
        if (c->check && tt->kind == CT_RECORD)
            field_type(c, n, tt); /* an unknown field is a mistake, not "false" */
        return &cel_t_bool;
    }
    case N_CALL:
        return check_call(c, n);
    case N_LIST: {
        const struct cel_type *e = NULL;
        for (int i = 0; i < n->nargs; i++)
            e = join(e, check(c, n->args[i]));
        return c->failed ? &cel_t_error : mk_type(c, CT_LIST, e ? e : &cel_t_dyn, NULL);
    }
    case N_MAP: {
        const struct cel_type *k = NULL, *v = NULL;
        for (int i = 0; i + 1 < n->nargs; i += 2) {
            const struct cel_type *kt = check(c, n->args[i]);
            if (c->check && kt->kind != CT_DYN && kt->kind != CT_ERROR && kt->kind != CT_INT &&
                kt->kind != CT_UINT && kt->kind != CT_BOOL && kt->kind != CT_STRING)
                return cfail(c, n->args[i]->pos, "unsupported key type '%s'",
                             tname(kt, b, sizeof(b)));
            k = join(k, kt);
            v = join(v, check(c, n->args[i + 1]));
        }
        return c->failed ? &cel_t_error
                         : mk_type(c, CT_MAP, k ? k : &cel_t_dyn, v ? v : &cel_t_dyn);
    }
    case N_AND:
    case N_OR:
    case N_COND: {
        const struct cel_type *r = NULL;
        for (int i = 0; i < n->nargs; i++) {
            const struct cel_type *t = check(c, n->args[i]);
            if (c->failed)
                return &cel_t_error;
            bool must_bool = n->op != N_COND || i == 0;
            if (c->check && must_bool && t->kind != CT_BOOL && t->kind != CT_DYN)
                return cfail(c, n->args[i]->pos,
                             n->op == N_COND ? "the condition of '?:' must be a bool, not '%s'"
                                             : "'%s' is not a bool; && and || need bools",
                             tname(t, b, sizeof(b)));
            if (n->op == N_COND && i > 0)
                r = join(r, t);
        }
        return n->op == N_COND ? r : &cel_t_bool;
    }
    case N_COMP:
        return check_comp(c, n);
    default:
        return &cel_t_dyn;
    }
}

static const struct cel_type *check(struct checker *c, struct cel_node *n) {
    if (c->failed)
        return &cel_t_error;
    if (++c->depth > 4 * lim_depth(c->env) + 64)
        return cfail(c, n->pos, "expression nested too deeply");
    const struct cel_type *t = check_node(c, n);
    c->depth--;
    if (!t)
        t = cfail(c, n->pos, "expression too large");
    n->type = t;
    return t;
}

/* ---- compile -------------------------------------------------------------------------------- */

int cel_compile(const struct cel_env *env, const char *src, size_t len, unsigned flags,
                struct cel_program **ret, struct dw_error *err) {
    *ret = NULL;
    size_t max = env ? lim_bytes(env) : 16384;
    if (len > max) {
        int r =
            dw_error_set(err, -DW_ETOOBIG, "expression is %zu bytes; the limit is %zu", len, max);
        if (err)
            err->line = err->col = 1;
        return r;
    }
    struct cel_program *p = calloc(1, sizeof(*p));
    if (!p)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    cel_arena_init(&p->arena, 64 * len + (1 << 20));
    p->env = env;
    p->max_cost = env ? lim_cost(env) : 1000000;
    p->src = malloc(len + 1);
    if (!p->src) {
        cel_program_free(p);
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    memcpy(p->src, src, len);
    p->src[len] = 0;
    p->src_len = len;
    p->root = cel_parse(p->src, len, flags, env ? lim_depth(env) : 64, &p->arena, err);
    if (!p->root) {
        cel_program_free(p);
        return err ? err->code : -DW_EPARSE;
    }
    struct checker c = {.env = env, .p = p, .check = !(flags & CEL_NO_CHECK), .err = err};
    p->result = check(&c, p->root);
    if (c.failed) {
        cel_program_free(p);
        return err ? err->code : -DW_EVALIDATE;
    }
    *ret = p;
    return 0;
}

void cel_program_free(struct cel_program *p) {
    if (!p)
        return;
    cel_arena_release(&p->arena);
    free(p->src);
    free(p);
}

const char *cel_program_result_type(const struct cel_program *p, char *buf, size_t size) {
    return cel_type_format(p->result ? p->result : &cel_t_dyn, buf, size);
}

const char *cel_program_source(const struct cel_program *p) {
    return p->src;
}
