/* store/postgres/audit — the event log and the audit hash chain on PostgreSQL.
 *
 * The chain is the SQLite backend's (docs/internals/audit.md), hashed by the same code
 * (lib/store/audit_chain.c), so a chain verifies identically on both backends.
 *
 * Both tables are append-only: the code only ever INSERTs, and triggers refuse UPDATE,
 * DELETE and TRUNCATE in the database itself (SQLite's refuse UPDATE and DELETE; it has no
 * TRUNCATE). The privacy purge never touches either table, so there are no exceptions.
 *
 * Ordering under many writers. SQLite serialises every writer; here two processes append at
 * once, in READ COMMITTED transactions. Both logs therefore number their records under the
 * transaction-scoped advisory lock DW__PG_LOCK_AUDIT, held to commit:
 * - audit_append takes it, then reads the tail (a statement after the lock, so its snapshot
 *   sees every record committed before), links to it and inserts seq = tail + 1. No other
 *   writer can read the same tail before this one commits or rolls back: the chain cannot
 *   fork, and a rolled-back append leaves neither a record nor a gap.
 * - event_append takes it too and numbers the event MAX(seq) + 1. Events are then numbered
 *   in commit order: no reader can see event n + 1 before event n is committed, so a reader
 *   that resumes after the last seq it saw (events_since, webhooks, the outbox) misses none.
 * A step's transaction usually appends both, so the second lock costs nothing more. The
 * lock and the statement after it go in one round trip, through the plpgsql functions of
 * the schema (dw_audit_tail, dw_event_append), given the key DW__PG_LOCK_AUDIT: the lock is
 * held from there to the transaction's end, in the hot path of every step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/audit_chain.h"
#include "store/postgres/pg_internal.h"
#include "store/record.h"

#define AUDIT_PAGE 2000 /* records per statement when walking the chain */

const char dw__pg_schema_audit[] =
    /* Event log and audit chain: append-only, enforced here as well as in the code. No
     * foreign key on deal_id: a record about a refused action may name no real deal. */
    "CREATE TABLE events ("
    "  seq bigint PRIMARY KEY," /* assigned by the code under the lock: see pg_audit.c */
    "  deal_id bigint,"
    "  type text COLLATE \"C\" NOT NULL,"
    "  at text NOT NULL,"
    "  data text NOT NULL"
    ");"
    "CREATE INDEX events_deal ON events (deal_id, seq);"
    /* the reports read only the stage changes (pg_deals.c): these without the rest */
    "CREATE INDEX events_stage_changes ON events (deal_id, seq)"
    "  WHERE type = 'deal.stage_changed';"
    "CREATE TABLE audit ("
    "  seq bigint PRIMARY KEY," /* assigned by the code (last + 1): it is hashed */
    "  at text NOT NULL,"
    "  deal_id bigint,"
    "  actor text NOT NULL,"
    "  action text NOT NULL,"
    "  ws_hash text,"
    "  data text NOT NULL," /* canonical JSON */
    "  prev text NOT NULL,"
    "  hash text NOT NULL"
    ");"
    "CREATE INDEX audit_deal ON audit (deal_id, seq);"
    /* The lock and what must follow it in one round trip. A volatile plpgsql function
     * takes a new snapshot for each statement in READ COMMITTED, so the statement after
     * pg_advisory_xact_lock sees every record committed before the lock was granted. */
    "CREATE FUNCTION dw_audit_tail(lock_key bigint) RETURNS TABLE (seq bigint, hash text)"
    "  LANGUAGE plpgsql AS $$"
    "BEGIN"
    "  PERFORM pg_advisory_xact_lock(lock_key);"
    "  RETURN QUERY SELECT a.seq, a.hash FROM audit a ORDER BY a.seq DESC LIMIT 1;"
    "END $$;"
    "CREATE FUNCTION dw_event_append(lock_key bigint, e_deal bigint, e_type text, e_at text,"
    "  e_data text) RETURNS bigint LANGUAGE plpgsql AS $$"
    "DECLARE n bigint;"
    "BEGIN"
    "  PERFORM pg_advisory_xact_lock(lock_key);"
    "  INSERT INTO events AS e (seq, deal_id, type, at, data)"
    "    SELECT COALESCE(MAX(x.seq), 0) + 1, e_deal, e_type, e_at, e_data FROM events x"
    "    RETURNING e.seq INTO n;"
    "  RETURN n;"
    "END $$;"
    /* The refusal, its message the trigger's argument. */
    "CREATE FUNCTION dw_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
    "BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END $$;"
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events FOR EACH ROW"
    "  EXECUTE FUNCTION dw_append_only('events are append-only');"
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events FOR EACH ROW"
    "  EXECUTE FUNCTION dw_append_only('events are append-only');"
    "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT"
    "  EXECUTE FUNCTION dw_append_only('events are append-only');"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit FOR EACH ROW"
    "  EXECUTE FUNCTION dw_append_only('the audit log is append-only');"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit FOR EACH ROW"
    "  EXECUTE FUNCTION dw_append_only('the audit log is append-only');"
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT"
    "  EXECUTE FUNCTION dw_append_only('the audit log is append-only');";

