/* Operations people and integrations perform: submit leads, decide approvals, accept a
 * quote, change a discount, read deals, verify the audit chain.
 *
 * Each operation that writes is one transaction with its audit record and events, checks
 * everything before it writes, and leaves the store as it was when it fails. Operations
 * that unblock a deal (approve, reject, accept, a discount change) run that deal on at once,
 * as the server's background workers would.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/trace.h"
#include "control/internal.h"
#include "models/models.h"
#include "engines/docclock.h"
#include "engines/pricing.h"

/* ---- engine ------------------------------------------------------------------------- */

int dw_engine_open(const char *ws_root, const char *db_path, struct dw_engine **ret,
                   struct dw_diags *diags, struct dw_error *err) {
    struct dw_engine_opts o = {.db = db_path};
    return dw_engine_open_opts(ws_root, &o, ret, diags, err);
}

int dw_engine_open_opts(const char *ws_root, const struct dw_engine_opts *opts,
                        struct dw_engine **ret, struct dw_diags *diags, struct dw_error *err) {
    static const struct dw_engine_opts defaults = {0};
    if (!opts)
        opts = &defaults;
    struct dw_store_url url;
    int r = opts->db ? dw_store_url_parse(opts->db, &url, err) : 0; /* a bad URL before work */
    if (r < 0)
        return r;
    r = dw_base_init();
    if (r < 0)
        return dw_error_set(err, r, "cannot initialise the crypto library");
    struct dw_engine *e = calloc(1, sizeof *e);
    if (!e)
        return -DW_ENOMEM;
    e->clock.pin = opts->now_pin;
    e->model_key = opts->model_key;
    e->model_key_ud = opts->model_key_ud;
    if (opts->failpoints && !(e->failpoints = strdup(opts->failpoints))) {
        free(e);
        return -DW_ENOMEM;
    }
    r = dw_workspace_load(ws_root, &e->ws, diags);
    if (r < 0) {
        free(e->failpoints);
        free(e);
        return dw_error_set(err, r, "the workspace at %s is not valid (%zu problems)", ws_root,
                            diags ? diags->n : 0);
    }
    char path[4096];
    const char *db = opts->db;
    if (!db) {
        /* a plain path: a workspace folder named like "x:y" stays a path */
        snprintf(path, sizeof path, "sqlite:%s/.dealwright/state.db", ws_root);
        db = path;
    }
    r = dw_store_open(db, &e->clock, &e->store, err);
    if (r < 0 || !(e->db = strdup(db))) {
        if (r >= 0)
            dw_store_close(e->store);
        dw_workspace_unref(e->ws);
        free(e->failpoints);
        free(e);
        return r < 0 ? r : -DW_ENOMEM;
    }
    *ret = e;
    return 0;
}

