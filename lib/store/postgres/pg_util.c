/* store/postgres/pg_util — what every file of the backend runs statements with: the
 * connection's settings, the prepared-statement cache, parameters, rows, errors and the
 * lost-connection rule (pg_internal.h states the conventions).
 *
 * The statement cache: each SQL text is a string literal, so its address names it for the
 * life of the process. The first run of a literal on a connection prepares it (PQprepare,
 * named "dwN") and records address -> N in a small open-addressing table; later runs only
 * execute (PQexecPrepared), one round trip each. A new connection (reconnect) starts with an
 * empty table, as its server session has no prepared statements.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres/pg_core.h"

/* The statement cache of one connection (opaque in pg_internal.h). */
struct dw_pg_stmt {
    size_t cap, n; /* cap a power of two, n < cap * 3 / 4 */
    unsigned next_id;
    struct slot {
        const char *sql; /* NULL: empty */
        unsigned id;
    } * slots;
};

void dw__pg_stmts_free(struct dw_pg_stmt **cache) {
    if (*cache) {
        free((*cache)->slots);
        free(*cache);
        *cache = NULL;
    }
}

static size_t slot_of(const struct dw_pg_stmt *c, const char *sql) {
    uintptr_t h = (uintptr_t)sql;
    h ^= h >> 17;
    h *= 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 7) & (c->cap - 1);
}

/* The id of sql, or 0 when it is not prepared on this connection yet. */
static unsigned cache_find(const struct dw_pg_stmt *c, const char *sql) {
    if (!c || !c->cap)
        return 0;
    for (size_t i = slot_of(c, sql);; i = (i + 1) & (c->cap - 1)) {
        if (c->slots[i].sql == sql)
            return c->slots[i].id;
        if (!c->slots[i].sql)
            return 0;
    }
}

static int cache_put(struct dw_pg_stmt *c, const char *sql, unsigned id) {
    if ((c->n + 1) * 4 >= c->cap * 3) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        struct slot *old = c->slots, *slots = calloc(cap, sizeof *slots);
        size_t oldcap = c->cap;
        if (!slots)
            return -DW_ENOMEM;
        c->slots = slots;
        c->cap = cap;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].sql) {
                size_t j = slot_of(c, old[i].sql);
                while (slots[j].sql)
                    j = (j + 1) & (cap - 1);
                slots[j] = old[i];
            }
        free(old);
    }
    size_t i = slot_of(c, sql);
    while (c->slots[i].sql)
        i = (i + 1) & (c->cap - 1);
    c->slots[i] = (struct slot){sql, id};
    c->n++;
    return 0;
}

/* ---- connecting -------------------------------------------------------------------- */

/* Session settings every connection gets: times in UTC (the store writes its own text times,
 * but now() and date arithmetic in reports then agree), and the busy rule of store.h: a
 * lock wait longer than DW__PG_LOCK_TIMEOUT fails with 55P03, which is -DW_EBUSY. */
static const char session_sql[] = "SET TimeZone = 'UTC'; SET lock_timeout = '" DW__PG_LOCK_TIMEOUT
                                  "'; SET synchronous_commit = on";

/* The server's notices (NOTICE, WARNING) are not errors and stay out of the caller's
 * stderr. */
static void quiet(void *arg, const char *message) {
    (void)arg, (void)message;
}

