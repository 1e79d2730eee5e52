/* store/sqlite — the model-call journal (docs/internals/models.md "Journal").
 *
 * Why a second database file beside the state (PATH.calls, PATH being the state's):
 * an entry must be durable before its answer is used, and must survive the step that
 * asked for it failing or the process being killed, so that the step's re-run finds the
 * answer it already paid for instead of calling the provider again (a journaled
 * non-deterministic call, as Temporal does it). The step runs inside the control plane's
 * write transaction on the state database; an entry written there would vanish with the
 * step on a crash, and a second connection to the same file cannot write while that
 * transaction holds the lock. A file of its own, with its own connection, commits each
 * entry at once (WAL, synchronous=FULL, like the state) whatever the state connection
 * has open.
 *
 * The file is opened on first use and only created by a write: a workspace without
 * models never gets one, and reads (audit show, purge, metrics) of a missing journal see
 * it empty. An in-memory state has an in-memory journal.
 *
 * Append-only: calls are inserted, verdicts are rows of their own; the only deletion is
 * the privacy purge of a deal (mcalls_purge), which the privacy code runs with the
 * deal's other personal data.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sqlite_internal.h"

#define DW__MC_BUSY_MS 5000

static const char mc_schema[] =
    "CREATE TABLE IF NOT EXISTS model_calls ("
    " id INTEGER PRIMARY KEY,"
    " key TEXT NOT NULL," /* the replay key: hash of deal, agent, task, request */
    " at TEXT NOT NULL, at_s INTEGER NOT NULL,"
    " deal_id INTEGER," /* NULL: no deal */
    " agent TEXT, task TEXT NOT NULL, prompt TEXT, template_hash TEXT,"
    " provider TEXT, model TEXT,"
    " request TEXT,"          /* the masked request, JSON */
    " response TEXT,"         /* the masked answer as received, JSON; NULL: none */
    " outcome TEXT NOT NULL," /* ok, refused, invalid, failed, budget, breaker */
    " why TEXT,"
    " tokens_in INTEGER NOT NULL DEFAULT 0, tokens_out INTEGER NOT NULL DEFAULT 0,"
    " latency_ms INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,"
    " flags TEXT,"
    " fallback INTEGER NOT NULL DEFAULT 0," /* the ask ended here without an answer */
    " wall_ms INTEGER NOT NULL DEFAULT 0);" /* the wall clock: the breaker's cooldown */
    "CREATE INDEX IF NOT EXISTS model_calls_key ON model_calls(key);"
    "CREATE INDEX IF NOT EXISTS model_calls_deal ON model_calls(deal_id);"
    "CREATE INDEX IF NOT EXISTS model_calls_at ON model_calls(at_s);"
    "CREATE INDEX IF NOT EXISTS model_calls_provider ON model_calls(provider, id);"
    "CREATE TABLE IF NOT EXISTS model_verdicts ("
    " id INTEGER PRIMARY KEY,"
    " call_id INTEGER NOT NULL REFERENCES model_calls(id) ON DELETE CASCADE,"
    " at TEXT NOT NULL, verdict TEXT NOT NULL, detail TEXT);"
    "CREATE INDEX IF NOT EXISTS model_verdicts_call ON model_verdicts(call_id);";

