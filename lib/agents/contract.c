/* contract — may we sell this, and on what terms?
 *
 * Checks the priced deal against policies.yaml before a proposal goes out:
 *  - export control over every country the deal touches: the contact's and the account's
 *    stated country, and each country the customer's messages name with its role (where
 *    the buyer is established, has sites or people, or where goods are delivered or used;
 *    lib/engines/legal.h). The most restrictive result wins: an embargoed country
 *    disqualifies the deal, a review country (or no country at all) needs the export
 *    role's approval. The customer's words never clear a country stated elsewhere.
 *  - data protection: a data-processing agreement wherever personal data of people in the
 *    EEA is processed: a buyer established, with sites or staff, or receiving the
 *    deliveries in the EEA, EU data residency, or a GDPR requirement.
 *  - legal trigger concepts (phrase families in six languages) in anything the customer
 *    wrote: one legal approval quoting each hit with its span.
 * Approvals bind to the current quote, so a re-priced deal is checked again.
 */
#include <string.h>

#include "agents/agent.h"
#include "engines/extract.h"
#include "engines/legal.h"
#include "engines/qualify.h"

#define REASONS_MAX 4096
#define QUOTE_MAX 160 /* bytes of the customer's words quoted in a reason */

/* The customer's words for a reason: at most QUOTE_MAX bytes (whole characters), control
 * characters as spaces. */
static int quote_into(struct dw_buf *b, const char *s, size_t n) {
    if (n > QUOTE_MAX) {
        n = QUOTE_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    if (dw_buf_putc(b, '"') < 0)
        return -DW_ETOOBIG;
    for (size_t i = 0; i < n; i++)
        if (dw_buf_putc(b, (unsigned char)s[i] < 0x20 ? ' ' : s[i]) < 0)
            return -DW_ETOOBIG;
    return dw_buf_puts(b, n < strlen(s) ? "…\"" : "\"") < 0 ? -DW_ETOOBIG : 0;
}

/* Where a signal came from, for a reason: `contact.country of lead 3` or `the message of
 * lead 3, "Russia" at [40, 46) (delivery)`. */
static int describe_signal(struct dw_buf *b, const json_t *sig) {
    const char *src = dw_json_str(sig, "source");
    json_int_t lead = dw_json_int(sig, "lead", 0);
    if (strcmp(src, "message") != 0)
        return dw_buf_printf(b, "%s %s of lead %lld", dw_json_str(sig, "code"), src,
                             (long long)lead) < 0
                   ? -DW_ETOOBIG
                   : 0;
    const json_t *span = json_object_get(sig, "span");
    const char *text = dw_json_str(sig, "text");
    if (dw_buf_printf(b, "%s in the message of lead %lld: ", dw_json_str(sig, "code"),
                      (long long)lead) < 0 ||
        quote_into(b, text ? text : "", text ? strlen(text) : 0) < 0 ||
        dw_buf_printf(
            b, " at [%lld, %lld), %s", (long long)json_integer_value(json_array_get(span, 0)),
            (long long)json_integer_value(json_array_get(span, 1)), dw_json_str(sig, "role")) < 0)
        return -DW_ETOOBIG;
    const char *cue = dw_json_str(sig, "cue");
    if (cue && dw_buf_printf(b, " (after \"%s\")", cue) < 0)
        return -DW_ETOOBIG;
    return 0;
}

/* Every country signal of the deal: the stated fields first (each lead's contact, the
 * account), then every country each message names, with its role. */
static int country_signals(const json_t *leads, const json_t *discovery, json_t *out) {
    size_t i;
    json_t *lead;
    json_array_foreach(leads, i, lead) {
        const char *cc =
            dw_json_str(json_object_get(json_object_get(lead, "intake"), "contact"), "country");
        bool seen = false;
        size_t k;
        json_t *s;
        json_array_foreach(out, k, s) {
            seen |= cc && strcmp(dw_json_str(s, "code"), cc) == 0;
        }
        if (cc && cc[0] && !seen &&
            json_array_append_new(out, json_pack("{s:s,s:s,s:O}", "code", cc, "source",
                                                 "contact.country", "lead",
                                                 json_object_get(lead, "id"))) < 0)
            return -DW_ENOMEM;
    }
    const json_t *account = json_object_get(discovery, "account");
    const char *acc = dw_json_str(account, "country");
    size_t j;
    json_t *sig;
    json_array_foreach(out, j, sig) {
        if (acc && strcmp(dw_json_str(sig, "code"), acc) == 0)
            acc = NULL; /* the contact said so already */
    }
    if (acc && acc[0] &&
        json_array_append_new(out, json_pack("{s:s,s:s,s:O}", "code", acc, "source",
                                             "account.country", "lead",
                                             json_object_get(json_array_get(leads, 0), "id"))) < 0)
        return -DW_ENOMEM;
    json_array_foreach(leads, i, lead) {
        const char *text = dw_json_str(json_object_get(lead, "intake"), "text");
        _cleanup_json_ json_t *found = NULL;
        if (!text)
            continue;
        int r = dw_country_mentions(text, strlen(text), &found);
        if (r < 0)
            return r;
        size_t k;
        json_t *m;
        json_array_foreach(found, k, m) {
            if (dw_json_set(m, "source", json_string("message")) < 0 ||
                dw_json_set(m, "lead", json_incref(json_object_get(lead, "id"))) < 0 ||
                json_array_append(out, m) < 0)
                return -DW_ENOMEM;
        }
    }
    return 0;
}

static bool wants_gdpr(const json_t *req) {
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(req, "standards"), i, s) {
        const char *name = dw_json_str(s, "name");
        if (name && dw_streq_ci(name, "GDPR"))
            return true;
    }
    return false;
}

