/* store/postgres — webhook subscriptions (webhooks) and their deliveries
 * (webhook_deliveries), as sqlite_webhooks.c.
 *
 * Several processes send deliveries from one table: deliveries_due, inside a transaction,
 * locks the rows it returns (FOR UPDATE SKIP LOCKED), so another sender's deliveries_due
 * passes over them until the transaction that took them commits its delivery_update.
 * Enqueueing is idempotent per (webhook_id, event_seq) by the unique constraint. */
#include "store/postgres/pg_misc.h"

int dw__pgm_webhook_insert(struct dw_store *s, const char *url, const char *events,
                           const char *secret, dw_time_t now, int64_t *ret_id,
                           struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, url);
    dw__pg_p_text(&p, events);
    dw__pg_p_text(&p, secret);
    dw__pg_p_time(&p, now);
    PGresult *res = NULL;
    /* it starts after the newest event: the event log's head (pg_audit.c's events table),
     * with this transaction's appends written first */
    int r = dw__pg_appends_flush(dw__pg(s), false, err);
    if (r < 0) {
        dw__pg_params_free(&p);
        return r;
    }
    r = dw__pg_run(dw__pg(s), "webhooks",
                   "INSERT INTO webhooks (url, events, secret, last_seq, created_at) VALUES "
                   "($1, $2, $3, (SELECT COALESCE(MAX(seq), 0) FROM events), $4) RETURNING id",
                   &p, &res, err);
    if (r < 0)
        return r;
    *ret_id = dw__pg_int(res, 0, 0);
    PQclear(res);
    return 0;
}

int dw__pgm_webhooks_list(struct dw_store *s, json_t **ret, struct dw_error *err) {
    return dw__pg_rows_of(dw__pg(s), false, "webhooks",
                          "SELECT id, url, events, secret, last_seq, created_at FROM webhooks "
                          "WHERE removed_at IS NULL ORDER BY id",
                          NULL, ret, err);
}

int dw__pgm_webhook_remove(struct dw_store *s, int64_t id, dw_time_t now, struct dw_error *err) {
    struct dw_pg_params p = {0};
    int64_t changes = 0;
    dw__pg_p_int(&p, id);
    dw__pg_p_time(&p, now);
    int r = dw__pg_exec_count(
        dw__pg(s), false, "webhooks",
        "UPDATE webhooks SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL", &p, &changes,
        err);
    if (r == 0 && changes == 0)
        r = dw_error_set(err, -DW_ENOENT, "no webhook %lld", (long long)id);
    return r;
}

int dw__pgm_webhook_advance(struct dw_store *s, int64_t id, int64_t seq, struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, id);
    dw__pg_p_int(&p, seq);
    /* never back: the row's lock orders two advancing writers, the larger seq stays */
    return dw__pg_exec_count(dw__pg(s), false, "webhooks",
                             "UPDATE webhooks SET last_seq = $2 WHERE id = $1 AND last_seq < $2",
                             &p, NULL, err);
}

int dw__pgm_delivery_insert(struct dw_store *s, int64_t webhook_id, int64_t seq, const char *type,
                            const char *body, int64_t next_at_ms, dw_time_t now,
                            struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, webhook_id);
    dw__pg_p_int(&p, seq);
    dw__pg_p_text(&p, type);
    dw__pg_p_text(&p, body);
    dw__pg_p_int(&p, next_at_ms);
    dw__pg_p_time(&p, now);
    return dw__pg_exec_count(
        dw__pg(s), false, "webhook deliveries",
        "INSERT INTO webhook_deliveries (webhook_id, event_seq, event_type, body, "
        "status, attempts, next_at, created_at) VALUES "
        "($1, $2, $3, $4, 'pending', 0, $5, $6) "
        "ON CONFLICT (webhook_id, event_seq) DO NOTHING",
        &p, NULL, err);
}

#define DW__PGM_DUE                                                                                \
    "SELECT d.id, d.webhook_id, d.event_seq, d.event_type, d.body, d.attempts, w.url, w.secret "   \
    "FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "                            \
    "WHERE d.status = 'pending' AND d.next_at <= $1 AND w.removed_at IS NULL "                     \
    "ORDER BY d.id LIMIT $2"

int dw__pgm_deliveries_due(struct dw_store *s, int64_t now_ms, int max, json_t **ret,
                           struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, now_ms);
    dw__pgm_p_limit(&p, max);
    /* In a write transaction the rows are the caller's until it commits: two senders never
     * take the same delivery. Outside one (or in a read-only snapshot) a lock would end with
     * the statement, so none is taken. */
    if (g->in_tx && !g->read_only)
        return dw__pg_rows_of(g, false, "webhook deliveries",
                              DW__PGM_DUE " FOR UPDATE OF d SKIP LOCKED", &p, ret, err);
    return dw__pg_rows_of(g, false, "webhook deliveries", DW__PGM_DUE, &p, ret, err);
}

int dw__pgm_delivery_update(struct dw_store *s, const struct dw_delivery_update *u,
                            struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, u->id);
    dw__pg_p_text(&p, u->status);
    dw__pg_p_int(&p, u->attempts);
    dw__pg_p_int(&p, u->next_at_ms);
    dw__pg_p_id(&p, u->last_status); /* 0: no response, NULL */
    dw__pg_p_text(&p, u->last_error && *u->last_error ? u->last_error : NULL);
    return dw__pg_exec_count(
        dw__pg(s), false, "webhook deliveries",
        "UPDATE webhook_deliveries SET status = $2, attempts = $3, next_at = $4, "
        "last_status = $5, last_error = $6 WHERE id = $1",
        &p, NULL, err);
}

int dw__pgm_deliveries_list(struct dw_store *s, const char *status, int64_t after_id, int max,
                            json_t **ret, struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, status);
    dw__pgm_p_limit(&p, max);
    dw__pg_p_int(&p, after_id);
    return dw__pg_rows_of(dw__pg(s), false, "webhook deliveries",
                          "SELECT id, webhook_id, event_seq, event_type, status, attempts, "
                          "last_status, last_error, created_at FROM webhook_deliveries WHERE "
                          "($1::text IS NULL OR status = $1) AND id > $3 ORDER BY id LIMIT $2",
                          &p, ret, err);
}

int dw__pgm_delivery_replay(struct dw_store *s, int64_t id, int64_t now_ms, int64_t *ret_n,
                            struct dw_error *err) {
    struct dw_pg_params p = {0};
    *ret_n = 0;
    dw__pg_p_id(&p, id); /* 0: every dead one */
    dw__pg_p_int(&p, now_ms);
    return dw__pg_exec_count(
        dw__pg(s), false, "webhook deliveries",
        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, "
        "next_at = $2 WHERE status = 'dead' AND ($1::bigint IS NULL OR id = $1)",
        &p, ret_n, err);
}

int dw__pgm_delivery_counts(struct dw_store *s, json_t **ret, struct dw_error *err) {
    return dw__pg_rows_of(dw__pg(s), false, "webhook deliveries",
                          "SELECT status, COUNT(*) AS n FROM webhook_deliveries GROUP BY status "
                          "ORDER BY status COLLATE \"C\"",
                          NULL, ret, err);
}
