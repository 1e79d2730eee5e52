/* Deal documents to CEL values for the workspace's rules (see rulevars.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engines/rulevars.h"

#define MAX_FIELDS 24

struct mapb {
    struct cel_arena *a;
    struct cel_entry e[MAX_FIELDS];
    size_t n;
    bool oom;
};

static void put(struct mapb *m, const char *key, cel_value v) {
    if (m->n == MAX_FIELDS || v.kind == CEL_ERROR) {
        m->oom = true;
        return;
    }
    m->e[m->n].k = cel_string(m->a, key, strlen(key));
    m->e[m->n].v = v;
    if (m->e[m->n].k.kind == CEL_ERROR)
        m->oom = true;
    m->n++;
}

static void put_str(struct mapb *m, const char *key, const char *s) {
    if (s)
        put(m, key, cel_string(m->a, s, strlen(s)));
}

static cel_value done(struct mapb *m) {
    if (m->oom)
        return cel_error(m->a, -1, "memory limit of the evaluation exceeded");
    return cel_map_new(m->a, m->e, m->n);
}

static cel_value timestamp_of(dw_time_t t) {
    return (cel_value){.kind = CEL_TIMESTAMP, .i = t};
}

/* "12345.60" -> 12345.6 */
static bool money_double(const json_t *v, double *ret) {
    if (json_is_string(v)) {
        char *end;
        double d = strtod(json_string_value(v), &end);
        if (*end || !isfinite(d))
            return false;
        *ret = d;
        return true;
    }
    if (json_is_number(v)) {
        *ret = json_number_value(v);
        return true;
    }
    return false;
}

static double minor_to_major(int64_t minor, int digits) {
    double scale = 1;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    return (double)minor / scale;
}

static cel_value names_list(struct cel_arena *a, const json_t *arr, const char *key) {
    size_t n = json_array_size(arr), k = 0;
    cel_value v[64];
    for (size_t i = 0; i < n && k < 64; i++) {
        const char *s = dw_json_str(json_array_get(arr, i), key);
        if (s)
            v[k++] = cel_string(a, s, strlen(s));
    }
    return cel_list_new(a, v, k);
}

static cel_value lead_value(struct cel_arena *a, const struct dw_rule_inputs *in) {
    struct mapb contact = {.a = a}, lead = {.a = a};
    static const char *const fields[] = {"name",    "email",   "phone", "title",
                                         "company", "country", "domain"};
    for (size_t i = 0; i < DW_ARRAY_SIZE(fields); i++)
        put_str(&contact, fields[i], dw_json_str(in->contact, fields[i]));
    put_str(&lead, "source", dw_json_str(in->lead, "source"));
    put_str(&lead, "subject", dw_json_str(in->lead, "subject"));
    dw_time_t t;
    const char *at = dw_json_str(in->lead, "received_at");
    if (at && dw_time_parse(at, &t) == 0)
        put(&lead, "received_at", timestamp_of(t));
    put(&lead, "contact", done(&contact));
    bool free_mail = false;
    size_t i;
    json_t *f;
    json_array_foreach(in->flags, i, f) free_mail |=
        json_is_string(f) && strcmp(json_string_value(f), "free_mail") == 0;
    put(&lead, "free_mail", cel_bool(free_mail));
    put(&lead, "messages", cel_int(in->messages));
    return done(&lead);
}

static cel_value account_value(struct cel_arena *a, const struct dw_rule_inputs *in) {
    struct mapb m = {.a = a};
    const json_t *acc = json_object_get(in->discovery, "account");
    const char *name = dw_json_str(acc, "name");
    put(&m, "known",
        cel_bool(acc && json_is_integer(json_object_get(acc, "id")) &&
                 !json_is_true(json_object_get(acc, "created"))));
    put_str(&m, "name", name);
    put_str(&m, "domain", dw_json_str(acc, "domain"));
    put(&m, "individual", cel_bool(json_is_true(json_object_get(acc, "individual"))));
    const json_t *prior = json_object_get(in->discovery, "prior_deals");
    size_t orders = 0, i;
    json_t *d;
    json_array_foreach(prior, i, d) {
        const char *st = dw_json_str(d, "stage");
        orders += st && (strcmp(st, "ordered") == 0 || strcmp(st, "won") == 0);
    }
    put(&m, "prior_deals", cel_int((int64_t)json_array_size(prior)));
    put(&m, "prior_orders", cel_int((int64_t)orders));
    return done(&m);
}

static cel_value requirements_value(struct cel_arena *a, const json_t *req) {
    struct mapb m = {.a = a};
    /* the largest quantity asked for, with its unit */
    const json_t *best = NULL;
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(req, "quantities"), i, q) {
        if (!best || dw_json_int(q, "value", 0) > dw_json_int(best, "value", 0))
            best = q;
    }
    if (best) {
        put(&m, "quantity", cel_int(dw_json_int(best, "value", 0)));
        put_str(&m, "unit", dw_json_str(best, "unit"));
    }
    const json_t *budget = json_object_get(req, "budget");
    double d;
    if (json_is_object(budget) && money_double(json_object_get(budget, "amount"), &d)) {
        put(&m, "budget", cel_double(d));
        put_str(&m, "budget_currency", dw_json_str(budget, "currency"));
    }
    const char *date = dw_json_str(json_object_get(req, "deadline"), "date");
    dw_time_t t;
    char stamp[32];
    if (date && snprintf(stamp, sizeof stamp, "%sT00:00:00Z", date) < (int)sizeof stamp &&
        dw_time_parse(stamp, &t) == 0)
        put(&m, "deadline", timestamp_of(t));
    put_str(&m, "country", dw_json_str(json_object_get(req, "country"), "code"));
    put(&m, "capabilities", names_list(a, json_object_get(req, "capabilities"), "name"));
    put(&m, "excluded", names_list(a, json_object_get(req, "excluded_capabilities"), "name"));
    put(&m, "standards", names_list(a, json_object_get(req, "standards"), "name"));
    put_str(&m, "industry", dw_json_str(json_object_get(req, "industry"), "name"));
    const json_t *term = json_object_get(json_object_get(req, "term_months"), "value");
    if (json_is_integer(term))
        put(&m, "term_months", cel_int(json_integer_value(term)));
    int32_t bp;
    const char *pct = dw_json_str(json_object_get(req, "discount"), "pct");
    if (pct && dw_pct_parse(pct, &bp) == 0)
        put(&m, "discount_pct", cel_double(bp / 100.0));
    return done(&m);
}

