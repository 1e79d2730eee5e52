/* The route table, the dispatch and the handlers (docs/internals/server.md "Routes").
 *
 * Adding a route is adding a row to `srv_routes` (and its handler, and its path in the
 * OpenAPI document): the dispatch, the permission check, the 405's Allow, the metrics'
 * label and the coverage test (tests/unit/test_server.c) follow from the row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/internal.h"

void srv_wrote(struct server *sv) {
    dw_worker_kick(sv->worker);
    dw_pump_kick(sv->pump);
}

/* ---- handlers ------------------------------------------------------------------------ */

static enum MHD_Result route_healthz(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    (void)sv;
    return srv_send_text(c, rq, 200, "application/json", strdup("{\"status\":\"ok\"}"), 15);
}

static enum MHD_Result route_readyz(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    struct dw_error err = {0};
    _cleanup_json_ json_t *st = NULL;
    struct reader *rd = srv_reader_get(sv);
    int r = dw_stats(rd->e, &st, &err);
    srv_reader_put(rd);
    if (r < 0 || atomic_load(&sv->stopping))
        return srv_send_error(c, rq, 503, NULL, "%s",
                              r < 0 ? "the store cannot be read" : "shutting down");
    return srv_send_text(c, rq, 200, "application/json", strdup("{\"status\":\"ready\"}"), 18);
}

static enum MHD_Result route_openapi(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    const char *doc = sv->opts.openapi;
    if (!doc)
        return srv_send_error(c, rq, 404, NULL, "this server has no API description");
    return srv_send_text(c, rq, 200, "application/json", strdup(doc), strlen(doc));
}

/* The browser console's files (console/, compiled in): no inline script or style, so the
 * policy allows only this origin's files; the data the scripts show is set as text. */
#define CONSOLE_CSP                                                                                \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "                    \
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