int dw__pg_connect(struct dw_pg *g, PGconn **c, struct dw_pg_stmt **cache, struct dw_error *err) {
    /* Later keywords override earlier ones, and the URI (dbname, expanded) overrides what
     * comes before it: the defaults first, then the URI, then what we insist on. */
    const char *keys[] = {"connect_timeout", "fallback_application_name", "dbname",
                          "client_encoding", NULL};
    const char *vals[] = {"10", "dealwright", g->conninfo, "UTF8", NULL};

    if (*c) {
        PQfinish(*c);
        *c = NULL;
    }
    dw__pg_stmts_free(cache);
    *cache = calloc(1, sizeof **cache);
    if (!*cache)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (!conn)
        return dw_error_set(err, -DW_ENOMEM, "connecting: out of memory");
    if (PQstatus(conn) != CONNECTION_OK) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
        msg[strcspn(msg, "\n")] = '\0';
        PQfinish(conn);
        /* a server that is down or restarting is worth retrying */
        return dw_error_set(err, -DW_EBUSY, "connecting to %s: %s", g->conninfo, msg);
    }
    PQsetNoticeProcessor(conn, quiet, NULL);
    PGresult *r = PQexec(conn, session_sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        int code = dw_error_set(err, -DW_ESTORE, "setting up the session on %s: %s", g->conninfo,
                                PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)
                                    ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)
                                    : PQerrorMessage(conn));
        PQclear(r);
        PQfinish(conn);
        return code;
    }
    PQclear(r);
    if (PQserverVersion(conn) < 120000) {
        int v = PQserverVersion(conn);
        PQfinish(conn);
        return dw_error_set(err, -DW_ESTORE, "%s: PostgreSQL %d.%d is too old (12 or newer)",
                            g->conninfo, v / 10000, v % 10000);
    }
    /* Documents over about 2 kB (a proposal, a quote's lines) are compressed when stored:
     * lz4 (PostgreSQL 14 or newer, when built with it, as Debian's is) took a proposal's
     * insert from about 210 to 100 us against the default pglz. A server without it refuses
     * the setting and keeps pglz; either reads both. */
    if (PQserverVersion(conn) >= 140000)
        PQclear(PQexec(conn, "SET default_toast_compression = 'lz4'"));
    *c = conn;
    return 0;
}

/* ---- errors ------------------------------------------------------------------------ */

const char *dw__pg_sqlstate(const PGresult *r) {
    const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return s ? s : "";
}

/* SQLSTATE -> -DW_E* (pg_internal.h). */
static int code_of(const char *state) {
    if (strcmp(state, "23505") == 0)
        return -DW_EEXIST;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0 ||
        strcmp(state, "57P03") == 0 || strcmp(state, "53300") == 0 || strncmp(state, "08", 2) == 0)
        return -DW_EBUSY;
    if (strcmp(state, "53200") == 0)
        return -DW_ENOMEM;
    if (strcmp(state, "54000") == 0)
        return -DW_ETOOBIG;
    return -DW_ESTORE;
}

/* The server's primary message only: its DETAIL may quote the row (personal data), which
 * must not reach a log. */
static int result_error(PGconn *c, const PGresult *r, const char *what, struct dw_error *err) {
    const char *state = dw__pg_sqlstate(r);
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char buf[300];
    if (!msg) {
        snprintf(buf, sizeof buf, "%s", c ? PQerrorMessage(c) : "no result");
        buf[strcspn(buf, "\n")] = '\0';
        msg = buf;
    }
    if (!r && !*state)
        return dw_error_set(err, -DW_ENOMEM, "%s: %s", what, msg);
    if (strcmp(state, "25P02") == 0)
        return dw_error_set(err, -DW_ESTORE,
                            "%s: the transaction failed earlier and is aborted: roll it back",
                            what);
    return dw_error_set(err, code_of(state), "%s: %s%s%s%s", what, msg, *state ? " (SQLSTATE " : "",
                        state, *state ? ")" : "");
}

/* The connection is gone inside a transaction: so is the transaction. */
static void tx_lost(struct dw_pg *g) {
    dw__pg_appends_drop(g, 0);
    dw__pg_leases_forget(g);
    dw__pg_holds_forget(g);
    dw__pg_docs_forget(g);
    g->n_sp_queue = 0;
    g->in_tx = false;
    g->read_only = false;
    g->sp_depth = 0;
}

/* ---- parameters -------------------------------------------------------------------- */

static bool p_room(struct dw_pg_params *p) {
    if (p->rc)
        return false;
    if (p->n >= DW__PG_MAX_PARAMS) {
        p->rc = -DW_EINTERNAL;
        return false;
    }
    return true;
}

void dw__pg_p_text(struct dw_pg_params *p, const char *v) {
    if (!p_room(p))
        return;
    if (v && strlen(v) > DW__PG_TEXT_MAX) {
        p->rc = -DW_ETOOBIG;
        return;
    }
    p->v[p->n++] = v;
}

void dw__pg_p_int(struct dw_pg_params *p, int64_t v) {
    if (!p_room(p))
        return;
    snprintf(p->num[p->n], sizeof p->num[p->n], "%lld", (long long)v);
    p->v[p->n] = p->num[p->n];
    p->n++;
}

void dw__pg_p_id(struct dw_pg_params *p, int64_t id) {
    if (id)
        dw__pg_p_int(p, id);
    else
        dw__pg_p_text(p, NULL);
}