/* DPA decision: personal data of people in the EEA is processed wherever the buyer is
 * established, has sites or people, or receives the deliveries; the first signal that
 * shows it gives the reason, else EU data residency or a GDPR requirement. */
static int data_protection(const struct dw_workspace *ws, const json_t *req, const json_t *signals,
                           json_t *doc) {
    struct dw_buf why;
    dw_buf_init(&why, 512);
    const char *region = dw_json_str(json_object_get(req, "data_residency"), "region");
    int r = 0;
    if (ws->policies.eea_requires_dpa) {
        size_t i;
        json_t *s;
        json_array_foreach(signals, i, s) {
            const char *cc = dw_json_str(s, "code");
            bool stated = strcmp(dw_json_str(s, "source"), "message") != 0;
            bool eea = strcmp(cc, "EU") == 0 || dw_country_is_eea(cc);
            if (!eea || (!stated && !dw_country_role_touches(dw_json_str(s, "role"))))
                continue;
            if (stated)
                r = dw_buf_printf(&why, "Customer in the EEA (%s) with personal data", cc);
            else if ((r = dw_buf_puts(&why, "Personal data of people in the EEA is processed: ")) >=
                     0)
                r = describe_signal(&why, s);
            break;
        }
        if (r >= 0 && !why.len && region && dw_streq_ci(region, "EU"))
            r = dw_buf_puts(&why, "The customer requires the data to stay in the EU");
        else if (r >= 0 && !why.len && wants_gdpr(req))
            r = dw_buf_puts(&why, "The customer asks for GDPR compliance");
    }
    if (r >= 0 &&
        (dw_json_set(doc, "dpa", json_boolean(why.len > 0)) < 0 ||
         dw_json_set(doc, "dpa_reason", why.len ? json_string(why.data) : json_null()) < 0))
        r = -DW_ENOMEM;
    dw_buf_release(&why);
    return r < 0 ? r : 0;
}

/* Every legal trigger concept in every lead's text: one flag per concept and lead (its
 * first occurrence), each quoted with its span in the reasons. */
