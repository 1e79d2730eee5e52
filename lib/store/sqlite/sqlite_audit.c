/* store/sqlite/audit — the event log and the audit hash chain for the SQLite backend.
 *
 * Both tables are append-only: the code only ever INSERTs, and triggers make UPDATE and
 * DELETE fail at the SQL level too. The chain (docs/internals/audit.md) makes tampering
 * that bypasses the triggers detectable: every record carries the hash of the one before,
 * and its own hash covers its sequence number, time, deal, actor, action, workspace hash,
 * data and that link.
 *
 * The tail is read inside the caller's transaction. That is what makes savepoints safe: a
 * step that rolls back to its savepoint takes its audit records with it, and the next
 * record links to whatever is really the last one. BEGIN IMMEDIATE means no other writer
 * can append between our read of the tail and our insert.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"
#include "store/audit_chain.h"
#include "store/record.h"

/* ---- events ------------------------------------------------------------------------ */

int dw__sq_event_append(struct dw_store *s, int64_t deal_id, const char *type, const json_t *data,
                        dw_time_t now, int64_t *ret_seq, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    _cleanup_json_ json_t *empty = NULL;
    int rc = SQLITE_OK;
    if (!type || !*type)
        return dw_error_field(err, -DW_EINVAL, "type", "an event needs a type");
    if (!data && !(data = empty = json_object()))
        return dw__store_oom(err);
    int r = dw__sq_stmt(q, DW__SQ_EVENT_APPEND, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_id(st, 1, deal_id, &rc);
    dw__sq_bind_text(st, 2, type, &rc);
    dw__sq_bind_time(st, 3, now, &rc);
    dw__sq_bind_json(st, 4, data, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "event_append");
    r = dw__sq_exec(q, st, err, "event_append");
    if (r < 0)
        return r;
    if (ret_seq)
        *ret_seq = sqlite3_last_insert_rowid(q->db);
    return 0;
}

int dw__sq_events_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret,
                           struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_EVENTS_FOR_DEAL, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "events_for_deal");
    return dw__sq_rows(q, st, ret, err, "events_for_deal");
}

/* ---- the chain --------------------------------------------------------------------- */

static int audit_tail(struct dw_sqlite *q, int64_t *ret_seq, char prev[DW_SHA256_HEX],
                      struct dw_error *err) {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int r = dw__sq_stmt(q, DW__SQ_AUDIT_TAIL, &st, err);
    if (r < 0)
        return r;
    r = dw__sq_step(q, st, err, "audit_append (tail)");
    if (r < 0)
        return r;
    if (r == 0) {
        *ret_seq = 0;
        memcpy(prev, dw__audit_genesis, DW_SHA256_HEX);
        return 0;
    }
    const char *h = (const char *)sqlite3_column_text(st, 1);
    if (!h || strlen(h) != DW_SHA256_HEX - 1)
        return dw_error_set(err, -DW_EINTEGRITY, "audit record %lld has a malformed hash",
                            (long long)sqlite3_column_int64(st, 0));
    *ret_seq = sqlite3_column_int64(st, 0);
    memcpy(prev, h, DW_SHA256_HEX);
    return 0;
}

/* data_text: the data's canonical text, which SQLite takes over (and frees). */
static int audit_insert(struct dw_sqlite *q, const struct dw__audit_rec *a, char *data_text,
                        const char *hash, struct dw_error *err) {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_AUDIT_APPEND, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, a->seq, &rc);
    dw__sq_bind_text(st, 2, a->at, &rc);
    if (json_is_integer(a->deal_id))
        dw__sq_bind_int(st, 3, (int64_t)json_integer_value(a->deal_id), &rc);
    dw__sq_bind_text(st, 4, a->actor, &rc);
    dw__sq_bind_text(st, 5, a->action, &rc);
    dw__sq_bind_text(st, 6, json_string_value(a->ws_hash), &rc);
    size_t len = strlen(data_text);
    if (rc == SQLITE_OK && len > DW__SQ_TEXT_MAX) {
        free(data_text);
        rc = SQLITE_TOOBIG;
    } else if (rc == SQLITE_OK) {
        rc = sqlite3_bind_text(st, 7, data_text, (int)len, free);
    } else {
        free(data_text);
    }
    dw__sq_bind_text(st, 8, a->prev, &rc);
    dw__sq_bind_text(st, 9, hash, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "audit_append");
    return dw__sq_exec(q, st, err, "audit_append");
}

static int audit_append_locked(struct dw_sqlite *q, struct dw__audit_rec *a, dw_time_t now,
                               struct dw_error *err) {
    char prev[DW_SHA256_HEX], hash[DW_SHA256_HEX], at[32];
    int64_t last = 0;
    struct dw__sq_cache *c = &q->cache;
    int r = 0;
    /* In a transaction opened by begin no other connection writes: the tail is the one this
     * transaction last read or wrote (sqlite_cache.c forgets it at every rollback, to a
     * savepoint too, at commit and at any error), so a step's append reads nothing. */
    if (c->on && c->has_tail) {
        last = c->tail_seq;
        memcpy(prev, c->tail_hash, DW_SHA256_HEX);
    } else if ((r = audit_tail(q, &last, prev, err)) < 0) {
        return r;
    }
    a->seq = last + 1;
    a->at = dw_time_format(now, at, sizeof at);
    a->prev = prev;
    char *data_text = dw_json_canonical(a->data);
    if (!data_text)
        return dw__store_oom(err);
    r = dw__audit_hash_text(a, data_text, hash, err);
    if (r < 0) {
        free(data_text);
        return r;
    }
    if ((r = audit_insert(q, a, data_text, hash, err)) < 0)
        return r;
    if (c->on) {
        c->has_tail = true;
        c->tail_seq = a->seq;
        memcpy(c->tail_hash, hash, DW_SHA256_HEX);
    }
    return 0;
}

