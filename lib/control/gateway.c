/* The tool gateway: the only way an agent acts.
 *
 * Every tool first checks that the calling agent declared it in its scope (-DW_EPERM
 * otherwise, and the refusal ends up in the step's failure record), then does its work on
 * the store inside the step's savepoint, records the call (inputs, and the hash of what it
 * wrote) for the step's audit record, and emits the matching event. Because all of it is in
 * the step's savepoint, a failing step leaves neither data nor events nor audit behind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/internal.h"
#include "models/models.h"

#define GW(c) ((struct dw__gateway *)(c)->gateway)

static int check(struct dw_agent_ctx *c, uint32_t tool) {
    if (c->agent->scope & tool)
        return 0;
    return dw_error_set(c->err, -DW_EPERM, "agent '%s' may not use the tool '%s'", c->agent->name,
                        dw_tool_name(tool));
}

/* {k1: v1, k2: v2} (k2 NULL: one member), values stolen: what json_pack("{s:o,s:o}") makes,
 * without parsing a format on every tool call. */
static json_t *obj2(const char *k1, json_t *v1, const char *k2, json_t *v2) {
    json_t *o = json_object();
    json_object_set_new_nocheck(o, k1, v1);
    if (k2)
        json_object_set_new_nocheck(o, k2, v2);
    return o;
}

/* Record a call: {tool, ...args}. args is stolen. */
static void record(struct dw_agent_ctx *c, const char *tool, json_t *args) {
    json_t *o = args ? args : json_object();
    json_object_set_new(o, "tool", json_string(tool));
    json_array_append_new(GW(c)->calls, o);
}

static struct dw_store *ST(struct dw_agent_ctx *c) {
    return GW(c)->engine->store;
}

/* Remember what a shared document hashed to when handed out (debug builds). */
static void watch_shared(struct dw_agent_ctx *c, const char *what, const json_t *doc) {
    if (!GW(c)->shared || !doc)
        return;
    char h[DW_SHA256_HEX];
    dw_json_hash(doc, h);
    json_array_append_new(GW(c)->shared, json_pack("[s,O,s]", what, (json_t *)doc, h));
}

void dw__gateway_check_shared(const struct dw__gateway *gw, const char *agent) {
    size_t i;
    json_t *w;
    json_array_foreach(gw->shared, i, w) {
        char h[DW_SHA256_HEX];
        dw_json_hash(json_array_get(w, 1), h);
        if (strcmp(h, json_string_value(json_array_get(w, 2))) != 0) {
            fprintf(stderr,
                    "dealwright: agent '%s' changed the shared %s it was handed; an agent "
                    "copies a document (json_deep_copy) before changing it\n",
                    agent, json_string_value(json_array_get(w, 0)));
            abort();
        }
    }
}

static int t_leads(struct dw_agent_ctx *c, const json_t **ret) {
    int r = check(c, DW_TOOL_READ_LEADS);
    if (r < 0)
        return r;
    r = ST(c)->ops->leads_peek(ST(c), c->deal_id, ret, c->err);
    if (r >= 0)
        watch_shared(c, "leads", *ret);
    if (r >= 0)
        record(c, "leads",
               obj2("count", json_integer((json_int_t)json_array_size(*ret)), NULL, NULL));
    return r;
}

static int t_set_intake(struct dw_agent_ctx *c, int64_t lead_id, const json_t *intake) {
    int r = check(c, DW_TOOL_WRITE_INTAKE);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *lead = NULL;
    r = ST(c)->ops->lead_get(ST(c), lead_id, &lead, c->err);
    if (r < 0)
        return r;
    if (dw_json_int(lead, "deal_id", 0) != c->deal_id)
        return dw_error_set(c->err, -DW_EPERM, "lead %s belongs to another deal",
                            DW_ID('L', lead_id));
    r = ST(c)->ops->lead_set_intake(ST(c), lead_id, intake, c->err);
    if (r < 0)
        return r;
    char h[DW_SHA256_HEX];
    dw_json_hash(intake, h);
    record(c, "set_intake", json_pack("{s:I,s:s}", "lead", (json_int_t)lead_id, "hash", h));
    return dw__event(GW(c)->engine, c->deal_id, "lead.taken_in",
                     json_pack("{s:I,s:O}", "lead", (json_int_t)lead_id, "flags",
                               json_object_get(intake, "flags")),
                     c->err);
}