static int mc_error(sqlite3 *db, int rc, struct dw_error *err, const char *what) {
    int code = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ? -DW_EBUSY
               : (rc & 0xff) == SQLITE_NOMEM                              ? -DW_ENOMEM
                                                                          : -DW_ESTORE;
    return dw_error_set(err, code, "model journal: %s: %s", what,
                        db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* The journal's connection; with create false and no file yet, *ret is NULL (empty). */
static int mc_db(struct dw_sqlite *q, bool create, sqlite3 **ret, struct dw_error *err) {
    *ret = NULL;
    if (q->mc_db) {
        *ret = q->mc_db;
        return 0;
    }
    if (!q->path)
        return 0;
    bool memory = strcmp(q->path, ":memory:") == 0;
    char path[4200];
    if (memory)
        snprintf(path, sizeof path, ":memory:");
    else if ((size_t)snprintf(path, sizeof path, "%s.calls", q->path) >= sizeof path)
        return dw_error_set(err, -DW_EINVAL, "model journal: the path is too long");
    if (!memory && !create && access(path, F_OK) < 0)
        return 0;
    if (memory && !create)
        return 0;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(
        path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(db, DW__MC_BUSY_MS);
    if (rc == SQLITE_OK && !memory)
        rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, mc_schema, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        int r = mc_error(db, rc, err, "opening");
        sqlite3_close_v2(db);
        return r;
    }
    q->mc_db = *ret = db;
    return 0;
}

void dw__sq_mc_close(struct dw_sqlite *q) {
    if (q->mc_db)
        sqlite3_close_v2(q->mc_db);
    q->mc_db = NULL;
    free(q->path);
    q->path = NULL;
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct dw_error *err) {
    int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? 0 : mc_error(db, rc, err, "prepare");
}

static int run(sqlite3 *db, sqlite3_stmt *st, struct dw_error *err, const char *what) {
    int rc = sqlite3_step(st);
    int r = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : mc_error(db, rc, err, what);
    sqlite3_finalize(st);
    return r;
}

int dw__sq_mcall_append(struct dw_store *s, const json_t *rec, dw_time_t now, int64_t *ret_id,
                        struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    sqlite3 *db;
    int r = mc_db(q, true, &db, err);
    if (r < 0)
        return r;
    sqlite3_stmt *st;
    if ((r = prepare(
             db,
             "INSERT INTO model_calls (key, at, at_s, deal_id, agent, task, prompt, "
             "template_hash, provider, model, request, response, outcome, why, "
             "tokens_in, tokens_out, latency_ms, attempts, flags, fallback, wall_ms) VALUES "
             "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,"
             "?21)",
             &st, err)) < 0)
        return r;
    int rc = SQLITE_OK;
    dw__sq_bind_text(st, 1, dw_json_str(rec, "key"), &rc);
    dw__sq_bind_time(st, 2, now, &rc);
    dw__sq_bind_int(st, 3, now, &rc);
    dw__sq_bind_id(st, 4, dw_json_int(rec, "deal_id", 0), &rc);
    static const char *const text[] = {"agent",         "task",     "prompt",
                                       "template_hash", "provider", "model"};
    for (int i = 0; i < 6; i++)
        dw__sq_bind_text(st, 5 + i, dw_json_str(rec, text[i]), &rc);
    const json_t *req = json_object_get(rec, "request"), *resp = json_object_get(rec, "response");
    dw__sq_bind_json(st, 11, req, &rc);
    dw__sq_bind_json(st, 12, json_is_null(resp) ? NULL : resp, &rc);
    dw__sq_bind_text(st, 13, dw_json_str(rec, "outcome") ? dw_json_str(rec, "outcome") : "failed",
                     &rc);
    dw__sq_bind_text(st, 14, dw_json_str(rec, "why"), &rc);
    static const char *const ints[] = {"tokens_in", "tokens_out", "latency_ms", "attempts"};
    for (int i = 0; i < 4; i++)
        dw__sq_bind_int(st, 15 + i, dw_json_int(rec, ints[i], 0), &rc);
    const json_t *flags = json_object_get(rec, "flags");
    dw__sq_bind_json(st, 19, json_array_size(flags) ? flags : NULL, &rc);
    dw__sq_bind_int(st, 20, json_is_true(json_object_get(rec, "fallback")), &rc);
    dw__sq_bind_int(st, 21, dw_json_int(rec, "wall_ms", 0), &rc);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return dw__sq_bind_error(rc, err, "model_calls");
    }
    if ((r = run(db, st, err, "append")) < 0)
        return r;
    if (ret_id)
        *ret_id = sqlite3_last_insert_rowid(db);
    return 0;
}

#define MC_COLS                                                                                    \
    "id, key, at, deal_id, agent, task, prompt, template_hash, provider, model, "                  \
    "request AS [request:json], response AS [response:json], outcome, why, tokens_in, "            \
    "tokens_out, latency_ms, attempts, flags AS [flags:json], fallback AS [fallback:bool]"

static int rows(sqlite3 *db, sqlite3_stmt *st, json_t **ret, struct dw_error *err) {
    json_t *a = json_array();
    if (!a) {
        sqlite3_finalize(st);
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    int rc, r = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = NULL;
        if ((r = dw__sq_row(st, &row, err)) < 0)
            break;
        json_array_append_new(a, row);
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = mc_error(db, rc, err, "read");
    sqlite3_finalize(st);
    if (r < 0) {
        json_decref(a);
        return r;
    }
    *ret = a;
    return 0;
}

int dw__sq_mcall_find(struct dw_store *s, const char *key, json_t **ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    sqlite3 *db;
    int r = mc_db(q, false, &db, err);
    if (r < 0)
        return r;
    if (!db)
        return -DW_ENOENT;
    sqlite3_stmt *st;
    /* only answers that came back are replayed; a failure is tried again */
    if ((r = prepare(db,
                     "SELECT " MC_COLS " FROM model_calls WHERE key = ?1 AND outcome IN "
                     "('ok', 'refused', 'invalid') ORDER BY id DESC LIMIT 1",
                     &st, err)) < 0)
        return r;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    json_t *a = NULL;
    if ((r = rows(db, st, &a, err)) < 0)
        return r;
    if (!json_array_size(a)) {
        json_decref(a);
        return -DW_ENOENT;
    }
    *ret = json_incref(json_array_get(a, 0));
    json_decref(a);
    return 0;
}

int dw__sq_mcall_verdict(struct dw_store *s, int64_t id, const char *verdict, const json_t *detail,
                         dw_time_t now, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    sqlite3 *db;
    int r = mc_db(q, true, &db, err);
    if (r < 0)
        return r;
    sqlite3_stmt *st;
    /* a step re-run on a replayed answer gives the same verdict again: kept once */
    if ((r = prepare(db,
                     "INSERT INTO model_verdicts (call_id, at, verdict, detail) SELECT id, ?2, "
                     "?3, ?4 FROM model_calls WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM "
                     "model_verdicts WHERE call_id = ?1 AND verdict = ?3 AND detail IS ?4)",
                     &st, err)) < 0)
        return r;
    int rc = SQLITE_OK;
    dw__sq_bind_int(st, 1, id, &rc);
    dw__sq_bind_time(st, 2, now, &rc);
    dw__sq_bind_text(st, 3, verdict, &rc);
    dw__sq_bind_json(st, 4, detail, &rc);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return dw__sq_bind_error(rc, err, "model_verdicts");
    }
    if ((r = run(db, st, err, "verdict")) < 0)
        return r;
    if (sqlite3_changes(db) == 0) {
        if ((r = prepare(db, "SELECT 1 FROM model_calls WHERE id = ?1", &st, err)) < 0)
            return r;
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW)
            return dw_error_set(err, -DW_ENOENT, "no model call %lld in the journal",
                                (long long)id);
    }
    return 0;
}