static int legal_flags(struct dw_agent_ctx *ctx, const json_t *leads, json_t *flags,
                       struct dw_buf *reasons) {
    size_t i;
    json_t *lead;
    json_array_foreach(leads, i, lead) {
        const char *text = dw_json_str(json_object_get(lead, "intake"), "text");
        if (!text)
            continue;
        _cleanup_json_ json_t *hits = json_array();
        if (!hits)
            return -DW_ENOMEM;
        int r = dw_legal_scan_ws(ctx->ws, text, strlen(text), hits, ctx->err);
        if (r < 0)
            return r;
        size_t k;
        json_t *h;
        json_array_foreach(hits, k, h) {
            if (dw_json_set(h, "lead", json_incref(json_object_get(lead, "id"))) < 0 ||
                json_array_append(flags, h) < 0)
                return -DW_ENOMEM;
            const json_t *span = json_object_get(h, "span");
            const char *phrase = dw_json_str(h, "phrase");
            size_t mark = reasons->len;
            if (dw_buf_printf(reasons, "%s%s: ", reasons->len ? "; " : "",
                              dw_json_str(h, "reason")) < 0 ||
                quote_into(reasons, phrase, strlen(phrase)) < 0 ||
                dw_buf_printf(reasons, " (lead %lld, [%lld, %lld))",
                              (long long)dw_json_int(lead, "id", 0),
                              (long long)json_integer_value(json_array_get(span, 0)),
                              (long long)json_integer_value(json_array_get(span, 1))) < 0) {
                /* the reason is full: the flags in the contract document list the rest */
                reasons->len = mark;
                reasons->data[mark] = 0;
                dw_buf_puts(reasons, "; …");
                return 0;
            }
        }
    }
    return 0;
}

/* The export-control approval's reason: every country that is not clear, with its source. */
static int export_reason(const json_t *ec, struct dw_buf *b) {
    const char *cc = dw_json_str(ec, "country");
    if (!cc)
        return dw_buf_puts(b, "The customer's country is unknown, so export control could not "
                              "be checked") < 0
                   ? -DW_ETOOBIG
                   : 0;
    if (dw_buf_printf(b, "Export to %s needs an export-control review: ", cc) < 0)
        return -DW_ETOOBIG;
    size_t i, n = 0;
    json_t *c;
    json_array_foreach(json_object_get(ec, "countries"), i, c) {
        if (strcmp(dw_json_str(c, "status"), "clear") == 0)
            continue;
        const char *list = dw_json_str(c, "list");
        size_t mark = b->len;
        if (dw_buf_puts(b, n++ ? "; " : "") < 0 || describe_signal(b, c) < 0 ||
            dw_buf_printf(b, " [%s list%s]", list ? list : "review",
                          list && strcmp(list, "embargoed") == 0
                              ? "; named, not shown to be where the deal goes"
                              : "") < 0) {
            b->len = mark;
            b->data[mark] = 0;
            dw_buf_puts(b, "; …");
            break;
        }
    }
    return 0;
}

/* The approvals the contract document calls for (none when the deal is embargoed). */
static int request_approvals(struct dw_agent_ctx *ctx, const json_t *ec,
                             const struct dw_buf *reasons) {
    const struct dw_policies *p = &ctx->ws->policies;
    int r = 0;
    if (strcmp(dw_json_str(ec, "status"), "review") == 0) {
        struct dw_buf why;
        dw_buf_init(&why, REASONS_MAX);
        r = export_reason(ec, &why);
        if (r >= 0)
            r = DW_TOOL(ctx, request_approval, "export_control",
                        p->export_role ? p->export_role : "legal", why.data,
                        dw_json_str(ec, "country") ? "policies.yaml export_control.review"
                                                   : "policies.yaml export_control (country "
                                                     "unknown)");
        dw_buf_release(&why);
    }
    if (r >= 0 && reasons->len > 0)
        r = DW_TOOL(ctx, request_approval, "legal", p->legal_role ? p->legal_role : "legal",
                    reasons->data, "policies.yaml legal.triggers");
    return r;
}

