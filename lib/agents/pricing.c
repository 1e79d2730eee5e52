/* pricing agent — prices the deal's solution and asks for the approvals the policies name.
 *
 * Reads "solution", "requirements" and, when a person has set one, "pricing_overrides"
 * (whose discount_pct replaces the discount the customer asked for). The currency, the term
 * and the discount are taken from those documents; the numbers come from the pricing engine
 * (lib/engines/pricing.h). The quote goes to quote_put, which stamps the workspace hash
 * beside the content, keeps the revision when the content hash is unchanged and voids
 * approvals bound to an older hash; then every approval dw_approvals_needed() lists is
 * requested (the gateway does not repeat one already pending or granted for the same hash).
 */
#include "agents/agent.h"
#include "engines/pricing.h"
#include "engines/quotediff.h"
#include "engines/rulevars.h"

/* A percentage in a document: a decimal string ("12.5") or an integer (12). */
static int pct_value(const json_t *v, int32_t *ret_bp) {
    if (json_is_string(v))
        return dw_pct_parse(json_string_value(v), ret_bp);
    if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 100) {
        *ret_bp = (int32_t)json_integer_value(v) * 100;
        return 0;
    }
    return -DW_EINVAL;
}

/* The discount to quote: an override's, else the customer's request, else none. */
static int discount_of(struct dw_agent_ctx *ctx, const json_t *req, const json_t *ovr,
                       int32_t *ret_bp, const char **ret_source) {
    json_t *v = json_object_get(ovr, "discount_pct");
    const char *field = "pricing_overrides.discount_pct";
    *ret_source = "override";
    if (!v || json_is_null(v)) {
        v = json_object_get(json_object_get(req, "discount"), "pct");
        field = "requirements.discount.pct";
        *ret_source = "requirements";
    }
    if (!v || json_is_null(v)) {
        *ret_bp = 0;
        *ret_source = "none";
        return 0;
    }
    if (pct_value(v, ret_bp) < 0)
        return dw_error_field(ctx->err, -DW_EINVAL, field, "not a percentage from 0 to 100");
    return 0;
}

static int term_of(struct dw_agent_ctx *ctx, const json_t *req) {
    json_int_t t = dw_json_int(json_object_get(req, "term_months"), "value", 0);
    if (t > 0 && t <= DW_PRICE_MAX_TERM)
        return (int)t;
    return ctx->ws->policies.default_term_months > 0 ? ctx->ws->policies.default_term_months : 12;
}

static int note_quote(struct dw_agent_ctx *ctx, const json_t *quote, int revision, bool is_new,
                      const char *discount_source, const json_t *approvals) {
    if (!ctx->note)
        ctx->note = json_object();
    if (!json_is_object(ctx->note))
        return -DW_ENOMEM;
    json_t *kinds = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(approvals, i, a) {
        if (json_array_append(kinds, json_object_get(a, "kind")) < 0) {
            json_decref(kinds);
            return -DW_ENOMEM;
        }
    }
    int digits = (int)dw_json_int(quote, "digits", 2);
    json_t *n = json_pack("{s:O, s:o, s:O, s:s, s:O, s:i, s:b, s:O, s:o}", "currency",
                          json_object_get(quote, "currency"), "total",
                          dw_json_money(dw_json_int(quote, "total", 0), digits), "discount_bp",
                          json_object_get(quote, "discount_bp"), "discount_source", discount_source,
                          "term_months", json_object_get(quote, "term_months"), "revision",
                          revision, "new_revision", is_new, "hash", json_object_get(quote, "hash"),
                          "approvals", kinds);
    if (!n)
        return -DW_ENOMEM;
    int r = json_object_update(ctx->note, n) == 0 ? 0 : -DW_ENOMEM;
    json_decref(n);
    return r;
}

/* What changed since the revision this one replaces: counts and the total's delta (the
 * whole diff is `dealwright quote diff`, computed from the stored revisions). */
static int note_diff(struct dw_agent_ctx *ctx, const json_t *previous, const json_t *quote) {
    _cleanup_json_ json_t *d = NULL;
    int r = dw_quote_diff(previous, quote, &d);
    if (r < 0)
        return r;
    json_t *totals = json_object_get(d, "totals");
    json_t *delta = json_object_get(json_object_get(totals, "total"), "delta");
    json_t *from = json_object_get(previous, "revision");
    json_t *n = json_pack(
        "{s:O, s:I, s:I, s:I, s:o}", "from_revision", from ? from : json_null(), "lines_added",
        (json_int_t)json_array_size(json_object_get(d, "added")), "lines_removed",
        (json_int_t)json_array_size(json_object_get(d, "removed")), "lines_changed",
        (json_int_t)json_array_size(json_object_get(d, "changed")), "total_delta",
        json_is_integer(delta)
            ? dw_json_money(json_integer_value(delta), (int)dw_json_int(quote, "digits", 2))
            : json_null());
    if (!n || json_object_set_new(ctx->note, "diff", n) < 0)
        return -DW_ENOMEM;
    return 0;
}

