/* The workspace's conditions are CEL (lib/rules/cel.h). This file declares what a rule
 * may read — the record types and variables of each kind of rule — and compiles every
 * rule at load, reporting a syntax or type error at the exact character of the YAML file.
 *
 * The declarations below are the contract documented in docs/internals/cel.md
 * ("Variables"); lib/engines/rulevars.c builds values of exactly these shapes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cel.h"
#include "workspace/ws-internal.h"

static const struct {
    const char *name, *fields;
} records[] = {
    {"Contact", "name: string, email: string, phone: string, title: string, company: string, "
                "country: string, domain: string"},
    {"Lead", "source: string, received_at: timestamp, subject: string, contact: Contact, "
             "free_mail: bool, messages: int"},
    {"Account", "known: bool, name: string, domain: string, individual: bool, prior_deals: int, "
                "prior_orders: int"},
    {"Requirements", "quantity: int, unit: string, budget: double, budget_currency: string, "
                     "deadline: timestamp, country: string, capabilities: list(string), "
                     "excluded: list(string), industry: string, term_months: int, "
                     "discount_pct: double, standards: list(string)"},
    {"QuoteLine", "sku: string, name: string, quantity: int, unit_price: double, amount: double, "
                  "discount: double, net: double, billing: string, term_months: int, "
                  "list_price: double, cost: double"},
    {"Quote", "currency: string, subtotal: double, discount: double, discount_pct: double, "
              "total: double, total_minor: int, term_months: int, lines: list(QuoteLine), "
              "skus: list(string), cost: double, margin: double, margin_pct: double"},
    {"PriceLine", "sku: string, name: string, kind: string, billing: string, quantity: int, "
                  "list_price: double, unit_price: double, amount: double, term_months: int, "
                  "bundle: string, cost: double"},
    {"Deal", "id: string, stage: string"},
};

static const struct {
    const char *name, *type;
    unsigned kinds; /* bit per enum dw_rule_kind */
} variables[] = {
#define ALL (1u << DW_RULE_QUOTE | 1u << DW_RULE_QUALIFY | 1u << DW_RULE_PRICE)
    {"lead", "Lead", ALL},
    {"account", "Account", ALL},
    {"requirements", "Requirements", ALL},
    {"deal", "Deal", ALL},
    {"now", "timestamp", ALL},
#undef ALL
    {"quote", "Quote", 1u << DW_RULE_QUOTE},
    {"score", "int", 1u << DW_RULE_QUALIFY},
    {"line", "PriceLine", 1u << DW_RULE_PRICE},
    {"currency", "string", 1u << DW_RULE_PRICE},
    {"region", "string", 1u << DW_RULE_PRICE},
};

/* Limits for workspace rules: small, so no policy can stall the engine. */
static const struct cel_limits rule_limits = {
    .max_expr_bytes = 4096, .max_depth = 32, .max_cost = 100000};

int dw_ws_rules_init(struct dw_workspace *ws) {
    struct dw_error err = {0};
    for (int k = 0; k < DW_RULE__N; k++) {
        struct cel_env *env = cel_env_new();
        if (!env)
            return -DW_ENOMEM;
        ws->rule_env[k] = env;
        cel_env_set_limits(env, &rule_limits);
        for (size_t i = 0; i < DW_ARRAY_SIZE(records); i++)
            if (cel_env_declare_record(env, records[i].name, records[i].fields, &err) < 0)
                return -DW_EINTERNAL;
        for (size_t i = 0; i < DW_ARRAY_SIZE(variables); i++)
            if ((variables[i].kinds & (1u << k)) &&
                cel_env_declare(env, variables[i].name, variables[i].type, &err) < 0)
                return -DW_EINTERNAL;
    }
    return 0;
}

/* The file text of the YAML being read, to map an expression's offset back to it. */
static const char *current_text(const struct dw__ws_ctx *c) {
    for (size_t i = 0; i < c->n_files; i++)
        if (c->file && strcmp(c->files[i].rel, c->file) == 0)
            return c->files[i].data;
    return NULL;
}

