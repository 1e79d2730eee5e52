/* proposal — the document the customer reads.
 *
 * Runs once the contract is checked and every approval of the current quote is granted.
 * Builds the view documented in docs/internals/workspace.md ("templates") from the deal's
 * documents and the latest quote revision, adds the claims and citations the knowledge
 * engine finds for the solution's lines (each claim is a sentence copied from a cited
 * passage, never written here), and renders the proposal template in the customer's
 * language (templates/LANG/proposal.mustache, else the company's templates/proposal.mustache;
 * see dw__customer_language), with that language's money and date formats.
 *
 * The proposal is dated when it is written (ctx->now), and the quote revision it offers is
 * valid from that day for policies.yaml quotes.valid_days: the document records both
 * (written_at, valid_until), and that record is what the API shows and what acceptance
 * enforces. The proposal also records the revision and hash of the quote it shows. Customer
 * text (names, company, the terms they asked for) is escaped for the template's output format
 * by the Mustache engine ({{name}}).
 *
 * When models.yaml routes the `drafting` task to a model, the model writes the summary
 * (prompts/proposal.mustache) in the document's language from the quote, the requirements
 * and the passages the proposal cites. The template shows it as `narrative` only when
 * engines/assist.h passes it: every number the quote's or the requirements', every product a
 * line of the quote, every product sentence citing a passage that carries it, no personal
 * data but the contact's name. Otherwise the template's own summary stays and the document's
 * `narrative` records why.
 */
#include <string.h>

#include "agents/agent.h"
#include "agents/drafting.h"
#include "engines/docclock.h"
#include "engines/knowledge.h"
#include "engines/lang.h"
#include "rules/mustache.h"

/* Money as the customer's language writes it, with the currency's sign. */
static json_t *money_in(const char *lang, const json_t *obj, const char *key, int digits,
                        const char *currency) {
    char buf[96];
    return json_string(
        dw_lang_money(lang, dw_json_int(obj, key, 0), digits, currency, buf, sizeof buf));
}
#define money(obj, key, digits) money_in(lang, obj, key, digits, currency)

/* Member k of o set to v (taken), what json_pack's "s:o" does without parsing a format;
 * false when v is NULL or o cannot take it. */
static bool set_o(json_t *o, const char *k, json_t *v) {
    return v && json_object_set_new_nocheck(o, k, v) == 0;
}

/* json_pack's "O?": a new reference, or null. */
static json_t *ref_or_null(json_t *v) {
    return v ? json_incref(v) : json_null();
}

/* The quote as the template sees it: money in the quote's digits, written the way the
 * document's language writes amounts ("1.234,56 €"). */