static int step(struct dw_agent_ctx *ctx) {
    _cleanup_json_ json_t *quote = NULL, *approvals = NULL;
    _cleanup_cjson_ const json_t *sol = NULL, *req = NULL, *ovr = NULL;
    int r = DW_TOOL(ctx, doc_get, "solution", &sol);
    if (r < 0)
        return r == -DW_ENOENT
                   ? dw_error_set(ctx->err, r, "pricing: the deal has no solution document")
                   : r;
    r = DW_TOOL(ctx, doc_get, "requirements", &req);
    if (r < 0 && r != -DW_ENOENT)
        return r;
    r = DW_TOOL(ctx, doc_get, "pricing_overrides", &ovr);
    if (r < 0 && r != -DW_ENOENT)
        return r;

    if (json_array_size(json_object_get(sol, "lines")) == 0)
        return dw_error_set(ctx->err, -DW_EVALIDATE,
                            "pricing: the solution has no lines (%zu needs not covered); "
                            "the deal needs a person to scope it",
                            json_array_size(json_object_get(sol, "not_covered")));

    int32_t bp;
    const char *source;
    r = discount_of(ctx, req, ovr, &bp, &source);
    if (r < 0)
        return r;
    const char *currency = dw_pricing_currency(ctx->ws, req);
    struct dw__rule_docs docs;
    struct dw_rule_inputs in;
    r = dw__rule_inputs(ctx, &docs, &in);
    if (r < 0)
        return dw_error_set(ctx->err, r, "pricing: cannot read the deal's documents");
    in.stage = "pricing";
    struct dw_price_opts o = {
        .currency = currency,
        .country = dw_json_str(json_object_get(req, "country"), "code"),
        .discount_bp = bp,
        .term_months = term_of(ctx, req),
        .in = &in,
        .unhashed = true, /* quote_put stamps the hash of what it stores */
    };
    r = dw_price_quote(ctx->ws, sol, &o, &quote, ctx->err);
    /* the revision this one replaces, for the line-level diff in the audit note */
    _cleanup_cjson_ const json_t *previous = NULL;
    if (r == 0) {
        r = DW_TOOL(ctx, quote_get, 0, &previous);
        if (r == -DW_ENOENT && ctx->err)
            *ctx->err = (struct dw_error){0}; /* the first revision: nothing to compare */
        if (r == -DW_ENOENT)
            r = 0;
    }
    int revision = 0;
    bool is_new = false;
    if (r == 0)
        r = DW_TOOL(ctx, quote_put, quote, &revision, &is_new);
    if (r == 0 && (r = dw_approvals_needed(ctx->ws, quote, &in, &approvals)) < 0)
        dw_error_set(ctx->err, r, "pricing: cannot work out the approvals needed");
    dw__rule_docs_release(&docs);
    if (r < 0)
        return r;
    size_t i;
    json_t *a;
    json_array_foreach(approvals, i, a) {
        r = DW_TOOL(ctx, request_approval, dw_json_str(a, "kind"), dw_json_str(a, "required_role"),
                    dw_json_str(a, "reason"), dw_json_str(a, "rule"));
        if (r < 0)
            return r;
    }
    r = note_quote(ctx, quote, revision, is_new, source, approvals);
    if (r == 0 && is_new && previous)
        r = note_diff(ctx, previous, quote);
    if (r < 0)
        return dw_error_set(ctx->err, r, "pricing: out of memory");
    return 0;
}

const struct dw_agent dw_agent_pricing = {
    .name = "pricing",
    .summary = "price the solution, apply the discount, request the approvals policy names",
    .needs = DW_FACT_SOLUTION,
    .produces = DW_FACT_QUOTE,
    /* reads the leads because approval rules may look at the lead and its contact */
    .scope =
        DW_TOOL_READ_LEADS | DW_TOOL_READ_DEAL | DW_TOOL_WRITE_QUOTE | DW_TOOL_REQUEST_APPROVAL,
    .step = step,
};