static enum MHD_Result route_console(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    const char *name = rq->file ? rq->file : "index.html";
    const struct dw_server_file *f = NULL;
    for (size_t i = 0; i < sv->opts.n_console && !f; i++)
        if (strcmp(sv->opts.console[i].path, name) == 0)
            f = &sv->opts.console[i];
    if (!f)
        return srv_send_error(c, rq, 404, NULL, "no such file of the console");
    const char *dot = strrchr(name, '.');
    const char *type = !dot                        ? "application/octet-stream"
                       : strcmp(dot, ".html") == 0 ? "text/html; charset=utf-8"
                       : strcmp(dot, ".css") == 0  ? "text/css; charset=utf-8"
                       : strcmp(dot, ".js") == 0   ? "text/javascript; charset=utf-8"
                       : strcmp(dot, ".svg") == 0  ? "image/svg+xml"
                                                   : "application/octet-stream";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(f->len, (void *)f->data, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Content-Security-Policy", CONSOLE_CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    enum MHD_Result ret = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* A lead, group-committed with the others arriving at the same time (runtime.h). */
/* A mail (Content-Type: message/rfc822) becomes its lead first; a bounce or an automatic
 * reply is answered 200 with what it is and stores nothing (docs/internals/mail.md). */
static enum MHD_Result mail_lead(struct MHD_Connection *c, struct req *rq, json_t **ret) {
    _cleanup_json_ json_t *parsed = NULL;
    struct dw_error err = {0};
    *ret = NULL;
    int r = dw_mail_parse(rq->body.data ? rq->body.data : "", rq->body.len, "request body", &parsed,
                          &err);
    if (r < 0) {
        if (err.line > 0) { /* "request body:LINE:COL: what" */
            char where[sizeof err.msg];
            dw_error_format(&err, where, sizeof where);
            snprintf(err.msg, sizeof err.msg, "%s", where);
        }
        return srv_send_dw_error(c, rq, &err, r);
    }
    if (strcmp(dw_json_str(parsed, "kind"), "lead") != 0) {
        _cleanup_json_ json_t *out =
            json_pack("{s:n,s:n,s:O,s:O}", "lead", "deal", "status",
                      json_object_get(parsed, "kind"), "reason", json_object_get(parsed, "reason"));
        return srv_send_json(c, rq, 200, out);
    }
    *ret = json_incref(json_object_get(parsed, "lead"));
    return MHD_YES;
}

static enum MHD_Result route_leads_post(struct server *sv, struct MHD_Connection *c,
                                        struct req *rq) {
    _cleanup_json_ json_t *lead = NULL;
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    bool mail = type && strncasecmp(type, "message/rfc822", 14) == 0 &&
                (type[14] == '\0' || type[14] == ';' || type[14] == ' ');
    enum MHD_Result m = mail ? mail_lead(c, rq, &lead) : srv_body_json(c, rq, true, &lead);
    if (!lead)
        return m;
    struct dw_error err = {0};
    _cleanup_json_ json_t *one = NULL;
    char tp[DW_TRACEPARENT_SIZE] = "";
    if (rq->span) /* the deal's trace continues from this request */
        dw_traceparent_format(dw_span_ctx(rq->span), tp);
    int r = dw_leadq_submit(sv->leadq, lead, tp[0] ? tp : NULL, &one, &err);
    if (r < 0)
        return srv_send_dw_error(c, rq, &err, r);
    if (strcmp(dw_json_str(one, "status") ? dw_json_str(one, "status") : "", "duplicate") != 0)
        srv_wrote(sv);
    return srv_send_json(c, rq, 202, one);
}

/* A list route's page: `page` of the filter value (NULL: none) read on a reader engine,
 * annotated for the caller where the list needs it, answered with the next page's Link
 * keeping the filter as `param=value`. */
typedef int (*page_fn)(struct dw_engine *e, const char *filter, const char *after, int limit,
                       json_t **ret, struct dw_error *err);
static enum MHD_Result send_list(struct server *sv, struct MHD_Connection *c, struct req *rq,
                                 const char *path, const char *param, const char *value,
                                 const char *dflt, page_fn page, bool annotate) {
    const char *after;
    int limit;
    enum MHD_Result res;
    if (srv_page_args(c, rq, &limit, &after, &res) < 0)
        return res;
    struct dw_error err = {0};
    _cleanup_json_ json_t *out = NULL;
    struct reader *rd = srv_reader_get(sv);
    int r = page(rd->e, value ? value : dflt, after, limit, &out, &err);
    if (r >= 0 && annotate &&
        dw_approvals_annotate(rd->e, rq->user, rq->role, json_object_get(out, "items")) < 0)
        r = dw_error_set(&err, -DW_ENOMEM, "out of memory");
    srv_reader_put(rd);
    if (r < 0)
        return srv_send_dw_error(c, rq, &err, r);
    char filter[64] = "";
    if (value && *value)
        snprintf(filter, sizeof filter, "&%s=%s", param, value);
    return srv_send_page(c, rq, path, limit, filter, out);
}

static enum MHD_Result route_deals(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    const char *stage = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "stage");
    return send_list(sv, c, rq, "/v1/deals", "stage", stage, NULL, dw_deals_page, false);
}

enum deal_view { V_DEAL, V_TIMELINE, V_PROPOSAL };

static enum MHD_Result deal_get(struct server *sv, struct MHD_Connection *c, struct req *rq,
                                enum deal_view view) {
    struct dw_error err = {0};
    _cleanup_json_ json_t *d = NULL, *audit = NULL;
    struct reader *rd = srv_reader_get(sv);
    int r = dw_deal_show(rd->e, rq->id, &d, &err);
    if (r >= 0 && view == V_TIMELINE)
        r = dw_audit_show(rd->e, rq->id, &audit, &err);
    if (r >= 0 && view == V_DEAL &&
        dw_approvals_annotate(rd->e, rq->user, rq->role, json_object_get(d, "approvals")) < 0)
        r = dw_error_set(&err, -DW_ENOMEM, "out of memory");
    srv_reader_put(rd);
    if (r < 0)
        return srv_send_dw_error(c, rq, &err, r);
    if (view == V_TIMELINE) {
        _cleanup_json_ json_t *t =
            json_pack("{s:O,s:O,s:O}", "deal", json_object_get(d, "id"), "events",
                      json_object_get(d, "timeline"), "audit", audit);
        return srv_send_json(c, rq, 200, t);
    }
    if (view == V_PROPOSAL) {
        json_t *p = json_object_get(d, "proposal");
        if (!json_is_object(p))
            return srv_send_error(c, rq, 404, NULL, "%s has no proposal yet (stage %s)",
                                  dw_json_str(d, "id"), dw_json_str(d, "stage"));
        return srv_send_json(c, rq, 200, p);
    }
    return srv_send_json(c, rq, 200, d);
}

static enum MHD_Result route_deal(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    return deal_get(sv, c, rq, V_DEAL);
}

static enum MHD_Result route_timeline(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    return deal_get(sv, c, rq, V_TIMELINE);
}

/* The document's format a client asks for: ?format=, else the first media type of Accept we
 * make (JSON included); NULL for the JSON record. */
static const char *proposal_format(struct MHD_Connection *c, bool *bad) {
    const char *f = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
    *bad = false;
    if (f) {
        if (strcmp(f, "json") == 0)
            return NULL;
        *bad = !dw_doc_content_type(f);
        return f;
    }
    const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
    static const struct {
        const char *type, *format;
    } types[] = {{"application/json", NULL},
                 {"application/pdf", "pdf"},
                 {"text/html", "html"},
                 {"text/markdown", "md"}};
    const char *best = NULL, *at = NULL;
    for (size_t i = 0; accept && i < DW_ARRAY_SIZE(types); i++) {
        const char *p = strcasestr(accept, types[i].type);
        if (p && (!at || p < at)) {
            at = p;
            best = types[i].format;
        }
    }
    return best;
}

static enum MHD_Result route_proposal(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    bool bad;
    const char *format = proposal_format(c, &bad);
    if (bad)
        return srv_send_error(c, rq, 400, "format", "format: json, md, html or pdf, got '%.40s'",
                              format);
    if (!format)
        return deal_get(sv, c, rq, V_PROPOSAL);
    struct dw_error err = {0};
    char *bytes = NULL;
    size_t len = 0;
    struct reader *rd = srv_reader_get(sv);
    int r = dw_deal_proposal_render(rd->e, rq->id, format, &bytes, &len, &err);
    srv_reader_put(rd);
    if (r < 0)
        return srv_send_dw_error(c, rq, &err, r);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, bytes, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(bytes);
        return MHD_NO;
    }
    char disp[96];
    snprintf(disp, sizeof disp, "%s; filename=\"proposal-%s.%s\"",
             strcmp(format, "pdf") == 0 ? "attachment" : "inline", DW_ID('D', rq->id),
             strcmp(format, "markdown") == 0 ? "md" : format);
    MHD_add_response_header(resp, "Content-Type", dw_doc_content_type(format));
    MHD_add_response_header(resp, "Content-Disposition", disp);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    /* the HTML is a document to read, never to run: no script, its own style only */
    if (strcmp(format, "html") == 0)
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'; "
                                "frame-ancestors 'self'; base-uri 'none'; form-action 'none'");
    enum MHD_Result ret = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result route_quote_diff(struct server *sv, struct MHD_Connection *c,
                                        struct req *rq) {
    struct dw_error err = {0};
    _cleanup_json_ json_t *out = NULL;
    struct reader *rd = srv_reader_get(sv);
    int r = dw_quote_diff_revisions(rd->e, rq->id, rq->rev_from, rq->rev_to, &out, &err);
    srv_reader_put(rd);
    if (r < 0)
        return srv_send_dw_error(c, rq, &err, r);
    return srv_send_json(c, rq, 200, out);
}