static json_t *quote_view(const json_t *q, const char *lang, const char *valid_until) {
    int digits = (int)dw_json_int(q, "digits", 2);
    const char *currency = dw_json_str(q, "currency");
    char pct[16];
    dw_pct_format((int32_t)dw_json_int(q, "discount_bp", 0), pct, sizeof pct);
    /* 12.5 % in English, 12,5 % in the languages that write a decimal comma */
    if (lang && strcmp(lang, "en") != 0) {
        char *dot = strchr(pct, '.');
        if (dot)
            *dot = ',';
    }
    json_t *lines = json_array();
    if (!lines)
        return NULL;
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(q, "lines"), i, l) {
        const char *billing = dw_json_str(l, "billing");
        bool monthly = billing && strcmp(billing, "monthly") == 0;
        /* {sku, name, quantity, unit_price, amount, discount, net, billing, monthly,
         * term_months}, member by member */
        json_t *unit = money(l, "unit_price", digits), *amount = money(l, "amount", digits),
               *disc = money(l, "discount", digits), *net = money(l, "net", digits);
        json_t *v = json_object();
        bool ok = v && unit && amount && disc && net &&
                  set_o(v, "sku", ref_or_null(json_object_get(l, "sku"))) &&
                  set_o(v, "name", ref_or_null(json_object_get(l, "name"))) &&
                  set_o(v, "quantity", ref_or_null(json_object_get(l, "quantity")));
        if (ok) { /* set_o takes each value, set or not */
            json_t *money_v[] = {unit, amount, disc, net};
            const char *money_k[] = {"unit_price", "amount", "discount", "net"};
            unit = amount = disc = net = NULL;
            for (size_t k = 0; k < 4; k++) {
                if (ok)
                    ok = set_o(v, money_k[k], money_v[k]);
                else
                    json_decref(money_v[k]); /* not handed to set_o */
            }
        }
        ok = ok && set_o(v, "billing", json_string(monthly ? "monthly" : "one-time"));
        ok = ok && set_o(v, "monthly", json_boolean(monthly));
        ok = ok && set_o(v, "term_months", ref_or_null(json_object_get(l, "term_months")));
        json_decref(unit);
        json_decref(amount);
        json_decref(disc);
        json_decref(net);
        if (!ok || json_array_append_new(lines, v) < 0) {
            json_decref(ok ? NULL : v);
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
    json_t *lines = json_array(), *nc = json_array(), *opts = json_array(), *items = json_array();
    json_t *view = lines && nc && opts && items
                       ? json_pack("{s:o,s:o,s:o,s:o}", "lines", lines, "not_covered", nc,
                                   "not_covered_items", items, "options", opts)
                       : NULL;
    if (!view) {
        json_decref(lines);
        json_decref(nc);
        json_decref(opts);
        json_decref(items);
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
        /* the same as facts, for templates that say why in their own language */
        bool excluded = why && strcmp(why, "excluded by the customer") == 0;
        bool absent = why && strcmp(why, "no item in the catalog provides it") == 0;
        if (json_array_append_new(items,
                                  json_pack("{s:s,s:b,s:b,s:b}", "capability", cap ? cap : "",
                                            "excluded", excluded, "not_in_catalog", absent,
                                            "conflict", !excluded && !absent)) < 0)
            goto fail;
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
    json_t *notes = json_array(), *reviewed = json_array();
    if (!notes || !reviewed) {
        json_decref(notes);
        json_decref(reviewed);
        return NULL;
    }
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
        if (!seen) {
            json_array_append_new(notes, json_string(s));
            json_array_append_new(reviewed, json_string(phrase));
        }
    }
    /* notes: the same in English sentences, for templates written before the flags */
    return json_pack("{s:b,s:b,s:o,s:o}", "dpa", dpa, "export_review",
                     st && strcmp(st, "review") == 0, "reviewed", reviewed, "notes", notes);
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
    /* whom the proposal is addressed to: the company, or the person when none is named (a
     * mail or chat from someone who gave no company) */
    const char *to = dw_json_str(contact, "company");
    if (!to || !*to)
        to = dw_json_str(contact, "name");
    if (!to || !*to)
        to = dw_json_str(contact, "email");
    if (c && dw_json_set(c, "addressee", json_string(to ? to : "")) < 0) {
        json_decref(c);
        return NULL;
    }
    return c;
}

/* The passages the proposal cites, with their text, for the model and the check:
 * [{ref, path, anchor, heading, text}]. */
static json_t *cited_passages(const struct dw_workspace *ws, const json_t *citations) {
    json_t *out = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(citations, i, c) {
        const char *path = dw_json_str(c, "path"), *anchor = dw_json_str(c, "anchor");
        for (size_t d = 0; out && path && anchor && d < ws->n_documents; d++) {
            const struct dw_document *doc = &ws->documents[d];
            if (strcmp(doc->path, path) != 0)
                continue;
            for (size_t k = 0; k < doc->n_passages; k++)
                if (strcmp(doc->passages[k].anchor, anchor) == 0)
                    json_array_append_new(
                        out, json_pack("{s:O,s:s,s:s,s:s,s:s}", "ref", json_object_get(c, "ref"),
                                       "path", path, "anchor", anchor, "heading",
                                       doc->passages[k].heading, "text", doc->passages[k].text));
        }
    }
    return out;
}

/* Ask for the summary and check it; view.narrative set when it passed, doc.narrative says
 * what happened either way. */
static int draft_narrative(struct dw_agent_ctx *ctx, const json_t *contact, const json_t *req,
                           const json_t *quote, const json_t *citations, json_t *view,
                           const char *date_iso, const char *valid_iso, json_t **ret_record) {
    const char *lang = dw_json_str(view, "language");
    _cleanup_json_ json_t *passages = cited_passages(ctx->ws, citations);
    _cleanup_json_ json_t *personal = dw__deal_personal(contact, req);
    _cleanup_json_ json_t *caps = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(req, "capabilities"), i, e) {
        json_array_append(caps, json_object_get(e, "name"));
    }
    const json_t *qv = json_object_get(view, "quote");
    _cleanup_json_ json_t *vars = json_pack(
        "{s:s,s:s,s:{s:s?,s:s?},s:{s:O?,s:O?,s:O?},s:{s:O,s:O?},s:O}", "language", lang, "company",
        ctx->ws->company_name ? ctx->ws->company_name : "", "customer", "name",
        dw_json_str(contact, "name"), "company", dw_json_str(contact, "company"), "quote",
        "currency", json_object_get(qv, "currency"), "total", json_object_get(qv, "total"), "lines",
        json_object_get(qv, "lines"), "requirements", "capabilities", caps, "quantities",
        json_object_get(req, "quantities"), "passages", passages);
    _cleanup_json_ json_t *numbers = json_pack("[s,s]", date_iso, valid_iso);
    if (!vars || !passages || !personal || !numbers)
        return -DW_ENOMEM;
    struct dw_draft_facts facts = {.ws = ctx->ws,
                                   .quote = quote,
                                   .requirements = req,
                                   .passages = passages,
                                   .contact_name = dw_json_str(contact, "name"),
                                   .personal = personal,
                                   .numbers = numbers,
                                   .language = lang};
    _cleanup_json_ json_t *report = NULL;
    int r = dw__draft(ctx, "proposal", "proposal", vars, &facts, &report, ret_record);
    if (r < 0)
        return r;
    if (report) {
        json_t *sentences = dw__draft_sentences(report);
        if (!sentences ||
            dw_json_set(view, "narrative", json_pack("{s:o}", "sentences", sentences)) < 0)
            return -DW_ENOMEM;
        json_object_set(*ret_record, "text", json_object_get(report, "text"));
    }
    return 0;
}

