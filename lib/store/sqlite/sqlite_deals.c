/* store/sqlite/deals — leads, accounts, contacts, deals, per-deal documents, listings and
 * stats for the SQLite backend.
 *
 * Lead intake is idempotent through UNIQUE (source, external_id) with ON CONFLICT DO
 * NOTHING: a repeated lead changes no row and is answered with the first lead's id, and the
 * failed insert does not abort the caller's transaction the way a constraint error would
 * in other engines. E-mail addresses and domains are stored lower-case so that the lookups
 * are plain index probes.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"
#include "store/record.h"

/* ---- leads ------------------------------------------------------------------------- */

int dw__sq_lead_find(struct dw_store *s, const char *source, const char *external_id,
                     int64_t *ret_lead_id, int64_t *ret_deal_id, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_LEAD_FIND, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_text(st, 1, source, &rc);
    dw__sq_bind_text(st, 2, external_id, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "lead_find");
    r = dw__sq_step(q, st, err, "lead_find");
    if (r < 0)
        return r;
    if (r == 0)
        return dw_error_set(err, -DW_ENOENT, "no lead %s/%s", source ? source : "",
                            external_id ? external_id : "");
    if (ret_lead_id)
        *ret_lead_id = sqlite3_column_int64(st, 0);
    if (ret_deal_id)
        *ret_deal_id = sqlite3_column_int64(st, 1);
    return 0;
}

int dw__sq_lead_insert(struct dw_store *s, const json_t *rec, int64_t deal_id, int64_t *ret_lead_id,
                       struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    struct dw__store_lead f;
    bool nomem = false;
    int rc = SQLITE_OK, r;

    r = dw__store_lead_input(rec, &f, err);
    if (r < 0)
        return r;
    _cleanup_free_ char *email = dw__store_lower_or_null(dw_json_str(f.contact, "email"), &nomem);
    if (nomem)
        return dw__store_oom(err);
    r = dw__sq_stmt(q, DW__SQ_LEAD_INSERT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_id(st, 1, deal_id, &rc);
    dw__sq_bind_text(st, 2, f.source, &rc);
    dw__sq_bind_text(st, 3, f.external_id, &rc);
    if (f.has_received_at)
        dw__sq_bind_time(st, 4, f.received_at, &rc);
    dw__sq_bind_text(st, 5, email, &rc);
    dw__sq_bind_json(st, 6, f.contact, &rc);
    dw__sq_bind_text(st, 7, f.subject, &rc);
    dw__sq_bind_text(st, 8, f.message, &rc);
    dw__sq_bind_json(st, 9, f.transcript, &rc);
    dw__sq_bind_json(st, 10, f.raw, &rc);
    dw__sq_bind_id(st, 11, f.duplicate_of, &rc);
    dw__sq_bind_time(st, 12, dw_store_now(s), &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "lead_insert");
    dw__sq_cache_leads_drop(q);
    r = dw__sq_exec(q, st, err, "lead_insert");
    if (r < 0)
        return r;
    if (sqlite3_changes(q->db) == 0) {
        int64_t existing = 0;
        r = dw__sq_lead_find(s, f.source, f.external_id, &existing, NULL, err);
        if (r < 0)
            return r;
        if (ret_lead_id)
            *ret_lead_id = existing;
        return dw_error_set(err, -DW_EEXIST, "lead %s/%s already exists", f.source, f.external_id);
    }
    if (ret_lead_id)
        *ret_lead_id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

/* One row by a single integer key, as an object; ENOENT names `what`. */
static int get_one(struct dw_sqlite *q, enum dw__sq_id id, int64_t key, const char *what,
                   json_t **ret, struct dw_error *err) {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, id, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, key, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, what);
    r = dw__sq_step(q, st, err, what);
    if (r < 0)
        return r;
    if (r == 0)
        return dw_error_set(err, -DW_ENOENT, "no %s %lld", what, (long long)key);
    return dw__sq_row(st, ret, err);
}

/* All rows for a single integer key, as an array. */
static int get_all(struct dw_sqlite *q, enum dw__sq_id id, int64_t key, const char *what,
                   json_t **ret, struct dw_error *err) {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, id, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, key, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, what);
    return dw__sq_rows(q, st, ret, err, what);
}

