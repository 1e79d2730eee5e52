/* store/postgres — the PostgreSQL backend: opening, the connection, transactions and the ops
 * table (pg_internal.h describes the split by subject and the conventions).
 *
 * The location is what dw_store_url_parse leaves of a postgres:// or postgresql:// URL: the
 * URL itself, scheme included, handed to libpq as it is (user, host, port, database and any
 * libpq parameter such as ?sslmode=require). A password is never taken from the URL (it
 * would show in process lists, shell histories and logs): libpq reads it from PGPASSWORD or
 * ~/.pgpass. Errors name the URL, which therefore holds no secret.
 *
 * Each connection gets: application_name dealwright (unless the URL names one),
 * client_encoding UTF8, TimeZone UTC, lock_timeout DW__PG_LOCK_TIMEOUT (a longer wait is
 * -DW_EBUSY, as SQLite's busy timeout), synchronous_commit on (a commit the caller saw
 * survives a crash of the server).
 *
 * Transactions: begin is BEGIN ISOLATION LEVEL READ COMMITTED and takes no lock; snapshot
 * is REPEATABLE READ READ ONLY (every read sees the store as at its first statement).
 *
 * No writers' lock. Writers run at once and meet only where they touch the same rows (row
 * locks, FOR UPDATE SKIP LOCKED for the work queue) or a hook's advisory lock (slots,
 * keys). The audit chain and the event log, which every step appends to, would otherwise
 * order them all: their tail lock (DW__PG_LOCK_AUDIT) is held to commit, and a transaction
 * holding it from its first append that then waited for a row lock would deadlock with the
 * row's holder waiting for the tail. So a write transaction's appends are kept in memory and
 * written at commit (pg_audit.c "Appends at commit"): the tail lock is the last lock taken,
 * for two round trips, and its holder waits for nothing else. A conflict that remains (two
 * transactions locking the same rows in opposite orders, a lock waited for longer than the
 * lock timeout) fails a statement with -DW_EBUSY, and the caller redoes the whole
 * transaction (the control plane's batch, the operations' dw__txn_run).
 * Savepoints all use one name: PostgreSQL, like SQLite, resolves a name to the innermost
 * savepoint that has it, so nesting works without numbering.
 *
 * A statement that fails aborts the whole transaction in PostgreSQL (SQLite undoes only the
 * statement). A hook whose statement may fail in normal flow therefore either avoids the
 * error (INSERT ... ON CONFLICT DO NOTHING) or runs inside dw__pg_tx_enter(g, true, ...),
 * whose savepoint it rolls back to; the control plane's steps each run in a savepoint too.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres/pg_core.h"

/* ---- transactions ------------------------------------------------------------------ */

static void tx_reset(struct dw_pg *g) {
    dw__pg_appends_drop(g, 0);
    dw__pg_leases_forget(g);
    dw__pg_holds_forget(g);
    dw__pg_docs_forget(g);
    g->n_sp_queue = 0;
    g->in_tx = false;
    g->read_only = false;
    g->sp_depth = 0;
}

static int open_tx(struct dw_pg *g, const char *sql, bool read_only, const char *what,
                   struct dw_error *err) {
    if (g->in_tx)
        return dw_error_set(err, -DW_ESTATE, "%s: a transaction is already open", what);
    /* outside a transaction: a lost connection is re-established and BEGIN sent again; BEGIN
     * and the lock go in one round trip */
    int r = dw__pg_exec_script(g, what, sql, err);
    if (r < 0) {
        /* the lock not had in time: BEGIN has opened a transaction, which that aborted */
        if (g->conn && PQstatus(g->conn) == CONNECTION_OK &&
            PQtransactionStatus(g->conn) != PQTRANS_IDLE)
            PQclear(PQexec(g->conn, "ROLLBACK"));
        return r;
    }
    g->in_tx = true;
    g->read_only = read_only;
    g->sp_depth = 0;
    return 0;
}

int dw__pg_begin(struct dw_store *s, struct dw_error *err) {
    return open_tx(dw__pg(s), "BEGIN ISOLATION LEVEL READ COMMITTED", false, "begin", err);
}

int dw__pg_snapshot(struct dw_store *s, struct dw_error *err) {
    return open_tx(dw__pg(s), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", true, "snapshot",
                   err);
}

int dw__pg_rollback(struct dw_store *s) {
    struct dw_pg *g = dw__pg(s);
    if (!g->in_tx)
        return 0;
    struct dw_error err = {0};
    g->n_sp_queue = 0; /* what was not sent needs no undoing */
    /* a lost connection has rolled it back already (dw__pg_run forgets the transaction) */
    dw__pg_run(g, "rollback", "ROLLBACK", NULL, NULL, &err);
    tx_reset(g);
    return 0;
}

