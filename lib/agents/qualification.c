/* qualification — is this deal worth a sales engineer's time?
 *
 * Scores the deal with the workspace's ideal-customer profile and BANT rules
 * (lib/engines/qualify.c; docs/internals/qualification.md) and writes the qualification
 * document. A qualified deal moves on to scoping. When a fact the workspace requires is
 * missing, or the score falls between the thresholds, the agent drafts the reply that asks
 * for exactly what is missing from templates/reply.mustache and stops the deal in
 * needs_info; the customer's answer continues the same deal. A poor fit stops it as
 * disqualified, with the reasons.
 *
 * When models.yaml routes the `drafting` task to a model, the model writes the reply in the
 * customer's language (prompts/reply.mustache) from the same questions; the draft is used
 * only when engines/assist.h finds no number outside the requirements, no product, and no
 * personal data but the contact's name in it. Otherwise the template's reply stands and the
 * document's `reply_draft` says why.
 */
#include <string.h>

#include "agents/agent.h"
#include "agents/drafting.h"
#include "engines/rulevars.h"
#include "engines/qualify.h"
#include "rules/mustache.h"

/* The reply in the customer's language (dw__customer_language). The view's `questions` are
 * the engine's English sentences; `ask` names the missing facts ({quantity: true, ...}, or
 * {more: true} in the grey zone) for templates in other languages to ask in their own words.
 * The document's language is recorded in the qualification document. */
static int render_reply(struct dw_agent_ctx *ctx, const json_t *leads, const json_t *contact,
                        json_t *qdoc, char **ret) {
    const json_t *questions = json_object_get(qdoc, "questions");
    struct dw__doc_language lang;
    int rl = dw__customer_language(ctx->ws, leads, "reply", &lang);
    if (rl < 0)
        return rl;
    _cleanup_json_ json_t *ask = json_object();
    size_t mi;
    json_t *m;
    json_array_foreach(json_object_get(qdoc, "missing"), mi, m) {
        static const char *const known[] = {"quantity", "capabilities", "country",
                                            "budget",   "deadline",     "authority"};
        const char *f = json_string_value(m);
        bool k = false;
        for (size_t i = 0; f && i < DW_ARRAY_SIZE(known); i++)
            k |= strcmp(f, known[i]) == 0;
        if (f)
            json_object_set_new(ask, k ? f : "more", json_true());
    }
    if (!ask || (json_object_size(ask) == 0 && json_object_set_new(ask, "more", json_true()) < 0))
        return -DW_ENOMEM;
    if (dw_json_set(qdoc, "reply_language", json_string(lang.used)) < 0 ||
        dw_json_set(qdoc, "language", lang.detected ? json_string(lang.detected) : json_null()) <
            0 ||
        dw_json_set(qdoc, "language_fallback", json_boolean(lang.fallback)) < 0)
        return -DW_ENOMEM;
    const struct dw_workspace *ws = ctx->ws;
    char deal_id[32];
    dw_id_format('D', ctx->deal_id, deal_id, sizeof deal_id);
    _cleanup_json_ json_t *qs = json_array(), *customer = json_object(), *view = NULL;
    if (!qs || !customer)
        return -DW_ENOMEM;
    size_t i;
    json_t *q;
    json_array_foreach(questions, i, q) {
        if (json_array_append_new(qs, json_pack("{s:O}", "text", q)) < 0)
            return -DW_ENOMEM;
    }
    const char *keys[] = {"name", "company"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(keys); k++) {
        const char *v = dw_json_str(contact, keys[k]);
        if (v && dw_json_set(customer, keys[k], json_string(v)) < 0)
            return -DW_ENOMEM;
    }
    view = json_pack("{s:{s:s},s:O,s:{s:s},s:O,s:O,s:s}", "company", "name",
                     ws->company_name ? ws->company_name : "", "customer", customer, "deal", "id",
                     deal_id, "questions", qs, "ask", ask, "language", lang.used);
    if (!view)
        return -DW_ENOMEM;
    const struct dw_template *t = lang.tmpl;
    struct dw_mustache_opts opts = {.partials = lang.partials, .escape = t->escape};
    int r = dw__render_template(ctx->ws, t, view, &opts, ret, ctx->err);
    if (r < 0 && ctx->err && !ctx->err->file[0] && t->path)
        snprintf(ctx->err->file, sizeof ctx->err->file, "%s", t->path);
    return r;
}

/* The model's reply in place of the template's when it passes the checks (the record goes
 * to the document's reply_draft either way). */