int dw_engine_open_shared(struct dw_engine *from, const char *db, struct dw_engine **ret,
                          struct dw_error *err) {
    struct dw_engine *e = calloc(1, sizeof *e);
    if (!e)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    e->clock.pin = from->clock.pin;
    e->model_key = from->model_key;
    e->model_key_ud = from->model_key_ud;
    e->tracer = from->tracer;
    if (!db)
        db = from->db;
    if ((from->failpoints && !(e->failpoints = strdup(from->failpoints))) ||
        !(e->db = strdup(db))) {
        free(e->failpoints);
        free(e);
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    int r = dw_store_open(db, &e->clock, &e->store, err);
    if (r < 0) {
        free(e->db);
        free(e->failpoints);
        free(e);
        return r;
    }
    e->ws = dw_workspace_ref(from->ws);
    *ret = e;
    return 0;
}

void dw_engine_set_tracer(struct dw_engine *e, struct dw_tracer *t) {
    e->tracer = t;
}

struct dw_tracer *dw_engine_tracer(const struct dw_engine *e) {
    return e ? e->tracer : NULL;
}

void dw_engine_close(struct dw_engine *e) {
    if (!e)
        return;
    dw__engine_model_release(e);
    dw_models_free(e->models);
    dw_store_close(e->store);
    dw_workspace_unref(e->ws);
    free(e->failpoints);
    free(e->db);
    free(e);
}

const struct dw_workspace *dw_engine_workspace(const struct dw_engine *e) {
    return e->ws;
}

void dw_engine_pin_clock(struct dw_engine *e, dw_time_t now) {
    e->clock.pin = now;
}

dw_time_t dw_engine_now(const struct dw_engine *e) {
    return dw__now(e);
}

/* ---- helpers ------------------------------------------------------------------------ */

static json_t *id_json(char prefix, int64_t id) {
    char buf[32];
    return json_string(dw_id_format(prefix, id, buf, sizeof buf));
}

/* The store already waits out a busy lock (SQLite's busy timeout); a few more tries cover a
 * writer that holds it through several of those. */
int dw__txn_begin(struct dw_engine *e, struct dw_error *err) {
    int r;
    for (int i = 0; i < 3; i++) {
        r = e->store->ops->begin(e->store, err);
        if (r != -DW_EBUSY)
            return r;
    }
    return r;
}

int dw__txn_end(struct dw_engine *e, int r, struct dw_error *err) {
    if (r < 0) {
        e->store->ops->rollback(e->store);
        return r;
    }
    r = e->store->ops->commit(e->store, err);
    if (r < 0)
        e->store->ops->rollback(e->store);
    return r;
}

int dw__txn_run(struct dw_engine *e,
                int (*body)(struct dw_engine *e, void *ud, struct dw_error *err), void *ud,
                struct dw_error *err) {
    int r = 0;
    for (int attempt = 0; attempt < DW__TXN_TRIES; attempt++) {
        if (attempt > 0) { /* the other writer goes on meanwhile */
            struct timespec ts = {0, (long)(5 + 10 * attempt) * 1000000L};
            nanosleep(&ts, NULL);
            if (err)
                *err = (struct dw_error){0};
        }
        if ((r = dw__txn_begin(e, err)) < 0)
            return r;
        r = dw__txn_end(e, body(e, ud, err), err);
        if (r != -DW_EBUSY)
            return r;
    }
    return r;
}

static int run_deal(struct dw_engine *e, int64_t deal_id, struct dw_error *err) {
    struct dw_run_opts o = {.only_deal = deal_id};
    return dw_run(e, &o, NULL, err);
}

/* ---- leads -------------------------------------------------------------------------- */

/* The first deal reference (D-000006) in a message's subject, body or the customer's turns
 * of a transcript, standing as a word of its own; 0 when there is none. */
static int64_t find_reference(const char *s) {
    for (const char *p = s; p && (p = strstr(p, "D-")) != NULL; p += 2) {
        bool word_start =
            p == s ||
            !(p[-1] == '_' || p[-1] == '-' || (unsigned char)p[-1] >= 0x80 ||
              (p[-1] >= '0' && p[-1] <= '9') || ((p[-1] | 0x20) >= 'a' && (p[-1] | 0x20) <= 'z'));
        size_t n = strspn(p + 2, "0123456789");
        char after = p[2 + n];
        if (!word_start || n == 0 || n > 12 || after == '-' || after == '_' ||
            (after >= '0' && after <= '9') || ((after | 0x20) >= 'a' && (after | 0x20) <= 'z'))
            continue;
        int64_t id = strtoll(p + 2, NULL, 10);
        if (id > 0)
            return id;
    }
    return 0;
}

static int64_t lead_reference(const json_t *rec) {
    int64_t id = find_reference(dw_json_str(rec, "subject"));
    if (!id)
        id = find_reference(dw_json_str(rec, "message"));
    size_t i;
    json_t *turn;
    json_array_foreach(json_object_get(rec, "transcript"), i, turn) {
        const char *from = dw_json_str(turn, "from");
        if (!id && from && strcmp(from, "customer") == 0)
            id = find_reference(dw_json_str(turn, "text"));
    }
    return id;
}

/* The deal a mail answers, by its In-Reply-To and then its References, newest first: a
 * message the deal sent (its Message-ID is "dealwright.D-000006.KIND.N@domain", made by
 * dw_deal_mail in api-mail.c) or a customer's mail stored as one of the deal's leads (source
 * email, external_id its Message-ID). 0 when it answers none. */
static int64_t thread_reference(struct dw_engine *e, const json_t *rec) {
    const json_t *m = json_object_get(rec, "email");
    if (!m)
        return 0;
    const json_t *refs = json_object_get(m, "references");
    size_t n = json_array_size(refs);
    for (size_t k = 0; k <= n; k++) {
        const char *id =
            k == 0 ? dw_json_str(m, "in_reply_to") : json_string_value(json_array_get(refs, n - k));
        if (!id)
            continue;
        if (strncmp(id, "dealwright.D-", 13) == 0) {
            size_t digits = strspn(id + 13, "0123456789");
            if (digits > 0 && digits <= 12 && id[13 + digits] == '.')
                return strtoll(id + 13, NULL, 10);
        }
        int64_t lead_id, deal_id;
        struct dw_error ignore = {0};
        if (e->store->ops->lead_find(e->store, "email", id, &lead_id, &deal_id, &ignore) == 0)
            return deal_id;
    }
    return 0;
}

static const char *domain_of(const char *email) {
    const char *at = email ? strrchr(email, '@') : NULL;
    return at && at[1] ? at + 1 : NULL;
}

/* A message that names an open deal continues it when its sender writes from an address of
 * that deal's leads, or from the same company domain (not a free-mail one, which anybody can
 * use). A reference to another company's deal joins nothing: *ret_refused names it and the
 * message is matched as if it named no deal. -DW_ENOENT when the message continues no deal
 * by reference. */
static int deal_by_reference(struct dw_engine *e, const json_t *rec, const char *email,
                             int64_t *ret_deal, int64_t *ret_refused, struct dw_error *err) {
    struct dw_store *s = e->store;
    int64_t ref = thread_reference(e, rec);
    if (!ref)
        ref = lead_reference(rec);
    const char *dom = domain_of(email);
    if (!ref || !dom)
        return -DW_ENOENT;
    struct dw_deal_rec d;
    struct dw_error ignore = {0};
    if (s->ops->deal_get(s, ref, &d, &ignore) < 0 || d.stage == DW_STAGE_ORDERED ||
        d.stage == DW_STAGE_LOST || d.stage == DW_STAGE_DISQUALIFIED)
        return -DW_ENOENT;
    bool free_mail = false;
    for (size_t i = 0; i < e->ws->qualification.n_free_mail_domains; i++)
        free_mail |= dw_streq_ci(dom, e->ws->qualification.free_mail_domains[i]);
    _cleanup_json_ json_t *leads = NULL;
    int r = s->ops->leads_for_deal(s, ref, &leads, err);
    if (r < 0)
        return r;
    size_t i;
    json_t *l;
    json_array_foreach(leads, i, l) {
        const char *other = dw_json_str(l, "contact_email");
        if (!other)
            other = dw_json_str(json_object_get(json_object_get(l, "raw"), "contact"), "email");
        if (other && (dw_streq_ci(other, email) ||
                      (!free_mail && domain_of(other) && dw_streq_ci(domain_of(other), dom)))) {
            *ret_deal = ref;
            return 0;
        }
    }
    *ret_refused = ref;
    return -DW_ENOENT;
}

static int submit_one(struct dw_engine *e, json_t *rec, dw_time_t now, json_t *results,
                      const struct dw_trace_ctx *parent, struct dw_error *err);

static int lead_taken(struct dw_engine *e, json_t *rec, struct dw_deal_rec *dp, int64_t deal_id,
                      int64_t lead_id, const char *status, int64_t refused, bool by_ref,
                      json_t *results, struct dw_error *err);

/* A lead's span (lead.submit), current while it is taken in: the deal's trace context is
 * this span's, so its steps join the trace of the request (or traceparent) it came with.
 * A duplicate makes no span and keeps the deal's context. */
static int submit_traced(struct dw_engine *e, json_t *rec, dw_time_t now, json_t *results,
                         const char *traceparent, struct dw_error *err) {
    if (!e->tracer)
        return submit_one(e, rec, now, results, NULL, err);
    struct dw_trace_ctx given;
    const struct dw_trace_ctx *parent = NULL;
    if (traceparent && dw_traceparent_parse(traceparent, &given) == 0)
        parent = &given;
    else if (!traceparent)
        parent = dw_span_ctx(dw_trace_current());
    return submit_one(e, rec, now, results, parent, err);
}

static int submit_one(struct dw_engine *e, json_t *rec, dw_time_t now, json_t *results,
                      const struct dw_trace_ctx *parent, struct dw_error *err) {
    struct dw_store *s = e->store;
    const char *source = dw_json_str(rec, "source"), *ext = dw_json_str(rec, "external_id");
    int64_t lead_id, deal_id;
    int r = s->ops->lead_find(s, source, ext, &lead_id, &deal_id, err);
    if (r == 0)
        return json_array_append_new(
                   results, json_pack("{s:o,s:o,s:s}", "lead", id_json('L', lead_id), "deal",
                                      id_json('D', deal_id), "status", "duplicate")) < 0
                   ? -DW_ENOMEM
                   : 0;
    if (r != -DW_ENOENT)
        return r;
    if (!json_object_get(rec, "received_at")) {
        char buf[32];
        json_object_set_new(rec, "received_at", json_string(dw_time_format(now, buf, sizeof buf)));
    }

    /* A message that names an open deal of the sender's company, or comes from a contact
     * with an open deal, continues that deal. */
    const char *email = dw_json_str(json_object_get(rec, "contact"), "email");
    struct dw_deal_rec d;
    const char *status = "created";
    int64_t refused = 0;
    bool by_ref = false;
    r = deal_by_reference(e, rec, email, &deal_id, &refused, err);
    if (r == 0)
        by_ref = true;
    else if (r == -DW_ENOENT)
        r = email ? s->ops->deal_find_open_by_email(s, email, 0, &deal_id, err) : -DW_ENOENT;
    if (r == 0) {
        if ((r = s->ops->deal_get(s, deal_id, &d, err)) < 0)
            return r;
        status = "follow_up";
    } else if (r == -DW_ENOENT) {
        if ((r = s->ops->deal_insert(s, now, &deal_id, err)) < 0 ||
            (r = s->ops->deal_get(s, deal_id, &d, err)) < 0)
            return r;
    } else {
        return r;
    }
    if ((r = s->ops->lead_insert(s, rec, deal_id, &lead_id, err)) < 0)
        return r;
    struct dw_span *sp = dw_span_start(e->tracer, "lead.submit", DW_SPAN_INTERNAL, parent);
    if (sp) {
        dw__span_deal(sp, deal_id);
        dw_span_str(sp, "dealwright.lead.id", DW_ID('L', lead_id));
        dw_span_str(sp, "dealwright.lead.status", status);
    }
    struct dw_span *prev = dw_trace_swap(sp);
    r = lead_taken(e, rec, &d, deal_id, lead_id, status, refused, by_ref, results, err);
    if (r >= 0)
        r = dw__deal_trace_put(e, deal_id, dw_span_ctx(sp), err);
    if (sp) {
        dw_trace_swap(prev);
        if (r < 0)
            dw_span_error(sp, dw_errname(r));
        dw_span_end(sp);
    }
    return r;
}

/* The rest of submit_one once the lead is stored: the deal re-derived, event, audit. */
static int lead_taken(struct dw_engine *e, json_t *rec, struct dw_deal_rec *dp, int64_t deal_id,
                      int64_t lead_id, const char *status, int64_t refused, bool by_ref,
                      json_t *results, struct dw_error *err) {
    struct dw_deal_rec d = *dp;
    const char *source = dw_json_str(rec, "source"), *ext = dw_json_str(rec, "external_id");
    int r;

    /* Whatever the deal knew is re-derived with the new message; a pending hold (needs_info)
     * is lifted, a parked deal gets a fresh start. Documents stay until replaced, and a
     * quote whose content does not change keeps its approvals (same hash). */
    enum dw_stage before = d.stage;
    d.facts = DW_FACT_LEAD;
    if (d.stage == DW_STAGE_NEEDS_INFO || d.stage == DW_STAGE_NEW)
        d.stage = DW_STAGE_NEW;
    d.parked = false;
    d.attempts = 0;
    d.next_attempt_at = 0;
    d.last_error[0] = '\0';
    if ((r = dw__deal_settle(e, &d, err)) < 0 ||
        (r = dw__deal_write(e, &d, before, "intake", err)) < 0)
        return r;
    json_t *data = json_pack("{s:I,s:s,s:s,s:s}", "lead", (json_int_t)lead_id, "source", source,
                             "external_id", ext, "status", status);
    /* how it was matched: by the deal it names, and a reference that was not honoured */
    if (data && by_ref)
        json_object_set_new(data, "reference", id_json('D', deal_id));
    if (data && refused)
        json_object_set_new(data, "reference_refused", id_json('D', refused));
    if ((r = dw__event(e, deal_id, strcmp(status, "created") ? "lead.follow_up" : "lead.received",
                       json_deep_copy(data), err)) < 0 ||
        (r = dw__audit(e, deal_id, "intake", "lead.submit", data, err)) < 0)
        return r;
    return json_array_append_new(results,
                                 json_pack("{s:o,s:o,s:s}", "lead", id_json('L', lead_id), "deal",
                                           id_json('D', deal_id), "status", status)) < 0
               ? -DW_ENOMEM
               : 0;
}

/* Every lead of a submission in one transaction (dw__txn_run: redone whole when busy). */
struct submit_all {
    const json_t *recs;
    json_t *results;
    const char *const *traceparents;
};

static int submit_all(struct dw_engine *e, void *ud, struct dw_error *err) {
    struct submit_all *sa = ud;
    json_array_clear(sa->results); /* a redo starts over */
    dw_time_t now = dw__now(e);
    int r = 0;
    for (size_t i = 0; i < json_array_size(sa->recs) && r >= 0; i++)
        r = submit_traced(e, json_array_get(sa->recs, i), now, sa->results,
                          sa->traceparents ? sa->traceparents[i] : NULL, err);
    return r;
}

int dw_leads_submit(struct dw_engine *e, const json_t *leads, json_t **ret, struct dw_error *err) {
    return dw_leads_submit_traced(e, leads, NULL, ret, err);
}

int dw_leads_submit_traced(struct dw_engine *e, const json_t *leads,
                           const char *const *traceparents, json_t **ret, struct dw_error *err) {
    if (!json_is_array(leads))
        return dw_error_set(err, -DW_EINVAL, "expected an array of leads");
    size_t n = json_array_size(leads);
    _cleanup_json_ json_t *recs = json_array(), *results = json_array();
    if (!recs || !results)
        return -DW_ENOMEM;
    /* Check every lead before storing any: bad input changes nothing. */
    for (size_t i = 0; i < n; i++) {
        json_t *rec = NULL;
        int r = dw_lead_parse(json_array_get(leads, i), &rec, err);
        if (r < 0) {
            if (err)
                err->line = (int)i + 1; /* the caller maps it to its input line */
            return r;
        }
        json_array_append_new(recs, rec);
    }
    struct submit_all sa = {recs, results, traceparents};
    int r = dw__txn_run(e, submit_all, &sa, err);
    if (r < 0)
        return r;
    *ret = DW_TAKE_PTR(results);
    return 0;
}

int dw__deal_get(struct dw_engine *e, int64_t deal_id, struct dw_deal_rec *d,
                 struct dw_error *err) {
    int r = e->store->ops->deal_get(e->store, deal_id, d, err);
    if (r == -DW_ENOENT)
        return dw_error_set(err, r, "no deal %s", DW_ID('D', deal_id));
    return r;
}

/* ---- reads -------------------------------------------------------------------------- */

/* The last day revision `quote` can be accepted ("YYYY-MM-DD"): what the proposal that offers
 * it recorded (valid_until, counted from the day it was written) — the one answer the API
 * shows and acceptance enforces. A revision no proposal offers has none yet (false): its
 * validity starts when a proposal offers it. Only a proposal written before proposals
 * recorded a validity falls back to created_at + quotes.valid_days. */
static bool valid_until(const struct dw_engine *e, const json_t *quote, const json_t *proposal,
                        char buf[16]) {
    if (!json_is_object(proposal) ||
        dw_json_int(proposal, "quote_revision", -1) != dw_json_int(quote, "revision", 0))
        return false;
    const char *pv = dw_json_str(proposal, "valid_until");
    if (pv) {
        snprintf(buf, 16, "%.10s", pv);
        return true;
    }
    dw_time_t t;
    if (dw_quote_valid_until(e->ws, quote, &t) < 0)
        return false;
    dw_date_format(t, buf, 16);
    return true;
}

/* A stored quote (integer money) as people and scripts see it (decimal strings). */
static json_t *quote_view(const struct dw_engine *e, const json_t *q, const json_t *proposal) {
    int digits = (int)dw_json_int(q, "digits", 2);
    json_t *v = json_deep_copy(q);
    static const char *const money[] = {"subtotal", "discount", "total", "cost", "margin"};
    static const char *const line_money[] = {"unit_price", "amount",     "discount",
                                             "net",        "list_price", "cost"};
    for (size_t i = 0; i < DW_ARRAY_SIZE(money); i++)
        if (json_is_integer(json_object_get(q, money[i])))
            json_object_set_new(v, money[i], dw_json_money(dw_json_int(q, money[i], 0), digits));
    char pct[16];
    json_object_set_new(
        v, "discount_pct",
        json_string(dw_pct_format((int32_t)dw_json_int(q, "discount_bp", 0), pct, sizeof pct)));
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(v, "lines"), i, line) {
        for (size_t k = 0; k < DW_ARRAY_SIZE(line_money); k++)
            if (json_is_integer(json_object_get(line, line_money[k])))
                json_object_set_new(line, line_money[k],
                                    dw_json_money(dw_json_int(line, line_money[k], 0), digits));
    }
    char buf[16];
    json_object_set_new(v, "valid_until",
                        valid_until(e, q, proposal, buf) ? json_string(buf) : json_null());
    return v;
}

