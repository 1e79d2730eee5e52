/* store/sqlite — the event outbox's publisher (outbox_cursors, migration 11): the cursor
 * each publisher keeps of the events it has handed to NATS JetStream, and a delivery read by
 * its event for the shared webhook consumer and the claim that makes one instance post it
 * (lib/control/events.c). The publisher's lease
 * is the write transaction itself: BEGIN IMMEDIATE lets one writer in at a time. */
#include "sqlite_internal.h"

int dw__sq_outbox_lock(struct dw_store *s, const char *name, struct dw_error *err) {
    (void)name;
    if (!dw__sq(s)->in_tx)
        return dw_error_set(err, -DW_ESTATE, "outbox_lock needs an open write transaction");
    return 0; /* BEGIN IMMEDIATE holds the database's write lock until the transaction ends */
}

int dw__sq_outbox_cursor_get(struct dw_store *s, const char *name, int64_t *ret,
                             struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_OUTBOX_CURSOR_GET, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_text(st, 1, name, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "outbox cursor");
    if ((r = dw__sq_step(q, st, err, "outbox cursor")) < 0)
        return r;
    *ret = r ? sqlite3_column_int64(st, 0) : 0;
    return 0;
}

int dw__sq_outbox_cursor_advance(struct dw_store *s, const char *name, int64_t seq, dw_time_t now,
                                 struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_OUTBOX_CURSOR_ADVANCE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_text(st, 1, name, &rc);
    dw__sq_bind_int(st, 2, seq, &rc);
    dw__sq_bind_time(st, 3, now, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "outbox cursor");
    return dw__sq_exec(q, st, err, "outbox cursor");
}

int dw__sq_delivery_for_event(struct dw_store *s, int64_t webhook_id, int64_t seq, json_t **ret,
                              struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_DELIVERY_FOR_EVENT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, webhook_id, &rc);
    dw__sq_bind_int(st, 2, seq, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "webhook_deliveries");
    if ((r = dw__sq_step(q, st, err, "webhook_deliveries")) < 0)
        return r;
    if (r == 0)
        return dw_error_set(err, -DW_ENOENT, "no delivery of event %lld to webhook %lld",
                            (long long)seq, (long long)webhook_id);
    return dw__sq_row(st, ret, err);
}

int dw__sq_delivery_claim(struct dw_store *s, int64_t id, int64_t attempts, int64_t now_ms,
                          int64_t until_ms, bool *ret_claimed, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_DELIVERY_CLAIM, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, id, &rc);
    dw__sq_bind_int(st, 2, attempts, &rc);
    dw__sq_bind_int(st, 3, now_ms, &rc);
    dw__sq_bind_int(st, 4, until_ms, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "webhook_deliveries");
    if ((r = dw__sq_exec(q, st, err, "webhook_deliveries")) < 0)
        return r;
    *ret_claimed = sqlite3_changes(q->db) > 0;
    return 0;
}