void dw__pg_p_bool(struct dw_pg_params *p, bool v) {
    dw__pg_p_int(p, v ? 1 : 0);
}

void dw__pg_p_time(struct dw_pg_params *p, dw_time_t t) {
    if (!p_room(p))
        return;
    dw_time_format(t, p->num[p->n], sizeof p->num[p->n]);
    p->v[p->n] = p->num[p->n];
    p->n++;
}

static void p_dumped(struct dw_pg_params *p, const json_t *j, bool canonical) {
    if (!p_room(p))
        return;
    if (!j) {
        p->v[p->n++] = NULL;
        return;
    }
    char *text = canonical ? dw_json_canonical(j) : dw_json_compact(j);
    if (!text) {
        p->rc = -DW_ENOMEM;
        return;
    }
    if (strlen(text) > DW__PG_TEXT_MAX) {
        free(text);
        p->rc = -DW_ETOOBIG;
        return;
    }
    p->owned[p->n] = text;
    p->v[p->n++] = text;
}

void dw__pg_p_json(struct dw_pg_params *p, const json_t *j) {
    p_dumped(p, j, false);
}

void dw__pg_p_json_canonical(struct dw_pg_params *p, const json_t *j) {
    p_dumped(p, j, true);
}

void dw__pg_params_free(struct dw_pg_params *p) {
    if (!p)
        return;
    for (int i = 0; i < DW__PG_MAX_PARAMS; i++) {
        free(p->owned[i]);
        p->owned[i] = NULL;
    }
}

static int params_error(struct dw_pg_params *p, const char *what, struct dw_error *err) {
    int rc = p->rc;
    dw__pg_params_free(p);
    switch (rc) {
    case -DW_ETOOBIG:
        return dw_error_set(err, rc, "%s: a value is larger than %u bytes", what, DW__PG_TEXT_MAX);
    case -DW_ENOMEM:
        return dw_error_set(err, rc, "%s: out of memory", what);
    default:
        return dw_error_set(err, -DW_EINTERNAL, "%s: more than %d parameters", what,
                            DW__PG_MAX_PARAMS);
    }
}

/* ---- running ----------------------------------------------------------------------- */

/* Prepare sql on *c unless this connection has already; name its statement's name. 1 when
 * the connection was found lost, 0 on success, < 0 on an error. */
static int prepare_once(PGconn *c, struct dw_pg_stmt *cache, const char *what, const char *sql,
                        int n, char name[16], struct dw_error *err) {
    unsigned id = cache_find(cache, sql);
    if (PQstatus(c) != CONNECTION_OK)
        return 1;
    if (id) {
        snprintf(name, 16, "dw%u", id);
        return 0;
    }
    id = ++cache->next_id;
    snprintf(name, 16, "dw%u", id);
    PGresult *r = PQprepare(c, name, sql, n, NULL);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK) {
        if (PQstatus(c) != CONNECTION_OK) {
            PQclear(r);
            return 1;
        }
        int code = result_error(c, r, what, err);
        PQclear(r);
        return code;
    }
    PQclear(r);
    if (cache_put(cache, sql, id) < 0) {
        /* not remembered: deallocate so that the name is not taken twice */
        char drop[32];
        snprintf(drop, sizeof drop, "DEALLOCATE %s", name);
        PQclear(PQexec(c, drop));
        return dw_error_set(err, -DW_ENOMEM, "%s: out of memory", what);
    }
    return 0;
}

/* Run sql on *c once: prepare it when this connection has not yet. 1 when the connection was
 * found lost (nothing ran, or what ran is unknown), 0 on success, < 0 on a statement error. */
static int run_once(PGconn *c, struct dw_pg_stmt *cache, const char *what, const char *sql,
                    const struct dw_pg_params *p, PGresult **ret, struct dw_error *err) {
    char name[16];
    int n = p ? p->n : 0;
    int pr = prepare_once(c, cache, what, sql, n, name, err);
    if (pr != 0)
        return pr;
    PGresult *r = PQexecPrepared(c, name, n, p ? p->v : NULL, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        if (ret)
            *ret = r;
        else
            PQclear(r);
        return 0;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        PQclear(r);
        return 1;
    }
    int code = result_error(c, r, what, err);
    PQclear(r);
    return code;
}

/* The lost-connection rule (pg_internal.h): inside a transaction -DW_EBUSY (the caller
 * redoes the transaction; the next begin reconnects); outside one, reconnect once and run
 * the statement again. */