/* who the token acts as, and in which role (the console's buttons follow it) */
static enum MHD_Result route_me(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    (void)sv;
    _cleanup_json_ json_t *out = json_pack("{s:s,s:s}", "user", rq->user, "role", rq->role);
    return out ? srv_send_json(c, rq, 200, out) : MHD_NO;
}

static enum MHD_Result route_report_funnel(struct server *sv, struct MHD_Connection *c,
                                           struct req *rq) {
    struct dw_error err = {0};
    _cleanup_json_ json_t *out = NULL;
    struct reader *rd = srv_reader_get(sv);
    int r = dw_report_funnel(rd->e, &out, &err);
    srv_reader_put(rd);
    if (r < 0)
        return srv_send_dw_error(c, rq, &err, r);
    return srv_send_json(c, rq, 200, out);
}

static enum MHD_Result route_approvals(struct server *sv, struct MHD_Connection *c,
                                       struct req *rq) {
    const char *status = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "status");
    if (status && strcmp(status, "pending") && strcmp(status, "approved") &&
        strcmp(status, "rejected") && strcmp(status, "all"))
        return srv_send_error(c, rq, 400, "status",
                              "status: pending, approved, rejected or all, got '%.40s'", status);
    return send_list(sv, c, rq, "/v1/approvals", "status", status, "pending",
                     dw_approvals_page_status, true);
}

