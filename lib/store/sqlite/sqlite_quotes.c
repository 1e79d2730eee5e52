/* store/sqlite/quotes — quote revisions, approvals and orders for the SQLite backend.
 *
 * A quote revision is immutable once written: a new price is a new revision (previous + 1,
 * computed inside the transaction, so two writers cannot take the same number — and
 * UNIQUE (deal_id, revision) would stop them if they did). Money stays int64 minor units
 * from the caller's JSON to INTEGER columns and back; nothing passes through a double.
 * Keys the caller adds beyond the documented ones are kept in an `extra` JSON column and
 * returned as given, so the pricing engine can grow without a migration.
 *
 * Approvals are bound to a quote hash; approvals_void_stale() is the one place that voids
 * them when the quote changes. Deciding is a compare-and-set on status = 'pending', so two
 * approvers racing cannot both win.
 */
#include <stdio.h>
#include <string.h>

#include "sqlite_internal.h"
#include "store/record.h"

/* ---- quotes ------------------------------------------------------------------------ */

static const char *const quote_keys[] = {"currency", "digits", "subtotal", "discount", "total",
                                         "discount_bp", "term_months", "hash", "ws_hash", "lines",
                                         /* assigned by the store; ignored on input */
                                         "id", "deal_id", "revision", "created_at", NULL};

static int insert_line(struct dw_sqlite *q, int64_t quote_id, size_t i, const json_t *line,
                       struct dw_error *err) {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    _cleanup_json_ json_t *extra = NULL;
    struct dw__store_quote_line l;
    int rc = SQLITE_OK, r;

    if ((r = dw__store_quote_line_input(i, line, &l, &extra, err)) < 0)
        return r;
    r = dw__sq_stmt(q, DW__SQ_QUOTE_LINE_INSERT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, quote_id, &rc);
    dw__sq_bind_int(st, 2, (int64_t)i + 1, &rc);
    dw__sq_bind_text(st, 3, l.sku, &rc);
    dw__sq_bind_text(st, 4, l.name, &rc);
    dw__sq_bind_int(st, 5, l.quantity, &rc);
    dw__sq_bind_int(st, 6, l.unit_price, &rc);
    dw__sq_bind_int(st, 7, l.amount, &rc);
    dw__sq_bind_int(st, 8, l.discount, &rc);
    dw__sq_bind_int(st, 9, l.net, &rc);
    dw__sq_bind_text(st, 10, l.billing, &rc);
    if (l.has_term)
        dw__sq_bind_int(st, 11, l.term, &rc);
    dw__sq_bind_json(st, 12, extra, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "quote_insert");
    return dw__sq_exec(q, st, err, "quote_insert (line)");
}

static int next_revision(struct dw_sqlite *q, int64_t deal_id, int64_t *ret, struct dw_error *err) {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_QUOTE_NEXT_REVISION, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "quote_insert");
    r = dw__sq_step(q, st, err, "quote_insert (revision)");
    if (r < 0)
        return r;
    *ret = sqlite3_column_int64(st, 0);
    return 0;
}

