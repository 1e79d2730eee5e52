/* store/sqlite — webhook subscriptions and their deliveries (webhooks, webhook_deliveries),
 * demo slot holds (slot_holds) and the reports' aggregate reads: the typed hooks of
 * store.h, each one cached statement. */
#include <string.h>

#include "sqlite_internal.h"

/* Run a statement whose parameters are bound: its rows into *ret when ret is given, else
 * executed; *ret_changes (when given) the rows it changed. */
static int run(struct dw_sqlite *q, sqlite3_stmt *st, int rc, json_t **ret, int64_t *ret_changes,
               struct dw_error *err, const char *what) {
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, what);
    if (ret)
        return dw__sq_rows(q, st, ret, err, what);
    int r = dw__sq_exec(q, st, err, what);
    if (r == 0 && ret_changes)
        *ret_changes = sqlite3_changes(q->db);
    return r;
}

/* A statement without parameters that reads rows. */
static int rows(struct dw_store *s, enum dw__sq_id id, json_t **ret, struct dw_error *err,
                const char *what) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int r = dw__sq_stmt(q, id, &st, err);
    return r < 0 ? r : run(q, st, SQLITE_OK, ret, NULL, err, what);
}

int dw__sq_webhook_insert(struct dw_store *s, const char *url, const char *events,
                          const char *secret, dw_time_t now, int64_t *ret_id,
                          struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_HOOK_INSERT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_text(st, 1, url, &rc);
    dw__sq_bind_text(st, 2, events, &rc);
    dw__sq_bind_text(st, 3, secret, &rc);
    dw__sq_bind_time(st, 4, now, &rc);
    if ((r = run(q, st, rc, NULL, NULL, err, "webhooks")) < 0)
        return r;
    *ret_id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

int dw__sq_webhooks_list(struct dw_store *s, json_t **ret, struct dw_error *err) {
    return rows(s, DW__SQ_HOOKS_LIST, ret, err, "webhooks");
}

int dw__sq_webhook_remove(struct dw_store *s, int64_t id, dw_time_t now, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int64_t changes = 0;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_HOOK_REMOVE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, id, &rc);
    dw__sq_bind_time(st, 2, now, &rc);
    if ((r = run(q, st, rc, NULL, &changes, err, "webhooks")) < 0)
        return r;
    return changes ? 0 : dw_error_set(err, -DW_ENOENT, "no webhook %lld", (long long)id);
}

int dw__sq_webhook_advance(struct dw_store *s, int64_t id, int64_t seq, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_HOOK_ADVANCE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, id, &rc);
    dw__sq_bind_int(st, 2, seq, &rc);
    return run(q, st, rc, NULL, NULL, err, "webhooks");
}

int dw__sq_delivery_insert(struct dw_store *s, int64_t webhook_id, int64_t seq, const char *type,
                           const char *body, int64_t next_at_ms, dw_time_t now,
                           struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_DELIVERY_INSERT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, webhook_id, &rc);
    dw__sq_bind_int(st, 2, seq, &rc);
    dw__sq_bind_text(st, 3, type, &rc);
    dw__sq_bind_text(st, 4, body, &rc);
    dw__sq_bind_int(st, 5, next_at_ms, &rc);
    dw__sq_bind_time(st, 6, now, &rc);
    return run(q, st, rc, NULL, NULL, err, "webhook deliveries");
}

int dw__sq_deliveries_due(struct dw_store *s, int64_t now_ms, int max, json_t **ret,
                          struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_DELIVERIES_DUE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, now_ms, &rc);
    dw__sq_bind_int(st, 2, max, &rc);
    return run(q, st, rc, ret, NULL, err, "webhook deliveries");
}

int dw__sq_delivery_update(struct dw_store *s, const struct dw_delivery_update *u,
                           struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_DELIVERY_UPDATE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, u->id, &rc);
    dw__sq_bind_text(st, 2, u->status, &rc);
    dw__sq_bind_int(st, 3, u->attempts, &rc);
    dw__sq_bind_int(st, 4, u->next_at_ms, &rc);
    dw__sq_bind_id(st, 5, u->last_status, &rc); /* 0: no response, NULL */
    dw__sq_bind_text(st, 6, u->last_error && *u->last_error ? u->last_error : NULL, &rc);
    return run(q, st, rc, NULL, NULL, err, "webhook deliveries");
}

int dw__sq_deliveries_list(struct dw_store *s, const char *status, int64_t after_id, int max,
                           json_t **ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_DELIVERIES_LIST, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_text(st, 1, status, &rc);
    dw__sq_bind_int(st, 2, max, &rc);
    dw__sq_bind_int(st, 3, after_id, &rc);
    return run(q, st, rc, ret, NULL, err, "webhook deliveries");
}

int dw__sq_delivery_replay(struct dw_store *s, int64_t id, int64_t now_ms, int64_t *ret_n,
                           struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_DELIVERY_REPLAY, &st, err);
    *ret_n = 0;
    if (r < 0)
        return r;
    dw__sq_bind_id(st, 1, id, &rc); /* 0: every dead one */
    dw__sq_bind_int(st, 2, now_ms, &rc);
    return run(q, st, rc, NULL, ret_n, err, "webhook deliveries");
}

int dw__sq_delivery_counts(struct dw_store *s, json_t **ret, struct dw_error *err) {
    return rows(s, DW__SQ_DELIVERY_COUNTS, ret, err, "webhook deliveries");
}

int dw__sq_slots_held(struct dw_store *s, int64_t deal_id, dw_time_t now, json_t **ret,
                      struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    if (q->cache.on) /* inside a write transaction: from the holds read once in it */
        return dw__sq_slots_held_cached(q, deal_id, now, ret, err);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_SLOTS_HELD, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    dw__sq_bind_int(st, 2, now, &rc);
    return run(q, st, rc, ret, NULL, err, "slot holds");
}

int dw__sq_slots_free(struct dw_store *s, int64_t deal_id, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_SLOTS_FREE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    int64_t changes = 0;
    if ((r = run(q, st, rc, NULL, &changes, err, "slot holds")) == 0 && changes > 0)
        dw__sq_holds_reset(q); /* read again at the next question */
    return r;
}

int dw__sq_slot_hold(struct dw_store *s, int64_t deal_id, const char *user, dw_time_t start,
                     dw_time_t expires, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_SLOT_HOLD, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    dw__sq_bind_text(st, 2, user, &rc);
    dw__sq_bind_int(st, 3, start, &rc);
    dw__sq_bind_int(st, 4, expires, &rc);
    int64_t changes = 0;
    if ((r = run(q, st, rc, NULL, &changes, err, "slot holds")) == 0 && changes > 0)
        dw__sq_holds_reset(q); /* read again at the next question */
    return r;
}

int dw__sq_report_reached(struct dw_store *s, json_t **ret, struct dw_error *err) {
    return rows(s, DW__SQ_REPORT_REACHED, ret, err, "reports");
}

int dw__sq_report_stays(struct dw_store *s, json_t **ret, struct dw_error *err) {
    return rows(s, DW__SQ_REPORT_STAYS, ret, err, "reports");
}

int dw__sq_report_time_to(struct dw_store *s, const char *stage, json_t **ret,
                          struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_REPORT_TIME_TO, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_text(st, 1, stage, &rc);
    return run(q, st, rc, ret, NULL, err, "reports");
}

int dw__sq_report_approvals(struct dw_store *s, json_t **ret, struct dw_error *err) {
    return rows(s, DW__SQ_REPORT_APPROVALS, ret, err, "reports");
}