static enum MHD_Result route_decision(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    _cleanup_json_ json_t *body = NULL;
    enum MHD_Result m = srv_body_json(c, rq, true, &body);
    if (!body)
        return m;
    const char *decision = dw_json_str(body, "decision");
    json_t *note = json_object_get(body, "note");
    if (!decision || (strcmp(decision, "approve") != 0 && strcmp(decision, "reject") != 0))
        return srv_send_error(c, rq, 400, "decision", "decision must be \"approve\" or \"reject\"");
    if (note && !json_is_string(note))
        return srv_send_error(c, rq, 400, "note", "note must be a string");
    bool approve = strcmp(decision, "approve") == 0;
    const char *text = note ? json_string_value(note) : NULL;
    if (!approve && (!text || !*text))
        return srv_send_error(c, rq, 400, "note", "a rejection needs a note saying why");
    if (text && strlen(text) > 2000)
        return srv_send_error(c, rq, 400, "note", "note is longer than 2000 bytes");
    struct dw_error err = {0};
    _cleanup_json_ json_t *res = NULL;
    pthread_mutex_lock(&sv->api_mu);
    int r = dw_approval_decide_as(sv->api, rq->id, approve, rq->user, rq->role, text, &res, &err);
    pthread_mutex_unlock(&sv->api_mu);
    if (r < 0)
        return srv_send_dw_error(c, rq, &err, r);
    srv_wrote(sv);
    return srv_send_json(c, rq, 200, res);
}

static enum MHD_Result route_accept(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    _cleanup_json_ json_t *body = NULL;
    enum MHD_Result m = srv_body_json(c, rq, false, &body);
    if (!body)
        return m;
    json_t *rev = json_object_get(body, "revision"), *by = json_object_get(body, "by");
    if (rev &&
        (!json_is_integer(rev) || json_integer_value(rev) < 0 || json_integer_value(rev) > 1000000))
        return srv_send_error(c, rq, 400, "revision", "revision must be a positive integer");
    if (by &&
        (!json_is_string(by) || !*json_string_value(by) || strlen(json_string_value(by)) > 120))
        return srv_send_error(c, rq, 400, "by", "by must be a name of 1-120 bytes");
    struct dw_error err = {0};
    _cleanup_json_ json_t *res = NULL;
    pthread_mutex_lock(&sv->api_mu);
    /* the token's user records it; "by" names the customer's signatory (data) */
    int r = dw_deal_accept_as(sv->api, rq->id, rev ? (int)json_integer_value(rev) : 0, rq->user,
                              rq->role, by ? json_string_value(by) : NULL, &res, &err);
    pthread_mutex_unlock(&sv->api_mu);
    if (r < 0)
        return srv_send_dw_error(c, rq, &err, r);
    srv_wrote(sv);
    return srv_send_json(c, rq, 200, res);
}

/* Demo bookings (include/dealwright/booking.h): book one of the offered slots ({slot: its
 * number or start}), cancel it, and the calendar invitation as text/calendar. */
static enum MHD_Result route_book(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    _cleanup_json_ json_t *body = NULL;
    enum MHD_Result m = srv_body_json(c, rq, true, &body);
    if (!body)
        return m;
    json_t *slot = json_object_get(body, "slot");
    char buf[48];
    if (json_is_integer(slot) && json_integer_value(slot) >= 1 && json_integer_value(slot) <= 1000)
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(slot));
    else if (json_is_string(slot) && json_string_length(slot) > 0 && json_string_length(slot) < 40)
        snprintf(buf, sizeof buf, "%s", json_string_value(slot));
    else
        return srv_send_error(c, rq, 400, "slot",
                              "slot must be the offered slot's number (1, 2, ...) or its start");
    struct dw_error err = {0};
    _cleanup_json_ json_t *res = NULL;
    pthread_mutex_lock(&sv->api_mu);
    int r = dw_deal_book(sv->api, rq->id, buf, rq->user, rq->role, &res, &err);
    pthread_mutex_unlock(&sv->api_mu);
    if (r < 0)
        return srv_send_dw_error(c, rq, &err, r);
    srv_wrote(sv);
    return srv_send_json(c, rq, 200, res);
}