static int run_on(struct dw_pg *g, bool journal, const char *what, const char *sql,
                  struct dw_pg_params *p, PGresult **ret, struct dw_error *err) {
    PGconn **c = journal ? &g->journal : &g->conn;
    struct dw_pg_stmt **cache = journal ? &g->jstmts : &g->stmts;
    bool in_tx = !journal && g->in_tx;
    int r;

    if (ret)
        *ret = NULL;
    if (p && p->rc)
        return params_error(p, what, err);
    if (in_tx && g->n_sp_queue) { /* the queued savepoint commands, then sql: one round trip */
        struct dw_pg_params none = {0};
        return dw__pg_pipeline(g, what, 1, &sql, p ? p : &none, false, ret, err);
    }
    if (!*c && (r = dw__pg_connect(g, c, cache, err)) < 0)
        goto out;
    for (int attempt = 0;; attempt++) {
        r = run_once(*c, *cache, what, sql, p, ret, err);
        if (r <= 0)
            break;
        if (in_tx) {
            tx_lost(g);
            r = dw_error_set(err, -DW_EBUSY,
                             "%s: the connection to the database was lost; the transaction "
                             "is rolled back",
                             what);
            break;
        }
        if (attempt > 0) {
            r = dw_error_set(err, -DW_EBUSY, "%s: the connection to the database was lost", what);
            break;
        }
        if ((r = dw__pg_connect(g, c, cache, err)) < 0)
            break;
    }
out:
    dw__pg_params_free(p);
    return r;
}

int dw__pg_run(struct dw_pg *g, const char *what, const char *sql, struct dw_pg_params *p,
               PGresult **ret, struct dw_error *err) {
    return run_on(g, false, what, sql, p, ret, err);
}

int dw__pg_run_journal(struct dw_pg *g, const char *what, const char *sql, struct dw_pg_params *p,
                       PGresult **ret, struct dw_error *err) {
    return run_on(g, true, what, sql, p, ret, err);
}

/* The statements of a pipeline that failed at the connection: the transaction is gone. */
static int pipeline_lost(struct dw_pg *g, const char *what, struct dw_error *err) {
    if (PQpipelineStatus(g->conn) != PQ_PIPELINE_OFF && PQstatus(g->conn) == CONNECTION_OK)
        PQexitPipelineMode(g->conn);
    tx_lost(g);
    return dw_error_set(err, -DW_EBUSY,
                        "%s: the connection to the database was lost; the transaction is "
                        "rolled back",
                        what);
}

static const char sql_savepoint[] = "SAVEPOINT dw_sp";
static const char sql_release[] = "RELEASE SAVEPOINT dw_sp";

const char *dw__pg_sp_script(struct dw_pg *g, char *buf, size_t size) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < g->n_sp_queue; i++) {
        int k = snprintf(buf + used, size - used, "%s; ",
                         g->sp_queue[i] == 'S' ? sql_savepoint : sql_release);
        if (k < 0 || (size_t)k >= size - used)
            break; /* not reached: the buffer holds a full queue */
        used += (size_t)k;
    }
    g->n_sp_queue = 0;
    return buf;
}

