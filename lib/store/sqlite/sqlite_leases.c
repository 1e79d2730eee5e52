/* store/sqlite: worker leases (store.h "worker leases", docs/internals/scale-out.md).
 *
 * The table deal_leases (migration 10) holds one row per leased deal: owner and until_ms,
 * the wall clock in milliseconds (CLOCK_REALTIME of this machine, which every process on
 * one SQLite file shares; never the engine's clock, which tests pin). SQLite has one writer
 * at a time: a claim is one BEGIN IMMEDIATE transaction that reads the due deals nobody
 * else holds and leases them, so two claims never overlap; a hold inside the caller's write
 * transaction keeps the lease safe until that commits, because no other claim can write
 * before then.
 *
 * The statements are prepared per call rather than kept: a claim is one per batch of deals
 * and a hold one per deal, against a step's few milliseconds, and the backend's statement
 * list stays the other subjects' own.
 */
#include <string.h>
#include <time.h>

#include "sqlite_internal.h"
#include "store/record.h"

int64_t dw__sq_wall_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int prepare(struct dw_sqlite *q, const char *sql, sqlite3_stmt **st, struct dw_error *err,
                   const char *what) {
    int rc = sqlite3_prepare_v2(q->db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? 0 : dw__sq_error(q, rc, err, what);
}

int dw__sq_lease_claim(struct dw_store *s, dw_time_t now, const char *owner, int lease_ms,
                       int64_t only_deal, int64_t *ids, int max, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    int r = dw__store_lease_input(owner, lease_ms, err);
    if (r < 0 || max <= 0)
        return r;
    if (q->in_tx)
        return dw_error_set(err, -DW_ESTATE, "lease_claim: in a transaction of its own only");
    enum dw__sq_tx mode;
    if ((r = dw__sq_tx_enter(q, false, &mode, err)) < 0)
        return r;
    int64_t wall = dw__sq_wall_ms();
    sqlite3_stmt *sel = NULL, *put = NULL;
    int n = 0, rc = SQLITE_OK;
    /* due as deals_due has it; a lease of another owner that has not expired keeps it */
#define DUE_FREE                                                                                   \
    "d.runnable = 1 AND d.parked = 0 AND d.next_attempt_at <= ?1 AND NOT EXISTS (SELECT 1 "        \
    "FROM deal_leases l WHERE l.deal_id = d.id AND l.until_ms > ?2 AND l.owner <> ?3)"
    r = prepare(q,
                only_deal > 0 ? "SELECT d.id FROM deals d WHERE d.id = ?5 AND " DUE_FREE " LIMIT ?4"
                              : "SELECT d.id FROM deals d WHERE " DUE_FREE
                                " AND ?5 = 0 ORDER BY d.id LIMIT ?4",
                &sel, err, "lease_claim");
#undef DUE_FREE
    if (r == 0)
        r = prepare(q,
                    "INSERT INTO deal_leases (deal_id, owner, until_ms) VALUES (?1, ?2, ?3) "
                    "ON CONFLICT (deal_id) DO UPDATE SET owner = excluded.owner, "
                    "until_ms = excluded.until_ms",
                    &put, err, "lease_claim");
    if (r == 0) {
        dw__sq_bind_time(sel, 1, now, &rc);
        dw__sq_bind_int(sel, 2, wall, &rc);
        dw__sq_bind_text(sel, 3, owner, &rc);
        dw__sq_bind_int(sel, 4, max, &rc);
        dw__sq_bind_int(sel, 5, only_deal > 0 ? only_deal : 0, &rc);
        if (rc != SQLITE_OK)
            r = dw__sq_bind_error(rc, err, "lease_claim");
    }
    while (r == 0 && n < max && (r = dw__sq_step(q, sel, err, "lease_claim")) > 0) {
        ids[n++] = sqlite3_column_int64(sel, 0);
        r = 0;
    }
    for (int i = 0; r == 0 && i < n; i++) {
        sqlite3_reset(put);
        dw__sq_bind_int(put, 1, ids[i], &rc);
        dw__sq_bind_text(put, 2, owner, &rc);
        dw__sq_bind_int(put, 3, wall + lease_ms, &rc);
        r = rc != SQLITE_OK ? dw__sq_bind_error(rc, err, "lease_claim")
                            : dw__sq_exec(q, put, err, "lease_claim");
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(put);
    r = dw__sq_tx_leave(q, mode, r, err);
    return r < 0 ? r : n;
}

int dw__sq_lease_hold(struct dw_store *s, const char *owner, int64_t deal_id, int lease_ms,
                      struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    int r = dw__store_lease_input(owner, lease_ms, err);
    if (r < 0)
        return r;
    if (!q->in_tx)
        return dw_error_set(err, -DW_ESTATE, "lease_hold: inside the step's transaction only");
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    r = prepare(q, "UPDATE deal_leases SET until_ms = ?3 WHERE deal_id = ?1 AND owner = ?2", &st,
                err, "lease_hold");
    if (r == 0) {
        dw__sq_bind_int(st, 1, deal_id, &rc);
        dw__sq_bind_text(st, 2, owner, &rc);
        dw__sq_bind_int(st, 3, dw__sq_wall_ms() + lease_ms, &rc);
        r = rc != SQLITE_OK ? dw__sq_bind_error(rc, err, "lease_hold")
                            : dw__sq_exec(q, st, err, "lease_hold");
    }
    sqlite3_finalize(st);
    return r < 0 ? r : sqlite3_changes(q->db) == 1;
}

int dw__sq_lease_release(struct dw_store *s, const char *owner, int64_t deal_id,
                         struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    int r = dw__store_lease_input(owner, 1, err);
    if (r < 0)
        return r;
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    r = prepare(q,
                deal_id ? "DELETE FROM deal_leases WHERE owner = ?1 AND deal_id = ?2"
                        : "DELETE FROM deal_leases WHERE owner = ?1",
                &st, err, "lease_release");
    if (r == 0) {
        dw__sq_bind_text(st, 1, owner, &rc);
        if (deal_id)
            dw__sq_bind_int(st, 2, deal_id, &rc);
        r = rc != SQLITE_OK ? dw__sq_bind_error(rc, err, "lease_release")
                            : dw__sq_exec(q, st, err, "lease_release");
    }
    sqlite3_finalize(st);
    return r;
}

int dw__sq_lease_renew(struct dw_store *s, const char *owner, int lease_ms, int64_t *ret_held,
                       int64_t *ret_lost, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    int r = dw__store_lease_input(owner, lease_ms, err);
    if (r < 0)
        return r;
    enum dw__sq_tx mode;
    if ((r = dw__sq_tx_enter(q, true, &mode, err)) < 0)
        return r;
    int64_t wall = dw__sq_wall_ms(), held = 0, lost = 0;
    sqlite3_stmt *up = NULL, *gone = NULL;
    int rc = SQLITE_OK;
    r = prepare(q, "UPDATE deal_leases SET until_ms = ?2 WHERE owner = ?1 AND until_ms > ?3", &up,
                err, "lease_renew");
    if (r == 0)
        r = prepare(q, "DELETE FROM deal_leases WHERE owner = ?1 AND until_ms <= ?2", &gone, err,
                    "lease_renew");
    if (r == 0) {
        dw__sq_bind_text(up, 1, owner, &rc);
        dw__sq_bind_int(up, 2, wall + lease_ms, &rc);
        dw__sq_bind_int(up, 3, wall, &rc);
        dw__sq_bind_text(gone, 1, owner, &rc);
        dw__sq_bind_int(gone, 2, wall, &rc);
        r = rc != SQLITE_OK ? dw__sq_bind_error(rc, err, "lease_renew")
                            : dw__sq_exec(q, up, err, "lease_renew");
    }
    if (r == 0) {
        held = sqlite3_changes(q->db);
        r = dw__sq_exec(q, gone, err, "lease_renew");
        if (r == 0)
            lost = sqlite3_changes(q->db);
    }
    sqlite3_finalize(up);
    sqlite3_finalize(gone);
    r = dw__sq_tx_leave(q, mode, r, err);
    if (r == 0) {
        if (ret_held)
            *ret_held = held;
        if (ret_lost)
            *ret_lost = lost;
    }
    return r;
}