static int insert_quote(struct dw_sqlite *q, int64_t deal_id, const struct dw__store_quote *f,
                        const json_t *extra, int64_t *ret_revision, struct dw_error *err) {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int64_t revision = 0;
    int rc = SQLITE_OK;
    int r = next_revision(q, deal_id, &revision, err);
    if (r < 0)
        return r;
    r = dw__sq_stmt(q, DW__SQ_QUOTE_INSERT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    dw__sq_bind_int(st, 2, revision, &rc);
    dw__sq_bind_text(st, 3, f->hash, &rc);
    dw__sq_bind_text(st, 4, f->currency, &rc);
    dw__sq_bind_int(st, 5, f->digits, &rc);
    dw__sq_bind_int(st, 6, f->subtotal, &rc);
    dw__sq_bind_int(st, 7, f->discount, &rc);
    dw__sq_bind_int(st, 8, f->total, &rc);
    dw__sq_bind_int(st, 9, f->discount_bp, &rc);
    dw__sq_bind_int(st, 10, f->term_months, &rc);
    dw__sq_bind_text(st, 11, f->ws_hash, &rc);
    dw__sq_bind_json(st, 12, extra, &rc);
    dw__sq_bind_time(st, 13, dw_store_now(&q->base), &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "quote_insert");
    r = dw__sq_exec(q, st, err, "quote_insert");
    if (r < 0)
        return r;
    *ret_revision = revision;
    return 0;
}

int dw__sq_quote_insert(struct dw_store *s, int64_t deal_id, const json_t *quote, int *ret_revision,
                        struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_json_ json_t *extra = NULL;
    struct dw__store_quote f = {0};
    int64_t revision = 0, quote_id;
    enum dw__sq_tx mode;
    int r = dw__store_quote_input(quote, &f, err);
    if (r < 0)
        return r;
    r = dw__store_extra_keys(quote, quote_keys, &extra, err);
    if (r < 0)
        return r;
    dw__sq_cache_quote_drop(q); /* a new latest revision */
    /* The revision number, the quote and its lines go in together or not at all. */
    r = dw__sq_tx_enter(q, true, &mode, err);
    if (r < 0)
        return r;
    r = insert_quote(q, deal_id, &f, extra, &revision, err);
    quote_id = sqlite3_last_insert_rowid(q->db);
    for (size_t i = 0; r == 0 && i < json_array_size(f.lines); i++)
        r = insert_line(q, quote_id, i, json_array_get(f.lines, i), err);
    r = dw__sq_tx_leave(q, mode, r, err);
    if (r < 0)
        return r;
    *ret_revision = (int)revision;
    return 0;
}

static int quote_lines(struct dw_sqlite *q, int64_t quote_id, json_t **ret, struct dw_error *err) {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_QUOTE_LINES, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, quote_id, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "quote_get");
    return dw__sq_rows(q, st, ret, err, "quote_get (lines)");
}

static int quote_head(struct dw_sqlite *q, int64_t deal_id, int revision, json_t **ret,
                      struct dw_error *err) {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, revision > 0 ? DW__SQ_QUOTE_GET_REVISION : DW__SQ_QUOTE_GET_LATEST, &st,
                        err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    if (revision > 0)
        dw__sq_bind_int(st, 2, revision, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "quote_get");
    r = dw__sq_step(q, st, err, "quote_get");
    if (r < 0)
        return r;
    if (r == 0)
        return revision > 0
                   ? dw_error_set(err, -DW_ENOENT, "deal %lld has no quote revision %d",
                                  (long long)deal_id, revision)
                   : dw_error_set(err, -DW_ENOENT, "deal %lld has no quote", (long long)deal_id);
    return dw__sq_row(st, ret, err);
}

static int quote_read(struct dw_store *s, int64_t deal_id, int revision, bool shared, json_t **ret,
                      struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_json_ json_t *quote = NULL;
    json_t *lines = NULL;
    if (revision < 0)
        return dw_error_field(err, -DW_EINVAL, "revision", "must be 0 (latest) or positive");
    if (revision == 0 && shared) {
        const json_t *peeked = NULL;
        if (dw__sq_cache_quote_peek(q, deal_id, &peeked) == DW__SQ_CACHE_HIT) {
            *ret = (json_t *)peeked;
            return 0;
        }
    } else if (revision == 0 && dw__sq_cache_quote_get(q, deal_id, ret) == DW__SQ_CACHE_HIT) {
        return 0;
    }
    int r = quote_head(q, deal_id, revision, &quote, err);
    if (r < 0)
        return r;
    r = quote_lines(q, dw_json_int(quote, "id", 0), &lines, err);
    if (r < 0)
        return r;
    if (json_object_set_new(quote, "lines", lines) < 0)
        return dw__store_oom(err);
    if (revision == 0 && shared)
        dw__sq_cache_quote_adopt(q, deal_id, quote);
    else if (revision == 0)
        dw__sq_cache_quote_set(q, deal_id, quote);
    *ret = DW_TAKE_PTR(quote);
    return 0;
}

int dw__sq_quote_get(struct dw_store *s, int64_t deal_id, int revision, json_t **ret,
                     struct dw_error *err) {
    return quote_read(s, deal_id, revision, false, ret, err);
}

int dw__sq_quote_peek(struct dw_store *s, int64_t deal_id, int revision, const json_t **ret,
                      struct dw_error *err) {
    json_t *quote = NULL;
    int r = quote_read(s, deal_id, revision, true, &quote, err);
    if (r == 0)
        *ret = quote;
    return r;
}

int dw__sq_quotes_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret,
                           struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_QUOTES_FOR_DEAL, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "quotes_for_deal");
    return dw__sq_rows(q, st, ret, err, "quotes_for_deal");
}