/* ---- appends at commit -------------------------------------------------------------
 *
 * Inside a write transaction, an append whose caller does not ask for its seq (the control
 * plane's never do) is not written at once: it is kept in memory (struct dw_pg_append, in
 * call order) and written when the transaction commits, by dw__pg_appends_flush:
 *   1. SELECT dw_audit_tail(DW__PG_LOCK_AUDIT): the tail lock, then the chain's tail;
 *   2. in one round trip (a pipeline): every audit record in one INSERT (seqs from the
 *      tail, each hash linking to the one before), every event in one INSERT numbered
 *      MAX(seq) + 1 on (a statement after the lock: it sees every event committed before),
 *      and COMMIT.
 * So the tail lock is the last lock a transaction takes and is held for two round trips,
 * not from the first append of a batch to its commit; a transaction holding it waits for
 * no row lock, and so no deadlock can involve it. That is why begin takes no writers' lock
 * (pg.c). What the lock guarantees is unchanged (see the top): the tail is read under it,
 * and records and events are numbered under it, by a lock held until COMMIT has completed.
 *
 * Savepoints keep their mark (pg_internal.h): rolling back to one drops what was buffered
 * after it, as the database drops its rows. A read of the log or the chain inside the
 * transaction (events_for_deal, audit_since, stats, the reports, webhook_insert) flushes
 * first, without committing: the transaction then holds the tail lock to its end, as every
 * transaction did before, and its later appends are buffered again and written after the
 * tail is read once more at commit. An append that asks for its seq, or has no write
 * transaction, is written at once, after what is buffered. */
struct dw_pg_append {
    bool audit;
    bool has_deal;   /* audit: deal_id is an integer (else null) */
    int64_t deal_id; /* event: 0 = none */
    char at[32];
    char *name;    /* the event's type, the record's action */
    char *actor;   /* audit */
    char *ws_hash; /* audit; NULL: null */
    char *data;    /* the event's compact JSON, the record's canonical JSON */
};

static void append_free(struct dw_pg_append *a) {
    free(a->name);
    free(a->actor);
    free(a->ws_hash);
    free(a->data);
}

void dw__pg_appends_drop(struct dw_pg *g, size_t keep) {
    while (g->n_pending > keep)
        append_free(&g->pending[--g->n_pending]);
    if (!g->n_pending) {
        free(g->pending);
        g->pending = NULL;
        g->cap_pending = 0;
    }
}

static struct dw_pg_append *pending_new(struct dw_pg *g) {
    if (g->n_pending == g->cap_pending) {
        size_t cap = g->cap_pending ? g->cap_pending * 2 : 64;
        struct dw_pg_append *n = realloc(g->pending, cap * sizeof *n);
        if (!n)
            return NULL;
        g->pending = n;
        g->cap_pending = cap;
    }
    struct dw_pg_append *a = &g->pending[g->n_pending];
    memset(a, 0, sizeof *a);
    return a;
}

static int pending_event(struct dw_pg *g, int64_t deal_id, const char *type, const json_t *data,
                         dw_time_t now, struct dw_error *err) {
    struct dw_pg_append *a = pending_new(g);
    if (!a)
        return dw__store_oom(err);
    a->deal_id = deal_id;
    dw_time_format(now, a->at, sizeof a->at);
    a->data = dw_json_compact(data);
    a->name = strdup(type);
    if (!a->data || !a->name) {
        append_free(a);
        return dw__store_oom(err);
    }
    if (strlen(a->data) > DW__PG_TEXT_MAX) {
        append_free(a);
        return dw_error_set(err, -DW_ETOOBIG, "event_append: a value is larger than %u bytes",
                            DW__PG_TEXT_MAX);
    }
    g->n_pending++;
    return 0;
}

