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
 * Inside a write transaction slots_held reads the holds once, under the lock, and answers
 * later calls of the same transaction from memory (struct dw_pg_holds), which the
 * transaction's own writes keep current: slot_hold adds, slots_free removes, a deal's
 * stage (deal_update) says whether its holds count; a booking, a rollback to a savepoint
 * and the transaction's end forget it. No other transaction can change the holds
 * meanwhile, as every writer of them holds the lock. Outside one (or in a snapshot) each
 * call reads.
 */
#include <stdlib.h>
#include <string.h>

#include "store/postgres/pg_misc.h"
#include "store/record.h"

/* The slots lock. No other lock is ordered with it: the audit lock, which a step once held
 * from its first append, is now taken only at commit, after every other (pg_audit.c), so
 * the slots lock alone is one round trip. */
static int slots_lock(struct dw_pg *g, struct dw_error *err) {
    if (!g->in_tx || g->read_only)
        return 0;
    return dw__pg_lock(g, DW__PG_LOCK_SLOTS, err);
}

/* One hold or booking as read (the holds of closed deals too, with open false). */
struct hold {
    int64_t deal_id, start, expires; /* expires: a booking's 0 */
    bool open, booked;
    char *user;
};

struct dw_pg_holds {
    dw_time_t loaded_at;
    size_t n, cap;
    struct hold *v;
};

void dw__pg_holds_forget(struct dw_pg *g) {
    struct dw_pg_holds *h = g->holds;
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++)
        free(h->v[i].user);
    free(h->v);
    free(h);
    g->holds = NULL;
}

void dw__pg_holds_deal_stage(struct dw_pg *g, int64_t deal_id, bool open) {
    struct dw_pg_holds *h = g->holds;
    for (size_t i = 0; h && i < h->n; i++)
        if (h->v[i].deal_id == deal_id && !h->v[i].booked)
            h->v[i].open = open;
}

static int holds_add(struct dw_pg_holds *h, const struct hold *x) {
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 256;
        struct hold *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return -DW_ENOMEM;
        h->v = v;
        h->cap = cap;
    }
    h->v[h->n] = *x;
    if (!(h->v[h->n].user = strdup(x->user)))
        return -DW_ENOMEM;
    h->n++;
    return 0;
}

/* Every hold not lapsed and every booking not begun at now, whatever the deal. */
static int holds_load(struct dw_pg *g, dw_time_t now, struct dw_error *err) {
    dw__pg_holds_forget(g);
    struct dw_pg_params p = {0};
    PGresult *res = NULL;
    dw__pg_p_int(&p, (int64_t)now);
    int r = dw__pg_run(g, "slot holds",
                       "SELECT h.deal_id, h.\"user\", h.start, h.expires_at, d.stage NOT IN "
                       "('ordered', 'lost', 'disqualified') AS open, false AS booked FROM "
                       "slot_holds h JOIN deals d ON d.id = h.deal_id WHERE h.expires_at > $1 "
                       "AND h.start > $1 UNION ALL SELECT b.deal_id, b.\"user\", b.start, 0, "
                       "true, true FROM bookings b WHERE b.status = 'booked' AND b.start > $1",
                       &p, &res, err);
    if (r < 0)
        return r;
    struct dw_pg_holds *h = calloc(1, sizeof *h);
    if (!h) {
        PQclear(res);
        return dw__store_oom(err);
    }
    g->holds = h;
    h->loaded_at = now;
    for (int i = 0; i < PQntuples(res); i++) {
        const char *o = dw__pg_text(res, i, 4), *b = dw__pg_text(res, i, 5);
        struct hold x = {.deal_id = dw__pg_int(res, i, 0),
                         .user = (char *)dw__pg_text(res, i, 1),
                         .start = dw__pg_int(res, i, 2),
                         .expires = dw__pg_int(res, i, 3),
                         .open = o && *o == 't',
                         .booked = b && *b == 't'};
        if (!x.user || holds_add(h, &x) < 0) {
            PQclear(res);
            dw__pg_holds_forget(g);
            return dw__store_oom(err);
        }
    }
    PQclear(res);
    return 0;
}

