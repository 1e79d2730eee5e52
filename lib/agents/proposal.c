/* proposal — the document the customer reads.
 *
 * Runs once the contract is checked and every approval of the current quote is granted.
 * Builds the view documented in docs/internals/workspace.md ("templates") from the deal's
 * documents and the latest quote revision, adds the claims and citations the knowledge
 * engine finds for the solution's lines (each claim is a sentence copied from a cited
 * passage, never written here), and renders the company's templates/proposal.mustache.
 *
 * Nothing in the view comes from the clock: the date is when the customer's latest message
 * arrived and the quote is valid from then, so running the step again renders the same
 * bytes, and the proposal records the revision and hash of the quote it shows.
 */
#include <string.h>

#include "agents/agent.h"
#include "engines/knowledge.h"
#include "rules/mustache.h"

static json_t *money(const json_t *obj, const char *key, int digits) {
    return dw_json_money(dw_json_int(obj, key, 0), digits);
}

/* The quote as the template sees it: money as decimal strings in the quote's digits. */
static json_t *quote_view(const json_t *q, const char *valid_until) {
    int digits = (int)dw_json_int(q, "digits", 2);
    char pct[16];
    dw_pct_format((int32_t)dw_json_int(q, "discount_bp", 0), pct, sizeof pct);
    json_t *lines = json_array();
    if (!lines)
        return NULL;
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(q, "lines"), i, l) {
        const char *billing = dw_json_str(l, "billing");
        json_t *v = json_pack(
            "{s:O?,s:O?,s:O?,s:o,s:o,s:o,s:o,s:s,s:b,s:O?}", "sku", json_object_get(l, "sku"),
            "name", json_object_get(l, "name"), "quantity", json_object_get(l, "quantity"),
            "unit_price", money(l, "unit_price", digits), "amount", money(l, "amount", digits),
            "discount", money(l, "discount", digits), "net", money(l, "net", digits), "billing",
            billing && strcmp(billing, "monthly") == 0 ? "monthly" : "one-time", "monthly",
            billing && strcmp(billing, "monthly") == 0, "term_months",
            json_object_get(l, "term_months"));
        if (!v || json_array_append_new(lines, v) < 0) {
            json_decref(lines);
            return NULL;
        }
    }
    return json_pack("{s:O?,s:O?,s:O?,s:o,s:o,s:o,s:s,s:o,s:O?,s:s,s:o}", "revision",
                     json_object_get(q, "revision"), "currency", json_object_get(q, "currency"),
                     "hash", json_object_get(q, "hash"), "subtotal", money(q, "subtotal", digits),
                     "discount", money(q, "discount", digits), "total", money(q, "total", digits),
                     "discount_pct", pct, "discount_bp",
                     json_integer(dw_json_int(q, "discount_bp", 0)), "term_months",
                     json_object_get(q, "term_months"), "valid_until", valid_until, "lines", lines);
}

static json_t *solution_view(const struct dw_workspace *ws, const json_t *sol) {
    json_t *lines = json_array(), *nc = json_array(), *opts = json_array();
    json_t *view = lines && nc && opts ? json_pack("{s:o,s:o,s:o}", "lines", lines, "not_covered",
                                                   nc, "options", opts)
                                       : NULL;
    if (!view) {
        json_decref(lines);
        json_decref(nc);
        json_decref(opts);
        return NULL;
    }
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(sol, "lines"), i, e) {
        const char *sku = dw_json_str(e, "sku");
        const struct dw_item *it = sku ? dw_ws_item(ws, sku) : NULL;
        json_t *v =
            json_pack("{s:s?,s:O?,s:O?,s:s}", "sku", sku, "name", json_object_get(e, "name"),
                      "quantity", json_object_get(e, "quantity"), "description",
                      it && it->description ? it->description : "");
        if (!v || json_array_append_new(lines, v) < 0)
            goto fail;
    }
    json_array_foreach(json_object_get(sol, "not_covered"), i, e) {
        const char *cap = dw_json_str(e, "capability"), *why = dw_json_str(e, "reason");
        struct dw_buf b;
        dw_buf_init(&b, 1024);
        int r = why ? dw_buf_printf(&b, "%s: %s", cap ? cap : "", why)
                    : dw_buf_puts(&b, cap ? cap : "");
        json_t *s = r < 0 ? NULL : json_string(b.data ? b.data : "");
        dw_buf_release(&b);
        if (!s || json_array_append_new(nc, s) < 0)
            goto fail;
    }
    json_array_foreach(json_object_get(sol, "options"), i, e) {
        if (json_array_append(opts, e) < 0)
            goto fail;
    }
    return view;
fail:
    json_decref(view);
    return NULL;
}

/* Terms the customer reads: `dpa` for the template's own DPA clause, and notes on export
 * control and on the non-standard terms legal reviewed. The contract's notes are internal
 * (they say things like "text addressed to the system") and stay out. */