/* Run an UPDATE/DELETE already bound; ENOENT when it changed no row. */
static int exec_changed(struct dw_sqlite *q, sqlite3_stmt *st, const char *what, int64_t key,
                        struct dw_error *err) {
    int r = dw__sq_exec(q, st, err, what);
    if (r < 0)
        return r;
    if (sqlite3_changes(q->db) == 0)
        return dw_error_set(err, -DW_ENOENT, "%s: no row %lld", what, (long long)key);
    return 0;
}

int dw__sq_lead_get(struct dw_store *s, int64_t lead_id, json_t **ret, struct dw_error *err) {
    return get_one(dw__sq(s), DW__SQ_LEAD_GET, lead_id, "lead", ret, err);
}

int dw__sq_leads_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    if (dw__sq_cache_leads_get(q, deal_id, ret) == DW__SQ_CACHE_HIT)
        return 0;
    int r = get_all(q, DW__SQ_LEADS_FOR_DEAL, deal_id, "leads_for_deal", ret, err);
    if (r >= 0)
        dw__sq_cache_leads_set(q, deal_id, *ret);
    return r;
}

int dw__sq_leads_peek(struct dw_store *s, int64_t deal_id, const json_t **ret,
                      struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    if (dw__sq_cache_leads_peek(q, deal_id, ret) == DW__SQ_CACHE_HIT)
        return 0;
    json_t *leads = NULL;
    int r = get_all(q, DW__SQ_LEADS_FOR_DEAL, deal_id, "leads_for_deal", &leads, err);
    if (r < 0)
        return r;
    dw__sq_cache_leads_adopt(q, deal_id, leads);
    *ret = leads;
    return r;
}

int dw__sq_lead_set_intake(struct dw_store *s, int64_t lead_id, const json_t *intake,
                           struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    bool nomem = false;
    int rc = SQLITE_OK;
    int r = dw__store_require_object(intake, "intake", err);
    if (r < 0)
        return r;
    /* Intake normalises the contact; its e-mail is the one follow-ups are matched on. */
    const json_t *contact = json_object_get(intake, "contact");
    _cleanup_free_ char *email = dw__store_lower_or_null(dw_json_str(contact, "email"), &nomem);
    if (nomem)
        return dw__store_oom(err);
    r = dw__sq_stmt(q, DW__SQ_LEAD_SET_INTAKE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, lead_id, &rc);
    dw__sq_bind_json(st, 2, intake, &rc);
    dw__sq_bind_text(st, 3, email, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "lead_set_intake");
    dw__sq_cache_leads_drop(q);
    return exec_changed(q, st, "lead_set_intake", lead_id, err);
}

int dw__sq_deal_find_open_by_email(struct dw_store *s, const char *email, int64_t exclude_deal,
                                   int64_t *ret_deal_id, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    bool nomem = false;
    int rc = SQLITE_OK, r;
    _cleanup_free_ char *lower = dw__store_lower_or_null(email, &nomem);
    if (nomem)
        return dw__store_oom(err);
    if (!lower)
        return dw_error_set(err, -DW_ENOENT, "no e-mail address to match");
    r = dw__sq_stmt(q, DW__SQ_DEAL_FIND_OPEN_BY_EMAIL, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_text(st, 1, lower, &rc);
    dw__sq_bind_int(st, 2, exclude_deal, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "deal_find_open_by_email");
    r = dw__sq_step(q, st, err, "deal_find_open_by_email");
    if (r < 0)
        return r;
    if (r == 0)
        return dw_error_set(err, -DW_ENOENT, "no open deal for %s", lower);
    *ret_deal_id = sqlite3_column_int64(st, 0);
    return 0;
}

int dw__sq_lead_move(struct dw_store *s, int64_t lead_id, int64_t deal_id, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_LEAD_MOVE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, lead_id, &rc);
    dw__sq_bind_id(st, 2, deal_id, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "lead_move");
    dw__sq_cache_leads_drop(q);
    return exec_changed(q, st, "lead_move", lead_id, err);
}

