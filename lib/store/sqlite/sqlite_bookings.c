/* store/sqlite — demo bookings (table bookings, migration 7): one row per deal that booked
 * a demo. The partial unique index on (user, start) of the booked rows is what makes two
 * deals booking the same hour at once end with one booking: the second write fails with
 * -DW_EEXIST whatever the callers checked before. */
#include "sqlite_internal.h"

int dw__sq_booking_get(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_BOOKING_GET, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "bookings");
    if ((r = dw__sq_step(q, st, err, "bookings")) < 0)
        return r;
    if (r == 0)
        return dw_error_set(err, -DW_ENOENT, "%s has no demo booking", DW_ID('D', deal_id));
    return dw__sq_row(st, ret, err);
}

int dw__sq_booking_put(struct dw_store *s, int64_t deal_id, const json_t *b, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_BOOKING_PUT, &st, err);
    if (r < 0)
        return r;
    const char *user = dw_json_str(b, "user"), *status = dw_json_str(b, "status"),
               *by = dw_json_str(b, "booked_by");
    if (!user || !status || !by)
        return dw_error_set(err, -DW_EINVAL, "a booking needs user, status and booked_by");
    dw__sq_bind_int(st, 1, deal_id, &rc);
    dw__sq_bind_text(st, 2, user, &rc);
    dw__sq_bind_int(st, 3, dw_json_int(b, "start", 0), &rc);
    dw__sq_bind_int(st, 4, dw_json_int(b, "minutes", 0), &rc);
    dw__sq_bind_text(st, 5, status, &rc);
    dw__sq_bind_int(st, 6, dw_json_int(b, "number", 1), &rc);
    dw__sq_bind_int(st, 7, dw_json_int(b, "sequence", 0), &rc);
    dw__sq_bind_text(st, 8, by, &rc);
    dw__sq_bind_int(st, 9, dw_json_int(b, "updated_at", 0), &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "bookings");
    r = dw__sq_exec(q, st, err, "bookings");
    dw__sq_holds_reset(q); /* the slots held change with a booking: read them again */
    if (r == -DW_EEXIST)
        return dw_error_set(err, -DW_EEXIST, "%s's demo at that time is booked by another deal",
                            user);
    return r;
}
