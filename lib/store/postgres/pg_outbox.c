/* store/postgres — the event outbox's publisher (lib/control/events.c): the cursor each
 * publisher keeps of the events it has handed to NATS JetStream, its lease, and a delivery
 * read by its event for the webhook consumer instances share.
 *
 * The lease is a transaction-scoped advisory lock taken with pg_try_advisory_xact_lock, so
 * a second publisher (another instance) does not wait: it is told -DW_EBUSY and skips its
 * pass; the lock goes with the transaction (commit, rollback, or the connection lost with
 * a process that died). The cursor moves only forward (the UPDATE's WHERE), in that
 * transaction. */
#include <stdlib.h>

#include "store/postgres/pg_internal.h"

const char dw__pg_schema_outbox[] = "CREATE TABLE outbox_cursors ("
                                    "  name text PRIMARY KEY,"
                                    "  seq bigint NOT NULL,"
                                    "  updated_at text NOT NULL"
                                    ");";

/* The advisory lock key of a publisher's lease: the DW__PG_LOCK_* range's prefix and an
 * FNV-1a hash of its name below it, away from the fixed keys. */
static int64_t lease_key(const char *name) {
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return (INT64_C(0x6477) << 32) | h;
}

static int pg_outbox_lock(struct dw_store *s, const char *name, struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    if (!g->in_tx || g->read_only)
        return dw_error_set(err, -DW_ESTATE, "outbox_lock needs an open write transaction");
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, lease_key(name));
    PGresult *res = NULL;
    int r = dw__pg_run(g, "outbox_lock", "SELECT pg_try_advisory_xact_lock($1::bigint)::int AS got",
                       &p, &res, err);
    if (r < 0)
        return r;
    int64_t got = PQntuples(res) ? dw__pg_int(res, 0, 0) : 0;
    PQclear(res);
    return got ? 0 : dw_error_set(err, -DW_EBUSY, "another publisher holds the lease '%s'", name);
}

static int pg_outbox_cursor_get(struct dw_store *s, const char *name, int64_t *ret,
                                struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, name);
    PGresult *res = NULL;
    int r = dw__pg_run(dw__pg(s), "outbox_cursor_get",
                       "SELECT seq FROM outbox_cursors WHERE name = $1", &p, &res, err);
    if (r < 0)
        return r;
    *ret = PQntuples(res) ? dw__pg_int(res, 0, 0) : 0;
    PQclear(res);
    return 0;
}

static int pg_outbox_cursor_advance(struct dw_store *s, const char *name, int64_t seq,
                                    dw_time_t now, struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, name);
    dw__pg_p_int(&p, seq);
    dw__pg_p_time(&p, now);
    return dw__pg_run(dw__pg(s), "outbox_cursor_advance",
                      "INSERT INTO outbox_cursors (name, seq, updated_at) VALUES ($1, $2, $3) "
                      "ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, updated_at = "
                      "excluded.updated_at WHERE excluded.seq > outbox_cursors.seq",
                      &p, NULL, err);
}

static int pg_delivery_for_event(struct dw_store *s, int64_t webhook_id, int64_t seq, json_t **ret,
                                 struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, webhook_id);
    dw__pg_p_int(&p, seq);
    PGresult *res = NULL;
    int r = dw__pg_run(dw__pg(s), "delivery_for_event",
                       "SELECT d.id, d.webhook_id, d.event_seq, d.event_type, d.body, d.status, "
                       "d.attempts, d.next_at, w.url, w.secret FROM webhook_deliveries d JOIN "
                       "webhooks w ON w.id = d.webhook_id WHERE d.webhook_id = $1 AND "
                       "d.event_seq = $2",
                       &p, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return dw_error_set(err, -DW_ENOENT, "no delivery of event %lld to webhook %lld",
                            (long long)seq, (long long)webhook_id);
    }
    r = dw__pg_row(res, 0, ret, err);
    PQclear(res);
    return r;
}

/* A compare-and-set on the row: the UPDATE's WHERE re-checks the row after waiting for a
 * concurrent writer's lock (READ COMMITTED), so of two claimants one changes it. */
static int pg_delivery_claim(struct dw_store *s, int64_t id, int64_t attempts, int64_t now_ms,
                             int64_t until_ms, bool *ret_claimed, struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, id);
    dw__pg_p_int(&p, attempts);
    dw__pg_p_int(&p, now_ms);
    dw__pg_p_int(&p, until_ms);
    PGresult *res = NULL;
    int r = dw__pg_run(dw__pg(s), "delivery_claim",
                       "UPDATE webhook_deliveries SET next_at = $4 WHERE id = $1 AND status = "
                       "'pending' AND attempts = $2 AND next_at <= $3",
                       &p, &res, err);
    if (r < 0)
        return r;
    *ret_claimed = dw__pg_changes(res) > 0;
    PQclear(res);
    return 0;
}

void dw__pg_ops_outbox(struct dw_store_ops *o) {
    o->outbox_lock = pg_outbox_lock;
    o->outbox_cursor_get = pg_outbox_cursor_get;
    o->outbox_cursor_advance = pg_outbox_cursor_advance;
    o->delivery_for_event = pg_delivery_for_event;
    o->delivery_claim = pg_delivery_claim;
}