static json_t *approval_view(const json_t *a) {
    json_t *v = json_deep_copy(a);
    json_object_set_new(v, "id", id_json('A', dw_json_int(a, "id", 0)));
    json_object_set_new(v, "deal", id_json('D', dw_json_int(a, "deal_id", 0)));
    json_object_del(v, "deal_id");
    return v;
}

static json_t *approvals_view(const json_t *list) {
    json_t *out = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a) json_array_append_new(out, approval_view(a));
    return out;
}

static int doc_or_null(struct dw_engine *e, int64_t id, const char *kind, json_t **ret,
                       struct dw_error *err) {
    int r = e->store->ops->doc_get(e->store, id, kind, ret, err);
    if (r == -DW_ENOENT) {
        *ret = json_null();
        return 0;
    }
    return r;
}

static int deal_show(struct dw_engine *e, int64_t id, json_t **ret, struct dw_error *err) {
    struct dw_store *s = e->store;
    struct dw_deal_rec d;
    int r = dw__deal_get(e, id, &d, err);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *out = json_object(), *leads = NULL, *quotes = NULL, *approvals = NULL,
                          *events = NULL;
    char buf[256];
    json_object_set_new(out, "id", id_json('D', id));
    json_object_set_new(out, "stage", json_string(dw_stage_name(d.stage)));
    json_object_set_new(out, "facts", json_string(dw_facts_format(d.facts, buf, sizeof buf)));
    json_object_set_new(out, "created_at",
                        json_string(dw_time_format(d.created_at, buf, sizeof buf)));
    json_object_set_new(out, "updated_at",
                        json_string(dw_time_format(d.updated_at, buf, sizeof buf)));
    json_object_set_new(out, "parked", json_boolean(d.parked));
    json_object_set_new(out, "last_error",
                        d.last_error[0] ? json_string(d.last_error) : json_null());

    if ((r = s->ops->leads_for_deal(s, id, &leads, err)) < 0)
        return r;
    size_t i;
    json_t *l;
    json_array_foreach(leads, i, l) {
        json_object_set_new(l, "id", id_json('L', dw_json_int(l, "id", 0)));
        json_object_del(l, "deal_id");
    }
    json_object_set(out, "lead", json_array_size(leads) ? json_array_get(leads, 0) : json_null());
    json_object_set(out, "leads", leads);

    json_t *account = json_null(), *contact = json_null();
    if (d.account_id && (r = s->ops->account_get(s, d.account_id, &account, err)) < 0)
        return r;
    if (d.contact_id && (r = s->ops->contact_get(s, d.contact_id, &contact, err)) < 0) {
        json_decref(account);
        return r;
    }
    json_object_set_new(out, "account", account);
    json_object_set_new(out, "contact", contact);

    static const char *const kinds[] = {
        "discovery", "requirements", "qualification", "solution",          "contract", "proposal",
        "schedule",  "outcome",      "acceptance",    "pricing_overrides", "privacy"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(kinds); k++) {
        json_t *doc;
        if ((r = doc_or_null(e, id, kinds[k], &doc, err)) < 0)
            return r;
        json_object_set_new(out, kinds[k], doc);
    }
    if (json_is_null(json_object_get(out, "qualification")))
        json_object_set_new(out, "qualification", json_null());

    json_t *quote = NULL;
    r = s->ops->quote_get(s, id, 0, &quote, err);
    if (r < 0 && r != -DW_ENOENT)
        return r;
    const json_t *proposal = json_object_get(out, "proposal");
    json_object_set_new(out, "quote", quote ? quote_view(e, quote, proposal) : json_null());
    json_decref(quote);
    if ((r = s->ops->quotes_for_deal(s, id, &quotes, err)) < 0)
        return r;
    json_t *revs = json_array();
    json_t *q;
    json_object_set_new(out, "quotes", revs);
    json_array_foreach(quotes, i, q) {
        json_t *full = NULL;
        if ((r = s->ops->quote_get(s, id, (int)dw_json_int(q, "revision", 0), &full, err)) < 0)
            return r;
        json_array_append_new(revs, quote_view(e, full, proposal));
        json_decref(full);
    }

    if ((r = s->ops->approvals_for_deal(s, id, &approvals, err)) < 0)
        return r;
    json_object_set_new(out, "approvals", approvals_view(approvals));

    json_t *order = NULL;
    r = s->ops->order_get(s, id, &order, err);
    if (r < 0 && r != -DW_ENOENT)
        return r;
    if (order) {
        json_t *ov = quote_view(e, order, NULL);
        json_object_set_new(ov, "id", id_json('O', dw_json_int(order, "id", 0)));
        json_object_del(ov, "discount_pct");
        json_object_del(ov, "valid_until");
        json_decref(order);
        order = ov;
    }
    json_object_set_new(out, "order", order ? order : json_null());

    json_t *booking = NULL; /* the booked demo (lib/control/booking.c), null when none */
    r = dw_deal_booking(e, id, &booking, err);
    if (r < 0 && r != -DW_ENOENT)
        return r;
    json_object_set_new(out, "booking", booking ? booking : json_null());

    if ((r = s->ops->events_for_deal(s, id, &events, err)) < 0)
        return r;
    json_object_set(out, "timeline", events);
    *ret = DW_TAKE_PTR(out);
    return 0;
}

/* A deal whole, read in one snapshot of the store (a consistent view, and one read lock
 * instead of one per query). */
int dw_deal_show(struct dw_engine *e, int64_t id, json_t **ret, struct dw_error *err) {
    struct dw_store *s = e->store;
    bool snap = s->ops->snapshot && s->ops->snapshot(s, NULL) == 0;
    int r = deal_show(e, id, ret, err);
    if (snap)
        s->ops->rollback(s);
    return r;
}

int dw_deals_list(struct dw_engine *e, const char *stage, json_t **ret, struct dw_error *err) {
    enum dw_stage st;
    if (stage && *stage && dw_stage_parse(stage, &st) < 0)
        return dw_error_set(err, -DW_EINVAL, "unknown stage '%s'", stage);
    json_t *list = NULL;
    int r = e->store->ops->deals_list(e->store, stage, 0, 0, &list, err);
    if (r < 0)
        return r;
    size_t i;
    json_t *d;
    json_array_foreach(list, i, d)
        json_object_set_new(d, "id", id_json('D', dw_json_int(d, "id", 0)));
    *ret = list;
    return 0;
}