/* ---- approvals --------------------------------------------------------------------- */

int dw__sq_approval_insert(struct dw_store *s, int64_t deal_id, const json_t *a, dw_time_t now,
                           int64_t *ret_id, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    struct dw__store_approval f;
    int r = dw__store_approval_input(a, &f, err);
    if (r < 0)
        return r;
    dw__sq_cache_approvals_drop(q);
    r = dw__sq_stmt(q, DW__SQ_APPROVAL_INSERT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    dw__sq_bind_text(st, 2, f.kind, &rc);
    dw__sq_bind_text(st, 3, f.role, &rc);
    dw__sq_bind_text(st, 4, f.reason ? f.reason : "", &rc);
    dw__sq_bind_text(st, 5, f.rule, &rc);
    if (f.has_revision)
        dw__sq_bind_int(st, 6, f.revision, &rc);
    dw__sq_bind_text(st, 7, f.quote_hash, &rc);
    dw__sq_bind_time(st, 8, now, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "approval_insert");
    r = dw__sq_exec(q, st, err, "approval_insert");
    if (r < 0)
        return r;
    *ret_id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

static int approvals_by(struct dw_sqlite *q, enum dw__sq_id id, int64_t key, bool keyed,
                        json_t **ret, struct dw_error *err, const char *what) {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, id, &st, err);
    if (r < 0)
        return r;
    if (keyed)
        dw__sq_bind_int(st, 1, key, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, what);
    return dw__sq_rows(q, st, ret, err, what);
}

int dw__sq_approval_get(struct dw_store *s, int64_t id, json_t **ret, struct dw_error *err) {
    _cleanup_json_ json_t *rows = NULL;
    int r = approvals_by(dw__sq(s), DW__SQ_APPROVAL_GET, id, true, &rows, err, "approval_get");
    if (r < 0)
        return r;
    if (json_array_size(rows) == 0)
        return dw_error_set(err, -DW_ENOENT, "no approval %lld", (long long)id);
    *ret = json_incref(json_array_get(rows, 0));
    return 0;
}

/* From the read cache of the write transaction when it has them (every step asks, for the
 * deal's effective facts); every writer of approvals below drops them. */
int dw__sq_approvals_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret,
                              struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    if (dw__sq_cache_approvals_get(q, deal_id, ret) == DW__SQ_CACHE_HIT)
        return 0;
    int r =
        approvals_by(q, DW__SQ_APPROVALS_FOR_DEAL, deal_id, true, ret, err, "approvals_for_deal");
    if (r == 0)
        dw__sq_cache_approvals_set(q, deal_id, *ret);
    return r;
}

int dw__sq_approvals_pending(struct dw_store *s, int64_t after_id, int limit, json_t **ret,
                             struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_APPROVALS_PENDING, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, after_id, &rc);
    dw__sq_bind_int(st, 2, limit > 0 ? limit : -1, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "approvals_pending");
    return dw__sq_rows(q, st, ret, err, "approvals_pending");
}

/* Why a decide changed nothing: the approval is missing or no longer pending. */
static int decide_failed(struct dw_sqlite *q, int64_t id, struct dw_error *err) {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_APPROVAL_EXISTS, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, id, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "approval_decide");
    r = dw__sq_step(q, st, err, "approval_decide");
    if (r < 0)
        return r;
    if (r == 0)
        return dw_error_set(err, -DW_ENOENT, "no approval %lld", (long long)id);
    return dw_error_set(err, -DW_ESTATE, "approval %lld is %s, not pending", (long long)id,
                        (const char *)sqlite3_column_text(st, 0));
}

int dw__sq_approval_decide(struct dw_store *s, int64_t id, const char *status, const char *user,
                           const char *note, dw_time_t now, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    if (!status || (strcmp(status, "approved") != 0 && strcmp(status, "rejected") != 0 &&
                    strcmp(status, "void") != 0))
        return dw_error_field(err, -DW_EINVAL, "status",
                              "a decision is approved, rejected or void, not '%s'",
                              status ? status : "");
    dw__sq_cache_approvals_drop(q);
    int r = dw__sq_stmt(q, DW__SQ_APPROVAL_DECIDE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, id, &rc);
    dw__sq_bind_text(st, 2, status, &rc);
    dw__sq_bind_text(st, 3, user, &rc);
    dw__sq_bind_text(st, 4, note, &rc);
    dw__sq_bind_time(st, 5, now, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "approval_decide");
    r = dw__sq_exec(q, st, err, "approval_decide");
    if (r < 0)
        return r;
    return sqlite3_changes(q->db) == 0 ? decide_failed(q, id, err) : 0;
}