int dw__sq_mcalls_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret,
                           struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    sqlite3 *db;
    int r = mc_db(q, false, &db, err);
    if (r < 0)
        return r;
    if (!db) {
        *ret = json_array();
        return *ret ? 0 : -DW_ENOMEM;
    }
    sqlite3_stmt *st;
    if ((r = prepare(db,
                     "SELECT " MC_COLS ", (SELECT json_group_array(json_object('at', at, "
                     "'verdict', verdict, 'detail', json(detail))) FROM model_verdicts v WHERE "
                     "v.call_id = c.id) AS [verdicts:json] FROM model_calls c WHERE deal_id = ?1 "
                     "ORDER BY id",
                     &st, err)) < 0)
        return r;
    sqlite3_bind_int64(st, 1, deal_id);
    return rows(db, st, ret, err);
}

int dw__sq_mcall_tokens(struct dw_store *s, int64_t deal_id, dw_time_t since, int64_t *ret,
                        struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    sqlite3 *db;
    *ret = 0;
    int r = mc_db(q, false, &db, err);
    if (r < 0 || !db)
        return r;
    sqlite3_stmt *st;
    if ((r = prepare(db,
                     "SELECT COALESCE(SUM(tokens_in + tokens_out), 0) FROM model_calls WHERE "
                     "(?1 = 0 OR deal_id = ?1) AND at_s >= ?2",
                     &st, err)) < 0)
        return r;
    sqlite3_bind_int64(st, 1, deal_id);
    sqlite3_bind_int64(st, 2, since);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *ret = sqlite3_column_int64(st, 0);
    else
        r = mc_error(db, rc, err, "tokens");
    sqlite3_finalize(st);
    return r;
}