int dw_approvals_list(struct dw_engine *e, json_t **ret, struct dw_error *err) {
    _cleanup_json_ json_t *list = NULL;
    int r = e->store->ops->approvals_pending(e->store, 0, 0, &list, err);
    if (r < 0)
        return r;
    *ret = approvals_view(list);
    return 0;
}

/* ---- pages --------------------------------------------------------------------------- */

int dw__cursor_parse(char list, const char *after, int64_t *ret_id, struct dw_error *err) {
    *ret_id = 0;
    if (!after || !*after)
        return 0;
    char *end = NULL;
    errno = 0;
    unsigned long long v =
        after[0] == list && isxdigit((unsigned char)after[1]) ? strtoull(after + 1, &end, 16) : 0;
    if (!end || *end || errno || v == 0 || v > (1ULL << 40) || strlen(after) > 16)
        return dw_error_field(err, -DW_EINVAL, "after",
                              "after: not a cursor of this list (pass the `next` a page gave)");
    *ret_id = (int64_t)v;
    return 0;
}

int dw__page_limit(int limit, struct dw_error *err) {
    if (limit == 0)
        return DW_PAGE_DEFAULT;
    if (limit < 1 || limit > DW_PAGE_MAX)
        return dw_error_field(err, -DW_EINVAL, "limit", "limit: from 1 to %d, got %d", DW_PAGE_MAX,
                              limit);
    return limit;
}

json_t *dw__page_finish(char list, json_t *rows, int limit) {
    json_t *next = json_null();
    if (json_array_size(rows) > (size_t)limit) {
        json_array_remove(rows, (size_t)limit);
        char c[24];
        snprintf(c, sizeof c, "%c%llx", list,
                 (unsigned long long)dw_json_int(json_array_get(rows, (size_t)limit - 1), "id", 0));
        next = json_string(c);
    }
    return json_pack("{s:o,s:o}", "items", rows, "next", next);
}

int dw_deals_page(struct dw_engine *e, const char *stage, const char *after, int limit,
                  json_t **ret, struct dw_error *err) {
    enum dw_stage st;
    int64_t after_id;
    int r;
    if (stage && *stage && dw_stage_parse(stage, &st) < 0)
        return dw_error_field(err, -DW_EINVAL, "stage", "unknown stage '%s'", stage);
    if ((limit = dw__page_limit(limit, err)) < 0)
        return limit;
    if ((r = dw__cursor_parse('d', after, &after_id, err)) < 0)
        return r;
    json_t *rows = NULL;
    if ((r = e->store->ops->deals_list(e->store, stage, after_id, limit + 1, &rows, err)) < 0)
        return r;
    json_t *page = dw__page_finish('d', rows, limit);
    if (!page)
        return -DW_ENOMEM;
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(page, "items"), i, d)
        json_object_set_new(d, "id", id_json('D', dw_json_int(d, "id", 0)));
    *ret = page;
    return 0;
}

int dw_approvals_page(struct dw_engine *e, const char *after, int limit, json_t **ret,
                      struct dw_error *err) {
    return dw_approvals_page_status(e, "pending", after, limit, ret, err);
}

int dw_approvals_page_status(struct dw_engine *e, const char *status, const char *after, int limit,
                             json_t **ret, struct dw_error *err) {
    int64_t after_id;
    int r;
    if (!status || (strcmp(status, "pending") && strcmp(status, "approved") &&
                    strcmp(status, "rejected") && strcmp(status, "all")))
        return dw_error_field(err, -DW_EINVAL, "status",
                              "status: pending, approved, rejected or all, got '%.40s'",
                              status ? status : "");
    if ((limit = dw__page_limit(limit, err)) < 0)
        return limit;
    if ((r = dw__cursor_parse('a', after, &after_id, err)) < 0)
        return r;
    json_t *rows = NULL;
    r = strcmp(status, "pending") == 0
            ? e->store->ops->approvals_pending(e->store, after_id, limit + 1, &rows, err)
            : e->store->ops->approvals_by_status(e->store, strcmp(status, "all") ? status : NULL,
                                                 after_id, limit + 1, &rows, err);
    if (r < 0)
        return r;
    json_t *page = dw__page_finish('a', rows, limit);
    if (!page)
        return -DW_ENOMEM;
    json_object_set_new(page, "items", approvals_view(json_object_get(page, "items")));
    *ret = page;
    return 0;
}

int dw_stats(struct dw_engine *e, json_t **ret, struct dw_error *err) {
    return e->store->ops->stats(e->store, ret, err);
}

/* ---- decisions ---------------------------------------------------------------------- */

/* May `u` decide an approval that requires `role`? Roles that are discount bands form a
 * ladder: a higher band may decide what a lower one may (a VP may approve a manager's
 * discount). Other roles (legal) must be held exactly. */
static bool may_decide(const struct dw_workspace *ws, const struct dw_user *u, const char *role) {
    if (dw_user_has_role(u, role))
        return true;
    int need = dw_policies_band_index(&ws->policies, role);
    if (need < 0)
        return false;
    for (size_t i = 0; i < u->n_roles; i++)
        if (dw_policies_band_index(&ws->policies, u->roles[i]) >= need)
            return true;
    return false;
}

/* The user as they act now: with every role team.yaml gives them (role NULL: the CLI, where
 * whoever can open the store has all authority anyway), or with the one role a credential
 * was issued for (an API token), which they must still hold. `*one` keeps the view.
 * The one place a credential's one-role authority is worked out: decisions, acceptance and
 * the can_decide annotation (dw_may_decide) all act as the user this returns. err may be
 * NULL. */
static const struct dw_user *acting_user(const struct dw_workspace *ws, const char *user,
                                         const char *role, struct dw_user *one, char **one_role,
                                         struct dw_error *err) {
    const struct dw_user *u = user ? dw_ws_user(ws, user) : NULL;
    if (!u) {
        dw_error_set(err, -DW_EPERM, "'%s' is not a user of this workspace (team.yaml)",
                     user ? user : "");
        return NULL;
    }
    if (!role)
        return u;
    if (!dw_user_has_role(u, role)) {
        dw_error_set(err, -DW_EPERM, "%s does not hold the role '%s' (team.yaml)", u->id, role);
        return NULL;
    }
    *one = *u;
    *one_role = (char *)role;
    one->roles = one_role;
    one->n_roles = 1;
    return one;
}

bool dw_may_decide(struct dw_engine *e, const char *user, const char *role,
                   const char *required_role) {
    if (!required_role)
        return false;
    struct dw_user one;
    char *one_role = NULL;
    const struct dw_user *u = acting_user(e->ws, user, role, &one, &one_role, NULL);
    return u && may_decide(e->ws, u, required_role);
}

int dw_approvals_annotate(struct dw_engine *e, const char *user, const char *role, json_t *list) {
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a) {
        const char *need = dw_json_str(a, "required_role");
        const char *status = dw_json_str(a, "status");
        bool pending = status && strcmp(status, "pending") == 0;
        json_t *who = json_array();
        for (size_t k = 0; who && k < e->ws->team.n_users; k++)
            if (dw_may_decide(e, e->ws->team.users[k].id, NULL, need) &&
                json_array_append_new(who, json_string(e->ws->team.users[k].id)) < 0)
                break;
        if (!who ||
            json_object_set_new(a, "can_decide",
                                json_boolean(pending && dw_may_decide(e, user, role, need))) < 0 ||
            json_object_set_new(a, "deciders", who) < 0)
            return -DW_ENOMEM;
    }
    return 0;
}

/* Back to pricing: the quote and everything built on it are made again. */
static void reset_pricing(struct dw_deal_rec *d) {
    d->facts &= ~(uint32_t)(DW_FACT_QUOTE | DW_FACT_CONTRACT | DW_FACT_PROPOSAL | DW_FACT_SCHEDULE |
                            DW_FACT_ACCEPTED);
}