int dw__pg_commit(struct dw_store *s, struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    PGresult *res = NULL;
    if (!g->in_tx)
        return dw_error_set(err, -DW_ESTATE, "commit: no transaction is open");
    if (g->n_pending) {
        /* the buffered appends, then COMMIT, under the tail lock (pg_audit.c) */
        int r = dw__pg_appends_flush(g, true, err);
        if (r < 0 && g->in_tx && g->conn && PQstatus(g->conn) == CONNECTION_OK)
            PQclear(PQexec(g->conn, "ROLLBACK"));
        tx_reset(g);
        return r < 0 ? r : 0;
    }
    struct dw_pg_params lp = {0};
    const char *leases = dw__pg_leases_at_commit(g, &lp);
    if (leases) { /* the leases released, then COMMIT: one round trip */
        int r = dw__pg_pipeline(g, "commit", 1, &leases, &lp, true, NULL, err);
        if (r < 0 && g->in_tx && g->conn && PQstatus(g->conn) == CONNECTION_OK)
            PQclear(PQexec(g->conn, "ROLLBACK"));
        tx_reset(g);
        return r < 0 ? r : 0;
    }
    /* in_tx stays set while COMMIT runs, so that a lost connection is reported (-DW_EBUSY)
     * instead of COMMIT being sent again on a new connection, where it would commit nothing */
    int r = dw__pg_run(g, "commit", "COMMIT", NULL, &res, err);
    if (r == 0 && strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
        /* COMMIT of a transaction aborted by an earlier error rolls it back, and says so
         * only in its tag */
        r = dw_error_set(err, -DW_ESTORE,
                         "commit: the transaction had failed and was rolled back; nothing of it "
                         "is stored");
    PQclear(res);
    if (r < 0 && g->in_tx && g->conn && PQstatus(g->conn) == CONNECTION_OK)
        PQclear(PQexec(g->conn, "ROLLBACK")); /* a failed COMMIT leaves no transaction open */
    tx_reset(g);
    return r;
}

/* Savepoints are sent with the statement after them (pg_util.c's run_on and pipeline): a
 * step's RELEASE, the next step's SAVEPOINT and its first read go in one round trip. A
 * savepoint released or rolled back to before anything was sent after it costs nothing:
 * it never reached the server. */
static int sp_queue(struct dw_pg *g, char op, struct dw_error *err) {
    if (g->n_sp_queue == DW__PG_SP_QUEUE_MAX) {
        int r = dw__pg_exec_script(g, "savepoint", "", err); /* sends the queue */
        if (r < 0)
            return r;
    }
    g->sp_queue[g->n_sp_queue++] = op;
    return 0;
}

int dw__pg_savepoint(struct dw_store *s, struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    if (!g->in_tx)
        return dw_error_set(err, -DW_ESTATE, "savepoint: no transaction is open");
    if (g->sp_depth >= DW__PG_SAVEPOINT_MAX)
        return dw_error_set(err, -DW_ESTATE, "savepoint: nested deeper than %d",
                            DW__PG_SAVEPOINT_MAX);
    int r = sp_queue(g, 'S', err);
    if (r < 0)
        return r;
    g->pending_mark[g->sp_depth++] = g->n_pending;
    return 0;
}

int dw__pg_release(struct dw_store *s, struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    if (!g->in_tx || g->sp_depth == 0)
        return dw_error_set(err, -DW_ESTATE, "release: no savepoint is open");
    if (g->n_sp_queue && g->sp_queue[g->n_sp_queue - 1] == 'S')
        g->n_sp_queue--; /* nothing ran inside it */
    else {
        int r = sp_queue(g, 'R', err);
        if (r < 0)
            return r;
    }
    g->sp_depth--;
    return 0;
}

int dw__pg_rollback_to(struct dw_store *s) {
    struct dw_pg *g = dw__pg(s);
    struct dw_error err = {0};
    if (!g->in_tx || g->sp_depth == 0)
        return -DW_ESTATE;
    dw__pg_holds_forget(g); /* they may hold what is undone */
    dw__pg_docs_forget(g);
    if (g->n_sp_queue && g->sp_queue[g->n_sp_queue - 1] == 'S') {
        g->n_sp_queue--; /* nothing ran inside it: nothing to undo */
        dw__pg_appends_drop(g, g->pending_mark[--g->sp_depth]);
        return 0;
    }
    /* undo to the savepoint (which also ends an error's abort of the transaction), then
     * remove it; one round trip */
    int r = dw__pg_exec_script(g, "rollback_to",
                               "ROLLBACK TO SAVEPOINT dw_sp; RELEASE SAVEPOINT dw_sp", &err);
    if (r == 0)
        dw__pg_appends_drop(g, g->pending_mark[--g->sp_depth]);
    return r;
}

/* ---- the ops table ----------------------------------------------------------------- */

/* Every hook store.h does not mark MAY (snapshot, the mail outbox and the model-call journal
 * are), by name, for the check at open. A hook added to store.h as MUST gets a row here. */
#define DW__PG_HOOK(h)                                                                             \
    { offsetof(struct dw_store_ops, h), #h }
static const struct {
    size_t off;
    const char *name;
} must_hooks[] = {
    DW__PG_HOOK(open),
    DW__PG_HOOK(close),
    DW__PG_HOOK(begin),
    DW__PG_HOOK(commit),
    DW__PG_HOOK(rollback),
    DW__PG_HOOK(savepoint),
    DW__PG_HOOK(release),
    DW__PG_HOOK(rollback_to),
    DW__PG_HOOK(lead_insert),
    DW__PG_HOOK(lead_find),
    DW__PG_HOOK(lead_get),
    DW__PG_HOOK(leads_for_deal),
    DW__PG_HOOK(leads_peek),
    DW__PG_HOOK(lead_set_intake),
    DW__PG_HOOK(deal_find_open_by_email),
    DW__PG_HOOK(lead_redact),
    DW__PG_HOOK(contact_redact),
    DW__PG_HOOK(lead_move),
    DW__PG_HOOK(account_find),
    DW__PG_HOOK(account_insert),
    DW__PG_HOOK(contact_upsert),
    DW__PG_HOOK(account_get),
    DW__PG_HOOK(contact_get),
    DW__PG_HOOK(deals_for_account),
    DW__PG_HOOK(deal_insert),
    DW__PG_HOOK(deal_get),
    DW__PG_HOOK(deal_update),
    DW__PG_HOOK(deals_due),
    DW__PG_HOOK(deals_list),
    DW__PG_HOOK(next_due_at),
    DW__PG_HOOK(doc_put),
    DW__PG_HOOK(doc_get),
    DW__PG_HOOK(doc_delete),
    DW__PG_HOOK(doc_peek),
    DW__PG_HOOK(quote_insert),
    DW__PG_HOOK(quote_get),
    DW__PG_HOOK(quote_peek),
    DW__PG_HOOK(quotes_for_deal),
    DW__PG_HOOK(approval_insert),
    DW__PG_HOOK(approval_get),
    DW__PG_HOOK(approvals_for_deal),
    DW__PG_HOOK(approvals_pending),
    DW__PG_HOOK(approvals_by_status),
    DW__PG_HOOK(approval_decide),
    DW__PG_HOOK(approval_redact),
    DW__PG_HOOK(approvals_void_stale),
    DW__PG_HOOK(order_insert),
    DW__PG_HOOK(order_get),
    DW__PG_HOOK(order_redact),
    DW__PG_HOOK(event_append),
    DW__PG_HOOK(events_for_deal),
    DW__PG_HOOK(audit_append),
    DW__PG_HOOK(audit_verify),
    DW__PG_HOOK(audit_walk),
    DW__PG_HOOK(audit_for_deal),
    DW__PG_HOOK(audit_since),
    DW__PG_HOOK(stats),
    DW__PG_HOOK(model_insert),
    DW__PG_HOOK(model_get),
    DW__PG_HOOK(token_insert),
    DW__PG_HOOK(token_find),
    DW__PG_HOOK(tokens_list),
    DW__PG_HOOK(token_revoke),
    DW__PG_HOOK(key_get),
    DW__PG_HOOK(events_since),
    DW__PG_HOOK(webhook_insert),
    DW__PG_HOOK(webhooks_list),
    DW__PG_HOOK(webhook_remove),
    DW__PG_HOOK(webhook_advance),
    DW__PG_HOOK(delivery_insert),
    DW__PG_HOOK(deliveries_due),
    DW__PG_HOOK(delivery_update),
    DW__PG_HOOK(deliveries_list),
    DW__PG_HOOK(delivery_replay),
    DW__PG_HOOK(delivery_counts),
    DW__PG_HOOK(slots_held),
    DW__PG_HOOK(slots_free),
    DW__PG_HOOK(slot_hold),
    DW__PG_HOOK(booking_get),
    DW__PG_HOOK(booking_put),
    DW__PG_HOOK(report_reached),
    DW__PG_HOOK(report_stays),
    DW__PG_HOOK(report_time_to),
    DW__PG_HOOK(report_approvals),
};
#undef DW__PG_HOOK

const char *dw__pg_missing_hook(const struct dw_store_ops *o) {
    for (size_t i = 0; i < DW_ARRAY_SIZE(must_hooks); i++) {
        void (*fn)(void);
        memcpy(&fn, (const char *)o + must_hooks[i].off, sizeof fn);
        if (!fn)
            return must_hooks[i].name;
    }
    return NULL;
}

static int pg_open(const char *location, struct dw_store **ret, struct dw_error *err);

/* Built once from the subjects' fillers (pg_internal.h), then the core's own hooks, which a
 * filler cannot replace. Every open store points here. */
static struct dw_store_ops built;
static pthread_once_t built_once = PTHREAD_ONCE_INIT;

static void build(void) {
    dw__pg_ops_deals(&built);
    dw__pg_ops_quotes(&built);
    dw__pg_ops_audit(&built);
    dw__pg_ops_misc(&built);
    dw__pg_ops_leases(&built);
    dw__pg_ops_outbox(&built);
    built.name = "postgres";
    built.open = pg_open;
    built.close = dw__pg_close;
    built.begin = dw__pg_begin;
    built.snapshot = dw__pg_snapshot;
    built.commit = dw__pg_commit;
    built.rollback = dw__pg_rollback;
    built.savepoint = dw__pg_savepoint;
    built.release = dw__pg_release;
    built.rollback_to = dw__pg_rollback_to;
}

/* What the registry (lib/store/store.c) holds: the way in. The store it opens carries the
 * whole table. */
const struct dw_store_ops dw_store_postgres_ops = {
    .name = "postgres",
    .open = pg_open,
    .close = dw__pg_close,
};

/* ---- open and close ---------------------------------------------------------------- */

void dw__pg_close(struct dw_store *s) {
    struct dw_pg *g = dw__pg(s);
    if (!g)
        return;
    /* an open transaction at close is abandoned work: the server rolls it back when the
     * connection ends */
    dw__pg_appends_drop(g, 0);
    dw__pg_holds_forget(g);
    dw__pg_docs_forget(g);
    if (g->conn)
        PQfinish(g->conn);
    if (g->journal)
        PQfinish(g->journal);
    dw__pg_stmts_free(&g->stmts);
    dw__pg_stmts_free(&g->jstmts);
    free(g->docs);
    dw__pg_leases_forget(g);
    free(g->rel_ids);
    free(g->conninfo);
    free(g);
}

/* A password in the location (the server's, or the client key's sslpassword) is refused,
 * naming neither it nor the location. */
static int check_location(const char *location, struct dw_error *err) {
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(location, &msg);
    if (!opts) {
        int r = dw_error_field(err, msg ? -DW_EINVAL : -DW_ENOMEM, "db",
                               "not a PostgreSQL connection URL: %s",
                               msg ? (msg[strcspn(msg, "\n")] = '\0', msg) : "out of memory");
        PQfreemem(msg);
        return r;
    }
    int r = 0;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if ((strcmp(o->keyword, "password") == 0 || strcmp(o->keyword, "sslpassword") == 0) &&
            o->val && *o->val)
            r = dw_error_field(err, -DW_EINVAL, "db",
                               "a PostgreSQL URL must not hold a password (it would show in "
                               "process lists and logs): give it in PGPASSWORD or ~/.pgpass");
    PQconninfoFree(opts);
    return r;
}

int dw__pg_open(const char *location, bool check_hooks, struct dw_pg **ret, struct dw_error *err) {
    int r;
    *ret = NULL;
    if (!location || !*location)
        return dw_error_field(err, -DW_EINVAL, "db", "no PostgreSQL database given");
    if (dw_base_init() < 0)
        return dw_error_set(err, -DW_EINTERNAL, "initialising the crypto library failed");
    if ((r = check_location(location, err)) < 0)
        return r;
    pthread_once(&built_once, build);
    if (check_hooks) {
        const char *missing = dw__pg_missing_hook(&built);
        if (missing)
            return dw_error_set(err, -DW_EINTERNAL,
                                "the PostgreSQL backend of this build is incomplete: the store "
                                "hook %s is not implemented",
                                missing);
    }
    struct dw_pg *g = calloc(1, sizeof *g);
    if (!g || !(g->conninfo = strdup(location))) {
        free(g);
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    g->base.ops = &built;
    if ((r = dw__pg_connect(g, &g->conn, &g->stmts, err)) < 0 || (r = dw__pg_migrate(g, err)) < 0) {
        dw__pg_close(&g->base);
        return r;
    }
    *ret = g;
    return 0;
}

static int pg_open(const char *location, struct dw_store **ret, struct dw_error *err) {
    struct dw_pg *g = NULL;
    int r = dw__pg_open(location, true, &g, err);
    if (r < 0)
        return r;
    *ret = &g->base;
    return 0;
}