static int t_link_account(struct dw_agent_ctx *c, const char *name, const char *domain,
                          const char *country, const json_t *contact, json_t **ret) {
    int r = check(c, DW_TOOL_ACCOUNTS);
    if (r < 0)
        return r;
    struct dw_store *s = ST(c);
    json_t *acc = NULL;
    bool created = false;
    r = s->ops->account_find(s, domain, name, &acc, c->err);
    if (r == -DW_ENOENT) {
        int64_t id;
        r = s->ops->account_insert(s, name, domain, country, &id, c->err);
        if (r == -DW_EEXIST) {
            /* another worker created it since the find (PostgreSQL: its insert committed
             * while this one waited on the key): the account is that one */
            *c->err = (struct dw_error){0};
            r = s->ops->account_find(s, domain, name, &acc, c->err);
        } else if (r == 0) {
            r = s->ops->account_get(s, id, &acc, c->err);
            created = true;
        }
    }
    if (r < 0)
        return r;
    int64_t account_id = dw_json_int(acc, "id", 0), contact_id = 0;
    if (dw_json_str(contact, "email")) {
        r = s->ops->contact_upsert(s, account_id, contact, &contact_id, c->err);
        if (r < 0) {
            json_decref(acc);
            return r;
        }
    }
    GW(c)->deal->account_id = account_id;
    GW(c)->deal->contact_id = contact_id;
    json_object_set_new(acc, "created", json_boolean(created));
    record(c, "link_account",
           json_pack("{s:I,s:b}", "account", (json_int_t)account_id, "created", created));
    r = dw__event(GW(c)->engine, c->deal_id, "account.linked",
                  json_pack("{s:I,s:b}", "account", (json_int_t)account_id, "created", created),
                  c->err);
    if (r < 0) {
        json_decref(acc);
        return r;
    }
    *ret = acc;
    return 0;
}

static int t_prior_deals(struct dw_agent_ctx *c, json_t **ret) {
    int r = check(c, DW_TOOL_ACCOUNTS);
    if (r < 0)
        return r;
    if (!GW(c)->deal->account_id) {
        *ret = json_array();
        return 0;
    }
    r = ST(c)->ops->deals_for_account(ST(c), GW(c)->deal->account_id, c->deal_id, ret, c->err);
    if (r >= 0)
        record(c, "prior_deals", NULL);
    return r;
}

static int t_account(struct dw_agent_ctx *c, json_t **ret_account, json_t **ret_contact) {
    int r = check(c, DW_TOOL_READ_DEAL);
    if (r < 0)
        return r;
    struct dw_deal_rec *d = GW(c)->deal;
    *ret_account = *ret_contact = NULL;
    if (d->account_id &&
        (r = ST(c)->ops->account_get(ST(c), d->account_id, ret_account, c->err)) < 0)
        return r;
    if (d->contact_id &&
        (r = ST(c)->ops->contact_get(ST(c), d->contact_id, ret_contact, c->err)) < 0) {
        json_decref(*ret_account);
        *ret_account = NULL;
        return r;
    }
    record(c, "account", NULL);
    return 0;
}

/* Which scope lets an agent write which document. Kinds absent here are written only by
 * people's commands (acceptance, pricing_overrides) or by the gateway (outcome). */
static const struct {
    const char *kind;
    uint32_t scope;
} doc_scopes[] = {
    {"discovery", DW_TOOL_ACCOUNTS},
    {"requirements", DW_TOOL_WRITE_REQUIREMENTS},
    {"qualification", DW_TOOL_WRITE_QUALIFICATION},
    {"solution", DW_TOOL_WRITE_SOLUTION},
    {"contract", DW_TOOL_WRITE_CONTRACT},
    {"proposal", DW_TOOL_WRITE_PROPOSAL},
    {"schedule", DW_TOOL_WRITE_SCHEDULE},
};