static int decide(struct dw_engine *e, int64_t approval_id, bool approve, const struct dw_user *u,
                  const char *note, int64_t *ret_deal, struct dw_error *err) {
    struct dw_store *s = e->store;
    _cleanup_json_ json_t *a = NULL, *quote = NULL;
    int r = s->ops->approval_get(s, approval_id, &a, err);
    if (r == -DW_ENOENT)
        return dw_error_set(err, r, "no approval %s", DW_ID('A', approval_id));
    if (r < 0)
        return r;
    const char *status = dw_json_str(a, "status"), *kind = dw_json_str(a, "kind");
    const char *role = dw_json_str(a, "required_role");
    int64_t deal_id = dw_json_int(a, "deal_id", 0);
    if (strcmp(status, "pending") != 0)
        return dw_error_set(err, -DW_ESTATE, "approval %s is %s%s", DW_ID('A', approval_id), status,
                            strcmp(status, "void") == 0
                                ? ": the quote changed since it was asked; see the new approval"
                                : "");
    if (!may_decide(e->ws, u, role))
        return dw_error_set(err, -DW_EPERM, "%s may not decide %s: it needs the role '%s'", u->id,
                            DW_ID('A', approval_id), role);
    if ((r = s->ops->quote_get(s, deal_id, 0, &quote, err)) < 0)
        return r;
    if (strcmp(dw_json_str(quote, "hash"), dw_json_str(a, "quote_hash")) != 0)
        return dw_error_set(err, -DW_ESTATE,
                            "approval %s is bound to a quote revision "
                            "that is no longer current",
                            DW_ID('A', approval_id));
    dw_time_t now = dw__now(e);
    if ((r = s->ops->approval_decide(s, approval_id, approve ? "approved" : "rejected", u->id,
                                     note ? note : "", now, err)) < 0)
        return r;

    struct dw_deal_rec d;
    if ((r = s->ops->deal_get(s, deal_id, &d, err)) < 0)
        return r;
    enum dw_stage before = d.stage;
    char actor[160];
    snprintf(actor, sizeof actor, "user:%s", u->id);
    if (!approve && strcmp(kind, "discount") == 0) {
        /* Back to pricing, within what needs no approval (the largest discount the first
         * band's condition allows on this quote); the reason stays on record. */
        char pct[16];
        int32_t own = 0;
        if ((r = dw_discount_own_authority(e->ws, quote,
                                           (int32_t)dw_json_int(quote, "discount_bp", 0),
                                           dw__now(e), &own)) < 0)
            return dw_error_set(err, r, "cannot work out the discount within the first band");
        dw_pct_format(own, pct, sizeof pct);
        _cleanup_json_ json_t *ov =
            json_pack("{s:s,s:s,s:s,s:I}", "discount_pct", pct, "by", u->id, "reason",
                      note ? note : "", "rejected_approval", (json_int_t)approval_id);
        if ((r = s->ops->doc_put(s, deal_id, "pricing_overrides", ov, e->ws->hash, err)) < 0)
            return r;
        reset_pricing(&d);
    } else if (!approve) {
        char reason[600];
        snprintf(reason, sizeof reason, "%s approval rejected by %s: %s", kind, u->id,
                 note && *note ? note : "no reason given");
        _cleanup_json_ json_t *out =
            json_pack("{s:s,s:s,s:s}", "stage", "lost", "reason", reason, "by", actor);
        if ((r = s->ops->doc_put(s, deal_id, "outcome", out, e->ws->hash, err)) < 0)
            return r;
        d.stage = DW_STAGE_LOST;
    }
    if ((r = dw__deal_settle(e, &d, err)) < 0 ||
        (r = dw__deal_write(e, &d, before, actor, err)) < 0)
        return r;
    json_t *data =
        json_pack("{s:I,s:s,s:s,s:s,s:O,s:O,s:s}", "approval", (json_int_t)approval_id, "kind",
                  kind, "decision", approve ? "approved" : "rejected", "role", role,
                  "quote_revision", json_object_get(a, "quote_revision"), "quote_hash",
                  json_object_get(a, "quote_hash"), "note", note ? note : "");
    if ((r = dw__event(e, deal_id, "approval.decided", json_deep_copy(data), err)) < 0 ||
        (r = dw__audit(e, deal_id, actor, approve ? "approval.approve" : "approval.reject", data,
                       err)) < 0)
        return r;
    *ret_deal = deal_id;
    return 0;
}

struct decide_args {
    int64_t approval_id;
    bool approve;
    const struct dw_user *u;
    const char *note;
    int64_t deal_id;
};

static int decide_tx(struct dw_engine *e, void *ud, struct dw_error *err) {
    struct decide_args *a = ud;
    return decide(e, a->approval_id, a->approve, a->u, a->note, &a->deal_id, err);
}

int dw_approval_decide(struct dw_engine *e, int64_t approval_id, bool approve, const char *user,
                       const char *note, json_t **ret, struct dw_error *err) {
    return dw_approval_decide_as(e, approval_id, approve, user, NULL, note, ret, err);
}

int dw_approval_decide_as(struct dw_engine *e, int64_t approval_id, bool approve, const char *user,
                          const char *role, const char *note, json_t **ret, struct dw_error *err) {
    struct dw_user one;
    char *one_role = NULL;
    const struct dw_user *u = acting_user(e->ws, user, role, &one, &one_role, err);
    if (!u)
        return -DW_EPERM;
    if (!approve && (!note || !*note))
        return dw_error_set(err, -DW_EINVAL, "a rejection needs a reason");
    struct decide_args da = {approval_id, approve, u, note, 0};
    int r = dw__txn_run(e, decide_tx, &da, err);
    if (r < 0)
        return r;
    int64_t deal_id = da.deal_id;
    if ((r = run_deal(e, deal_id, err)) < 0)
        return r;
    _cleanup_json_ json_t *a = NULL;
    if ((r = e->store->ops->approval_get(e->store, approval_id, &a, err)) < 0)
        return r;
    struct dw_deal_rec d;
    if ((r = e->store->ops->deal_get(e->store, deal_id, &d, err)) < 0)
        return r;
    *ret = json_pack("{s:o,s:o,s:s}", "approval", approval_view(a), "deal", id_json('D', deal_id),
                     "stage", dw_stage_name(d.stage));
    return 0;
}

static int accept(struct dw_engine *e, int64_t deal_id, int revision, const char *recorder,
                  const char *customer, struct dw_error *err) {
    return dw__accept(e, deal_id, revision, recorder, NULL, customer, NULL, err);
}

int dw__accept(struct dw_engine *e, int64_t deal_id, int revision, const char *recorder,
               const char *as_actor, const char *customer, const json_t *signature,
               struct dw_error *err) {
    struct dw_store *s = e->store;
    struct dw_deal_rec d;
    _cleanup_json_ json_t *quote = NULL, *acc = NULL;
    int r = dw__deal_get(e, deal_id, &d, err);
    if (r < 0)
        return r;
    if (d.stage != DW_STAGE_PROPOSAL_READY)
        return dw_error_set(err, -DW_ESTATE,
                            "%s is %s; only a deal whose proposal is ready can be accepted",
                            DW_ID('D', deal_id), dw_stage_name(d.stage));
    if ((r = s->ops->quote_get(s, deal_id, 0, &quote, err)) < 0)
        return r;
    int latest = (int)dw_json_int(quote, "revision", 0);
    if (revision && revision != latest)
        return dw_error_set(err, -DW_ESTATE,
                            "quote revision %d of %s was superseded by revision %d; the "
                            "customer can only accept the current revision",
                            revision, DW_ID('D', deal_id), latest);
    /* the offer's validity, as the proposal states it and the API shows it */
    _cleanup_json_ json_t *proposal = NULL;
    if ((r = s->ops->doc_get(s, deal_id, "proposal", &proposal, err)) < 0 && r != -DW_ENOENT)
        return r;
    char until[16] = "";
    dw_time_t now = dw__now(e);
    if (!valid_until(e, quote, proposal, until))
        return dw_error_set(err, -DW_ESTATE,
                            "quote revision %d of %s has not been offered in a proposal", latest,
                            DW_ID('D', deal_id));
    if (dw_offer_expired(until, now))
        return dw_error_set(err, -DW_ESTATE,
                            "quote revision %d of %s expired: it was valid until %s; the "
                            "deal needs a new quote before it can be accepted",
                            latest, DW_ID('D', deal_id), until);
    char at[32];
    /* Who recorded it acts; who signed at the buyer is data about the deal, kept in the
     * acceptance document (redacted by the privacy purge) and never in the event log or the
     * audit chain, which cannot be redacted. */
    char actor[160];
    if (as_actor)
        snprintf(actor, sizeof actor, "%s", as_actor);
    else if (recorder)
        snprintf(actor, sizeof actor, "user:%s", recorder);
    else
        snprintf(actor, sizeof actor, "operator");
    acc = json_pack("{s:i,s:s,s:s,s:s,s:s}", "revision", latest, "quote_hash",
                    dw_json_str(quote, "hash"), "recorded_by", actor, "at",
                    dw_time_format(now, at, sizeof at), "valid_until", until);
    _cleanup_json_ json_t *doc = json_deep_copy(acc);
    if (!acc || !doc)
        return -DW_ENOMEM;
    json_object_set_new(doc, "by", json_string(customer && *customer ? customer : "customer"));
    if (signature)
        json_object_set_new(doc, "signature", json_deep_copy(signature));
    if ((r = s->ops->doc_put(s, deal_id, "acceptance", doc, e->ws->hash, err)) < 0)
        return r;
    enum dw_stage before = d.stage;
    d.facts |= DW_FACT_ACCEPTED;
    if ((r = dw__deal_settle(e, &d, err)) < 0 ||
        (r = dw__deal_write(e, &d, before, actor, err)) < 0)
        return r;
    if ((r = dw__event(e, deal_id, "deal.accepted", json_deep_copy(acc), err)) < 0)
        return r;
    return dw__audit(e, deal_id, actor, "deal.accept", json_incref(acc), err);
}

/* A role that may record an acceptance: one of the discount bands (the sellers who own the
 * quote). Turning a quote into an order is theirs; an admin, legal, a sales engineer or an
 * integration may not. */
static bool may_record_acceptance(const struct dw_workspace *ws, const struct dw_user *u) {
    for (size_t i = 0; i < u->n_roles; i++)
        if (dw_policies_band_index(&ws->policies, u->roles[i]) >= 0)
            return true;
    return false;
}