static enum MHD_Result route_book_cancel(struct server *sv, struct MHD_Connection *c,
                                         struct req *rq) {
    struct dw_error err = {0};
    _cleanup_json_ json_t *res = NULL;
    pthread_mutex_lock(&sv->api_mu);
    int r = dw_deal_book_cancel(sv->api, rq->id, rq->user, rq->role, &res, &err);
    pthread_mutex_unlock(&sv->api_mu);
    if (r < 0)
        return srv_send_dw_error(c, rq, &err, r);
    srv_wrote(sv);
    return srv_send_json(c, rq, 200, res);
}

static enum MHD_Result route_invitation(struct server *sv, struct MHD_Connection *c,
                                        struct req *rq) {
    struct dw_error err = {0};
    char *ics = NULL;
    struct reader *rd = srv_reader_get(sv);
    int r = dw_deal_invitation(rd->e, rq->id, &ics, &err);
    srv_reader_put(rd);
    if (r < 0)
        return srv_send_dw_error(c, rq, &err, r);
    return srv_send_text(c, rq, 200, "text/calendar; charset=utf-8", ics, strlen(ics));
}

/* Webhook subscriptions and their deliveries (admin only; docs "Webhooks"). */
static enum MHD_Result route_webhooks(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    struct dw_error err = {0};
    _cleanup_json_ json_t *out = NULL;
    struct reader *rd = srv_reader_get(sv);
    int r = dw_webhooks_list(rd->e, &out, &err);
    srv_reader_put(rd);
    return r < 0 ? srv_send_dw_error(c, rq, &err, r) : srv_send_json(c, rq, 200, out);
}

static enum MHD_Result route_webhook_add(struct server *sv, struct MHD_Connection *c,
                                         struct req *rq) {
    struct dw_error err = {0};
    _cleanup_json_ json_t *out = NULL, *body = NULL;
    enum MHD_Result m = srv_body_json(c, rq, true, &body);
    if (!body)
        return m;
    static const char *const fields[] = {"url", "events", "secret"};
    for (size_t i = 0; i < DW_ARRAY_SIZE(fields); i++) {
        json_t *v = json_object_get(body, fields[i]);
        if (v && !json_is_string(v))
            return srv_send_error(c, rq, 400, fields[i], "%s must be a string", fields[i]);
    }
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v) {
        if (strcmp(k, "url") && strcmp(k, "events") && strcmp(k, "secret"))
            return srv_send_error(c, rq, 400, k, "unknown field '%.40s'", k);
    }
    if (!dw_json_str(body, "url"))
        return srv_send_error(c, rq, 400, "url", "url is required");
    if (!dw_json_str(body, "events"))
        return srv_send_error(c, rq, 400, "events", "events is required");
    pthread_mutex_lock(&sv->api_mu);
    int r = dw_webhook_add(sv->api, rq->user, dw_json_str(body, "url"), dw_json_str(body, "events"),
                           dw_json_str(body, "secret"), &out, &err);
    pthread_mutex_unlock(&sv->api_mu);
    return r < 0 ? srv_send_dw_error(c, rq, &err, r) : srv_send_json(c, rq, 201, out);
}

static enum MHD_Result route_webhook_remove(struct server *sv, struct MHD_Connection *c,
                                            struct req *rq) {
    struct dw_error err = {0};
    pthread_mutex_lock(&sv->api_mu);
    int r = dw_webhook_remove(sv->api, rq->user, rq->id, &err);
    pthread_mutex_unlock(&sv->api_mu);
    if (r < 0)
        return srv_send_dw_error(c, rq, &err, r);
    _cleanup_json_ json_t *out = json_pack("{sI sb}", "id", (json_int_t)rq->id, "removed", 1);
    return srv_send_json(c, rq, 200, out);
}