static int pending_audit(struct dw_pg *g, const struct dw__audit_rec *r, dw_time_t now,
                         struct dw_error *err) {
    struct dw_pg_append *a = pending_new(g);
    if (!a)
        return dw__store_oom(err);
    a->audit = true;
    a->has_deal = json_is_integer(r->deal_id);
    a->deal_id = a->has_deal ? (int64_t)json_integer_value(r->deal_id) : 0;
    dw_time_format(now, a->at, sizeof a->at);
    a->name = strdup(r->action);
    a->actor = strdup(r->actor);
    a->ws_hash = json_is_string(r->ws_hash) ? strdup(json_string_value(r->ws_hash)) : NULL;
    a->data = dw_json_canonical(r->data);
    if (!a->name || !a->actor || !a->data || (json_is_string(r->ws_hash) && !a->ws_hash)) {
        append_free(a);
        return dw__store_oom(err);
    }
    if (strlen(a->data) > DW__PG_TEXT_MAX) {
        append_free(a);
        return dw_error_set(err, -DW_ETOOBIG, "audit_append: a value is larger than %u bytes",
                            DW__PG_TEXT_MAX);
    }
    g->n_pending++;
    return 0;
}

/* A growing PostgreSQL array literal: {"a","b",NULL} (text) or {1,NULL} (bigint). */
struct arr {
    char *s;
    size_t n, cap;
    bool oom;
};

static void arr_put(struct arr *b, const char *s, size_t len) {
    if (b->oom)
        return;
    if (b->n + len + 2 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->n + len + 2 > cap)
            cap *= 2;
        char *n = realloc(b->s, cap);
        if (!n) {
            b->oom = true;
            return;
        }
        b->s = n;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, len);
    b->n += len;
    b->s[b->n] = '\0';
}

static void arr_sep(struct arr *b) {
    arr_put(b, b->n ? "," : "{", 1);
}

static void arr_text(struct arr *b, const char *v) {
    arr_sep(b);
    if (!v) {
        arr_put(b, "NULL", 4);
        return;
    }
    arr_put(b, "\"", 1);
    for (const char *p = v; *p;) {
        size_t run = strcspn(p, "\"\\");
        arr_put(b, p, run);
        p += run;
        if (*p) {
            char esc[2] = {'\\', *p++};
            arr_put(b, esc, 2);
        }
    }
    arr_put(b, "\"", 1);
}

static void arr_int(struct arr *b, bool null, int64_t v) {
    char num[24];
    arr_sep(b);
    int len =
        null ? snprintf(num, sizeof num, "NULL") : snprintf(num, sizeof num, "%lld", (long long)v);
    arr_put(b, num, (size_t)len);
}

static const char *arr_end(struct arr *b) {
    if (!b->n)
        arr_put(b, "{", 1);
    arr_put(b, "}", 1);
    return b->oom ? NULL : b->s;
}

/* The lock, then the tail (see the top). */
static const char sql_audit_tail[] = "SELECT seq, hash FROM dw_audit_tail($1)";

/* The chain's tail under DW__PG_LOCK_AUDIT, held to commit: *ret_last its seq (0 when the
 * chain is empty) and prev its hash (the genesis hash then). */
/* With `commit`, the leases the transaction released go first, in the same round trip
 * (dw__pg_leases_at_commit): before the tail lock, which stays the last lock taken. */