int dw__may_sell(struct dw_engine *e, const char *user, const char *role, const char *what,
                 struct dw_error *err) {
    struct dw_user one;
    char *one_role = NULL;
    const struct dw_user *u = acting_user(e->ws, user, role, &one, &one_role, err);
    if (!u)
        return -DW_EPERM;
    if (!may_record_acceptance(e->ws, u))
        return dw_error_set(err, -DW_EPERM,
                            "%s%s%s may not %s: it needs a role of the discount bands "
                            "(policies.yaml)",
                            u->id, role ? " as " : "", role ? role : "", what);
    return 0;
}

struct accept_args {
    int64_t deal_id;
    int revision;
    const char *recorder, *customer;
};

static int accept_tx(struct dw_engine *e, void *ud, struct dw_error *err) {
    struct accept_args *a = ud;
    return accept(e, a->deal_id, a->revision, a->recorder, a->customer, err);
}

int dw_deal_accept(struct dw_engine *e, int64_t deal_id, int revision, const char *customer,
                   json_t **ret, struct dw_error *err) {
    return dw_deal_accept_as(e, deal_id, revision, NULL, NULL, customer, ret, err);
}

int dw_deal_accept_as(struct dw_engine *e, int64_t deal_id, int revision, const char *user,
                      const char *role, const char *customer, json_t **ret, struct dw_error *err) {
    struct dw_user one;
    char *one_role = NULL;
    const struct dw_user *u = NULL;
    if (customer && strlen(customer) > 120)
        return dw_error_field(err, -DW_EINVAL, "by",
                              "the customer's name is longer than 120 bytes");
    if (user || role) {
        if (!(u = acting_user(e->ws, user, role, &one, &one_role, err)))
            return -DW_EPERM;
        if (!may_record_acceptance(e->ws, u))
            return dw_error_set(err, -DW_EPERM,
                                "%s%s%s may not record an acceptance: it needs a role of the "
                                "discount bands (policies.yaml)",
                                u->id, role ? " as " : "", role ? role : "");
    }
    struct accept_args aa = {deal_id, revision, u ? u->id : NULL, customer};
    int r = dw__txn_run(e, accept_tx, &aa, err);
    if (r < 0)
        return r;
    if ((r = run_deal(e, deal_id, err)) < 0)
        return r;
    struct dw_deal_rec d;
    if ((r = e->store->ops->deal_get(e->store, deal_id, &d, err)) < 0)
        return r;
    if (d.stage != DW_STAGE_ORDERED)
        return dw_error_set(err, -DW_ESTATE, "the order was not created: %s",
                            d.last_error[0] ? d.last_error : "see the deal's timeline");
    _cleanup_json_ json_t *deal = NULL;
    if ((r = dw_deal_show(e, deal_id, &deal, err)) < 0)
        return r;
    *ret = json_incref(json_object_get(deal, "order"));
    return 0;
}

static int set_discount(struct dw_engine *e, int64_t deal_id, int32_t bp, const struct dw_user *u,
                        struct dw_error *err) {
    struct dw_store *s = e->store;
    struct dw_deal_rec d;
    int r = dw__deal_get(e, deal_id, &d, err);
    if (r < 0)
        return r;
    if (!(d.facts & DW_FACT_QUOTE) || d.stage == DW_STAGE_ORDERED || d.stage == DW_STAGE_LOST ||
        d.stage == DW_STAGE_DISQUALIFIED)
        return dw_error_set(err, -DW_ESTATE, "%s is %s: there is no open quote to change",
                            DW_ID('D', deal_id), dw_stage_name(d.stage));
    char pct[16];
    _cleanup_json_ json_t *ov =
        json_pack("{s:s,s:s,s:s}", "discount_pct", dw_pct_format(bp, pct, sizeof pct), "by", u->id,
                  "reason", "set by a person");
    if ((r = s->ops->doc_put(s, deal_id, "pricing_overrides", ov, e->ws->hash, err)) < 0)
        return r;
    enum dw_stage before = d.stage;
    reset_pricing(&d);
    char actor[160];
    snprintf(actor, sizeof actor, "user:%s", u->id);
    if ((r = dw__deal_settle(e, &d, err)) < 0 ||
        (r = dw__deal_write(e, &d, before, actor, err)) < 0)
        return r;
    return dw__audit(e, deal_id, actor, "quote.discount", json_incref(ov), err);
}

/* A person who sets a discount within their own authority has approved it by setting it:
 * the discount approval the new revision asked for is decided in their name, exactly as if
 * they had approved it next (the same check of the ladder, the same record and audit).
 * A discount beyond their band stays pending for the role the ladder names; nothing here
 * raises anyone's authority. If the process dies between the two transactions the approval
 * is simply left pending, which is the safe state. */
static int approve_own_discount(struct dw_engine *e, int64_t deal_id, const struct dw_user *u,
                                struct dw_error *err) {
    _cleanup_json_ json_t *list = NULL;
    int r = e->store->ops->approvals_for_deal(e->store, deal_id, &list, err);
    if (r < 0)
        return r;
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a) {
        const char *status = dw_json_str(a, "status"), *kind = dw_json_str(a, "kind");
        if (!status || strcmp(status, "pending") != 0 || !kind || strcmp(kind, "discount") != 0 ||
            !may_decide(e->ws, u, dw_json_str(a, "required_role")))
            continue;
        char note[200];
        snprintf(note, sizeof note, "%s set this discount within their own authority", u->id);
        _cleanup_json_ json_t *done = NULL;
        if ((r = dw_approval_decide(e, dw_json_int(a, "id", 0), true, u->id, note, &done, err)) < 0)
            return r;
    }
    return 0;
}

struct discount_args {
    int64_t deal_id;
    int32_t bp;
    const struct dw_user *u;
};

static int set_discount_tx(struct dw_engine *e, void *ud, struct dw_error *err) {
    struct discount_args *a = ud;
    return set_discount(e, a->deal_id, a->bp, a->u, err);
}

int dw_quote_discount(struct dw_engine *e, int64_t deal_id, const char *pct, const char *user,
                      json_t **ret, struct dw_error *err) {
    const struct dw_user *u = user ? dw_ws_user(e->ws, user) : NULL;
    if (!u)
        return dw_error_set(err, -DW_EPERM, "'%s' is not a user of this workspace (team.yaml)",
                            user ? user : "");
    bool seller = false;
    for (size_t i = 0; i < u->n_roles; i++)
        seller |= dw_policies_band_index(&e->ws->policies, u->roles[i]) >= 0;
    if (!seller)
        return dw_error_set(err, -DW_EPERM, "%s holds no role of the discount bands", u->id);
    int32_t bp;
    if (!pct || dw_pct_parse(pct, &bp) < 0)
        return dw_error_set(err, -DW_EINVAL, "'%s' is not a percentage between 0 and 100",
                            pct ? pct : "");
    struct discount_args ds = {deal_id, bp, u};
    int r = dw__txn_run(e, set_discount_tx, &ds, err);
    if (r < 0)
        return r;
    if ((r = run_deal(e, deal_id, err)) < 0)
        return r;
    if ((r = approve_own_discount(e, deal_id, u, err)) < 0)
        return r;
    return dw_deal_show(e, deal_id, ret, err);
}

/* ---- audit -------------------------------------------------------------------------- */

int dw_audit_verify(struct dw_engine *e, int64_t *ret_count, int64_t *ret_bad_seq,
                    struct dw_error *err) {
    return e->store->ops->audit_verify(e->store, ret_count, ret_bad_seq, err);
}

int dw_audit_show(struct dw_engine *e, int64_t deal_id, json_t **ret, struct dw_error *err) {
    struct dw_deal_rec d;
    int r = dw__deal_get(e, deal_id, &d, err);
    if (r < 0)
        return r;
    return e->store->ops->audit_for_deal(e->store, deal_id, ret, err);
}

int dw_audit_since(struct dw_engine *e, int64_t after_seq, int max, json_t **ret,
                   struct dw_error *err) {
    if (max < 1 || max > 1000)
        max = 1000;
    return e->store->ops->audit_since(e->store, after_seq, max, ret, err);
}

/* ---- personal-data retention ------------------------------------------------------- */

static const char REDACTED[] = "[redacted]";

/* Replace every "text" string in a document (the words a fact was extracted from) and every
 * "read" string (the same words as screening read them) — the facts themselves (quantities,
 * dates, capability names) are business data and stay. */
static void redact_texts(json_t *j) {
    const char *key;
    json_t *v;
    size_t i;
    if (json_is_object(j)) {
        json_object_foreach(j, key, v) {
            if ((strcmp(key, "text") == 0 || strcmp(key, "read") == 0) && json_is_string(v))
                json_object_set_new(j, key, json_string(REDACTED));
            else
                redact_texts(v);
        }
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v) redact_texts(v);
    }
}

/* A lead without what identifies a person: the contact keeps company, country and the
 * company's domain; subject, message and transcript text are gone. What kinds of personal
 * data it held (intake's classes) stay on record. */