static int draft_reply(struct dw_agent_ctx *ctx, const json_t *contact, const json_t *req,
                       json_t *qdoc, char **reply) {
    char deal_id[32];
    dw_id_format('D', ctx->deal_id, deal_id, sizeof deal_id);
    _cleanup_json_ json_t *known = json_object(), *personal = dw__deal_personal(contact, req);
    static const char *const facts[] = {"quantities", "capabilities", "country", "budget",
                                        "deadline"};
    for (size_t i = 0; known && i < DW_ARRAY_SIZE(facts); i++) {
        json_t *v = json_object_get(req, facts[i]);
        if (v && !json_is_null(v) && !(json_is_array(v) && json_array_size(v) == 0))
            json_object_set(known, facts[i], v);
    }
    _cleanup_json_ json_t *vars = json_pack(
        "{s:s,s:s,s:{s:s?,s:s?},s:s,s:O,s:O}", "language", dw_json_str(qdoc, "reply_language"),
        "company", ctx->ws->company_name ? ctx->ws->company_name : "", "customer", "name",
        dw_json_str(contact, "name"), "company", dw_json_str(contact, "company"), "deal", deal_id,
        "questions", json_object_get(qdoc, "questions"), "known", known);
    if (!vars || !personal)
        return -DW_ENOMEM;
    struct dw_draft_facts facts_in = {.ws = ctx->ws,
                                      .requirements = req,
                                      .contact_name = dw_json_str(contact, "name"),
                                      .personal = personal,
                                      .language = dw_json_str(qdoc, "reply_language"),
                                      .must_ask = true};
    _cleanup_json_ json_t *report = NULL, *rec = NULL;
    int r = dw__draft(ctx, "reply", "reply", vars, &facts_in, &report, &rec);
    if (r < 0)
        return r;
    const char *text = dw_json_str(report, "text");
    if (text) {
        char *t = strdup(text);
        if (!t)
            return -DW_ENOMEM;
        free(*reply);
        *reply = t;
    }
    dw_json_set(ctx->note, "reply_source", json_incref(json_object_get(rec, "source")));
    return dw_json_set(qdoc, "reply_draft", json_incref(rec));
}

static int step(struct dw_agent_ctx *ctx) {
    _cleanup_json_ json_t *doc = NULL, *contact = NULL;
    _cleanup_cjson_ const json_t *leads = NULL, *req = NULL, *discovery = NULL;
    _cleanup_free_ char *reply = NULL;
    int r = DW_TOOL(ctx, leads, &leads);
    if (r < 0)
        return r;
    r = DW_TOOL(ctx, doc_get, "requirements", &req);
    if (r < 0)
        return r;
    r = DW_TOOL(ctx, doc_get, "discovery", &discovery);
    if (r < 0 && r != -DW_ENOENT)
        return r;
    contact = dw__deal_contact(leads);
    if (!contact)
        return -DW_ENOMEM;

    /* the deadline is measured from the latest message: that is when the customer said it */
    dw_time_t at = 0;
    size_t n = json_array_size(leads);
    if (n == 0 || dw_time_parse(dw_json_str(json_array_get(leads, n - 1), "received_at"), &at) < 0)
        return dw_error_set(ctx->err, -DW_ESTATE, "the deal has no lead with a received_at");

    /* the scoring model, when one was trained, takes half of the BANT score (docs/internals/
     * scoring.md); without one this is exactly the rules' qualification */
    const struct dw_score_model *model = NULL;
    r = DW_TOOL(ctx, score_model, &model);
    if (r < 0)
        return r;
    const char *source = dw_json_str(json_array_get(leads, 0), "source");
    struct dw__rule_docs docs;
    struct dw_rule_inputs in;
    r = dw__rule_inputs(ctx, &docs, &in);
    if (r == 0) {
        in.stage = "qualification";
        r = dw_qualify_scored(ctx->ws, req, contact, json_object_get(discovery, "prior_deals"), at,
                              &in, model, source, &doc, ctx->err);
    }
    dw__rule_docs_release(&docs);
    if (r < 0)
        return r;
    const char *decision = dw_json_str(doc, "decision");
    const char *why = json_string_value(json_array_get(json_object_get(doc, "reasons"), 0));
    bool needs_info = strcmp(decision, "needs_info") == 0;
    if (needs_info) {
        r = render_reply(ctx, leads, contact, doc, &reply);
        if (r < 0)
            return r;
        if (dw__model_task(ctx->ws, DW_MODEL_TASK_DRAFTING) &&
            (r = draft_reply(ctx, contact, req, doc, &reply)) < 0)
            return r;
    }
    if (dw_json_set(doc, "reply", reply ? json_string(reply) : json_null()) < 0)
        return -DW_ENOMEM;
    r = DW_TOOL(ctx, doc_put, "qualification", doc);
    if (r < 0)
        return r;

    dw_json_set(ctx->note, "decision", json_string(decision));
    dw_json_set(ctx->note, "score", json_incref(json_object_get(doc, "score")));
    if (json_object_get(doc, "model"))
        dw_json_set(ctx->note, "model",
                    json_pack("{s:O,s:O}", "version",
                              json_object_get(json_object_get(doc, "model"), "version"), "used",
                              json_object_get(json_object_get(doc, "model"), "used")));
    if (needs_info) {
        dw_json_set(ctx->note, "missing", json_incref(json_object_get(doc, "missing")));
        return DW_TOOL(ctx, set_outcome, DW_STAGE_NEEDS_INFO, why ? why : "needs information");
    }
    if (strcmp(decision, "disqualified") == 0)
        return DW_TOOL(ctx, set_outcome, DW_STAGE_DISQUALIFIED, why ? why : "disqualified");
    return 0;
}

const struct dw_agent dw_agent_qualification = {
    .name = "qualification",
    .summary = "ICP fit and BANT score with reasons; asks for what is missing",
    .needs = DW_FACT_REQUIREMENTS | DW_FACT_ACCOUNT,
    .produces = DW_FACT_QUALIFIED,
    .scope = DW_TOOL_READ_LEADS | DW_TOOL_READ_DEAL | DW_TOOL_WRITE_QUALIFICATION |
             DW_TOOL_SET_OUTCOME | DW_TOOL_READ_MODEL | DW_TOOL_ASK_MODEL,
    .step = step,
};
