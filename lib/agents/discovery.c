/* discovery — who is this customer?
 *
 * Matches the lead's company to an account by email domain (or by company name when the
 * sender uses a free-mail address), creating the account when it is new, links the contact,
 * lists the account's prior deals, and points at the knowledge documents about what the
 * customer mentions, so a sales engineer opening the deal sees the context at once.
 */
#include <stdlib.h>
#include <string.h>

#include "agents/agent.h"
#include "base/ac.h"
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

/* Every capability name and synonym, folded as contains_ci() folds them, in one
 * automaton kept with the workspace snapshot (dw_ws_memo): one pass over the text finds
 * what a contains_ci() per name finds. */
struct mentions {
    struct dw_ac *ac;
    size_t n;    /* patterns */
    size_t *cap; /* per pattern: the capability's index */
};

static void mentions_free(void *p) {
    struct mentions *m = p;
    if (!m)
        return;
    dw_ac_free(m->ac);
    free(m->cap);
    free(m);
}

static void *mentions_build(const struct dw_workspace *ws, void *ud) {
    (void)ud;
    struct mentions *m = calloc(1, sizeof *m);
    size_t n = 0;
    for (size_t i = 0; i < ws->n_capabilities; i++)
        n += 1 + ws->capabilities[i].n_synonyms;
    char **pats = calloc(n + 1, sizeof *pats);
    if (m)
        m->cap = calloc(n + 1, sizeof *m->cap);
    bool ok = m && pats && m->cap;
    for (size_t i = 0; ok && i < ws->n_capabilities; i++) {
        const struct dw_term *t = &ws->capabilities[i];
        for (size_t k = 0; ok && k <= t->n_synonyms; k++) {
            m->cap[m->n] = i;
            ok = (pats[m->n++] = ascii_lower(k == 0 ? t->name : t->synonyms[k - 1])) != NULL;
        }
    }
    ok = ok && dw_ac_new((const char *const *)pats, m->n, &m->ac) == 0;
    for (size_t i = 0; pats && i < n; i++)
        free(pats[i]);
    free(pats);
    if (!ok) {
        mentions_free(m);
        return NULL;
    }
    return m;
}

static json_t *mentioned_capabilities(const struct dw_workspace *ws, const char *text) {
    _cleanup_free_ char *lower = ascii_lower(text);
    json_t *caps = lower ? json_array() : NULL;
    const struct mentions *m =
        caps ? dw_ws_memo(ws, DW_WS_MEMO_MENTIONS, mentions_build, NULL, mentions_free) : NULL;
    _cleanup_free_ uint64_t *found = m ? calloc((m->n + 63) / 64 + 1, sizeof *found) : NULL;
    _cleanup_free_ bool *hit = m ? calloc(ws->n_capabilities + 1, sizeof *hit) : NULL;
    if (m && found && hit) {
        dw_ac_scan(m->ac, lower, strlen(lower), found);
        for (size_t k = 0; k < m->n; k++)
            if (found[k / 64] >> (k % 64) & 1)
                hit[m->cap[k]] = true;
        for (size_t i = 0; i < ws->n_capabilities; i++)
            if (hit[i])
                json_array_append_new(caps, json_string(ws->capabilities[i].name));
        return caps;
    }
    /* a workspace without the memo (built by hand), or out of memory: name by name */
    for (size_t i = 0; caps && i < ws->n_capabilities; i++) {
        const struct dw_term *t = &ws->capabilities[i];
        bool h = contains_ci(lower, t->name);
        for (size_t k = 0; !h && k < t->n_synonyms; k++)
            h = contains_ci(lower, t->synonyms[k]);
        if (h)
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
