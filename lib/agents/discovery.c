/* discovery — who is this customer?
 *
 * Matches the lead's company to an account by email domain (or by company name when the
 * sender uses a free-mail address), creating the account when it is new, links the contact,
 * lists the account's prior deals, and points at the knowledge documents about what the
 * customer mentions, so a sales engineer opening the deal sees the context at once.
 */
#include <string.h>

#include "agents/agent.h"
#include "engines/knowledge.h"

/* Capabilities the text names (canonical names), by a plain case-insensitive scan of each
 * capability's name and synonyms. Requirements does the careful extraction with spans and
 * negations later; here a mention is enough to find reading material. */
static char *ascii_lower(const char *s) {
    char *l = strdup(s);
    for (char *p = l; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return l;
}

/* strcasestr(hay, needle) with hay already in lower case: the same ASCII-only folding,
 * without folding the text again for every term. */
static bool contains_ci(const char *lower_hay, const char *needle) {
    char small[128];
    size_t n = strlen(needle);
    if (n >= sizeof small) {
        _cleanup_free_ char *l = ascii_lower(needle);
        return l && strstr(lower_hay, l) != NULL;
    }
    for (size_t i = 0; i <= n; i++)
        small[i] = needle[i] >= 'A' && needle[i] <= 'Z' ? (char)(needle[i] - 'A' + 'a') : needle[i];
    return strstr(lower_hay, small) != NULL;
}

static json_t *mentioned_capabilities(const struct dw_workspace *ws, const char *text) {
    _cleanup_free_ char *lower = ascii_lower(text);
    json_t *caps = lower ? json_array() : NULL;
    for (size_t i = 0; caps && i < ws->n_capabilities; i++) {
        const struct dw_term *t = &ws->capabilities[i];
        bool hit = contains_ci(lower, t->name);
        for (size_t k = 0; !hit && k < t->n_synonyms; k++)
            hit = contains_ci(lower, t->synonyms[k]);
        if (hit)
            json_array_append_new(caps, json_string(t->name));
    }
    return caps;
}

static int step(struct dw_agent_ctx *ctx) {
    _cleanup_json_ json_t *account = NULL, *prior = NULL, *docs = NULL, *caps = NULL, *doc = NULL;
    _cleanup_cjson_ const json_t *leads = NULL;
    int r = DW_TOOL(ctx, leads, &leads);
    if (r < 0)
        return r;
    const json_t *first = json_array_get(leads, 0);
    const json_t *intake = json_object_get(first, "intake");
    const json_t *contact = json_object_get(intake, "contact");
    if (!contact)
        return dw_error_set(ctx->err, -DW_ESTATE, "the lead has not been taken in");

    const char *domain = dw_json_str(contact, "domain");
    const char *company = dw_json_str(contact, "company");
    const char *country = dw_json_str(contact, "country");
    const char *name = company ? company : domain;
    if (name) {
        r = DW_TOOL(ctx, link_account, name, domain, country, contact, &account);
        if (r < 0)
            return r;
        r = DW_TOOL(ctx, prior_deals, &prior);
        if (r < 0)
            return r;
    } else {
        /* A private person (free mail, no company) is not an account: naming one after the
         * person would copy personal data into a table retention cannot clean, and would
         * merge every such sender into one account. The lead keeps the contact. */
        account = json_pack("{s:n,s:n,s:b}", "id", "name", "individual", 1);
        prior = json_array();
        if (!account || !prior)
            return -DW_ENOMEM;
    }

    /* every message of the deal counts, a follow-up may name new things */
    struct dw_buf all;
    dw_buf_init(&all, 0);
    size_t i;
    json_t *lead;
    json_array_foreach(leads, i, lead) {
        const char *t = dw_json_str(json_object_get(lead, "intake"), "text");
        if (t && (dw_buf_puts(&all, t) < 0 || dw_buf_putc(&all, '\n') < 0)) {
            dw_buf_release(&all);
            return dw_error_set(ctx->err, -DW_ETOOBIG, "the deal's messages are too large");
        }
    }
    caps = mentioned_capabilities(ctx->ws, all.data ? all.data : "");
    dw_buf_release(&all);
    if (!caps)
        return -DW_ENOMEM;
    r = dw_knowledge_relevant(ctx->ws, caps, 5, &docs);
    if (r < 0)
        return r;

    doc = json_pack("{s:O,s:O,s:O}", "account", account, "prior_deals", prior, "documents", docs);
    if (!doc)
        return -DW_ENOMEM;
    r = DW_TOOL(ctx, doc_put, "discovery", doc);
    if (r < 0)
        return r;
    dw_json_set(ctx->note, "account", json_incref(json_object_get(account, "id")));
    dw_json_set(ctx->note, "account_created", json_incref(json_object_get(account, "created")));
    dw_json_set(ctx->note, "prior_deals", json_integer((json_int_t)json_array_size(prior)));
    return 0;
}

const struct dw_agent dw_agent_discovery = {
    .name = "discovery",
    .summary = "match or create the account, prior deals, relevant knowledge",
    .needs = DW_FACT_INTAKE,
    .produces = DW_FACT_ACCOUNT,
    .scope = DW_TOOL_READ_LEADS | DW_TOOL_ACCOUNTS | DW_TOOL_READ_DEAL,
    .step = step,
};