static enum MHD_Result route_replay(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    struct dw_error err = {0};
    int64_t n = 0;
    pthread_mutex_lock(&sv->api_mu);
    int r = dw_webhook_replay(sv->api, rq->user, rq->id, &n, &err);
    pthread_mutex_unlock(&sv->api_mu);
    if (r < 0)
        return srv_send_dw_error(c, rq, &err, r);
    _cleanup_json_ json_t *out =
        json_pack("{sI ss}", "id", (json_int_t)rq->id, "status", "pending");
    return srv_send_json(c, rq, 200, out);
}

static enum MHD_Result route_deliveries(struct server *sv, struct MHD_Connection *c,
                                        struct req *rq) {
    const char *status = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "status");
    if (status && strcmp(status, "pending") && strcmp(status, "delivered") &&
        strcmp(status, "dead"))
        return srv_send_error(c, rq, 400, "status", "status: pending, delivered or dead");
    return send_list(sv, c, rq, "/v1/webhooks/deliveries", "status", status, NULL,
                     dw_webhook_deliveries_page, false);
}

/* ---- the table ------------------------------------------------------------------------- */

const struct route srv_routes[] = {
    {"GET", "/", route_console, P_PUBLIC, "console", NULL, 0, true},
    {"GET", "/console/{file}", route_console, P_PUBLIC, "console", NULL, 0, true},
    {"GET", "/healthz", route_healthz, P_PUBLIC, "healthz", NULL, 0, false},
    {"GET", "/readyz", route_readyz, P_PUBLIC, "readyz", NULL, 0, false},
    {"GET", "/metrics", srv_route_metrics, P_PUBLIC, "metrics", NULL, 0, false},
    {"GET", "/v1/openapi.json", route_openapi, P_PUBLIC, "openapi", NULL, 0, false},
    {"POST", "/v1/leads", route_leads_post, P_LEADS, "leads_post", "posting leads", 0, false},
    {"GET", "/v1/deals", route_deals, P_TOKEN, "deals", NULL, 0, false},
    {"GET", "/v1/deals/{id}", route_deal, P_TOKEN, "deal", NULL, 'D', false},
    {"GET", "/v1/deals/{id}/timeline", route_timeline, P_TOKEN, "timeline", NULL, 'D', false},
    {"GET", "/v1/deals/{id}/proposal", route_proposal, P_TOKEN, "proposal", NULL, 'D', false},
    {"GET", "/v1/deals/{id}/links", srv_route_links, P_TOKEN, "links", NULL, 'D', false},
    {"POST", "/v1/deals/{id}/links", srv_route_links_create, P_PERSON, "links",
     "make a link for the customer", 'D', false},
    {"DELETE", "/v1/deals/{id}/links", srv_route_links_revoke, P_PERSON, "links",
     "revoke the customer's links", 'D', false},
    {"GET", "/p/{token}", srv_route_buyer_page, P_PUBLIC, "buyer_page", NULL, 0, true},
    {"POST", "/p/{token}", srv_route_buyer_post, P_PUBLIC, "buyer_page", NULL, 0, true},
    {"POST", "/v1/deals/{id}/accept", route_accept, P_PERSON, "accept", "record an acceptance", 'D',
     false},
    {"GET", "/v1/deals/{id}/quotes/{r1}/diff/{r2}", route_quote_diff, P_TOKEN, "quote_diff", NULL,
     'D', false},
    {"POST", "/v1/deals/{id}/booking", route_book, P_PERSON, "booking", "book demos", 'D', false},
    {"DELETE", "/v1/deals/{id}/booking", route_book_cancel, P_PERSON, "booking", "book demos", 'D',
     false},
    {"GET", "/v1/deals/{id}/invitation", route_invitation, P_TOKEN, "invitation", NULL, 'D', false},
    {"GET", "/v1/approvals", route_approvals, P_TOKEN, "approvals", NULL, 0, false},
    {"POST", "/v1/approvals/{id}/decision", route_decision, P_PERSON, "decision",
     "decide approvals", 'A', false},
    {"GET", "/v1/events", srv_route_events, P_TOKEN, "events", NULL, 0, false},
    {"GET", "/v1/me", route_me, P_TOKEN, "me", NULL, 0, false},
    {"GET", "/v1/reports/funnel", route_report_funnel, P_TOKEN, "report_funnel", NULL, 0, false},
    {"GET", "/v1/webhooks", route_webhooks, P_ADMIN, "webhooks", "webhooks are managed", 0, false},
    {"POST", "/v1/webhooks", route_webhook_add, P_ADMIN, "webhooks", "webhooks are managed", 0,
     false},
    {"GET", "/v1/webhooks/deliveries", route_deliveries, P_ADMIN, "deliveries",
     "webhooks are managed", 0, false},
    {"DELETE", "/v1/webhooks/{id}", route_webhook_remove, P_ADMIN, "webhook",
     "webhooks are managed", 'W', false},
    {"POST", "/v1/webhooks/deliveries/{id}/replay", route_replay, P_ADMIN, "replay",
     "webhooks are managed", 'Y', false},
};
const size_t srv_n_routes = DW_ARRAY_SIZE(srv_routes);

