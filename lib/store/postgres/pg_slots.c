/* store/postgres — demo slot holds (slot_holds) and bookings (bookings), as sqlite_slots.c
 * and sqlite_bookings.c.
 *
 * A scheduling step reads which slots other deals hold (slots_held), picks free ones and
 * holds them (slots_free, slot_hold) in one transaction. SQLite made that safe by having one
 * writer at a time; here two workers could both read a slot as free and both hold it. So
 * slots_held, inside a write transaction, first takes the transaction-scoped advisory lock
 * DW__PG_LOCK_SLOTS, held to commit: a second
 * worker's scheduling waits at its slots_held until the first commits, then reads the holds
 * the first wrote. The writes need no lock of their own: every caller reads before it holds
 * (lib/agents/scheduling.c, lib/control/booking.c), so the lock is already the
 * transaction's when they run. booking_put takes it too, for the check below, and the
 * partial unique index on the booked (user, start) stays the last word. Outside a
 * transaction a lock would end with the statement, and a read-only snapshot writes nothing,
 * so neither takes it.
 *
 * slots_held answers a fresh array each time (no per-transaction memory as on SQLite).
 */
#include <string.h>

#include "store/postgres/pg_misc.h"

/* The slots lock. No other lock is ordered with it: the audit lock, which a step once held
 * from its first append, is now taken only at commit, after every other (pg_audit.c), so
 * the slots lock alone is one round trip. */
static int slots_lock(struct dw_pg *g, struct dw_error *err) {
    if (!g->in_tx || g->read_only)
        return 0;
    return dw__pg_lock(g, DW__PG_LOCK_SLOTS, err);
}

int dw__pgm_slots_held(struct dw_store *s, int64_t deal_id, dw_time_t now, json_t **ret,
                       struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    int r = slots_lock(g, err);
    if (r < 0)
        return r;
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, deal_id);
    dw__pg_p_int(&p, (int64_t)now);
    /* open deals' holds that have neither lapsed nor begun, and every other deal's booked
     * demo not yet begun whatever its stage */
    return dw__pg_rows_of(g, false, "slot holds",
                          "SELECT h.\"user\", h.start FROM slot_holds h JOIN deals d ON "
                          "d.id = h.deal_id WHERE h.deal_id <> $1 AND h.expires_at > $2 AND "
                          "h.start > $2 AND d.stage NOT IN ('ordered', 'lost', 'disqualified') "
                          "UNION ALL SELECT b.\"user\", b.start FROM bookings b WHERE "
                          "b.deal_id <> $1 AND b.status = 'booked' AND b.start > $2 ORDER BY 2, 1",
                          &p, ret, err);
}

int dw__pgm_slots_free(struct dw_store *s, int64_t deal_id, struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, deal_id);
    return dw__pg_exec_count(dw__pg(s), false, "slot holds",
                             "DELETE FROM slot_holds WHERE deal_id = $1", &p, NULL, err);
}

int dw__pgm_slot_hold(struct dw_store *s, int64_t deal_id, const char *user, dw_time_t start,
                      dw_time_t expires, struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, deal_id);
    dw__pg_p_text(&p, user);
    dw__pg_p_int(&p, (int64_t)start);
    dw__pg_p_int(&p, (int64_t)expires);
    return dw__pg_exec_count(dw__pg(s), false, "slot holds",
                             "INSERT INTO slot_holds (deal_id, \"user\", start, expires_at) "
                             "VALUES ($1, $2, $3, $4) ON CONFLICT (deal_id, \"user\", start) "
                             "DO UPDATE SET expires_at = excluded.expires_at",
                             &p, NULL, err);
}

int dw__pgm_booking_get(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, deal_id);
    PGresult *res = NULL;
    int r = dw__pg_run(dw__pg(s), "bookings",
                       "SELECT deal_id, \"user\", start, minutes, status, number, sequence, "
                       "booked_by, updated_at FROM bookings WHERE deal_id = $1",
                       &p, &res, err);
    if (r < 0)
        return r;
    r = PQntuples(res)
            ? dw__pg_row(res, 0, ret, err)
            : dw_error_set(err, -DW_ENOENT, "%s has no demo booking", DW_ID('D', deal_id));
    PQclear(res);
    return r;
}

/* Under the slots lock: -DW_EEXIST when another deal has booked (user, start). Answered by
 * a read rather than by the unique index's violation, which would abort the caller's
 * transaction. */
static int booking_free(struct dw_pg *g, int64_t deal_id, const char *user, int64_t start,
                        struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, deal_id);
    dw__pg_p_text(&p, user);
    dw__pg_p_int(&p, start);
    PGresult *res = NULL;
    int r = dw__pg_run(g, "bookings",
                       "SELECT 1 FROM bookings WHERE \"user\" = $2 AND start = $3 AND "
                       "status = 'booked' AND deal_id <> $1",
                       &p, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) > 0)
        r = dw_error_set(err, -DW_EEXIST, "%s's demo at that time is booked by another deal", user);
    PQclear(res);
    return r;
}

int dw__pgm_booking_put(struct dw_store *s, int64_t deal_id, const json_t *b,
                        struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    const char *user = dw_json_str(b, "user"), *status = dw_json_str(b, "status"),
               *by = dw_json_str(b, "booked_by");
    if (!user || !status || !by)
        return dw_error_set(err, -DW_EINVAL, "a booking needs user, status and booked_by");
    int64_t start = dw_json_int(b, "start", 0);
    enum dw__pg_tx mode;
    /* a transaction of its own when the caller has none, for the lock to cover the write */
    int r = dw__pg_tx_enter(g, false, &mode, err);
    if (r < 0)
        return r;
    r = slots_lock(g, err);
    if (r == 0 && strcmp(status, "booked") == 0)
        r = booking_free(g, deal_id, user, start, err);
    if (r == 0) {
        struct dw_pg_params p = {0};
        dw__pg_p_int(&p, deal_id);
        dw__pg_p_text(&p, user);
        dw__pg_p_int(&p, start);
        dw__pg_p_int(&p, dw_json_int(b, "minutes", 0));
        dw__pg_p_text(&p, status);
        dw__pg_p_int(&p, dw_json_int(b, "number", 1));
        dw__pg_p_int(&p, dw_json_int(b, "sequence", 0));
        dw__pg_p_text(&p, by);
        dw__pg_p_int(&p, dw_json_int(b, "updated_at", 0));
        r = dw__pg_exec_count(
            g, false, "bookings",
            "INSERT INTO bookings (deal_id, \"user\", start, minutes, status, "
            "number, sequence, booked_by, updated_at) VALUES ($1, $2, $3, $4, $5, "
            "$6, $7, $8, $9) ON CONFLICT (deal_id) DO UPDATE SET \"user\" = "
            "excluded.\"user\", start = excluded.start, minutes = excluded.minutes, "
            "status = excluded.status, number = excluded.number, sequence = "
            "excluded.sequence, booked_by = excluded.booked_by, updated_at = "
            "excluded.updated_at",
            &p, NULL, err);
        if (r == -DW_EEXIST) /* a writer that took no lock: the index still refuses it */
            r = dw_error_set(err, -DW_EEXIST, "%s's demo at that time is booked by another deal",
                             user);
    }
    return dw__pg_tx_leave(g, mode, r, err);
}