static int audit_tail(struct dw_pg *g, const char *what, bool commit, int64_t *ret_last,
                      char prev[DW_SHA256_HEX], struct dw_error *err) {
    PGresult *res = NULL;
    struct dw_pg_params tp[2] = {0};
    const char *sql[2] = {NULL, sql_audit_tail};
    int r;
    if (commit && (sql[0] = dw__pg_leases_at_commit(g, &tp[0]))) {
        dw__pg_p_int(&tp[1], DW__PG_LOCK_AUDIT);
        r = dw__pg_pipeline(g, what, 2, sql, tp, false, &res, err);
    } else {
        dw__pg_p_int(&tp[0], DW__PG_LOCK_AUDIT);
        r = dw__pg_run(g, what, sql_audit_tail, &tp[0], &res, err);
    }
    if (r < 0)
        return r;
    *ret_last = 0;
    if (PQntuples(res) == 0) {
        memcpy(prev, dw__audit_genesis, DW_SHA256_HEX);
    } else {
        const char *h = dw__pg_text(res, 0, 1);
        *ret_last = dw__pg_int(res, 0, 0);
        if (!h || strlen(h) != DW_SHA256_HEX - 1) {
            PQclear(res);
            return dw_error_set(err, -DW_EINTEGRITY, "audit record %lld has a malformed hash",
                                (long long)*ret_last);
        }
        memcpy(prev, h, DW_SHA256_HEX);
    }
    PQclear(res);
    return 0;
}
static const char sql_audit_many[] =
    "INSERT INTO audit (seq, at, deal_id, actor, action, ws_hash, data, prev, hash) "
    "SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], "
    "$6::text[], $7::text[], $8::text[], $9::text[])";
/* numbered after the lock (statement 1 of the flush took it): every committed event seen */
static const char sql_events_many[] =
    "INSERT INTO events (seq, deal_id, type, at, data) "
    "SELECT m.last + u.n, u.deal, u.type, u.at, u.data "
    "FROM (SELECT COALESCE(MAX(seq), 0) AS last FROM events) m, "
    "unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY "
    "AS u(deal, type, at, data, n)";

enum { A_SEQ, A_AT, A_DEAL, A_ACTOR, A_ACTION, A_WS, A_DATA, A_PREV, A_HASH, A_N };
enum { E_DEAL, E_TYPE, E_AT, E_DATA, E_N };

int dw__pg_appends_flush(struct dw_pg *g, bool commit, struct dw_error *err) {
    if (!g->n_pending)
        return 0;
    if (!g->in_tx || g->read_only)
        return dw_error_set(err, -DW_EINTERNAL, "appends buffered outside a write transaction");
    char prev[DW_SHA256_HEX], hash[DW_SHA256_HEX];
    int64_t last = 0;
    int r = audit_tail(g, "commit (audit tail)", commit, &last, prev, err);
    if (r < 0)
        return r;

    struct arr a[A_N] = {0}, e[E_N] = {0};
    size_t n_audit = 0, n_events = 0;
    for (size_t i = 0; i < g->n_pending && r == 0; i++) {
        const struct dw_pg_append *x = &g->pending[i];
        if (!x->audit) {
            arr_int(&e[E_DEAL], x->deal_id == 0, x->deal_id);
            arr_text(&e[E_TYPE], x->name);
            arr_text(&e[E_AT], x->at);
            arr_text(&e[E_DATA], x->data);
            n_events++;
            continue;
        }
        _cleanup_json_ json_t *deal = x->has_deal ? json_integer(x->deal_id) : json_null();
        _cleanup_json_ json_t *ws = x->ws_hash ? json_string(x->ws_hash) : json_null();
        if (!deal || !ws) {
            r = dw__store_oom(err);
            break;
        }
        struct dw__audit_rec rec = {.seq = last + 1,
                                    .at = x->at,
                                    .actor = x->actor,
                                    .action = x->name,
                                    .prev = prev,
                                    .deal_id = deal,
                                    .ws_hash = ws};
        if ((r = dw__audit_hash_text(&rec, x->data, hash, err)) < 0)
            break;
        last++;
        arr_int(&a[A_SEQ], false, last);
        arr_text(&a[A_AT], x->at);
        arr_int(&a[A_DEAL], !x->has_deal, x->deal_id);
        arr_text(&a[A_ACTOR], x->actor);
        arr_text(&a[A_ACTION], x->name);
        arr_text(&a[A_WS], x->ws_hash);
        arr_text(&a[A_DATA], x->data);
        arr_text(&a[A_PREV], prev);
        arr_text(&a[A_HASH], hash);
        memcpy(prev, hash, sizeof prev);
        n_audit++;
    }
    const char *sql[2];
    struct dw_pg_params p[2];
    int n = 0;
    memset(p, 0, sizeof p);
    if (r == 0 && n_audit) {
        sql[n] = sql_audit_many;
        for (int k = 0; k < A_N; k++) {
            const char *v = arr_end(&a[k]);
            if (!v)
                p[n].rc = -DW_ENOMEM;
            else /* the batch's records together may pass a value's limit; each did not */
                p[n].v[p[n].n++] = v;
        }
        n++;
    }
    if (r == 0 && n_events) {
        sql[n] = sql_events_many;
        for (int k = 0; k < E_N; k++) {
            const char *v = arr_end(&e[k]);
            if (!v)
                p[n].rc = -DW_ENOMEM;
            else /* the batch's records together may pass a value's limit; each did not */
                p[n].v[p[n].n++] = v;
        }
        n++;
    }
    if (r == 0)
        r = dw__pg_pipeline(g, commit ? "commit" : "audit and events", n, sql, p, commit, NULL,
                            err);
    for (int k = 0; k < A_N; k++)
        free(a[k].s);
    for (int k = 0; k < E_N; k++)
        free(e[k].s);
    if (r == 0) {
        dw__pg_appends_drop(g, 0);
        /* written: a later rollback to a savepoint opened before drops them in the database,
         * and keeps nothing buffered after them */
        for (int k = 0; k < DW__PG_SAVEPOINT_MAX; k++)
            g->pending_mark[k] = 0;
    }
    return r == 0 && commit ? 1 : r;
}