int dw__pg_pipeline(struct dw_pg *g, const char *what, int n, const char *const *sql,
                    struct dw_pg_params *p, bool commit, PGresult **ret_last,
                    struct dw_error *err) {
    char names[DW__PG_PIPELINE_MAX][16], sp_name[2][16];
    int r = 0;
    if (ret_last)
        *ret_last = NULL;
    if (!g->in_tx || n > DW__PG_PIPELINE_MAX) {
        for (int i = 0; i < n; i++)
            dw__pg_params_free(&p[i]);
        return dw_error_set(err, -DW_EINTERNAL, "%s: a pipeline needs a transaction", what);
    }
    if (!g->conn)
        r = pipeline_lost(g, what, err);
    for (int k = 0; k < 2 && r == 0 && g->n_sp_queue; k++)
        if ((r = prepare_once(g->conn, g->stmts, what, k ? sql_release : sql_savepoint, 0,
                              sp_name[k], err)) > 0)
            r = pipeline_lost(g, what, err);
    for (int i = 0; i < n && r == 0; i++) {
        if (p[i].rc)
            r = params_error(&p[i], what, err);
        else if ((r = prepare_once(g->conn, g->stmts, what, sql[i], p[i].n, names[i], err)) > 0)
            r = pipeline_lost(g, what, err);
    }
    if (r < 0) {
        for (int i = 0; i < n; i++)
            dw__pg_params_free(&p[i]);
        return r;
    }
    PGconn *c = g->conn;
    bool sent = PQenterPipelineMode(c) == 1;
    int queued = g->n_sp_queue;
    for (int i = 0; i < queued && sent; i++)
        sent = PQsendQueryPrepared(c, sp_name[g->sp_queue[i] == 'R'], 0, NULL, NULL, NULL, 0) == 1;
    g->n_sp_queue = 0;
    for (int i = 0; i < n && sent; i++)
        sent = PQsendQueryPrepared(c, names[i], p[i].n, p[i].v, NULL, NULL, 0) == 1;
    for (int i = 0; i < n; i++)
        dw__pg_params_free(&p[i]);
    if (sent && commit)
        sent = PQsendQueryParams(c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) == 1;
    if (!sent || PQpipelineSync(c) != 1)
        return pipeline_lost(g, what, err);
    /* each statement's result then NULL, the aborted ones' PGRES_PIPELINE_ABORTED, then the
     * sync's; the first failure is the answer */
    int q = 0, expect = queued + n + (commit ? 1 : 0), last = queued + n - 1;
    for (;;) {
        PGresult *res = PQgetResult(c);
        if (!res) {
            if (PQstatus(c) != CONNECTION_OK || ++q > expect + 1) {
                if (ret_last && *ret_last) {
                    PQclear(*ret_last);
                    *ret_last = NULL;
                }
                return pipeline_lost(g, what, err);
            }
            continue;
        }
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            break;
        }
        if (st == PGRES_FATAL_ERROR && r == 0) {
            if (PQstatus(c) != CONNECTION_OK) {
                PQclear(res);
                if (ret_last && *ret_last) {
                    PQclear(*ret_last);
                    *ret_last = NULL;
                }
                return pipeline_lost(g, what, err);
            }
            r = result_error(c, res, what, err);
        } else if (st == PGRES_COMMAND_OK && commit && q == last + 1 && r == 0 &&
                   strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
            r = dw_error_set(err, -DW_ESTORE,
                             "%s: the transaction had failed and was rolled back; nothing of it "
                             "is stored",
                             what);
        } else if (st == PGRES_PIPELINE_ABORTED && r == 0) {
            r = dw_error_set(err, -DW_ESTORE, "%s: the pipeline was aborted", what);
        } else if (q == last && ret_last && r == 0 && !*ret_last &&
                   (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)) {
            *ret_last = res;
            continue;
        }
        PQclear(res);
    }
    if (PQexitPipelineMode(c) != 1) {
        if (ret_last && *ret_last) {
            PQclear(*ret_last);
            *ret_last = NULL;
        }
        return pipeline_lost(g, what, err);
    }
    if (r < 0 && ret_last && *ret_last) {
        PQclear(*ret_last);
        *ret_last = NULL;
    }
    return r;
}

int dw__pg_exec_script(struct dw_pg *g, const char *what, const char *sql, struct dw_error *err) {
    int r;
    if (g->in_tx && g->n_sp_queue) { /* the queued savepoint commands first, same round trip */
        char pre[DW__PG_SP_QUEUE_MAX * 32];
        dw__pg_sp_script(g, pre, sizeof pre);
        size_t n = strlen(pre) + strlen(sql) + 1;
        _cleanup_free_ char *all = malloc(n);
        if (!all)
            return dw_error_set(err, -DW_ENOMEM, "%s: out of memory", what);
        snprintf(all, n, "%s%s", pre, sql);
        return dw__pg_exec_script(g, what, all, err);
    }
    if (!g->conn && (r = dw__pg_connect(g, &g->conn, &g->stmts, err)) < 0)
        return r;
    for (int attempt = 0;; attempt++) {
        if (PQstatus(g->conn) == CONNECTION_OK) {
            PGresult *res = PQexec(g->conn, sql);
            ExecStatusType st = PQresultStatus(res);
            if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
                PQclear(res);
                return 0;
            }
            if (PQstatus(g->conn) == CONNECTION_OK) {
                r = result_error(g->conn, res, what, err);
                PQclear(res);
                return r;
            }
            PQclear(res);
        }
        if (g->in_tx) {
            tx_lost(g);
            return dw_error_set(err, -DW_EBUSY,
                                "%s: the connection to the database was lost; the transaction "
                                "is rolled back",
                                what);
        }
        if (attempt > 0)
            return dw_error_set(err, -DW_EBUSY, "%s: the connection to the database was lost",
                                what);
        if ((r = dw__pg_connect(g, &g->conn, &g->stmts, err)) < 0)
            return r;
    }
}