static int step(struct dw_agent_ctx *ctx) {
    const struct dw_workspace *ws = ctx->ws;
    _cleanup_json_ json_t *claims = NULL, *citations = NULL, *view = NULL, *contact = NULL,
                          *doc = NULL;
    _cleanup_cjson_ const json_t *leads = NULL, *req = NULL, *sol = NULL, *contract = NULL,
                                 *quote = NULL;
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

    struct dw__doc_language lang;
    if ((r = dw__customer_language(ws, leads, "proposal", &lang)) < 0)
        return r;
    /* one clock: written now, the offer valid from today */
    dw_time_t until = dw_offer_valid_until(ws, ctx->now);
    char date[64], date_iso[16], valid[64], valid_iso[16], written[32], deal_id[32];
    dw_lang_date(lang.used, ctx->now, date, sizeof date);
    dw_date_format(ctx->now, date_iso, sizeof date_iso);
    dw_lang_date(lang.used, until, valid, sizeof valid);
    dw_date_format(until, valid_iso, sizeof valid_iso);
    dw_time_format(ctx->now, written, sizeof written);
    dw_id_format('D', ctx->deal_id, deal_id, sizeof deal_id);

    r = dw_knowledge_claims(ws, json_object_get(sol, "lines"), &claims, &citations);
    if (r < 0)
        return r;
    contact = dw__deal_contact(leads);
    if (!contact)
        return -DW_ENOMEM;
    view =
        json_pack("{s:{s:s},s:o,s:{s:s},s:s,s:s,s:s,s:o,s:o,s:O,s:O,s:o}", "company", "name",
                  ws->company_name ? ws->company_name : "", "customer", customer_view(contact, req),
                  "deal", "id", deal_id, "date", date, "date_iso", date_iso, "language", lang.used,
                  "solution", solution_view(ws, sol), "quote", quote_view(quote, lang.used, valid),
                  "claims", claims, "citations", citations, "terms", terms_view(contract));
    if (!view)
        return -DW_ENOMEM;
    json_object_set_new(json_object_get(view, "quote"), "valid_until_iso", json_string(valid_iso));
    _cleanup_json_ json_t *narrative = NULL;
    if (dw__model_task(ws, DW_MODEL_TASK_DRAFTING) &&
        (r = draft_narrative(ctx, contact, req, quote, citations, view, date_iso, valid_iso,
                             &narrative)) < 0)
        return r;

    const struct dw_template *t = lang.tmpl;
    struct dw_mustache_opts opts = {.partials = lang.partials, .escape = t->escape};
    r = dw__render_template(ws, t, view, &opts, &md, ctx->err);
    if (r < 0) {
        if (ctx->err && !ctx->err->file[0] && t->path)
            snprintf(ctx->err->file, sizeof ctx->err->file, "%s", t->path);
        return r;
    }
    doc = json_pack("{s:s,s:O?,s:O?,s:s,s:s,s:s?,s:s,s:b,s:O,s:O}", "markdown", md,
                    "quote_revision", json_object_get(quote, "revision"), "quote_hash",
                    json_object_get(quote, "hash"), "written_at", written, "valid_until", valid_iso,
                    "language", lang.detected, "document_language", lang.used, "language_fallback",
                    lang.fallback, "claims", claims, "citations", citations);
    if (!doc)
        return -DW_ENOMEM;
    if (narrative && dw_json_set(doc, "narrative", json_incref(narrative)) < 0)
        return -DW_ENOMEM;
    if (narrative)
        dw_json_set(ctx->note, "narrative_source",
                    json_incref(json_object_get(narrative, "source")));
    if ((r = DW_TOOL(ctx, doc_put, "proposal", doc)) < 0)
        return r;
    dw_json_set(ctx->note, "quote_revision", json_incref(json_object_get(quote, "revision")));
    dw_json_set(ctx->note, "claims", json_integer((json_int_t)json_array_size(claims)));
    dw_json_set(ctx->note, "bytes", json_integer((json_int_t)strlen(md)));
    dw_json_set(ctx->note, "language", json_string(lang.used));
    return 0;
}

const struct dw_agent dw_agent_proposal = {
    .name = "proposal",
    .summary = "render the proposal from the company's template, every claim cited",
    .needs = DW_FACT_CONTRACT | DW_FACT_CLEARED,
    .produces = DW_FACT_PROPOSAL,
    .scope = DW_TOOL_READ_LEADS | DW_TOOL_READ_DEAL | DW_TOOL_WRITE_PROPOSAL | DW_TOOL_ASK_MODEL,
    .step = step,
};