static int redact_lead(struct dw_engine *e, const json_t *lead, struct dw_error *err) {
    _cleanup_json_ json_t *raw = json_deep_copy(json_object_get(lead, "raw"));
    _cleanup_json_ json_t *intake = json_deep_copy(json_object_get(lead, "intake"));
    if (!raw)
        return -DW_ENOMEM;
    static const char *const personal[] = {"name", "email", "phone", "title"};
    json_t *contacts[] = {json_object_get(raw, "contact"), json_object_get(intake, "contact")};
    for (size_t c = 0; c < DW_ARRAY_SIZE(contacts); c++)
        for (size_t k = 0; k < DW_ARRAY_SIZE(personal); k++)
            json_object_del(contacts[c], personal[k]);
    if (json_object_get(raw, "subject"))
        json_object_set_new(raw, "subject", json_string(REDACTED));
    if (json_object_get(raw, "message"))
        json_object_set_new(raw, "message", json_string(REDACTED));
    size_t i;
    json_t *turn;
    json_array_foreach(json_object_get(raw, "transcript"), i, turn)
        json_object_set_new(turn, "text", json_string(REDACTED));
    if (intake)
        json_object_set_new(intake, "text", json_string(REDACTED));
    /* a mail's attachments are named by their sender ("CV Jana Hartmann.pdf") */
    json_t *att;
    json_array_foreach(json_object_get(json_object_get(raw, "email"), "attachments"), i, att) {
        if (json_is_string(json_object_get(att, "name")))
            json_object_set_new(att, "name", json_string(REDACTED));
    }
    return e->store->ops->lead_redact(e->store, dw_json_int(lead, "id", 0), raw, intake, err);
}

/* ---- the personal values of a deal, and scrubbing them from its documents ---- */

static void personal_add(json_t *vals, const json_t *v) {
    if (!json_is_string(v) || json_string_length(v) < 3 ||
        strcmp(json_string_value(v), REDACTED) == 0)
        return;
    size_t i;
    json_t *have;
    json_array_foreach(
        vals, i, have) if (strcasecmp(json_string_value(have), json_string_value(v)) == 0) return;
    json_array_append(vals, (json_t *)v);
}

static void personal_of_contact(json_t *vals, const json_t *contact) {
    static const char *const keys[] = {"name", "email", "phone", "title"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(keys); k++)
        personal_add(vals, json_object_get(contact, keys[k]));
}

/* What identifies the people of a deal, read before anything is redacted: each lead's
 * contact (as sent and as intake read it), the contact row, the contact details extracted
 * from the words (e-mail addresses and phone numbers written in a message, a colleague's
 * included) and who signed the acceptance. */
static int personal_values(struct dw_engine *e, int64_t deal_id, int64_t contact_id,
                           const json_t *leads, json_t **ret, struct dw_error *err) {
    struct dw_store *s = e->store;
    _cleanup_json_ json_t *vals = json_array(), *req = NULL, *acc = NULL, *contact = NULL;
    if (!vals)
        return -DW_ENOMEM;
    size_t i;
    json_t *lead, *cd;
    json_array_foreach(leads, i, lead) {
        personal_of_contact(vals, json_object_get(json_object_get(lead, "raw"), "contact"));
        personal_of_contact(vals, json_object_get(json_object_get(lead, "intake"), "contact"));
    }
    int r = contact_id ? s->ops->contact_get(s, contact_id, &contact, err) : -DW_ENOENT;
    if (r == 0)
        personal_of_contact(vals, contact);
    else if (r != -DW_ENOENT)
        return r;
    if ((r = s->ops->doc_get(s, deal_id, "requirements", &req, err)) == 0) {
        json_array_foreach(json_object_get(req, "contact_details"), i, cd) {
            personal_add(vals, json_object_get(cd, "value"));
            personal_add(vals, json_object_get(cd, "text"));
        }
    } else if (r != -DW_ENOENT) {
        return r;
    }
    if ((r = s->ops->doc_get(s, deal_id, "acceptance", &acc, err)) == 0) {
        const char *by = dw_json_str(acc, "by");
        if (by && strcmp(by, "customer") != 0)
            personal_add(vals, json_object_get(acc, "by"));
    } else if (r != -DW_ENOENT) {
        return r;
    }
    *ret = vals;
    vals = NULL;
    return 0;
}

static bool word_byte(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* `str` with every occurrence of `val` replaced by [redacted]: with whole_word, a
 * case-insensitive one that stands as a whole word (so a title "CTO" does not eat into
 * "Director"); otherwise any, as written. NULL when there is none (*ret_hit false) or no
 * memory (*ret_hit true: then the whole string is redacted by the caller). */
static char *redact_in(const char *str, const char *val, bool whole_word, bool *ret_hit) {
    size_t n = strlen(val);
    if (!n)
        return NULL;
    struct dw_buf b;
    dw_buf_init(&b, 0);
    const char *from = str, *p = str;
    bool hit = false;
    while ((p = whole_word ? strcasestr(p, val) : strstr(p, val))) {
        bool left = !whole_word || p == str || !word_byte((unsigned char)val[0]) ||
                    !word_byte((unsigned char)p[-1]);
        bool right =
            !whole_word || !word_byte((unsigned char)val[n - 1]) || !word_byte((unsigned char)p[n]);
        if (!left || !right) {
            p++;
            continue;
        }
        hit = true;
        if (dw_buf_append(&b, from, (size_t)(p - from)) < 0 || dw_buf_puts(&b, REDACTED) < 0)
            goto nomem;
        p += n;
        from = p;
    }
    if (!hit)
        return NULL;
    if (dw_buf_puts(&b, from) < 0)
        goto nomem;
    *ret_hit = true;
    return dw_buf_steal(&b);
nomem:
    dw_buf_release(&b);
    *ret_hit = true;
    return NULL;
}

/* Every string in j (object members and array elements, at every depth) scrubbed of the
 * personal values. */
static void scrub(json_t *j, const json_t *vals) {
    const char *key;
    json_t *v;
    size_t i;
    if (json_is_object(j)) {
        json_object_foreach(j, key, v) scrub(v, vals);
        return;
    }
    if (json_is_array(j)) {
        json_array_foreach(j, i, v) scrub(v, vals);
        return;
    }
    if (!json_is_string(j))
        return;
    json_t *val;
    json_array_foreach(vals, i, val) {
        bool hit = false;
        char *out = redact_in(json_string_value(j), json_string_value(val), true, &hit);
        if (hit)
            json_string_set(j, out ? out : REDACTED);
        free(out);
    }
}

static int redact_doc(struct dw_engine *e, int64_t deal_id, const char *kind,
                      void (*fn)(json_t *doc), const json_t *vals, struct dw_error *err) {
    _cleanup_json_ json_t *doc = NULL;
    int r = e->store->ops->doc_get(e->store, deal_id, kind, &doc, err);
    if (r == -DW_ENOENT)
        return 0;
    if (r < 0)
        return r;
    if (fn)
        fn(doc);
    scrub(doc, vals);
    return e->store->ops->doc_put(e->store, deal_id, kind, doc, e->ws->hash, err);
}

static void redact_requirements(json_t *doc) {
    redact_texts(doc);
    size_t i;
    json_t *cd;
    json_array_foreach(json_object_get(doc, "contact_details"), i, cd) {
        if (json_object_get(cd, "value"))
            json_object_set_new(cd, "value", json_string(REDACTED));
    }
}

static void redact_qualification(json_t *doc) {
    if (json_is_string(json_object_get(doc, "reply")))
        json_object_set_new(doc, "reply", json_string(REDACTED));
}

static void redact_proposal(json_t *doc) {
    /* the proposal names the contact; the quote it was made from stays in the quotes */
    json_object_set_new(doc, "markdown", json_string(REDACTED));
}

static void redact_acceptance(json_t *doc) {
    const char *by = dw_json_str(doc, "by");
    if (by && strcmp(by, "customer") != 0)
        json_object_set_new(doc, "by", json_string(REDACTED));
    /* a signature on the buyer's page: who typed their name and title, from where */
    json_t *sig = json_object_get(doc, "signature");
    static const char *const personal[] = {"name", "title", "ip_hash", "user_agent"};
    for (size_t i = 0; json_is_object(sig) && i < DW_ARRAY_SIZE(personal); i++)
        if (json_object_get(sig, personal[i]))
            json_object_set_new(sig, personal[i], json_string(REDACTED));
}

/* the customer's own words when they declined on the buyer's page */
static void redact_outcome(json_t *doc) {
    if (json_is_string(json_object_get(doc, "customer_reason")))
        json_object_set_new(doc, "customer_reason", json_string(REDACTED));
}

static void redact_contract(json_t *doc) {
    /* the legal flags' phrases and the export signals' words as written; concept, reason,
     * country code, lead and span stay */
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(doc, "legal_flags"), i, f) {
        if (json_is_string(json_object_get(f, "phrase")))
            json_object_set_new(f, "phrase", json_string(REDACTED));
    }
    redact_texts(json_object_get(doc, "export_control"));
}

/* ---- approvals: the reasons quote the customer's words ---- */

#define QUOTED_MAX 160 /* bytes of a quotation in a reason (contract.c, gateway.c) */