/* ---- events ------------------------------------------------------------------------ */

/* Under DW__PG_LOCK_AUDIT (see the top): numbered in commit order. One statement: outside
 * a transaction it is its own, and the lock is held to its commit. */
static const char sql_event_append[] = "SELECT dw_event_append($1, $2, $3, $4, $5)";

static int event_append(struct dw_store *s, int64_t deal_id, const char *type, const json_t *data,
                        dw_time_t now, int64_t *ret_seq, struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    struct dw_pg_params p = {0};
    _cleanup_json_ json_t *empty = NULL;
    PGresult *res = NULL;
    if (!type || !*type)
        return dw_error_field(err, -DW_EINVAL, "type", "an event needs a type");
    if (!data && !(data = empty = json_object()))
        return dw__store_oom(err);
    if (g->in_tx && !g->read_only && !ret_seq)
        return pending_event(g, deal_id, type, data, now, err);
    /* the seq is wanted now, or there is no transaction to wait for: what is buffered goes
     * first, so that the log keeps the order of the calls */
    int r = dw__pg_appends_flush(g, false, err);
    if (r < 0)
        return r;
    dw__pg_p_int(&p, DW__PG_LOCK_AUDIT);
    dw__pg_p_id(&p, deal_id);
    dw__pg_p_text(&p, type);
    dw__pg_p_time(&p, now);
    dw__pg_p_json(&p, data);
    r = dw__pg_run(g, "event_append", sql_event_append, &p, &res, err);
    if (r < 0)
        return r;
    if (ret_seq)
        *ret_seq = dw__pg_int(res, 0, 0);
    PQclear(res);
    return 0;
}

static const char sql_events_for_deal[] =
    "SELECT seq, type, at, data AS \"data:json\" FROM events WHERE deal_id = $1 ORDER BY seq";

static int events_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret,
                           struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, deal_id);
    int r = dw__pg_appends_flush(dw__pg(s), false, err);
    if (r < 0)
        return r;
    return dw__pg_rows_of(dw__pg(s), false, "events_for_deal", sql_events_for_deal, &p, ret, err);
}

static const char sql_events_since[] = "SELECT seq, deal_id, type, at, data AS \"data:json\" "
                                       "FROM events WHERE seq > $1 ORDER BY seq LIMIT $2";

static int events_since(struct dw_store *s, int64_t after_seq, int max, json_t **ret,
                        struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, after_seq < 0 ? 0 : after_seq);
    dw__pg_p_int(&p, max < 1 ? 1 : max);
    int r = dw__pg_appends_flush(dw__pg(s), false, err);
    if (r < 0)
        return r;
    return dw__pg_rows_of(dw__pg(s), false, "events_since", sql_events_since, &p, ret, err);
}

/* ---- the chain --------------------------------------------------------------------- */

static const char sql_audit_append[] =
    "INSERT INTO audit (seq, at, deal_id, actor, action, ws_hash, data, prev, hash) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/* In a transaction: the lock and the tail, the link, the record. */