/* ---- rows -------------------------------------------------------------------------- */

enum {
    OID_BOOL = 16,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_OID = 26,
    OID_JSON = 114,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_NUMERIC = 1700,
    OID_JSONB = 3802,
};

static bool has_suffix(const char *colon, const char *suffix) {
    return colon && strcmp(colon + 1, suffix) == 0;
}

static int64_t parse_int(const char *v) {
    if (!v)
        return 0;
    if (v[0] == 't' && v[1] == '\0')
        return 1;
    if (v[0] == 'f' && v[1] == '\0')
        return 0;
    return strtoll(v, NULL, 10);
}

static int parse_json(const char *text, size_t len, const char *column, json_t **ret,
                      struct dw_error *err) {
    json_error_t jerr;
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!j)
        return dw_error_set(err, -DW_ESTORE, "column %s holds invalid JSON: %s", column, jerr.text);
    *ret = j;
    return 0;
}

/* A numeric value (SUM of bigint is numeric in PostgreSQL): an integer when it has no
 * fraction and fits, as SQLite's integer arithmetic gives; else a real. */
static json_t *number(const char *v, Oid type) {
    if (type == OID_NUMERIC && !strpbrk(v, ".eE") && strcmp(v, "NaN") != 0) {
        char *end;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (errno == 0 && *end == '\0')
            return json_integer(n);
    }
    return json_real(strtod(v, NULL));
}

static int cell(const PGresult *r, int row, int col, const char *name, const char *colon,
                int digits, json_t **ret, struct dw_error *err) {
    json_t *v = NULL;
    Oid type = PQftype(r, col);
    if (PQgetisnull(r, row, col)) {
        *ret = json_null();
        return 0;
    }
    const char *text = PQgetvalue(r, row, col);
    size_t len = (size_t)PQgetlength(r, row, col);
    if (has_suffix(colon, "json") || (!colon && (type == OID_JSON || type == OID_JSONB)))
        return parse_json(text, len, name, ret, err);
    if (has_suffix(colon, "bool"))
        v = json_boolean(parse_int(text) != 0);
    else if (has_suffix(colon, "money"))
        v = dw_json_money(parse_int(text), digits);
    else if (type == OID_INT2 || type == OID_INT4 || type == OID_INT8 || type == OID_OID)
        v = json_integer(parse_int(text));
    else if (type == OID_BOOL)
        v = json_boolean(text[0] == 't');
    else if (type == OID_NUMERIC || type == OID_FLOAT4 || type == OID_FLOAT8)
        v = number(text, type);
    else {
        v = json_stringn(text, len);
        if (!v)
            return dw_error_set(err, -DW_ESTORE, "column %s is not valid UTF-8", name);
    }
    if (!v)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    *ret = v;
    return 0;
}