static void quoted_add(json_t *out, const char *s) {
    if (!s || strlen(s) < 3 || strcmp(s, REDACTED) == 0)
        return;
    /* as written, with control characters as spaces, and cut at QUOTED_MAX on a whole
     * character: each form a reason may hold */
    char *sp = strdup(s);
    if (!sp)
        return;
    for (char *p = sp; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    const char *forms[] = {s, sp};
    for (size_t k = 0; k < DW_ARRAY_SIZE(forms); k++) {
        size_t n = strlen(forms[k]);
        json_array_append_new(out, json_string(forms[k]));
        if (n > QUOTED_MAX) {
            n = QUOTED_MAX;
            while (n > 0 && ((unsigned char)forms[k][n] & 0xC0) == 0x80)
                n--;
            json_array_append_new(out, json_stringn(forms[k], n));
        }
    }
    free(sp);
}

/* The customer's words that approval reasons quote, read before the documents are
 * redacted: screening's findings (every approval of the deal carries them), the legal
 * flags' phrases and the export signals' words. */
static int quoted_texts(struct dw_engine *e, int64_t deal_id, json_t **ret, struct dw_error *err) {
    struct dw_store *s = e->store;
    _cleanup_json_ json_t *out = json_array(), *req = NULL, *con = NULL;
    if (!out)
        return -DW_ENOMEM;
    size_t i;
    json_t *f;
    int r = s->ops->doc_get(s, deal_id, "requirements", &req, err);
    if (r == 0) {
        json_array_foreach(json_object_get(req, "screening"), i, f)
            quoted_add(out, dw_json_str(f, "text"));
    } else if (r != -DW_ENOENT) {
        return r;
    }
    if ((r = s->ops->doc_get(s, deal_id, "contract", &con, err)) == 0) {
        json_array_foreach(json_object_get(con, "legal_flags"), i, f)
            quoted_add(out, dw_json_str(f, "phrase"));
        json_array_foreach(json_object_get(json_object_get(con, "export_control"), "countries"), i,
                           f) quoted_add(out, dw_json_str(f, "text"));
    } else if (r != -DW_ENOENT) {
        return r;
    }
    *ret = out;
    out = NULL;
    return 0;
}

/* A reason or note without the customer's words: every quotation of them, then every
 * personal value of the deal (a name the approver wrote), becomes [redacted]. NULL in,
 * NULL out; on no memory the whole text is redacted. */
static char *redact_quoting(const char *str, const json_t *quoted, const json_t *vals) {
    if (!str)
        return NULL;
    char *cur = strdup(str);
    size_t i;
    json_t *v;
    json_array_foreach(quoted, i, v) {
        bool hit = false;
        char *next = cur ? redact_in(cur, json_string_value(v), false, &hit) : NULL;
        if (hit) {
            free(cur);
            cur = next;
        }
    }
    json_array_foreach(vals, i, v) {
        bool hit = false;
        char *next = cur ? redact_in(cur, json_string_value(v), true, &hit) : NULL;
        if (hit) {
            free(cur);
            cur = next;
        }
    }
    return cur ? cur : strdup(REDACTED);
}

/* Each approval of the deal keeps what it is — kind, role, rule, status, the quote it is
 * bound to, who decided and when — and loses the customer's words its reason and note
 * quote. */
static int redact_approvals(struct dw_engine *e, int64_t deal_id, const json_t *quoted,
                            const json_t *vals, struct dw_error *err) {
    struct dw_store *s = e->store;
    _cleanup_json_ json_t *all = NULL;
    int r = s->ops->approvals_for_deal(s, deal_id, &all, err);
    if (r < 0)
        return r;
    size_t i;
    json_t *a;
    json_array_foreach(all, i, a) {
        const char *reason = dw_json_str(a, "reason"), *note = dw_json_str(a, "note");
        _cleanup_free_ char *nr = redact_quoting(reason ? reason : "", quoted, vals);
        _cleanup_free_ char *nn = redact_quoting(note, quoted, vals);
        if (!nr || (note && !nn))
            return -DW_ENOMEM;
        if (strcmp(nr, reason ? reason : "") == 0 && (!note || strcmp(nn, note) == 0))
            continue;
        if ((r = s->ops->approval_redact(s, dw_json_int(a, "id", 0), nr, nn, err)) < 0)
            return r;
    }
    return 0;
}

static int purge_deal(struct dw_engine *e, int64_t deal_id, dw_time_t now, int days,
                      struct dw_error *err) {
    struct dw_store *s = e->store;
    _cleanup_json_ json_t *leads = NULL, *vals = NULL, *quoted = NULL, *order = NULL;
    struct dw_deal_rec d;
    int r = s->ops->deal_get(s, deal_id, &d, err);
    if (r < 0 || (r = s->ops->leads_for_deal(s, deal_id, &leads, err)) < 0 ||
        (r = personal_values(e, deal_id, d.contact_id, leads, &vals, err)) < 0 ||
        (r = quoted_texts(e, deal_id, &quoted, err)) < 0 ||
        (r = redact_approvals(e, deal_id, quoted, vals, err)) < 0)
        return r;
    size_t i;
    json_t *lead;
    json_array_foreach(leads, i, lead) {
        if ((r = redact_lead(e, lead, err)) < 0)
            return r;
    }
    if (d.contact_id && (r = s->ops->contact_redact(s, d.contact_id, now, err)) < 0)
        return r;
    /* Every document of the deal built from what the customer wrote: the words' own fields
     * by kind, then any personal value wherever it was copied (a qualification reason naming
     * the contact's title, an outcome's reason, a legal flag quoting the message). The
     * solution and the pricing overrides are made from the catalog and by the team; they
     * are business record, and a generic title ("Controller") must not eat into a product
     * name there. */
    static const struct {
        const char *kind;
        void (*fn)(json_t *doc);
    } docs[] = {{"requirements", redact_requirements},
                {"qualification", redact_qualification},
                {"proposal", redact_proposal},
                {"acceptance", redact_acceptance},
                {"discovery", NULL},
                {"contract", redact_contract},
                {"schedule", NULL},
                {"outcome", redact_outcome}};
    for (size_t k = 0; k < DW_ARRAY_SIZE(docs); k++)
        if ((r = redact_doc(e, deal_id, docs[k].kind, docs[k].fn, vals, err)) < 0)
            return r;
    r = s->ops->order_get(s, deal_id, &order, err);
    if (r == 0) {
        const char *by = dw_json_str(order, "accepted_by");
        if (by && strcmp(by, "customer") != 0 &&
            (r = s->ops->order_redact(s, deal_id, REDACTED, err)) < 0)
            return r;
    } else if (r != -DW_ENOENT) {
        return r;
    }
    /* the deal's mail as it was sent holds the contact and the documents */
    if (s->ops->mail_redact && (r = s->ops->mail_redact(s, deal_id, REDACTED, err)) < 0)
        return r;
    char at[32];
    _cleanup_json_ json_t *mark =
        json_pack("{s:s,s:i,s:I}", "redacted_at", dw_time_format(now, at, sizeof at),
                  "retention_days", days, "leads", (json_int_t)json_array_size(leads));
    if (!mark || (r = s->ops->doc_put(s, deal_id, "privacy", mark, e->ws->hash, err)) < 0)
        return r ? r : -DW_ENOMEM;
    if ((r = dw__event(e, deal_id, "deal.redacted", json_deep_copy(mark), err)) < 0)
        return r;
    return dw__audit(e, deal_id, "control", "privacy.redact", json_incref(mark), err);
}

int dw_privacy_purge(struct dw_engine *e, bool dry_run, json_t **ret, struct dw_error *err) {
    int days = e->ws->policies.retention_days > 0 ? e->ws->policies.retention_days : 730;
    dw_time_t now = dw__now(e), cutoff = now - (dw_time_t)days * 86400;
    _cleanup_json_ json_t *deals = NULL, *due = json_array();
    int r = e->store->ops->deals_list(e->store, NULL, 0, 0, &deals, err);
    if (r < 0 || !due)
        return r < 0 ? r : -DW_ENOMEM;
    size_t i;
    json_t *d;
    json_array_foreach(deals, i, d) {
        const char *stage = dw_json_str(d, "stage"), *updated = dw_json_str(d, "updated_at");
        dw_time_t t;
        int64_t id = dw_json_int(d, "id", 0);
        bool closed = strcmp(stage, "ordered") == 0 || strcmp(stage, "lost") == 0 ||
                      strcmp(stage, "disqualified") == 0 || strcmp(stage, "needs_info") == 0;
        if (!closed || !updated || dw_time_parse(updated, &t) < 0 || t > cutoff)
            continue;
        json_t *mark = NULL;
        r = e->store->ops->doc_get(e->store, id, "privacy", &mark, err);
        json_decref(mark);
        if (r == 0)
            continue; /* already redacted */
        if (r != -DW_ENOENT)
            return r;
        json_array_append_new(due, json_pack("{s:o,s:s,s:s}", "deal", id_json('D', id), "stage",
                                             stage, "updated_at", updated));
    }
    if (!dry_run && json_array_size(due)) {
        /* The model-call journal first: it lives apart from the state (its own commits),
         * and a deal once marked redacted is not visited again, so purging it after the
         * transaction could be skipped for good by a crash in between. Purging it twice
         * does no harm. */
        json_array_foreach(due, i, d) {
            int64_t id, n = 0;
            dw_id_parse('D', dw_json_str(d, "deal"), &id);
            if (e->store->ops->mcalls_purge &&
                (r = e->store->ops->mcalls_purge(e->store, id, &n, err)) < 0)
                return r;
            if (n)
                json_object_set_new(d, "model_calls", json_integer(n));
        }
        if ((r = dw__txn_begin(e, err)) < 0)
            return r;
        json_array_foreach(due, i, d) {
            int64_t id;
            dw_id_parse('D', dw_json_str(d, "deal"), &id);
            if ((r = purge_deal(e, id, now, days, err)) < 0)
                break;
        }
        if ((r = dw__txn_end(e, r, err)) < 0)
            return r;
    }
    *ret = json_pack("{s:i,s:b,s:O}", "retention_days", days, "dry_run", dry_run, "deals", due);
    return *ret ? 0 : -DW_ENOMEM;
}