static int audit_append_tx(struct dw_pg *g, struct dw__audit_rec *a, dw_time_t now,
                           struct dw_error *err) {
    char prev[DW_SHA256_HEX], hash[DW_SHA256_HEX], at[32];
    int64_t last = 0;
    int r = audit_tail(g, "audit_append (tail)", false, &last, prev, err);
    if (r < 0)
        return r;
    a->seq = last + 1;
    a->at = dw_time_format(now, at, sizeof at);
    a->prev = prev;
    _cleanup_free_ char *data_text = dw_json_canonical(a->data);
    if (!data_text)
        return dw__store_oom(err);
    if ((r = dw__audit_hash_text(a, data_text, hash, err)) < 0)
        return r;
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, a->seq);
    dw__pg_p_text(&p, a->at);
    if (json_is_integer(a->deal_id))
        dw__pg_p_int(&p, (int64_t)json_integer_value(a->deal_id));
    else
        dw__pg_p_text(&p, NULL);
    dw__pg_p_text(&p, a->actor);
    dw__pg_p_text(&p, a->action);
    dw__pg_p_text(&p, json_string_value(a->ws_hash));
    dw__pg_p_text(&p, data_text);
    dw__pg_p_text(&p, a->prev);
    dw__pg_p_text(&p, hash);
    return dw__pg_run(g, "audit_append", sql_audit_append, &p, NULL, err);
}

static int audit_append(struct dw_store *s, const json_t *rec, dw_time_t now, int64_t *ret_seq,
                        struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    struct dw__audit_rec a = {0};
    json_t *owned_data = NULL;
    enum dw__pg_tx mode;
    int r = dw__audit_input(rec, &a, &owned_data, err);
    if (r == 0 && g->in_tx && !g->read_only && !ret_seq) {
        r = pending_audit(g, &a, now, err);
        json_decref(owned_data);
        return r;
    }
    if (r == 0)
        r = dw__pg_appends_flush(g, false, err); /* the calls' order (event_append) */
    if (r == 0)
        r = dw__pg_tx_enter(g, false, &mode, err);
    if (r == 0) {
        r = audit_append_tx(g, &a, now, err);
        r = dw__pg_tx_leave(g, mode, r, err);
    }
    json_decref(owned_data);
    if (r == 0 && ret_seq)
        *ret_seq = a.seq;
    return r;
}

/* The columns of sql_audit_page, in order. */
enum { C_SEQ, C_AT, C_DEAL, C_ACTOR, C_ACTION, C_WS, C_DATA, C_PREV, C_HASH };

static const char sql_audit_page[] =
    "SELECT seq, at, deal_id, actor, action, ws_hash, data, prev, hash FROM audit "
    "WHERE seq > $1 ORDER BY seq LIMIT $2";

/* Check one stored row against the chain so far. Returns 0, -DW_EINTEGRITY (with the
 * reason in err) or another failure. */