int dw__sq_lead_redact(struct dw_store *s, int64_t lead_id, const json_t *raw, const json_t *intake,
                       struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__store_require_object(raw, "raw", err);
    if (r < 0)
        return r;
    r = dw__sq_stmt(q, DW__SQ_LEAD_REDACT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, lead_id, &rc);
    dw__sq_bind_json(st, 2, raw, &rc);
    dw__sq_bind_json(st, 3, intake, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "lead_redact");
    dw__sq_cache_leads_drop(q);
    return exec_changed(q, st, "lead_redact", lead_id, err);
}

int dw__sq_contact_redact(struct dw_store *s, int64_t contact_id, dw_time_t now,
                          struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_CONTACT_REDACT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, contact_id, &rc);
    dw__sq_bind_time(st, 2, now, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "contact_redact");
    return exec_changed(q, st, "contact_redact", contact_id, err);
}

/* ---- accounts and contacts --------------------------------------------------------- */

static int account_by_text(struct dw_sqlite *q, enum dw__sq_id id, const char *key, json_t **ret,
                           struct dw_error *err) {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, id, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_text(st, 1, key, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "account_find");
    r = dw__sq_step(q, st, err, "account_find");
    if (r <= 0)
        return r;
    r = dw__sq_row(st, ret, err);
    return r < 0 ? r : 1;
}

int dw__sq_account_find(struct dw_store *s, const char *domain, const char *name, json_t **ret,
                        struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    bool nomem = false;
    int r;
    _cleanup_free_ char *d = dw__store_lower_or_null(domain, &nomem);
    if (nomem)
        return dw__store_oom(err);
    if (d) {
        r = account_by_text(q, DW__SQ_ACCOUNT_FIND_DOMAIN, d, ret, err);
        if (r != 0)
            return r < 0 ? r : 0;
    }
    if (name && *name) {
        r = account_by_text(q, DW__SQ_ACCOUNT_FIND_NAME, name, ret, err);
        if (r != 0)
            return r < 0 ? r : 0;
    }
    return dw_error_set(err, -DW_ENOENT, "no account with domain '%s' or name '%s'", d ? d : "",
                        name ? name : "");
}