const char *srv_labels[LABELS_MAX] = {"unknown"};
size_t srv_n_labels = 1;
static size_t route_label[DW_ARRAY_SIZE(srv_routes)];
static pthread_once_t labels_once = PTHREAD_ONCE_INIT;

/* Each row's path split into its segments once, for the dispatch. */
static struct shape {
    int n;
    char *seg[7];
    char buf[96];
} shapes[DW_ARRAY_SIZE(srv_routes)];

static int split_path(char *p, char *seg[7]);

static void labels_init(void) {
    for (size_t i = 0; i < srv_n_routes; i++) {
        struct shape *sh = &shapes[i];
        snprintf(sh->buf, sizeof sh->buf, "%s", srv_routes[i].path);
        sh->n = split_path(sh->buf, sh->seg);
        size_t k = 0;
        while (k < srv_n_labels && strcmp(srv_labels[k], srv_routes[i].label) != 0)
            k++;
        if (k == srv_n_labels && srv_n_labels < LABELS_MAX)
            srv_labels[srv_n_labels++] = srv_routes[i].label;
        route_label[i] = k < LABELS_MAX ? k : 0;
    }
}

void srv_routes_init(void) {
    pthread_once(&labels_once, labels_init);
}

size_t srv_label_index(const struct route *r) {
    return r ? route_label[r - srv_routes] : 0;
}

/* ---- matching -------------------------------------------------------------------------- */

/* A plain id in a path (1 to 2^40); -1 when it is not one. */
static int parse_id_segment(const char *s, int64_t *ret) {
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < 1 || v > (1LL << 40) || s[0] == '+' || s[0] == ' ')
        return -1;
    *ret = v;
    return 0;
}

