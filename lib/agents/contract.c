/* contract — may we sell this, and on what terms?
 *
 * Checks the priced deal against policies.yaml before a proposal goes out: export control
 * (an embargoed country disqualifies the deal, a country on the review list needs the
 * export role's approval, an unknown country too, since it cannot be checked), data
 * protection (an EEA customer, EU data residency or a GDPR requirement attaches a
 * data-processing agreement), and the legal trigger phrases in anything the customer wrote
 * (one legal approval listing every reason). Approvals bind to the current quote, so a
 * re-priced deal is checked again.
 */
#include <string.h>

#include "agents/agent.h"
#include "engines/extract.h"
#include "engines/qualify.h"

#define REASONS_MAX 2048

static bool in_list(const char *s, char *const *list, size_t n) {
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

static const char *first_contact_country(const json_t *leads) {
    size_t i;
    json_t *lead;
    json_array_foreach(leads, i, lead) {
        const char *cc =
            dw_json_str(json_object_get(json_object_get(lead, "intake"), "contact"), "country");
        if (cc && cc[0])
            return cc;
    }
    return NULL;
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

/* DPA decision: the first rule that applies gives the reason. */
static int data_protection(const struct dw_workspace *ws, const json_t *req, const char *cc,
                           json_t *doc) {
    char why[128] = "";
    const char *region = dw_json_str(json_object_get(req, "data_residency"), "region");
    if (ws->policies.eea_requires_dpa) {
        if (cc && dw_country_is_eea(cc))
            snprintf(why, sizeof why, "Customer in the EEA (%s) with personal data", cc);
        else if (region && dw_streq_ci(region, "EU"))
            snprintf(why, sizeof why, "The customer requires the data to stay in the EU");
        else if (wants_gdpr(req))
            snprintf(why, sizeof why, "The customer asks for GDPR compliance");
    }
    if (dw_json_set(doc, "dpa", json_boolean(why[0])) < 0 ||
        dw_json_set(doc, "dpa_reason", why[0] ? json_string(why) : json_null()) < 0)
        return -DW_ENOMEM;
    return 0;
}

/* Every legal trigger phrase in every lead's text: one flag per phrase and lead (its first
 * occurrence), reasons collected once each into `reasons`. */
static int legal_flags(const struct dw_workspace *ws, const json_t *leads, json_t *flags,
                       struct dw_buf *reasons) {
    const struct dw_policies *p = &ws->policies;
    for (size_t t = 0; t < p->n_legal_triggers; t++) {
        const struct dw_legal_trigger *tr = &p->legal_triggers[t];
        bool hit = false;
        size_t i;
        json_t *lead;
        json_array_foreach(leads, i, lead) {
            const char *text = dw_json_str(json_object_get(lead, "intake"), "text");
            size_t s, e;
            if (!text || !dw_phrase_find(text, strlen(text), tr->phrase, 0, &s, &e))
                continue;
            json_t *f =
                json_pack("{s:s,s:s,s:O,s:[I,I]}", "phrase", tr->phrase, "reason",
                          tr->reason ? tr->reason : tr->phrase, "lead", json_object_get(lead, "id"),
                          "span", (json_int_t)s, (json_int_t)e);
            if (!f || json_array_append_new(flags, f) < 0)
                return -DW_ENOMEM;
            hit = true;
        }
        if (hit && dw_buf_printf(reasons, "%s%s", reasons->len ? "; " : "",
                                 tr->reason ? tr->reason : tr->phrase) < 0)
            return -DW_ETOOBIG;
    }
    return 0;
}

static const char *export_status(const struct dw_policies *p, const char *cc,
                                 const char **ret_list) {
    if (!cc) {
        *ret_list = "unknown_country";
        return "review";
    }
    if (in_list(cc, p->embargoed, p->n_embargoed)) {
        *ret_list = "embargoed";
        return "embargoed";
    }
    if (in_list(cc, p->export_review, p->n_export_review)) {
        *ret_list = "review";
        return "review";
    }
    *ret_list = NULL;
    return "clear";
}

/* The approvals the contract document calls for (none when the deal is embargoed). */
static int request_approvals(struct dw_agent_ctx *ctx, const char *status, const char *cc,
                             const struct dw_buf *reasons) {
    const struct dw_policies *p = &ctx->ws->policies;
    int r = 0;
    if (strcmp(status, "review") == 0) {
        char why[128];
        if (cc)
            snprintf(why, sizeof why, "Export to %s needs an export-control review", cc);
        else
            snprintf(why, sizeof why,
                     "The customer's country is unknown, so export control "
                     "could not be checked");
        r = DW_TOOL(ctx, request_approval, "export_control",
                    p->export_role ? p->export_role : "legal", why,
                    cc ? "policies.yaml export_control.review"
                       : "policies.yaml export_control (country unknown)");
    }
    if (r >= 0 && reasons->len > 0)
        r = DW_TOOL(ctx, request_approval, "legal", p->legal_role ? p->legal_role : "legal",
                    reasons->data, "policies.yaml legal.triggers");
    return r;
}

static int step(struct dw_agent_ctx *ctx) {
    const struct dw_workspace *ws = ctx->ws;
    _cleanup_json_ json_t *leads = NULL, *req = NULL, *doc = json_object(), *notes = json_array(),
                          *flags = json_array();
    struct dw_buf reasons;
    dw_buf_init(&reasons, REASONS_MAX);
    int r = -DW_ENOMEM;
    if (!doc || !notes || !flags)
        goto out;
    if ((r = DW_TOOL(ctx, leads, &leads)) < 0 ||
        (r = DW_TOOL(ctx, doc_get, "requirements", &req)) < 0)
        goto out;

    const char *cc = dw_json_str(json_object_get(req, "country"), "code");
    if (!cc || !cc[0])
        cc = first_contact_country(leads);
    const char *list;
    const char *status = export_status(&ws->policies, cc, &list);
    r = -DW_ENOMEM;
    json_t *ec = json_pack("{s:s?,s:s,s:s?}", "country", cc, "status", status, "list", list);
    if (!ec || dw_json_set(doc, "export_control", ec) < 0)
        goto out;
    if ((r = data_protection(ws, req, cc, doc)) < 0)
        goto out;
    if ((r = legal_flags(ws, leads, flags, &reasons)) < 0) {
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
    dw_json_set(ctx->note, "export_control", json_string(status));
    dw_json_set(ctx->note, "dpa", json_incref(json_object_get(doc, "dpa")));
    dw_json_set(ctx->note, "legal_flags", json_integer((json_int_t)json_array_size(flags)));
    if (strcmp(status, "embargoed") == 0) {
        char why[128];
        snprintf(why, sizeof why,
                 "Export to %s is embargoed (policies.yaml export_control.embargoed)", cc);
        r = DW_TOOL(ctx, set_outcome, DW_STAGE_DISQUALIFIED, why);
        goto out;
    }
    r = request_approvals(ctx, status, cc, &reasons);
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