static int t_doc_get(struct dw_agent_ctx *c, const char *kind, const json_t **ret) {
    int r = check(c, DW_TOOL_READ_DEAL);
    if (r < 0)
        return r;
    r = ST(c)->ops->doc_peek(ST(c), c->deal_id, kind, ret, c->err);
    if (r == 0)
        watch_shared(c, kind, *ret);
    record(c, "doc_get", obj2("kind", json_string(kind), "found", json_boolean(r >= 0)));
    return r;
}

static int t_doc_put(struct dw_agent_ctx *c, const char *kind, const json_t *doc) {
    uint32_t scope = 0;
    for (size_t i = 0; i < DW_ARRAY_SIZE(doc_scopes); i++)
        if (strcmp(doc_scopes[i].kind, kind) == 0)
            scope = doc_scopes[i].scope;
    if (!scope)
        return dw_error_set(c->err, -DW_EPERM, "agent '%s' may not write '%s' documents",
                            c->agent->name, kind);
    int r = check(c, scope);
    if (r < 0)
        return r;
    r = ST(c)->ops->doc_put(ST(c), c->deal_id, kind, doc, c->ws->hash, c->err);
    if (r < 0)
        return r;
    char h[DW_SHA256_HEX], type[64];
    dw_json_hash(doc, h);
    record(c, "doc_put", obj2("kind", json_string(kind), "hash", json_string(h)));
    snprintf(type, sizeof type, "deal.%s", kind);
    return dw__event(GW(c)->engine, c->deal_id, type, obj2("hash", json_string(h), NULL, NULL),
                     c->err);
}

static int t_quote_get(struct dw_agent_ctx *c, int revision, const json_t **ret) {
    int r = check(c, DW_TOOL_READ_DEAL);
    if (r < 0)
        return r;
    r = ST(c)->ops->quote_peek(ST(c), c->deal_id, revision, ret, c->err);
    if (r == 0)
        watch_shared(c, "quote", *ret);
    record(c, "quote_get", obj2("revision", json_integer(revision), "found", json_boolean(r >= 0)));
    return r;
}

/* The content hash of a quote: everything but the hash itself and the workspace hash
 * (a workspace edit that changes no number must not void an approval). */
static void quote_hash(const json_t *quote, char out[DW_SHA256_HEX]) {
    /* Only top-level members are left out and the hash only reads, so a shallow copy
     * (the same member values) gives the same text as a deep one. */
    _cleanup_json_ json_t *copy = json_copy((json_t *)quote);
    json_object_del(copy, "hash");
    json_object_del(copy, "ws_hash");
    json_object_del(copy, "revision");
    json_object_del(copy, "id");
    json_object_del(copy, "created_at");
    dw_json_hash(copy, out);
}