/* strtok_r, not strtok: every connection has a thread of its own. */
static int split_path(char *p, char *seg[7]) {
    int n = 0;
    char *save = NULL;
    for (char *s = strtok_r(p, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
        if (n == 7)
            return -1;
        seg[n++] = s;
    }
    return n;
}

/* Does the row's path match the segments? Literals only; the parameters are read after. */
static bool shape_matches(const struct route *rt, char *const seg[7], int n) {
    const struct shape *sh = &shapes[rt - srv_routes];
    char *const *ps = sh->seg;
    if (sh->n != n)
        return false;
    for (int i = 0; i < n; i++)
        if (ps[i][0] != '{' && strcmp(ps[i], seg[i]) != 0)
            return false;
    return true;
}

/* The row's parameters from the segments into rq; false with *msg set (a 404's) when one
 * is not what the row takes. */
static bool params_read(const struct route *rt, char *const seg[7], struct req *rq, char *msg,
                        size_t len) {
    const struct shape *sh = &shapes[rt - srv_routes];
    char *const *ps = sh->seg;
    int n = sh->n;
    for (int i = 0; i < n; i++) {
        const char *s = seg[i];
        if (ps[i][0] != '{')
            continue;
        if (strcmp(ps[i], "{file}") == 0) {
            rq->file = s;
        } else if (strcmp(ps[i], "{token}") == 0) {
            rq->token = s;
        } else if (strcmp(ps[i], "{id}") == 0) {
            int r = rt->id == 'D' || rt->id == 'A' ? dw_id_parse(rt->id, s, &rq->id)
                                                   : parse_id_segment(s, &rq->id);
            if (r < 0) {
                snprintf(msg, len, "'%.40s' is not %s", s,
                         rt->id == 'D'   ? "a deal id (D-000001)"
                         : rt->id == 'A' ? "an approval id (A-000001)"
                         : rt->id == 'W' ? "a webhook id"
                                         : "a delivery id");
                return false;
            }
        } else if (strcmp(ps[i], "{r1}") == 0 || strcmp(ps[i], "{r2}") == 0) {
            char *end = NULL;
            long v = strtol(s, &end, 10);
            if (*end || end == s || v < 1 || v > 1000000) {
                snprintf(msg, len, "quote revisions are numbers from 1");
                return false;
            }
            *(ps[i][2] == '1' ? &rq->rev_from : &rq->rev_to) = (int)v;
        }
    }
    return true;
}

static bool method_is(const struct route *rt, const char *method) {
    if (strcmp(rt->method, method) == 0)
        return true;
    return strcmp(rt->method, "GET") == 0 && strcmp(method, "HEAD") == 0;
}

/* ---- dispatch -------------------------------------------------------------------------- */

enum MHD_Result srv_dispatch(struct server *sv, struct MHD_Connection *c, const char *url,
                             const char *method, struct req *rq) {
    if (strlen(url) > 200)
        return srv_send_error(c, rq, 404, NULL, "no such route");
    snprintf(rq->path, sizeof rq->path, "%s", url);
    char *seg[7] = {0};
    int n = split_path(rq->path, seg);
    /* The rows whose path matches; the one of this method, else a 405 naming the others. A
     * parameter that is not what its row takes is a 404 saying why. */
    const struct route *hit = NULL, *any = NULL;
    char bad[120] = "";
    rq->allow[0] = '\0';
    for (size_t i = 0; n >= 0 && i < srv_n_routes && !hit; i++) {
        const struct route *rt = &srv_routes[i];
        if (!shape_matches(rt, seg, n))
            continue;
        char msg[120];
        if (!params_read(rt, seg, rq, msg, sizeof msg)) {
            if (!bad[0])
                snprintf(bad, sizeof bad, "%s", msg);
            continue;
        }
        if (method_is(rt, method)) {
            hit = rt;
            break;
        }
        if (!any)
            any = rt;
        size_t l = strlen(rq->allow);
        snprintf(rq->allow + l, sizeof rq->allow - l, "%s%s%s", l ? ", " : "", rt->method,
                 strcmp(rt->method, "GET") == 0 ? ", HEAD" : "");
    }
    if (!hit && !any) {
        if (bad[0])
            return srv_send_error(c, rq, 404, NULL, "%s", bad);
        return srv_send_error(c, rq, 404, NULL, "no such route");
    }
    if (!hit) {
        rq->route = any;
        return srv_send_error(c, rq, 405, NULL, "%s needs %s", any->label, rq->allow);
    }
    rq->route = hit;
    rq->allow[0] = '\0';
    if (rq->too_big)
        return srv_send_error(c, rq, 413, NULL, "the request body is larger than %zu bytes",
                              rq->body_max);
    if (rq->mail_busy)
        return srv_send_error(c, rq, 503, NULL,
                              "too many large mails are being received at once; try again");
    if (hit->perm == P_PUBLIC)
        return hit->fn(sv, c, rq);

    enum MHD_Result res = MHD_NO;
    _cleanup_json_ json_t *tok = srv_authenticate(sv, c, rq, &res);
    if (!tok)
        return res;
    if (!srv_rate_take(sv, dw_json_int(tok, "id", 0)))
        return srv_send_error(c, rq, 429, NULL, "too many requests for this token (%g per second)",
                              sv->rate);
    rq->role = dw_json_str(tok, "role");
    rq->integration = strcmp(rq->role, DW_ROLE_INTEGRATION) == 0;
    rq->admin = strcmp(rq->role, "admin") == 0;
    switch (hit->perm) {
    case P_LEADS:
        if (!rq->integration && !rq->admin)
            return srv_send_error(c, rq, 403, NULL,
                                  "%s needs an integration or admin token, not %s", hit->action,
                                  rq->role);
        break;
    case P_PERSON:
        if (rq->integration)
            return srv_send_error(c, rq, 403, NULL, "an integration token cannot %s", hit->action);
        break;
    case P_ADMIN:
        if (!rq->admin)
            return srv_send_error(c, rq, 403, NULL, "%s with an admin token, not %s", hit->action,
                                  rq->role);
        break;
    default:
        break;
    }
    return hit->fn(sv, c, rq);
}