static int hold_cmp(const void *a, const void *b) {
    const struct hold *x = *(const struct hold *const *)a, *y = *(const struct hold *const *)b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return strcmp(x->user, y->user);
}

/* What the statement of slots_held answers, from memory: by start, then user. */
static int holds_answer(struct dw_pg_holds *h, int64_t deal_id, dw_time_t now, json_t **ret,
                        struct dw_error *err) {
    _cleanup_free_ const struct hold **sel = malloc((h->n ? h->n : 1) * sizeof *sel);
    _cleanup_json_ json_t *arr = json_array();
    if (!sel || !arr)
        return dw__store_oom(err);
    size_t n = 0;
    for (size_t i = 0; i < h->n; i++) {
        const struct hold *x = &h->v[i];
        if (x->deal_id == deal_id || x->start <= (int64_t)now ||
            (!x->booked && (!x->open || x->expires <= (int64_t)now)))
            continue;
        sel[n++] = x;
    }
    qsort(sel, n, sizeof *sel, hold_cmp);
    for (size_t i = 0; i < n; i++)
        if (json_array_append_new(arr, json_pack("{s:s,s:I}", "user", sel[i]->user, "start",
                                                 (json_int_t)sel[i]->start)) < 0)
            return dw__store_oom(err);
    *ret = DW_TAKE_PTR(arr);
    return 0;
}

int dw__pgm_slots_held(struct dw_store *s, int64_t deal_id, dw_time_t now, json_t **ret,
                       struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    if (g->in_tx && !g->read_only) {
        int r = 0;
        if (!g->holds || now < g->holds->loaded_at) {
            if (!g->holds && (r = slots_lock(g, err)) < 0)
                return r;
            if ((r = holds_load(g, now, err)) < 0)
                return r;
        }
        return holds_answer(g->holds, deal_id, now, ret, err);
    }
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
    struct dw_pg *g = dw__pg(s);
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, deal_id);
    int r = dw__pg_exec_count(g, false, "slot holds", "DELETE FROM slot_holds WHERE deal_id = $1",
                              &p, NULL, err);
    struct dw_pg_holds *h = g->holds;
    for (size_t i = 0; r == 0 && h && i < h->n;) {
        if (h->v[i].deal_id == deal_id && !h->v[i].booked) {
            free(h->v[i].user);
            h->v[i] = h->v[--h->n];
        } else {
            i++;
        }
    }
    return r;
}

int dw__pgm_slot_hold(struct dw_store *s, int64_t deal_id, const char *user, dw_time_t start,
                      dw_time_t expires, struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, deal_id);
    dw__pg_p_text(&p, user);
    dw__pg_p_int(&p, (int64_t)start);
    dw__pg_p_int(&p, (int64_t)expires);
    int r = dw__pg_exec_count(g, false, "slot holds",
                              "INSERT INTO slot_holds (deal_id, \"user\", start, expires_at) "
                              "VALUES ($1, $2, $3, $4) ON CONFLICT (deal_id, \"user\", start) "
                              "DO UPDATE SET expires_at = excluded.expires_at",
                              &p, NULL, err);
    struct dw_pg_holds *h = g->holds;
    if (r == 0 && h) {
        bool found = false;
        for (size_t i = 0; i < h->n; i++) {
            struct hold *x = &h->v[i];
            if (x->deal_id == deal_id && !x->booked && x->start == (int64_t)start &&
                strcmp(x->user, user) == 0) {
                x->expires = (int64_t)expires;
                found = true;
            }
        }
        /* the deal is the caller's, open: it is being scheduled */
        struct hold x = {.deal_id = deal_id,
                         .user = (char *)user,
                         .start = (int64_t)start,
                         .expires = (int64_t)expires,
                         .open = true};
        if (!found && holds_add(h, &x) < 0) {
            dw__pg_holds_forget(g);
            r = dw__store_oom(err);
        }
    }
    return r;
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
    dw__pg_holds_forget(g); /* read again after the booking */
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