static int verify_row(const PGresult *res, int row, int64_t expect_seq, const char *expect_prev,
                      struct dw_error *err) {
    _cleanup_json_ json_t *data = NULL, *deal_id = NULL, *ws_hash = NULL;
    struct dw__audit_rec a = {0};
    char hash[DW_SHA256_HEX];
    const char *stored;

    a.seq = dw__pg_int(res, row, C_SEQ);
    if (a.seq != expect_seq)
        return dw_error_set(err, -DW_EINTEGRITY, "audit record %lld: expected seq %lld",
                            (long long)a.seq, (long long)expect_seq);
    a.at = dw__pg_text(res, row, C_AT);
    a.actor = dw__pg_text(res, row, C_ACTOR);
    a.action = dw__pg_text(res, row, C_ACTION);
    a.prev = dw__pg_text(res, row, C_PREV);
    stored = dw__pg_text(res, row, C_HASH);
    if (!a.at || !a.actor || !a.action || !a.prev || !stored)
        return dw_error_set(err, -DW_EINTEGRITY, "audit record %lld: a field is missing",
                            (long long)a.seq);
    if (strcmp(a.prev, expect_prev) != 0)
        return dw_error_set(err, -DW_EINTEGRITY,
                            "audit record %lld: does not link to the hash of record %lld",
                            (long long)a.seq, (long long)expect_seq - 1);
    deal_id =
        dw__pg_isnull(res, row, C_DEAL) ? json_null() : json_integer(dw__pg_int(res, row, C_DEAL));
    ws_hash =
        dw__pg_isnull(res, row, C_WS) ? json_null() : json_string(dw__pg_text(res, row, C_WS));
    /* parsed as the SQLite backend parses a JSON column */
    json_error_t jerr;
    if (!dw__pg_isnull(res, row, C_DATA))
        data = json_loadb(PQgetvalue(res, row, C_DATA), (size_t)PQgetlength(res, row, C_DATA),
                          JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!data || !json_is_object(data))
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

/* The chain is read a page at a time (memory follows the page, not the log), each page
 * starting after the last record checked. Pages may see different snapshots outside the
 * caller's snapshot(); the log only ever grows at its end, so a later page sees the same
 * records plus newer ones, which link on. */
static int audit_walk(struct dw_store *s, int64_t mark_seq, struct dw_audit_walk *ret,
                      struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    char prev[DW_SHA256_HEX];
    int64_t n = 0;
    int r = 0;
    memset(ret, 0, sizeof *ret);
    memcpy(prev, dw__audit_genesis, sizeof prev);
    if ((r = dw__pg_appends_flush(g, false, err)) < 0)
        return r;
    for (;;) {
        struct dw_pg_params p = {0};
        PGresult *res = NULL;
        dw__pg_p_int(&p, n);
        dw__pg_p_int(&p, AUDIT_PAGE);
        if ((r = dw__pg_run(g, "audit_verify", sql_audit_page, &p, &res, err)) < 0)
            return r;
        int rows = PQntuples(res);
        for (int i = 0; i < rows; i++) {
            r = verify_row(res, i, n + 1, prev, err);
            if (r == -DW_EINTEGRITY)
                ret->bad_seq = dw__pg_int(res, i, C_SEQ);
            if (r < 0)
                break;
            snprintf(prev, sizeof prev, "%s", dw__pg_text(res, i, C_HASH));
            n++;
            if (n == mark_seq)
                memcpy(ret->mark_hash, prev, sizeof prev);
        }
        PQclear(res);
        if (r < 0)
            return r;
        if (rows < AUDIT_PAGE)
            break;
    }
    ret->count = n;
    ret->head_seq = n;
    if (n)
        memcpy(ret->head_hash, prev, sizeof prev);
    return 0;
}

static int audit_verify(struct dw_store *s, int64_t *ret_count, int64_t *ret_bad_seq,
                        struct dw_error *err) {
    struct dw_audit_walk w;
    int r = audit_walk(s, 0, &w, err);
    if (r == -DW_EINTEGRITY && ret_bad_seq)
        *ret_bad_seq = w.bad_seq;
    if (r == 0 && ret_count)
        *ret_count = w.count;
    return r;
}

static const char sql_audit_for_deal[] =
    "SELECT seq, at, deal_id, actor, action, ws_hash, data AS \"data:json\", prev, hash "
    "FROM audit WHERE deal_id = $1 ORDER BY seq";

static int audit_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, deal_id);
    int r = dw__pg_appends_flush(dw__pg(s), false, err);
    if (r < 0)
        return r;
    return dw__pg_rows_of(dw__pg(s), false, "audit_for_deal", sql_audit_for_deal, &p, ret, err);
}

static const char sql_audit_since[] =
    "SELECT seq, at, deal_id, actor, action, ws_hash, data AS \"data:json\", prev, hash "
    "FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2";

static int audit_since(struct dw_store *s, int64_t after_seq, int max, json_t **ret,
                       struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, after_seq < 0 ? 0 : after_seq);
    dw__pg_p_int(&p, max < 1 ? 1 : max);
    int r = dw__pg_appends_flush(dw__pg(s), false, err);
    if (r < 0)
        return r;
    return dw__pg_rows_of(dw__pg(s), false, "audit_since", sql_audit_since, &p, ret, err);
}

void dw__pg_ops_audit(struct dw_store_ops *o) {
    o->event_append = event_append;
    o->events_for_deal = events_for_deal;
    o->events_since = events_since;
    o->audit_append = audit_append;
    o->audit_verify = audit_verify;
    o->audit_walk = audit_walk;
    o->audit_for_deal = audit_for_deal;
    o->audit_since = audit_since;
}