int dw__sq_approval_redact(struct dw_store *s, int64_t id, const char *reason, const char *note,
                           struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    if (!reason)
        return dw_error_field(err, -DW_EINVAL, "reason", "a redacted approval keeps a reason");
    dw__sq_cache_approvals_drop(q);
    int r = dw__sq_stmt(q, DW__SQ_APPROVAL_REDACT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, id, &rc);
    dw__sq_bind_text(st, 2, reason, &rc);
    dw__sq_bind_text(st, 3, note, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "approval_redact");
    if ((r = dw__sq_exec(q, st, err, "approval_redact")) < 0)
        return r;
    if (sqlite3_changes(q->db) == 0)
        return dw_error_set(err, -DW_ENOENT, "no approval %lld", (long long)id);
    return 0;
}

int dw__sq_approvals_void_stale(struct dw_store *s, int64_t deal_id, const char *keep_hash,
                                dw_time_t now, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    dw__sq_cache_approvals_drop(q);
    int r = dw__sq_stmt(q, DW__SQ_APPROVALS_VOID_STALE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    dw__sq_bind_text(st, 2, keep_hash, &rc);
    dw__sq_bind_time(st, 3, now, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "approvals_void_stale");
    r = dw__sq_exec(q, st, err, "approvals_void_stale");
    return r < 0 ? r : sqlite3_changes(q->db);
}

/* ---- orders ------------------------------------------------------------------------ */

int dw__sq_order_insert(struct dw_store *s, int64_t deal_id, const json_t *order, dw_time_t now,
                        int64_t *ret_id, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    _cleanup_json_ json_t *extra = NULL;
    int rc = SQLITE_OK;
    struct dw__store_order f;
    int r = dw__store_order_input(order, &f, &extra, err);
    if (r < 0)
        return r;
    r = dw__sq_stmt(q, DW__SQ_ORDER_INSERT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    dw__sq_bind_int(st, 2, f.revision, &rc);
    dw__sq_bind_text(st, 3, f.quote_hash, &rc);
    dw__sq_bind_text(st, 4, f.currency, &rc);
    dw__sq_bind_int(st, 5, f.digits, &rc);
    dw__sq_bind_int(st, 6, f.total, &rc);
    dw__sq_bind_text(st, 7, f.accepted_by, &rc);
    dw__sq_bind_json(st, 8, f.lines, &rc);
    dw__sq_bind_json(st, 9, extra, &rc);
    dw__sq_bind_time(st, 10, now, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "order_insert");
    r = dw__sq_exec(q, st, err, "order_insert");
    if (r < 0)
        return r;
    if (sqlite3_changes(q->db) == 0)
        return dw_error_set(err, -DW_EEXIST, "deal %lld already has an order", (long long)deal_id);
    *ret_id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

int dw__sq_order_get(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_ORDER_GET, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "order_get");
    r = dw__sq_step(q, st, err, "order_get");
    if (r < 0)
        return r;
    if (r == 0)
        return dw_error_set(err, -DW_ENOENT, "deal %lld has no order", (long long)deal_id);
    return dw__sq_row(st, ret, err);
}

int dw__sq_order_redact(struct dw_store *s, int64_t deal_id, const char *with,
                        struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_ORDER_REDACT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    dw__sq_bind_text(st, 2, with, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "order_redact");
    if ((r = dw__sq_exec(q, st, err, "order_redact")) < 0)
        return r;
    if (sqlite3_changes(q->db) == 0)
        return dw_error_set(err, -DW_ENOENT, "deal %lld has no order", (long long)deal_id);
    return 0;
}

int dw__sq_approvals_by_status(struct dw_store *s, const char *status, int64_t after_id, int limit,
                               json_t **ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_APPROVALS_BY_STATUS, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, after_id, &rc);
    dw__sq_bind_int(st, 2, limit > 0 ? limit : -1, &rc);
    if (rc == SQLITE_OK && status)
        rc = sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "approvals_by_status");
    return dw__sq_rows(q, st, ret, err, "approvals_by_status");
}
