/* store/sqlite — demo slot holds (slot_holds), with the holds of a write transaction kept
 * in memory.
 *
 * Every scheduling step asks which slots other open deals hold. With a full calendar that
 * is every hold of the next weeks, and reading them all again (a join with deals, a JSON
 * object per row) for every deal of a batch was the largest part of the step. Between
 * BEGIN IMMEDIATE and COMMIT no other connection writes, so inside a transaction opened by
 * begin the holds are read once — with their deal's stage, whether it is open — and later
 * reads are answered from memory:
 *  - the answer for a deal that holds nothing itself is the same array for every such
 *    deal until a hold is added or removed, a deal with holds changes between open and
 *    ended (deal_update), or the clock passes the earliest start or expiry in it; it is
 *    shared (reference counted), so a caller only reads it;
 *  - a hold written or released (changes > 0) drops the memory: the next read reads the
 *    table again, so what is read is always what the table says.
 * Commit, rollback, rollback_to and any SQLite error drop it too (dw__sq_cache_reset).
 *
 * A booked demo (table bookings, sqlite_bookings.c) is read with the holds as one that
 * never lapses before it starts and counts whatever its deal's stage: an ordered deal's
 * demo still takes the engineer's hour. Writing a booking drops the memory too.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"

static void holds_drop(struct dw__sq_holds *h) {
    for (size_t i = 0; i < h->n; i++)
        free(h->v[i].user);
    free(h->v);
    json_decref(h->shared);
    *h = (struct dw__sq_holds){0};
}

void dw__sq_holds_reset(struct dw_sqlite *q) {
    holds_drop(&q->holds);
}

/* Every hold that has neither begun nor expired at now, with whether its deal is open,
 * in start order. */
static int holds_load(struct dw_sqlite *q, dw_time_t now, struct dw_error *err) {
    struct dw__sq_holds *h = &q->holds;
    holds_drop(h);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_SLOTS_ALL, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, now, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "slot holds");
    while ((r = dw__sq_step(q, st, err, "slot holds")) > 0) {
        if (h->n == h->cap) {
            size_t cap = h->cap ? h->cap * 2 : 64;
            struct dw__sq_hold *v = realloc(h->v, cap * sizeof *v);
            if (!v) {
                holds_drop(h);
                return dw_error_set(err, -DW_ENOMEM, "out of memory");
            }
            h->v = v;
            h->cap = cap;
        }
        const char *user = (const char *)sqlite3_column_text(st, 1);
        char *u = strdup(user ? user : "");
        if (!u) {
            holds_drop(h);
            return dw_error_set(err, -DW_ENOMEM, "out of memory");
        }
        h->v[h->n++] = (struct dw__sq_hold){.deal_id = sqlite3_column_int64(st, 0),
                                            .user = u,
                                            .start = sqlite3_column_int64(st, 2),
                                            .expires = sqlite3_column_int64(st, 3),
                                            .open = sqlite3_column_int(st, 4) != 0,
                                            .booked = sqlite3_column_int(st, 5) != 0};
    }
    if (r < 0) {
        holds_drop(h);
        return r;
    }
    h->valid = true;
    h->loaded_at = now;
    return 0;
}

/* [{user, start}] of the open deals' holds other than deal_id's at now, in start order;
 * *ret_until: the first moment the answer changes by time alone. */
static json_t *holds_answer(const struct dw__sq_holds *h, int64_t deal_id, dw_time_t now,
                            dw_time_t *ret_until) {
    json_t *arr = json_array();
    dw_time_t until = INT64_MAX;
    for (size_t i = 0; arr && i < h->n; i++) {
        const struct dw__sq_hold *x = &h->v[i];
        if (!x->open || x->deal_id == deal_id || x->expires <= now || x->start <= now)
            continue;
        json_t *o = json_object();
        if (!o || json_object_set_new_nocheck(o, "user", json_string(x->user)) < 0 ||
            json_object_set_new_nocheck(o, "start", json_integer(x->start)) < 0 ||
            json_array_append_new(arr, o) < 0) {
            json_decref(o);
            json_decref(arr);
            return NULL;
        }
        dw_time_t end = x->expires < x->start ? x->expires : x->start;
        if (end < until)
            until = end;
    }
    *ret_until = until;
    return arr;
}

static bool holds_of(const struct dw__sq_holds *h, int64_t deal_id) {
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].deal_id == deal_id)
            return true;
    return false;
}

int dw__sq_slots_held_cached(struct dw_sqlite *q, int64_t deal_id, dw_time_t now, json_t **ret,
                             struct dw_error *err) {
    struct dw__sq_holds *h = &q->holds;
    int r;
    if ((!h->valid || now < h->loaded_at) && (r = holds_load(q, now, err)) < 0)
        return r;
    dw_time_t until;
    if (holds_of(h, deal_id)) { /* an answer of its own, without the deal's holds */
        *ret = holds_answer(h, deal_id, now, &until);
        return *ret ? 0 : dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    if (h->shared && (now < h->shared_at || now >= h->shared_until)) {
        json_decref(h->shared);
        h->shared = NULL;
    }
    if (!h->shared) {
        h->shared = holds_answer(h, 0, now, &h->shared_until);
        if (!h->shared)
            return dw_error_set(err, -DW_ENOMEM, "out of memory");
        h->shared_at = now;
    }
    *ret = json_incref(h->shared);
    return 0;
}

void dw__sq_holds_deal_stage(struct dw_sqlite *q, int64_t deal_id, bool open) {
    struct dw__sq_holds *h = &q->holds;
    for (size_t i = 0; i < h->n; i++) {
        if (h->v[i].deal_id != deal_id || h->v[i].open == open || h->v[i].booked)
            continue;
        h->v[i].open = open;
        json_decref(h->shared);
        h->shared = NULL;
    }
}