static int t_quote_put(struct dw_agent_ctx *c, json_t *quote, int *ret_revision, bool *ret_new) {
    int r = check(c, DW_TOOL_WRITE_QUOTE);
    if (r < 0)
        return r;
    struct dw_store *s = ST(c);
    char h[DW_SHA256_HEX];
    quote_hash(quote, h);
    json_object_set_new(quote, "hash", json_string(h));
    json_object_set_new(quote, "ws_hash", json_string(c->ws->hash));

    _cleanup_json_ json_t *latest = NULL;
    r = s->ops->quote_get(s, c->deal_id, 0, &latest, c->err);
    if (r < 0 && r != -DW_ENOENT)
        return r;
    const char *lh = latest ? dw_json_str(latest, "hash") : NULL;
    if (lh && strcmp(lh, h) == 0) {
        *ret_revision = (int)dw_json_int(latest, "revision", 0);
        *ret_new = false;
        record(c, "quote_put",
               json_pack("{s:i,s:s,s:b}", "revision", *ret_revision, "hash", h, "new", 0));
        return 0;
    }
    int rev;
    r = s->ops->quote_insert(s, c->deal_id, quote, &rev, c->err);
    if (r < 0)
        return r;
    const char *cur = dw_json_str(quote, "currency");
    if (cur)
        snprintf(GW(c)->deal->currency, sizeof GW(c)->deal->currency, "%s", cur);
    int voided = s->ops->approvals_void_stale(s, c->deal_id, h, c->now, c->err);
    if (voided < 0)
        return voided;
    record(c, "quote_put",
           json_pack("{s:i,s:s,s:b,s:i}", "revision", rev, "hash", h, "new", 1, "approvals_voided",
                     voided));
    r = dw__event(GW(c)->engine, c->deal_id, "quote.revised",
                  json_pack("{s:i,s:s,s:O,s:O}", "revision", rev, "hash", h, "total",
                            json_object_get(quote, "total"), "currency",
                            json_object_get(quote, "currency")),
                  c->err);
    if (r < 0)
        return r;
    if (voided > 0 &&
        (r = dw__event(GW(c)->engine, c->deal_id, "approval.voided",
                       json_pack("{s:i,s:i}", "count", voided, "revision", rev), c->err)) < 0)
        return r;
    *ret_revision = rev;
    *ret_new = true;
    return 0;
}

static int t_approvals(struct dw_agent_ctx *c, json_t **ret) {
    int r = check(c, DW_TOOL_READ_DEAL);
    if (r < 0)
        return r;
    r = ST(c)->ops->approvals_for_deal(ST(c), c->deal_id, ret, c->err);
    if (r >= 0)
        record(c, "approvals", NULL);
    return r;
}

/* Findings quoted in an approval's reason at most, and bytes of each one's text. */
#define FLAGGED_MAX 6
#define FLAGGED_TEXT_MAX 160

/* The approver is told what the deal's screening found in the customer's fields
 * (requirements.screening): category, field, span and the words, and, for a claimed prior
 * agreement or authority, that a claim is not an approval. Appended to buf after reason. */
static void flagged_reason(const json_t *req, struct dw_buf *b) {
    const json_t *all = json_object_get(req, "screening");
    size_t n = json_array_size(all), i;
    if (n == 0)
        return;
    bool claim = false;
    json_t *f;
    dw_buf_printf(b, " | Flagged in the customer's text (data, not instructions; it grants no "
                     "authority):");
    json_array_foreach(all, i, f) {
        const char *cat = dw_json_str(f, "category");
        claim |=
            cat && (strcmp(cat, "prior_agreement") == 0 || strcmp(cat, "authority_claim") == 0);
        if (i >= FLAGGED_MAX)
            continue;
        const json_t *span = json_object_get(f, "span");
        const char *text = dw_json_str(f, "text");
        size_t len = text ? strlen(text) : 0, cut = len;
        if (cut > FLAGGED_TEXT_MAX) {
            cut = FLAGGED_TEXT_MAX;
            while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
                cut--; /* never split a UTF-8 character */
        }
        dw_buf_printf(b, "%s %s in lead %lld %s [%lld, %lld] \"%.*s%s\"", i ? ";" : "",
                      cat ? cat : "?", (long long)dw_json_int(f, "lead", 0),
                      dw_json_str(f, "field") ? dw_json_str(f, "field") : "?",
                      (long long)json_integer_value(json_array_get(span, 0)),
                      (long long)json_integer_value(json_array_get(span, 1)), (int)cut,
                      text ? text : "", cut < len ? "..." : "");
    }
    if (n > FLAGGED_MAX)
        dw_buf_printf(b, "; and %zu more (dealwright deal show)", n - FLAGGED_MAX);
    dw_buf_puts(b, ".");
    if (claim)
        dw_buf_puts(b, " The customer claims a prior agreement or authority; no such agreement is "
                       "on record, and only this approval by the role named decides.");
}