static cel_value quote_value(struct cel_arena *a, const json_t *quote) {
    struct mapb m = {.a = a};
    int digits = (int)dw_json_int(quote, "digits", 2);
    put_str(&m, "currency", dw_json_str(quote, "currency"));
    put(&m, "subtotal", cel_double(minor_to_major(dw_json_int(quote, "subtotal", 0), digits)));
    put(&m, "discount", cel_double(minor_to_major(dw_json_int(quote, "discount", 0), digits)));
    put(&m, "discount_pct", cel_double(dw_json_int(quote, "discount_bp", 0) / 100.0));
    put(&m, "total", cel_double(minor_to_major(dw_json_int(quote, "total", 0), digits)));
    put(&m, "total_minor", cel_int(dw_json_int(quote, "total", 0)));
    put(&m, "term_months", cel_int(dw_json_int(quote, "term_months", 0)));
    /* only when every line has a cost: has(quote.margin_pct) tells */
    if (json_is_integer(json_object_get(quote, "margin_bp"))) {
        put(&m, "cost", cel_double(minor_to_major(dw_json_int(quote, "cost", 0), digits)));
        put(&m, "margin", cel_double(minor_to_major(dw_json_int(quote, "margin", 0), digits)));
        put(&m, "margin_pct", cel_double((double)dw_json_int(quote, "margin_bp", 0) / 100.0));
    }
    const json_t *lines = json_object_get(quote, "lines");
    size_t n = json_array_size(lines);
    cel_value *lv = n ? cel_arena_alloc(a, n * sizeof *lv) : NULL;
    cel_value *skus = n ? cel_arena_alloc(a, n * sizeof *skus) : NULL;
    if (n && (!lv || !skus))
        return cel_error(a, -1, "memory limit of the evaluation exceeded");
    for (size_t i = 0; i < n; i++) {
        const json_t *l = json_array_get(lines, i);
        struct mapb lm = {.a = a};
        put_str(&lm, "sku", dw_json_str(l, "sku"));
        put_str(&lm, "name", dw_json_str(l, "name"));
        put(&lm, "quantity", cel_int(dw_json_int(l, "quantity", 0)));
        static const char *const money[] = {"unit_price", "amount",     "discount",
                                            "net",        "list_price", "cost"};
        for (size_t k = 0; k < DW_ARRAY_SIZE(money); k++)
            if (json_is_integer(json_object_get(l, money[k])))
                put(&lm, money[k], cel_double(minor_to_major(dw_json_int(l, money[k], 0), digits)));
        put_str(&lm, "billing", dw_json_str(l, "billing"));
        put(&lm, "term_months", cel_int(dw_json_int(l, "term_months", 0)));
        lv[i] = done(&lm);
        const char *sku = dw_json_str(l, "sku");
        skus[i] = cel_string(a, sku ? sku : "", sku ? strlen(sku) : 0);
    }
    put(&m, "lines", cel_list_new(a, lv, n));
    put(&m, "skus", cel_list_new(a, skus, n));
    return done(&m);
}

int dw_rules_bind(const struct dw_workspace *ws, enum dw_rule_kind kind,
                  const struct dw_rule_inputs *in, struct cel_arena *a,
                  struct cel_activation *act) {
    int r = cel_activation_init(act, ws->rule_env[kind]);
    if (r < 0)
        return r;
    struct mapb deal = {.a = a};
    put_str(&deal, "id", in->deal_id);
    put_str(&deal, "stage", in->stage);
    cel_value vals[] = {lead_value(a, in), account_value(a, in),
                        requirements_value(a, in->requirements), done(&deal),
                        timestamp_of(in->now)};
    static const char *const names[] = {"lead", "account", "requirements", "deal", "now"};
    for (size_t i = 0; i < DW_ARRAY_SIZE(vals); i++) {
        if (vals[i].kind == CEL_ERROR)
            return -DW_ENOMEM;
        if ((r = cel_activation_bind(act, names[i], vals[i])) < 0)
            return r;
    }
    if (kind == DW_RULE_QUOTE && in->quote) {
        cel_value q = quote_value(a, in->quote);
        if (q.kind == CEL_ERROR)
            return -DW_ENOMEM;
        r = cel_activation_bind(act, "quote", q);
    }
    if (r == 0 && kind == DW_RULE_QUALIFY)
        r = cel_activation_bind(act, "score", cel_int(in->score));
    return r;
}

int dw_rule_eval(const struct dw_rule *rule, const struct cel_activation *act, struct cel_arena *a,
                 struct dw_error *err) {
    if (!rule->prog)
        return dw_error_set(err, -DW_EINVAL, "%s has no compiled condition", rule->name);
    struct dw_error e = {0};
    int r = cel_eval_bool(rule->prog, act, a, &e);
    if (r >= 0)
        return r;
    int line = rule->pos.line + (e.line > 1 ? e.line - 1 : 0);
    return dw_error_at(err, r, rule->pos.file ? rule->pos.file : "", line, rule->pos.col, "%s: %s",
                       rule->name, e.msg);
}