int dw__sq_account_insert(struct dw_store *s, const char *name, const char *domain,
                          const char *country, int64_t *ret_id, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    bool nomem = false;
    int rc = SQLITE_OK, r;

    if (!name || !*name)
        return dw_error_field(err, -DW_EINVAL, "name", "an account needs a name");
    _cleanup_free_ char *d = dw__store_lower_or_null(domain, &nomem);
    if (nomem)
        return dw__store_oom(err);
    r = dw__sq_stmt(q, DW__SQ_ACCOUNT_INSERT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_text(st, 1, name, &rc);
    dw__sq_bind_text(st, 2, d, &rc);
    dw__sq_bind_text(st, 3, country && *country ? country : NULL, &rc);
    dw__sq_bind_time(st, 4, dw_store_now(s), &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "account_insert");
    r = dw__sq_exec(q, st, err, "account_insert");
    if (r < 0)
        return r;
    if (sqlite3_changes(q->db) == 0)
        return dw_error_set(err, -DW_EEXIST, "an account with domain %s exists", d ? d : "");
    *ret_id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

int dw__sq_contact_upsert(struct dw_store *s, int64_t account_id, const json_t *contact,
                          int64_t *ret_id, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    struct dw__store_contact c;
    _cleanup_free_ char *email = NULL;
    int r = dw__store_contact_input(contact, &c, &email, err);
    if (r < 0)
        return r;
    r = dw__sq_stmt(q, DW__SQ_CONTACT_UPSERT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_id(st, 1, account_id, &rc);
    dw__sq_bind_text(st, 2, email, &rc);
    dw__sq_bind_text(st, 3, c.name, &rc);
    dw__sq_bind_text(st, 4, c.phone, &rc);
    dw__sq_bind_text(st, 5, c.title, &rc);
    dw__sq_bind_time(st, 6, dw_store_now(s), &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "contact_upsert");
    r = dw__sq_step(q, st, err, "contact_upsert");
    if (r < 0)
        return r;
    if (r == 0)
        return dw_error_set(err, -DW_EINTERNAL, "contact_upsert returned no id");
    *ret_id = sqlite3_column_int64(st, 0);
    return 0;
}

int dw__sq_account_get(struct dw_store *s, int64_t id, json_t **ret, struct dw_error *err) {
    return get_one(dw__sq(s), DW__SQ_ACCOUNT_GET, id, "account", ret, err);
}

int dw__sq_contact_get(struct dw_store *s, int64_t id, json_t **ret, struct dw_error *err) {
    return get_one(dw__sq(s), DW__SQ_CONTACT_GET, id, "contact", ret, err);
}

int dw__sq_deals_for_account(struct dw_store *s, int64_t account_id, int64_t exclude_deal,
                             json_t **ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_DEALS_FOR_ACCOUNT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, account_id, &rc);
    dw__sq_bind_int(st, 2, exclude_deal, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "deals_for_account");
    return dw__sq_rows(q, st, ret, err, "deals_for_account");
}

/* ---- deals ------------------------------------------------------------------------- */

int dw__sq_deal_insert(struct dw_store *s, dw_time_t now, int64_t *ret_id, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_DEAL_INSERT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_time(st, 1, now, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "deal_insert");
    r = dw__sq_exec(q, st, err, "deal_insert");
    if (r < 0)
        return r;
    *ret_id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

static void copy_col(sqlite3_stmt *st, int col, char *buf, size_t size) {
    const char *t = (const char *)sqlite3_column_text(st, col);
    snprintf(buf, size, "%s", t ? t : "");
}

int dw__sq_deal_get(struct dw_store *s, int64_t id, struct dw_deal_rec *ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    struct dw_deal_rec d = {0};
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_DEAL_GET, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, id, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "deal_get");
    r = dw__sq_step(q, st, err, "deal_get");
    if (r < 0)
        return r;
    if (r == 0)
        return dw_error_set(err, -DW_ENOENT, "no deal %lld", (long long)id);
    const char *stage = (const char *)sqlite3_column_text(st, 1);
    if (!stage || dw_stage_parse(stage, &d.stage) < 0)
        return dw_error_set(err, -DW_ESTORE, "deal %lld has an unknown stage '%s'", (long long)id,
                            stage ? stage : "");
    d.id = sqlite3_column_int64(st, 0);
    d.facts = (uint32_t)sqlite3_column_int64(st, 2);
    d.runnable = sqlite3_column_int(st, 3) != 0;
    d.attempts = sqlite3_column_int(st, 4);
    d.next_attempt_at = dw__sq_col_time(st, 5);
    copy_col(st, 6, d.last_error, sizeof d.last_error);
    d.parked = sqlite3_column_int(st, 7) != 0;
    d.account_id = sqlite3_column_int64(st, 8);
    d.contact_id = sqlite3_column_int64(st, 9);
    copy_col(st, 10, d.currency, sizeof d.currency);
    d.created_at = dw__sq_col_time(st, 11);
    d.updated_at = dw__sq_col_time(st, 12);
    dw__sq_cache_deal_set(q, &d);
    *ret = d;
    return 0;
}

/* The row as written, for the next update's comparison; created_at is not written by an
 * update, so it stays what was read. */
static void update_kept(struct dw_sqlite *q, const struct dw_deal_rec *rec, const char *last_error,
                        const char *currency) {
    const struct dw_deal_rec *was = dw__sq_cache_deal(q, rec->id);
    struct dw_deal_rec d = *rec;
    if (!was)
        return; /* the row was never read here: created_at unknown, keep nothing */
    d.created_at = was->created_at;
    snprintf(d.last_error, sizeof d.last_error, "%s", last_error);
    snprintf(d.currency, sizeof d.currency, "%s", currency);
    dw__sq_cache_deal_set(q, &d);
}

int dw__sq_deal_update(struct dw_store *s, const struct dw_deal_rec *rec, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    char last_error[sizeof rec->last_error], currency[sizeof rec->currency];

    if ((unsigned)rec->stage >= DW__STAGE_MAX)
        return dw_error_field(err, -DW_EINVAL, "stage", "unknown stage %d", (int)rec->stage);
    /* The arrays may lack a terminator if a caller filled them by hand. */
    snprintf(last_error, sizeof last_error, "%.*s", (int)sizeof last_error - 1, rec->last_error);
    snprintf(currency, sizeof currency, "%.*s", (int)sizeof currency - 1, rec->currency);
    /* The row as this transaction last saw it: when no indexed column changes, only the
     * others are written, and SQLite rewrites no index entry. */
    const struct dw_deal_rec *was = dw__sq_cache_deal(q, rec->id);
    if (was && was->stage == rec->stage && was->runnable == rec->runnable &&
        was->parked == rec->parked && was->next_attempt_at == rec->next_attempt_at &&
        was->account_id == rec->account_id && was->contact_id == rec->contact_id) {
        int r = dw__sq_stmt(q, DW__SQ_DEAL_UPDATE_UNINDEXED, &st, err);
        if (r < 0)
            return r;
        dw__sq_bind_int(st, 1, rec->id, &rc);
        dw__sq_bind_int(st, 2, rec->facts, &rc);
        dw__sq_bind_int(st, 3, rec->attempts, &rc);
        dw__sq_bind_text(st, 4, last_error, &rc);
        dw__sq_bind_text(st, 5, currency, &rc);
        dw__sq_bind_time(st, 6, rec->updated_at, &rc);
        if (rc != SQLITE_OK)
            return dw__sq_bind_error(rc, err, "deal_update");
        if ((r = exec_changed(q, st, "deal_update", rec->id, err)) == 0)
            update_kept(q, rec, last_error, currency);
        return r;
    }
    int r = dw__sq_stmt(q, DW__SQ_DEAL_UPDATE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, rec->id, &rc);
    dw__sq_bind_text(st, 2, dw_stage_name(rec->stage), &rc);
    dw__sq_bind_int(st, 3, rec->facts, &rc);
    dw__sq_bind_int(st, 4, rec->runnable, &rc);
    dw__sq_bind_int(st, 5, rec->attempts, &rc);
    dw__sq_bind_time(st, 6, rec->next_attempt_at, &rc);
    dw__sq_bind_text(st, 7, last_error, &rc);
    dw__sq_bind_int(st, 8, rec->parked, &rc);
    dw__sq_bind_id(st, 9, rec->account_id, &rc);
    dw__sq_bind_id(st, 10, rec->contact_id, &rc);
    dw__sq_bind_text(st, 11, currency, &rc);
    dw__sq_bind_time(st, 12, rec->updated_at, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "deal_update");
    r = exec_changed(q, st, "deal_update", rec->id, err);
    if (r == 0) { /* an ended deal's slot holds no longer count */
        dw__sq_holds_deal_stage(q, rec->id,
                                rec->stage != DW_STAGE_ORDERED && rec->stage != DW_STAGE_LOST &&
                                    rec->stage != DW_STAGE_DISQUALIFIED);
        update_kept(q, rec, last_error, currency);
    }
    return r;
}

int dw__sq_deals_due(struct dw_store *s, dw_time_t now, int64_t *ids, int max,
                     struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, n = 0, r;
    if (max <= 0)
        return 0;
    r = dw__sq_stmt(q, DW__SQ_DEALS_DUE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_time(st, 1, now, &rc);
    dw__sq_bind_int(st, 2, max, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "deals_due");
    while (n < max && (r = dw__sq_step(q, st, err, "deals_due")) > 0)
        ids[n++] = sqlite3_column_int64(st, 0);
    return r < 0 ? r : n;
}

int dw__sq_deals_list(struct dw_store *s, const char *stage, int64_t after_id, int limit,
                      json_t **ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    bool all = !stage || !*stage;
    enum dw_stage parsed;
    int rc = SQLITE_OK, r;
    if (!all && dw_stage_parse(stage, &parsed) < 0)
        return dw_error_field(err, -DW_EINVAL, "stage", "unknown stage '%s'", stage);
    r = dw__sq_stmt(q, all ? DW__SQ_DEALS_LIST_ALL : DW__SQ_DEALS_LIST_STAGE, &st, err);
    if (r < 0)
        return r;
    int k = 1;
    if (!all)
        dw__sq_bind_text(st, k++, stage, &rc);
    dw__sq_bind_int(st, k++, after_id, &rc);
    dw__sq_bind_int(st, k, limit > 0 ? limit : -1, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "deals_list");
    return dw__sq_rows(q, st, ret, err, "deals_list");
}

int dw__sq_next_due_at(struct dw_store *s, dw_time_t *ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int r = dw__sq_stmt(q, DW__SQ_NEXT_DUE_AT, &st, err);
    if (r < 0)
        return r;
    r = dw__sq_step(q, st, err, "next_due_at");
    if (r < 0)
        return r;
    *ret = r > 0 ? dw__sq_col_time(st, 0) : 0;
    return 0;
}

/* ---- documents --------------------------------------------------------------------- */

struct doc_kind {
    const char *kind;
    enum dw__sq_id put, get, del;
};

/* The frequent kinds have a table each; any other well-formed kind goes to deal_docs. */
static const struct doc_kind doc_kinds[] = {
    {"requirements", DW__SQ_DOC_PUT_REQUIREMENTS, DW__SQ_DOC_GET_REQUIREMENTS,
     DW__SQ_DOC_DEL_REQUIREMENTS},
    {"qualification", DW__SQ_DOC_PUT_QUALIFICATION, DW__SQ_DOC_GET_QUALIFICATION,
     DW__SQ_DOC_DEL_QUALIFICATION},
    {"solution", DW__SQ_DOC_PUT_SOLUTION, DW__SQ_DOC_GET_SOLUTION, DW__SQ_DOC_DEL_SOLUTION},
    {"proposal", DW__SQ_DOC_PUT_PROPOSAL, DW__SQ_DOC_GET_PROPOSAL, DW__SQ_DOC_DEL_PROPOSAL},
};
static const struct doc_kind doc_other = {NULL, DW__SQ_DOC_PUT_OTHER, DW__SQ_DOC_GET_OTHER,
                                          DW__SQ_DOC_DEL_OTHER};

static int doc_kind(const char *kind, const struct doc_kind **ret, struct dw_error *err) {
    int r = dw__store_doc_kind_input(kind, err);
    if (r < 0)
        return r;
    for (size_t i = 0; i < DW_ARRAY_SIZE(doc_kinds); i++)
        if (strcmp(doc_kinds[i].kind, kind) == 0) {
            *ret = &doc_kinds[i];
            return 0;
        }
    *ret = &doc_other;
    return 0;
}

int dw__sq_doc_put(struct dw_store *s, int64_t deal_id, const char *kind, const json_t *doc,
                   const char *ws_hash, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    const struct doc_kind *k;
    int rc = SQLITE_OK;
    int r = doc_kind(kind, &k, err);
    if (r < 0)
        return r;
    if (!doc)
        return dw_error_field(err, -DW_EINVAL, kind, "no document");
    r = dw__sq_stmt(q, k->put, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    dw__sq_bind_json(st, 2, doc, &rc);
    dw__sq_bind_text(st, 3, ws_hash, &rc);
    dw__sq_bind_time(st, 4, dw_store_now(s), &rc);
    if (k == &doc_other)
        dw__sq_bind_text(st, 5, kind, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "doc_put");
    dw__sq_cache_doc_drop(q, deal_id, kind);
    r = dw__sq_exec(q, st, err, "doc_put");
    if (r == 0)
        dw__sq_cache_doc_set(q, deal_id, kind, doc);
    return r;
}

/* Prepare the get or delete statement of a document kind with the deal (and, for kinds
 * without a table of their own, the kind) bound. */
static int doc_keyed(struct dw_sqlite *q, int64_t deal_id, const char *kind, bool del,
                     sqlite3_stmt **ret, struct dw_error *err) {
    const struct doc_kind *k;
    int rc = SQLITE_OK;
    int r = doc_kind(kind, &k, err);
    if (r < 0)
        return r;
    r = dw__sq_stmt(q, del ? k->del : k->get, ret, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(*ret, 1, deal_id, &rc);
    if (k == &doc_other)
        dw__sq_bind_text(*ret, 2, kind, &rc);
    return rc == SQLITE_OK ? 0 : dw__sq_bind_error(rc, err, del ? "doc_delete" : "doc_get");
}

/* doc_get and doc_peek: read through the cache; shared, the value read is cached as it is
 * and handed out with a reference, otherwise the caller gets a copy of its own. */
static int doc_read(struct dw_store *s, int64_t deal_id, const char *kind, bool shared,
                    json_t **ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int r = doc_keyed(q, deal_id, kind, false, &st, err);
    if (r < 0)
        return r;
    const json_t *peeked = NULL;
    switch (shared ? dw__sq_cache_doc_peek(q, deal_id, kind, &peeked)
                   : dw__sq_cache_doc_get(q, deal_id, kind, ret)) {
    case DW__SQ_CACHE_HIT:
        if (shared)
            *ret = (json_t *)peeked;
        return 0;
    case DW__SQ_CACHE_ABSENT:
        return dw_error_set(err, -DW_ENOENT, "deal %lld has no %s", (long long)deal_id, kind);
    }
    r = dw__sq_step(q, st, err, "doc_get");
    if (r < 0)
        return r;
    if (r == 0) {
        dw__sq_cache_doc_set(q, deal_id, kind, NULL);
        return dw_error_set(err, -DW_ENOENT, "deal %lld has no %s", (long long)deal_id, kind);
    }
    r = dw__sq_col_json(st, 0, ret, err);
    if (r == 0 && shared)
        dw__sq_cache_doc_adopt(q, deal_id, kind, *ret);
    else if (r == 0)
        dw__sq_cache_doc_set(q, deal_id, kind, *ret);
    return r;
}

int dw__sq_doc_get(struct dw_store *s, int64_t deal_id, const char *kind, json_t **ret,
                   struct dw_error *err) {
    return doc_read(s, deal_id, kind, false, ret, err);
}

int dw__sq_doc_peek(struct dw_store *s, int64_t deal_id, const char *kind, const json_t **ret,
                    struct dw_error *err) {
    json_t *doc = NULL;
    int r = doc_read(s, deal_id, kind, true, &doc, err);
    if (r == 0)
        *ret = doc;
    return r;
}

int dw__sq_doc_delete(struct dw_store *s, int64_t deal_id, const char *kind, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int r = doc_keyed(q, deal_id, kind, true, &st, err);
    if (r < 0)
        return r;
    dw__sq_cache_doc_drop(q, deal_id, kind);
    return dw__sq_exec(q, st, err, "doc_delete");
}

/* ---- stats ------------------------------------------------------------------------- */

static int stage_counts(struct dw_sqlite *q, json_t *stages, struct dw_error *err) {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int r = dw__sq_stmt(q, DW__SQ_STATS_STAGES, &st, err);
    if (r < 0)
        return r;
    for (int i = 0; i < DW__STAGE_MAX; i++)
        if (dw_json_set(stages, dw_stage_name((enum dw_stage)i), json_integer(0)) < 0)
            return dw__store_oom(err);
    while ((r = dw__sq_step(q, st, err, "stats")) > 0) {
        const char *stage = (const char *)sqlite3_column_text(st, 0);
        if (stage && dw_json_set(stages, stage, json_integer(sqlite3_column_int64(st, 1))) < 0)
            return dw__store_oom(err);
    }
    return r;
}

int dw__sq_stats(struct dw_store *s, json_t **ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    _cleanup_json_ json_t *out = NULL, *stages = json_object();
    int r;
    if (!stages)
        return dw__store_oom(err);
    r = stage_counts(q, stages, err);
    if (r < 0)
        return r;
    r = dw__sq_stmt(q, DW__SQ_STATS_COUNTS, &st, err);
    if (r < 0)
        return r;
    r = dw__sq_step(q, st, err, "stats");
    if (r < 0)
        return r;
    if (r == 0)
        return dw_error_set(err, -DW_EINTERNAL, "stats returned no row");
    r = dw__sq_row(st, &out, err);
    if (r < 0)
        return r;
    if (json_object_set_new(out, "stages", DW_TAKE_PTR(stages)) < 0)
        return dw__store_oom(err);
    *ret = DW_TAKE_PTR(out);
    return 0;
}