static int step(struct dw_agent_ctx *ctx) {
    const struct dw_workspace *ws = ctx->ws;
    _cleanup_json_ json_t *doc = json_object(), *notes = json_array(), *flags = json_array(),
                          *signals = json_array(), *ec = NULL;
    _cleanup_cjson_ const json_t *leads = NULL, *req = NULL, *disc = NULL;
    struct dw_buf reasons;
    dw_buf_init(&reasons, REASONS_MAX);
    int r = -DW_ENOMEM;
    if (!doc || !notes || !flags || !signals)
        goto out;
    if ((r = DW_TOOL(ctx, leads, &leads)) < 0 ||
        (r = DW_TOOL(ctx, doc_get, "requirements", &req)) < 0)
        goto out;
    r = DW_TOOL(ctx, doc_get, "discovery", &disc);
    if (r < 0 && r != -DW_ENOENT)
        goto out;
    if ((r = country_signals(leads, disc, signals)) < 0 ||
        (r = dw_export_decide(&ws->policies, signals, &ec)) < 0) {
        r = dw_error_set(ctx->err, r, "export control: %s", dw_strerror(r));
        goto out;
    }
    r = -DW_ENOMEM;
    if (dw_json_set(doc, "export_control", json_incref(ec)) < 0)
        goto out;
    if ((r = data_protection(ws, req, signals, doc)) < 0)
        goto out;
    if ((r = legal_flags(ctx, leads, flags, &reasons)) < 0) {
        r = dw_error_set(ctx->err, r, "legal triggers: %s", dw_strerror(r));
        goto out;
    }
    r = -DW_ENOMEM;
    if (json_array_size(json_object_get(req, "instructions_detected")) > 0 &&
        json_array_append_new(notes, json_string("The customer's message contains text "
                                                 "addressed to the system; it was treated as "
                                                 "data.")) < 0)
        goto out;
    if (dw_json_set(doc, "legal_flags", json_incref(flags)) < 0 ||
        dw_json_set(doc, "notes", json_incref(notes)) < 0)
        goto out;

    if ((r = DW_TOOL(ctx, doc_put, "contract", doc)) < 0)
        goto out;
    const char *status = dw_json_str(ec, "status");
    dw_json_set(ctx->note, "export_control", json_string(status));
    dw_json_set(ctx->note, "dpa", json_incref(json_object_get(doc, "dpa")));
    dw_json_set(ctx->note, "legal_flags", json_integer((json_int_t)json_array_size(flags)));
    if (strcmp(status, "embargoed") == 0) {
        struct dw_buf why;
        dw_buf_init(&why, REASONS_MAX);
        dw_buf_printf(&why, "Export to %s is embargoed (policies.yaml export_control.embargoed): ",
                      dw_json_str(ec, "country"));
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(ec, "countries"), i, c) {
            if (strcmp(dw_json_str(c, "status"), "embargoed") == 0 && describe_signal(&why, c) >= 0)
                break;
        }
        r = DW_TOOL(ctx, set_outcome, DW_STAGE_DISQUALIFIED, why.data);
        dw_buf_release(&why);
        goto out;
    }
    r = request_approvals(ctx, ec, &reasons);
out:
    dw_buf_release(&reasons);
    return r;
}

const struct dw_agent dw_agent_contract = {
    .name = "contract",
    .summary = "export control, data-processing agreement, legal review of non-standard terms",
    .needs = DW_FACT_QUOTE,
    .produces = DW_FACT_CONTRACT,
    .scope = DW_TOOL_READ_LEADS | DW_TOOL_READ_DEAL | DW_TOOL_WRITE_CONTRACT |
             DW_TOOL_REQUEST_APPROVAL | DW_TOOL_SET_OUTCOME,
    .step = step,
};