int dw__sq_audit_append(struct dw_store *s, const json_t *rec, dw_time_t now, int64_t *ret_seq,
                        struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    struct dw__audit_rec a = {0};
    json_t *owned_data = NULL;
    enum dw__sq_tx mode;
    int r = dw__audit_input(rec, &a, &owned_data, err);
    if (r == 0)
        r = dw__sq_tx_enter(q, false, &mode, err);
    if (r == 0) {
        r = audit_append_locked(q, &a, now, err);
        r = dw__sq_tx_leave(q, mode, r, err);
    }
    json_decref(owned_data);
    if (r == 0 && ret_seq)
        *ret_seq = a.seq;
    return r;
}

/* Check one stored row against the chain so far. Returns 0, -DW_EINTEGRITY (with the
 * reason in err) or another failure. */
static int verify_row(sqlite3_stmt *st, int64_t expect_seq, const char *expect_prev,
                      struct dw_error *err) {
    _cleanup_json_ json_t *data = NULL, *deal_id = NULL, *ws_hash = NULL;
    struct dw__audit_rec a = {0};
    char hash[DW_SHA256_HEX];
    const char *stored;

    a.seq = sqlite3_column_int64(st, 0);
    if (a.seq != expect_seq)
        return dw_error_set(err, -DW_EINTEGRITY, "audit record %lld: expected seq %lld",
                            (long long)a.seq, (long long)expect_seq);
    a.at = (const char *)sqlite3_column_text(st, 1);
    a.actor = (const char *)sqlite3_column_text(st, 3);
    a.action = (const char *)sqlite3_column_text(st, 4);
    a.prev = (const char *)sqlite3_column_text(st, 7);
    stored = (const char *)sqlite3_column_text(st, 8);
    if (!a.at || !a.actor || !a.action || !a.prev || !stored)
        return dw_error_set(err, -DW_EINTEGRITY, "audit record %lld: a field is missing",
                            (long long)a.seq);
    if (strcmp(a.prev, expect_prev) != 0)
        return dw_error_set(err, -DW_EINTEGRITY,
                            "audit record %lld: does not link to the hash of record %lld",
                            (long long)a.seq, (long long)expect_seq - 1);
    deal_id = sqlite3_column_type(st, 2) == SQLITE_NULL ? json_null()
                                                        : json_integer(sqlite3_column_int64(st, 2));
    ws_hash = sqlite3_column_type(st, 5) == SQLITE_NULL
                  ? json_null()
                  : json_string((const char *)sqlite3_column_text(st, 5));
    if (dw__sq_col_json(st, 6, &data, NULL) < 0 || !json_is_object(data))
        return dw_error_set(err, -DW_EINTEGRITY, "audit record %lld: data is not a JSON object",
                            (long long)a.seq);
    if (!deal_id || !ws_hash)
        return dw_error_set(err, -DW_EINTEGRITY, "audit record %lld: unreadable field",
                            (long long)a.seq);
    a.deal_id = deal_id;
    a.ws_hash = ws_hash;
    a.data = data;
    int r = dw__audit_hash(&a, hash, err);
    if (r < 0)
        return r;
    if (strcmp(hash, stored) != 0)
        return dw_error_set(err, -DW_EINTEGRITY,
                            "audit record %lld: content does not match its hash", (long long)a.seq);
    return 0;
}

int dw__sq_audit_walk(struct dw_store *s, int64_t mark_seq, struct dw_audit_walk *ret,
                      struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    char prev[DW_SHA256_HEX];
    int64_t n = 0;
    memset(ret, 0, sizeof *ret);
    int r = dw__sq_stmt(q, DW__SQ_AUDIT_ALL, &st, err);
    if (r < 0)
        return r;
    memcpy(prev, dw__audit_genesis, sizeof prev);
    /* One SELECT reads one snapshot, so appends running meanwhile are simply not seen. */
    while ((r = dw__sq_step(q, st, err, "audit_verify")) > 0) {
        r = verify_row(st, n + 1, prev, err);
        if (r == -DW_EINTEGRITY)
            ret->bad_seq = sqlite3_column_int64(st, 0);
        if (r < 0)
            return r;
        snprintf(prev, sizeof prev, "%s", (const char *)sqlite3_column_text(st, 8));
        n++;
        if (n == mark_seq)
            memcpy(ret->mark_hash, prev, sizeof prev);
    }
    if (r < 0)
        return r;
    ret->count = n;
    ret->head_seq = n;
    if (n)
        memcpy(ret->head_hash, prev, sizeof prev);
    return 0;
}

int dw__sq_audit_verify(struct dw_store *s, int64_t *ret_count, int64_t *ret_bad_seq,
                        struct dw_error *err) {
    struct dw_audit_walk w;
    int r = dw__sq_audit_walk(s, 0, &w, err);
    if (r == -DW_EINTEGRITY && ret_bad_seq)
        *ret_bad_seq = w.bad_seq;
    if (r == 0 && ret_count)
        *ret_count = w.count;
    return r;
}

int dw__sq_audit_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_AUDIT_FOR_DEAL, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "audit_for_deal");
    return dw__sq_rows(q, st, ret, err, "audit_for_deal");
}

int dw__sq_audit_since(struct dw_store *s, int64_t after_seq, int max, json_t **ret,
                       struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_AUDIT_SINCE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, after_seq < 0 ? 0 : after_seq, &rc);
    dw__sq_bind_int(st, 2, max < 1 ? 1 : max, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "audit_since");
    return dw__sq_rows(q, st, ret, err, "audit_since");
}