static const char *line_start(const char *text, int line) {
    const char *p = text;
    for (int l = 1; p && l < line; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return p;
}

/* Where character `col` (1-based, code points) of line `line` of the expression stands in
 * the file. Plain and quoted scalars start at the scalar's column (after the quote); block
 * scalars (| and >) on the lines below the indicator, each at the block's indentation; a
 * folded block's single line is unfolded back onto the lines it came from. */
static void map_position(const struct dw__ws_ctx *c, const struct dw__yref *r, int eline, int ecol,
                         int *ret_line, int *ret_col) {
    enum fy_node_style style = r->n ? fy_node_get_style(r->n) : FYNS_PLAIN;
    const char *text = current_text(c);
    if (style == FYNS_LITERAL || style == FYNS_FOLDED) {
        /* the scalar's mark is its content's first character, below the indicator */
        int first = r->line;
        const char *p = text ? line_start(text, first) : NULL;
        int indent = 0; /* the block's indentation, from its first line */
        while (p && p[indent] == ' ')
            indent++;
        *ret_line = first + eline - 1;
        *ret_col = indent + ecol;
        /* a folded block joins lines with spaces: walk the lines to find the column */
        if (style == FYNS_FOLDED && p && eline == 1) {
            int l = first, col = ecol;
            while (p) {
                const char *nl = strchr(p, '\n');
                int len = (int)(nl ? nl - p : (long)strlen(p)) - indent;
                if (len < 0)
                    len = 0;
                if (col <= len + 1 || !nl)
                    break;
                col -= len + 1;
                l++;
                p = nl + 1;
            }
            *ret_line = l;
            *ret_col = indent + col;
        }
        return;
    }
    bool quoted = style == FYNS_SINGLE_QUOTED || style == FYNS_DOUBLE_QUOTED;
    *ret_line = r->line + eline - 1;
    *ret_col = eline == 1 ? r->col + (quoted ? 1 : 0) + ecol - 1 : ecol;
}

bool dw__y_rule(struct dw__ws_ctx *c, const struct dw__yref *r, enum dw_rule_kind kind,
                const char *name, struct dw_rule *out) {
    out->name = dw__ws_strdup(c->w, name);
    out->pos = (struct dw_ws_pos){c->file, r->line, r->col};
    const char *src = dw__y_scalar(c, r, "when");
    if (!src)
        return false;
    out->when = dw__ws_strdup(c->w, src);
    const struct cel_env *env = c->ws->rule_env[kind];
    if (!env) {
        c->w->oom = true;
        return false;
    }
    struct cel_program *p = NULL;
    struct dw_error err = {0};
    int rc = cel_compile(env, src, strlen(src), 0, &p, &err);
    char type[64];
    if (rc == 0 && strcmp(cel_program_result_type(p, type, sizeof type), "bool") != 0 &&
        strcmp(type, "dyn") != 0) {
        dw_error_set(&err, -DW_EVALIDATE, "the condition gives %s, not a bool", type);
        err.line = err.col = 1;
        cel_program_free(p);
        p = NULL;
        rc = -DW_EVALIDATE;
    }
    if (rc < 0) {
        int line, col;
        map_position(c, r, err.line > 0 ? err.line : 1, err.col > 0 ? err.col : 1, &line, &col);
        dw__ws_diag(c, line, col, "when: %s", err.msg);
        return false;
    }
    if (dw__ws_keep_program(c->w, p) < 0) {
        cel_program_free(p);
        return false;
    }
    out->prog = p;
    return true;
}

void dw_ws_rules_release(struct dw_workspace *ws) {
    for (int k = 0; k < DW_RULE__N; k++) {
        cel_env_free(ws->rule_env[k]);
        ws->rule_env[k] = NULL;
    }
}

int dw_rule_compile(const struct dw_workspace *ws, enum dw_rule_kind kind, const char *name,
                    const char *src, struct dw_rule *out, struct dw_error *err) {
    memset(out, 0, sizeof *out);
    struct cel_program *p = NULL;
    int r = cel_compile(ws->rule_env[kind], src, strlen(src), 0, &p, err);
    if (r < 0)
        return r;
    out->name = strdup(name);
    out->when = strdup(src);
    out->prog = p;
    out->pos = (struct dw_ws_pos){"policies.yaml", 1, 1};
    if (!out->name || !out->when) {
        dw_rule_release(out);
        return -DW_ENOMEM;
    }
    return 0;
}

void dw_rule_release(struct dw_rule *r) {
    cel_program_free((struct cel_program *)r->prog);
    free(r->name);
    free(r->when);
    memset(r, 0, sizeof *r);
}