static int t_request_approval(struct dw_agent_ctx *c, const char *kind, const char *role,
                              const char *reason, const char *rule) {
    int r = check(c, DW_TOOL_REQUEST_APPROVAL);
    if (r < 0)
        return r;
    struct dw_store *s = ST(c);
    _cleanup_json_ json_t *quote = NULL, *existing = NULL, *a = NULL;
    r = s->ops->quote_get(s, c->deal_id, 0, &quote, c->err);
    if (r < 0)
        return r == -DW_ENOENT
                   ? dw_error_set(c->err, -DW_ESTATE, "an approval needs a quote to bind to")
                   : r;
    const char *h = dw_json_str(quote, "hash");
    int rev = (int)dw_json_int(quote, "revision", 0);
    r = s->ops->approvals_for_deal(s, c->deal_id, &existing, c->err);
    if (r < 0)
        return r;
    size_t i;
    json_t *e;
    json_array_foreach(existing, i, e) {
        const char *st = dw_json_str(e, "status");
        if (strcmp(dw_json_str(e, "kind"), kind) == 0 &&
            strcmp(dw_json_str(e, "quote_hash"), h) == 0 && strcmp(st, "void") != 0) {
            record(c, "request_approval",
                   json_pack("{s:s,s:s,s:I}", "kind", kind, "existing", st, "approval",
                             dw_json_int(e, "id", 0)));
            return 0; /* asked already for this very revision */
        }
    }
    /* what screening found goes with every approval of the deal, so the approver sees it */
    _cleanup_json_ json_t *req = NULL;
    r = s->ops->doc_get(s, c->deal_id, "requirements", &req, c->err);
    if (r < 0 && r != -DW_ENOENT)
        return r;
    if (r == -DW_ENOENT && c->err)
        *c->err = (struct dw_error){0};
    struct dw_buf why;
    dw_buf_init(&why, 8192);
    dw_buf_puts(&why, reason);
    flagged_reason(req, &why);
    _cleanup_free_ char *full = dw_buf_steal(&why);
    if (full && full[0])
        reason = full;
    a = json_pack("{s:s,s:s,s:s,s:s,s:i,s:s}", "kind", kind, "required_role", role, "reason",
                  reason, "rule", rule, "quote_revision", rev, "quote_hash", h);
    if (!a)
        return -DW_ENOMEM;
    int64_t id;
    r = s->ops->approval_insert(s, c->deal_id, a, c->now, &id, c->err);
    if (r < 0)
        return r;
    record(c, "request_approval",
           json_pack("{s:s,s:s,s:I,s:i}", "kind", kind, "role", role, "approval", (json_int_t)id,
                     "revision", rev));
    /* the reason quotes the customer's words: it stays in the approval, which the privacy
     * purge can redact, and out of the append-only event log (and the webhooks fed from it) */
    return dw__event(GW(c)->engine, c->deal_id, "approval.requested",
                     json_pack("{s:I,s:s,s:s,s:i}", "approval", (json_int_t)id, "kind", kind,
                               "required_role", role, "revision", rev),
                     c->err);
}

static int t_create_order(struct dw_agent_ctx *c, const json_t *order, int64_t *ret_id) {
    int r = check(c, DW_TOOL_CREATE_ORDER);
    if (r < 0)
        return r;
    r = ST(c)->ops->order_insert(ST(c), c->deal_id, order, c->now, ret_id, c->err);
    if (r < 0)
        return r;
    record(c, "create_order",
           json_pack("{s:I,s:O}", "order", (json_int_t)*ret_id, "quote_revision",
                     json_object_get(order, "quote_revision")));
    return dw__event(GW(c)->engine, c->deal_id, "order.created",
                     json_pack("{s:I,s:O,s:O,s:O}", "order", (json_int_t)*ret_id, "revision",
                               json_object_get(order, "quote_revision"), "total",
                               json_object_get(order, "total"), "currency",
                               json_object_get(order, "currency")),
                     c->err);
}