int dw__sq_mcall_recent(struct dw_store *s, const char *provider, int n, json_t **ret,
                        struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    sqlite3 *db;
    int r = mc_db(q, false, &db, err);
    if (r < 0)
        return r;
    if (!db) {
        *ret = json_array();
        return *ret ? 0 : -DW_ENOMEM;
    }
    sqlite3_stmt *st;
    /* skips (budget, breaker) say nothing of the provider's health */
    if ((r = prepare(db,
                     "SELECT outcome, wall_ms FROM model_calls WHERE provider = ?1 AND outcome "
                     "NOT IN ('budget', 'breaker') ORDER BY id DESC LIMIT ?2",
                     &st, err)) < 0)
        return r;
    sqlite3_bind_text(st, 1, provider, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, n);
    return rows(db, st, ret, err);
}

int dw__sq_mcalls_purge(struct dw_store *s, int64_t deal_id, int64_t *ret_n, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    sqlite3 *db;
    if (ret_n)
        *ret_n = 0;
    int r = mc_db(q, false, &db, err);
    if (r < 0 || !db)
        return r;
    sqlite3_stmt *st;
    if ((r = prepare(db, "DELETE FROM model_calls WHERE deal_id = ?1", &st, err)) < 0)
        return r;
    sqlite3_bind_int64(st, 1, deal_id);
    if ((r = run(db, st, err, "purge")) < 0)
        return r;
    if (ret_n)
        *ret_n = sqlite3_changes(db);
    return 0;
}

int dw__sq_mcall_stats(struct dw_store *s, json_t **ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    sqlite3 *db;
    int r = mc_db(q, false, &db, err);
    if (r < 0)
        return r;
    if (!db) {
        *ret = json_array();
        return *ret ? 0 : -DW_ENOMEM;
    }
    /* latency buckets (ms, cumulative as Prometheus wants them) */
    sqlite3_stmt *st;
    if ((r = prepare(db,
                     "SELECT provider, model, task, outcome, COUNT(*) AS calls, "
                     "SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out, "
                     "SUM(latency_ms) AS latency_ms_sum, SUM(fallback) AS fallbacks, "
                     "SUM(latency_ms <= 100) AS le_100, SUM(latency_ms <= 250) AS le_250, "
                     "SUM(latency_ms <= 500) AS le_500, SUM(latency_ms <= 1000) AS le_1000, "
                     "SUM(latency_ms <= 2500) AS le_2500, SUM(latency_ms <= 5000) AS le_5000, "
                     "SUM(latency_ms <= 10000) AS le_10000, SUM(latency_ms <= 30000) AS le_30000 "
                     "FROM model_calls GROUP BY provider, model, task, outcome "
                     "ORDER BY provider, model, task, outcome",
                     &st, err)) < 0)
        return r;
    return rows(db, st, ret, err);
}