int dw__pg_row(const PGresult *r, int row, json_t **ret, struct dw_error *err) {
    _cleanup_json_ json_t *obj = json_object(), *extra = NULL;
    int n = PQnfields(r), digits = 2, rc;

    if (!obj)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    if (row < 0 || row >= PQntuples(r))
        return dw_error_set(err, -DW_EINTERNAL, "row %d of a result of %d", row, PQntuples(r));
    int dcol = PQfnumber(r, "\":digits\"");
    if (dcol >= 0 && !PQgetisnull(r, row, dcol))
        digits = (int)parse_int(PQgetvalue(r, row, dcol));
    for (int i = 0; i < n; i++) {
        const char *name = PQfname(r, i);
        const char *colon = strchr(name, ':');
        char key[64];
        json_t *v = NULL;
        if (colon == name) {
            if (strcmp(name, ":extra") != 0 || PQgetisnull(r, row, i))
                continue;
            rc = parse_json(PQgetvalue(r, row, i), (size_t)PQgetlength(r, row, i), name, &extra,
                            err);
            if (rc < 0)
                return rc;
            continue;
        }
        size_t klen = colon ? (size_t)(colon - name) : strlen(name);
        if (klen >= sizeof key)
            return dw_error_set(err, -DW_EINTERNAL, "column name %s too long", name);
        memcpy(key, name, klen);
        key[klen] = '\0';
        rc = cell(r, row, i, name, colon, digits, &v, err);
        if (rc < 0)
            return rc;
        if (json_object_set_new(obj, key, v) < 0)
            return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    /* The caller's own keys never override a column. */
    if (json_is_object(extra) && json_object_update_missing(obj, extra) < 0)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    *ret = DW_TAKE_PTR(obj);
    return 0;
}

int dw__pg_rows(const PGresult *r, json_t **ret, struct dw_error *err) {
    _cleanup_json_ json_t *arr = json_array();
    if (!arr)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        json_t *row;
        int rc = dw__pg_row(r, i, &row, err);
        if (rc < 0)
            return rc;
        if (json_array_append_new(arr, row) < 0)
            return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    *ret = DW_TAKE_PTR(arr);
    return 0;
}

int64_t dw__pg_int(const PGresult *r, int row, int col) {
    if (PQgetisnull(r, row, col))
        return 0;
    return parse_int(PQgetvalue(r, row, col));
}

const char *dw__pg_text(const PGresult *r, int row, int col) {
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

dw_time_t dw__pg_time(const PGresult *r, int row, int col) {
    dw_time_t t;
    const char *v = dw__pg_text(r, row, col);
    return v && dw_time_parse(v, &t) == 0 ? t : 0;
}

int dw__pg_json(const PGresult *r, int row, int col, json_t **ret, struct dw_error *err) {
    if (PQgetisnull(r, row, col)) {
        *ret = json_null();
        return 0;
    }
    return parse_json(PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col), PQfname(r, col),
                      ret, err);
}

bool dw__pg_isnull(const PGresult *r, int row, int col) {
    return PQgetisnull(r, row, col) != 0;
}

/* ---- transactions ------------------------------------------------------------------ */

int dw__pg_tx_enter(struct dw_pg *g, bool nested, enum dw__pg_tx *mode, struct dw_error *err) {
    int r = 0;
    *mode = DW__PG_TX_NONE;
    if (!g->in_tx) {
        r = dw__pg_begin(&g->base, err);
        if (r == 0)
            *mode = DW__PG_TX_OWN;
    } else if (nested) {
        r = dw__pg_savepoint(&g->base, err);
        if (r == 0)
            *mode = DW__PG_TX_SAVEPOINT;
    }
    return r;
}

int dw__pg_tx_leave(struct dw_pg *g, enum dw__pg_tx mode, int r, struct dw_error *err) {
    switch (mode) {
    case DW__PG_TX_OWN:
        if (r < 0) {
            dw__pg_rollback(&g->base);
            return r;
        }
        return dw__pg_commit(&g->base, err);
    case DW__PG_TX_SAVEPOINT:
        if (r < 0) {
            dw__pg_rollback_to(&g->base);
            return r;
        }
        return dw__pg_release(&g->base, err);
    case DW__PG_TX_NONE:
        break;
    }
    return r;
}

int dw__pg_lock(struct dw_pg *g, int64_t key, struct dw_error *err) {
    if (!g->in_tx)
        return dw_error_set(err, -DW_ESTATE, "advisory lock %lld: no transaction is open",
                            (long long)key);
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, key);
    return dw__pg_run(g, "lock", "SELECT pg_advisory_xact_lock($1::bigint)", &p, NULL, err);
}

/* ---- statements with their answer ------------------------------------------------ */

int64_t dw__pg_changes(const PGresult *r) {
    const char *n = PQcmdTuples((PGresult *)r);
    return n && *n ? strtoll(n, NULL, 10) : 0;
}

int dw__pg_rows_of(struct dw_pg *g, bool journal, const char *what, const char *sql,
                   struct dw_pg_params *p, json_t **ret, struct dw_error *err) {
    PGresult *res = NULL;
    int r = run_on(g, journal, what, sql, p, &res, err);
    if (r < 0)
        return r;
    r = dw__pg_rows(res, ret, err);
    PQclear(res);
    return r;
}

int dw__pg_exec_count(struct dw_pg *g, bool journal, const char *what, const char *sql,
                      struct dw_pg_params *p, int64_t *ret_changes, struct dw_error *err) {
    PGresult *res = NULL;
    int r = run_on(g, journal, what, sql, p, ret_changes ? &res : NULL, err);
    if (r < 0)
        return r;
    if (ret_changes) {
        *ret_changes = dw__pg_changes(res);
        PQclear(res);
    }
    return 0;
}