static int t_set_outcome(struct dw_agent_ctx *c, enum dw_stage stage, const char *reason) {
    int r = check(c, DW_TOOL_SET_OUTCOME);
    if (r < 0)
        return r;
    if (stage != DW_STAGE_NEEDS_INFO && stage != DW_STAGE_DISQUALIFIED && stage != DW_STAGE_LOST)
        return dw_error_set(c->err, -DW_EINVAL,
                            "an agent may only stop a deal as needs_info, "
                            "disqualified or lost");
    _cleanup_json_ json_t *doc = json_pack("{s:s,s:s,s:s}", "stage", dw_stage_name(stage), "reason",
                                           reason, "by", c->agent->name);
    r = ST(c)->ops->doc_put(ST(c), c->deal_id, "outcome", doc, c->ws->hash, c->err);
    if (r < 0)
        return r;
    GW(c)->outcome_set = true;
    GW(c)->outcome = stage;
    record(c, "set_outcome",
           json_pack("{s:s,s:s}", "stage", dw_stage_name(stage), "reason", reason));
    return 0;
}

static int t_slots_held(struct dw_agent_ctx *c, json_t **ret) {
    int r = check(c, DW_TOOL_READ_DEAL);
    if (r < 0)
        return r;
    r = ST(c)->ops->slots_held(ST(c), c->deal_id, c->now, ret, c->err);
    record(c, "slots_held", json_pack("{s:i}", "held", r < 0 ? -1 : (int)json_array_size(*ret)));
    return r;
}

static int t_slots_hold(struct dw_agent_ctx *c, const json_t *slots, dw_time_t until) {
    int r = check(c, DW_TOOL_WRITE_SCHEDULE);
    if (r < 0)
        return r;
    struct dw_store *s = ST(c);
    if ((r = s->ops->slots_free(s, c->deal_id, c->err)) < 0)
        return r;
    size_t i;
    json_t *slot;
    json_array_foreach(slots, i, slot) {
        dw_time_t start;
        const char *user = dw_json_str(slot, "user");
        if (!user || dw_time_parse(dw_json_str(slot, "start"), &start) < 0)
            return dw_error_set(c->err, -DW_EINVAL, "slot %zu has no user or start", i);
        if ((r = s->ops->slot_hold(s, c->deal_id, user, start, start < until ? start : until,
                                   c->err)) < 0)
            return r;
    }
    record(c, "slots_hold", json_pack("{s:i}", "held", (int)json_array_size(slots)));
    return 0;
}

static int t_score_model(struct dw_agent_ctx *c, const struct dw_score_model **ret) {
    int r = check(c, DW_TOOL_READ_MODEL);
    if (r < 0)
        return r;
    struct dw_score_model *m = NULL;
    int64_t version = 0;
    r = dw__engine_model(GW(c)->engine, &m, &version, c->err);
    if (r < 0)
        return r;
    record(c, "score_model", json_pack("{s:I}", "version", (json_int_t)version));
    *ret = m;
    return 0;
}

/* The strings of this deal known to be personal data, masked wherever they occur in a
 * request besides what the patterns find: the contact's name (and each part of it), e-mail
 * and phone, as the deal's leads give them, and the names and e-mails of the company's own
 * people (team.yaml), who sign replies and proposals. */
static json_t *deal_personal(struct dw_agent_ctx *c) {
    json_t *out = json_array();
    for (size_t i = 0; out && i < c->ws->team.n_users; i++) {
        const struct dw_user *u = &c->ws->team.users[i];
        if (u->name && *u->name)
            json_array_append_new(out, json_string(u->name));
        if (u->email && *u->email)
            json_array_append_new(out, json_string(u->email));
    }
    _cleanup_json_ json_t *leads = NULL;
    if (!out || ST(c)->ops->leads_for_deal(ST(c), c->deal_id, &leads, NULL) < 0)
        return out;
    size_t i;
    json_t *lead;
    json_array_foreach(leads, i, lead) {
        const json_t *contact = json_object_get(lead, "contact");
        static const char *const keys[] = {"name", "email", "phone"};
        for (size_t k = 0; k < DW_ARRAY_SIZE(keys); k++) {
            const char *v = dw_json_str(contact, keys[k]);
            if (v && *v)
                json_array_append_new(out, json_string(v));
        }
    }
    return out;
}