static json_t *terms_view(const json_t *contract) {
    bool dpa = dw_json_bool(contract, "dpa", false);
    json_t *notes = json_array();
    if (!notes)
        return NULL;
    const char *st = dw_json_str(json_object_get(contract, "export_control"), "status");
    if (st && strcmp(st, "review") == 0)
        json_array_append_new(notes, json_string("Delivery is subject to export-control "
                                                 "regulations."));
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(contract, "legal_flags"), i, f) {
        const char *phrase = dw_json_str(f, "phrase");
        char s[512];
        if (!phrase)
            continue;
        snprintf(s, sizeof s,
                 "The terms you asked for (%s) have been reviewed by our legal "
                 "team.",
                 phrase);
        /* the same phrase in two messages is one request */
        bool seen = false;
        size_t k;
        json_t *n;
        json_array_foreach(notes, k, n) {
            seen |= strcmp(json_string_value(n), s) == 0;
        }
        if (!seen)
            json_array_append_new(notes, json_string(s));
    }
    return json_pack("{s:b,s:o}", "dpa", dpa, "notes", notes);
}

static json_t *customer_view(const json_t *contact, const json_t *req) {
    json_t *c = json_object();
    const char *keys[] = {"name", "company", "email", "country"};
    for (size_t i = 0; c && i < DW_ARRAY_SIZE(keys); i++) {
        const char *v = dw_json_str(contact, keys[i]);
        if (strcmp(keys[i], "country") == 0 && dw_json_str(json_object_get(req, "country"), "code"))
            v = dw_json_str(json_object_get(req, "country"), "code");
        if (v && dw_json_set(c, keys[i], json_string(v)) < 0) {
            json_decref(c);
            return NULL;
        }
    }
    return c;
}

static int step(struct dw_agent_ctx *ctx) {
    const struct dw_workspace *ws = ctx->ws;
    _cleanup_json_ json_t *leads = NULL, *req = NULL, *sol = NULL, *contract = NULL, *quote = NULL,
                          *claims = NULL, *citations = NULL, *view = NULL, *contact = NULL,
                          *doc = NULL;
    _cleanup_free_ char *md = NULL;
    int r;
    if ((r = DW_TOOL(ctx, leads, &leads)) < 0 ||
        (r = DW_TOOL(ctx, doc_get, "solution", &sol)) < 0 ||
        (r = DW_TOOL(ctx, doc_get, "contract", &contract)) < 0 ||
        (r = DW_TOOL(ctx, quote_get, 0, &quote)) < 0)
        return r;
    r = DW_TOOL(ctx, doc_get, "requirements", &req);
    if (r < 0 && r != -DW_ENOENT)
        return r;

    dw_time_t at;
    if (dw__latest_received(leads, &at) < 0)
        return dw_error_set(ctx->err, -DW_ESTATE, "the deal has no lead with a received_at");
    char date[16], valid[16], deal_id[32];
    dw_date_format(at, date, sizeof date);
    dw_date_format(at + (dw_time_t)ws->policies.quote_valid_days * 86400, valid, sizeof valid);
    dw_id_format('D', ctx->deal_id, deal_id, sizeof deal_id);

    r = dw_knowledge_claims(ws, json_object_get(sol, "lines"), &claims, &citations);
    if (r < 0)
        return r;
    contact = dw__deal_contact(leads);
    if (!contact)
        return -DW_ENOMEM;
    view = json_pack("{s:{s:s},s:o,s:{s:s},s:s,s:o,s:o,s:O,s:O,s:o}", "company", "name",
                     ws->company_name ? ws->company_name : "", "customer",
                     customer_view(contact, req), "deal", "id", deal_id, "date", date, "solution",
                     solution_view(ws, sol), "quote", quote_view(quote, valid), "claims", claims,
                     "citations", citations, "terms", terms_view(contract));
    if (!view)
        return -DW_ENOMEM;

    const struct dw_template *t = &ws->proposal_template;
    struct dw_mustache_opts opts = {.partials = ws->partials};
    r = dw_mustache_render(t->text ? t->text : "", t->len, view, &opts, &md, ctx->err);
    if (r < 0) {
        if (ctx->err && !ctx->err->file[0] && t->path)
            snprintf(ctx->err->file, sizeof ctx->err->file, "%s", t->path);
        return r;
    }
    doc = json_pack("{s:s,s:O?,s:O?,s:O,s:O}", "markdown", md, "quote_revision",
                    json_object_get(quote, "revision"), "quote_hash",
                    json_object_get(quote, "hash"), "claims", claims, "citations", citations);
    if (!doc)
        return -DW_ENOMEM;
    if ((r = DW_TOOL(ctx, doc_put, "proposal", doc)) < 0)
        return r;
    dw_json_set(ctx->note, "quote_revision", json_incref(json_object_get(quote, "revision")));
    dw_json_set(ctx->note, "claims", json_integer((json_int_t)json_array_size(claims)));
    dw_json_set(ctx->note, "bytes", json_integer((json_int_t)strlen(md)));
    return 0;
}

const struct dw_agent dw_agent_proposal = {
    .name = "proposal",
    .summary = "render the proposal from the company's template, every claim cited",
    .needs = DW_FACT_CONTRACT | DW_FACT_CLEARED,
    .produces = DW_FACT_PROPOSAL,
    .scope = DW_TOOL_READ_LEADS | DW_TOOL_READ_DEAL | DW_TOOL_WRITE_PROPOSAL,
    .step = step,
};