static int t_ask_model(struct dw_agent_ctx *c, const struct dw_model_ask *ask,
                       struct dw_model_answer *ret) {
    memset(ret, 0, sizeof *ret);
    int r = check(c, DW_TOOL_ASK_MODEL);
    if (r < 0)
        return r;
    struct dw_engine *e = GW(c)->engine;
    const char *task = ask && ask->task ? ask->task : "";
    int t = dw_model_task_parse(task);
    /* No model for the task: the deterministic path, and nothing recorded, so that a
     * workspace without models.yaml runs exactly as it always has. */
    if (t < 0 || !c->ws->models || !c->ws->models->tasks[t].n) {
        snprintf(ret->why, sizeof ret->why, "no model is configured for the task '%s'", task);
        return 0;
    }
    if (!e->models && (r = dw_models_new(e->model_key, e->model_key_ud, &e->models)) < 0)
        return dw_error_set(c->err, r, "out of memory");
    _cleanup_json_ json_t *personal = deal_personal(c);
    struct dw_model_call call = {.ws = c->ws,
                                 .store = ST(c),
                                 .now = c->now,
                                 .deal_id = c->deal_id,
                                 .agent = c->agent->name,
                                 .ask = ask,
                                 .personal = personal};
    r = dw_models_ask(e->models, &call, ret, c->err);
    if (r < 0)
        return r;
    json_t *rec = json_pack("{s:s,s:s,s:b}", "task", task, "prompt", ask->prompt ? ask->prompt : "",
                            "answered", ret->json != NULL);
    if (rec && ret->call_id)
        json_object_set_new(rec, "call", json_integer(ret->call_id));
    if (rec && ret->replayed)
        json_object_set_new(rec, "replayed", json_true());
    if (rec && ret->model[0])
        json_object_set_new(rec, "model", json_string(ret->model));
    if (rec && !ret->json)
        json_object_set_new(rec, "why", json_string(ret->why));
    record(c, "ask_model", rec);
    return 0;
}

static int t_model_verdict(struct dw_agent_ctx *c, int64_t call_id, const char *verdict,
                           const json_t *detail) {
    int r = check(c, DW_TOOL_ASK_MODEL);
    if (r < 0)
        return r;
    if (!verdict || (strcmp(verdict, "accepted") != 0 && strcmp(verdict, "rejected") != 0 &&
                     strcmp(verdict, "partial") != 0))
        return dw_error_set(c->err, -DW_EINVAL,
                            "a verdict is \"accepted\", \"rejected\" or \"partial\"");
    r = dw_models_verdict(ST(c), call_id, verdict, detail, c->now, c->err);
    if (r < 0)
        return r;
    json_t *rec = json_pack("{s:I,s:s}", "call", (json_int_t)call_id, "verdict", verdict);
    if (rec && detail)
        json_object_set(rec, "detail", (json_t *)detail);
    record(c, "model_verdict", rec);
    return 0;
}

const struct dw_tools dw__tools = {
    .leads = t_leads,
    .set_intake = t_set_intake,
    .link_account = t_link_account,
    .prior_deals = t_prior_deals,
    .account = t_account,
    .doc_get = t_doc_get,
    .doc_put = t_doc_put,
    .quote_get = t_quote_get,
    .quote_put = t_quote_put,
    .approvals = t_approvals,
    .request_approval = t_request_approval,
    .create_order = t_create_order,
    .set_outcome = t_set_outcome,
    .score_model = t_score_model,
    .slots_held = t_slots_held,
    .slots_hold = t_slots_hold,
    .ask_model = t_ask_model,
    .model_verdict = t_model_verdict,
};
