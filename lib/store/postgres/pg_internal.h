/* store/postgres — shared internals of the PostgreSQL backend (not a public header).
 *
 * The backend is split by subject, like the SQLite one: pg.c (open, close, the connection,
 * transactions, the ops table), pg_util.c (running statements, parameters, rows),
 * pg_migrate.c (the versioned schema), pg_deals.c (leads, accounts, contacts, deals,
 * documents, listings, stats, reports), pg_quotes.c (quotes, approvals, orders),
 * pg_audit.c (the event log and the audit chain), pg_misc.c (tokens, keys, webhooks and
 * deliveries, mail, slots and bookings, scoring models, the model-call journal),
 * pg_leases.c (worker leases) and pg_outbox.c (the event outbox's cursors).
 *
 * Each subject file contributes two things: its hooks, set by dw__pg_ops_SUBJECT() into the
 * ops table pg.c builds once, and its tables, the DDL string dw__pg_schema_SUBJECT, which
 * pg_migrate.c applies in the order of the list there (deals, quotes, audit, misc, leases,
 * outbox), so a table may refer to the tables of the subjects before it.
 *
 * Conventions (every file keeps them; the store test suite checks the outcomes):
 * - Every statement is a string literal passed to dw__pg_run: it is prepared on the
 *   connection the first time it runs (keyed by the literal's address) and reused after.
 *   Parameters are $1, $2, ... in text form, built with the dw__pg_p_* helpers.
 * - Times are stored as text exactly as dw_time_format writes them (as the SQLite backend
 *   does), money as bigint minor units, JSON as text exactly as written (dw_json_compact /
 *   dw_json_canonical), so every record reads back byte for byte as on SQLite.
 * - Result columns become JSON by dw__pg_row with the SQLite backend's naming rules: an
 *   int2/int4/int8 column a JSON integer, text a string, NULL null; "x:json" is JSON text
 *   parsed, "x:bool" true/false (from an integer or boolean), "x:money" a decimal string
 *   with the digits of the hidden column ":digits"; a name starting with ':' is hidden;
 *   ":extra" is a JSON object merged into the row. In SQL: AS "contact:json".
 * - Transactions are READ COMMITTED. What SQLite made safe by serialising every writer is
 *   made safe here with row locks (SELECT ... FOR UPDATE) or a transaction-scoped advisory
 *   lock (pg_advisory_xact_lock on a DW__PG_LOCK_* key); each hook's comment says which.
 * - Errors: unique violation (23505) is -DW_EEXIST; serialization failure (40001),
 *   deadlock (40P01) and lock timeout (55P03) are -DW_EBUSY (the caller redoes the
 *   transaction); a lost connection is -DW_EBUSY inside a transaction (the transaction is
 *   gone; the caller redoes it) and is re-established once before the statement is retried
 *   outside one; anything else -DW_ESTORE with the server's message.
 */
#ifndef DW_STORE_PG_INTERNAL_H
#define DW_STORE_PG_INTERNAL_H

#include <libpq-fe.h>

#include "store/store.h"

/* Advisory lock keys (pg_advisory_xact_lock(key)): one per serialised resource. */
enum {
    DW__PG_LOCK_MIGRATE = 0x64770001, /* applying migrations (session lock) */
    DW__PG_LOCK_AUDIT = 0x64770002,   /* the audit chain's tail (held to commit) */
    DW__PG_LOCK_SLOTS = 0x64770003,   /* demo slot holds and bookings */
    DW__PG_LOCK_KEYS = 0x64770004,    /* key_get's first writer */
};

struct dw_pg_stmt;   /* a prepared statement of the connection (pg_util.c) */
struct dw_pg_append; /* an audit record or event written at commit (pg_audit.c) */
struct dw_pg_holds;  /* the slot holds read in the open transaction (pg_slots.c) */
struct dw_pg_docs;   /* one deal's documents read in the open transaction (pg_deals.c) */

#define DW__PG_SAVEPOINT_MAX 8
#define DW__PG_SP_QUEUE_MAX 16

struct dw_pg {
    struct dw_store base;      /* first: a struct dw_store * is a struct dw_pg * */
    PGconn *conn;              /* the store's connection */
    PGconn *journal;           /* a second one for the hooks durable on their own (mcall_*),
                                  opened on first use; NULL until then */
    char *conninfo;            /* what open() was given, to reconnect */
    bool in_tx;                /* a transaction is open (begin or snapshot) */
    bool read_only;            /* the open transaction is a snapshot */
    int sp_depth;              /* savepoints open */
    struct dw_pg_stmt *stmts;  /* prepared on conn (pg_util.c) */
    struct dw_pg_stmt *jstmts; /* prepared on journal */
    /* Audit records and events appended in the open write transaction, written at its
     * commit (pg_audit.c "Appends at commit"); pending_mark[i] is n_pending when savepoint
     * i + 1 was opened, what rollback_to keeps. */
    struct dw_pg_append *pending;
    size_t n_pending, cap_pending;
    size_t pending_mark[DW__PG_SAVEPOINT_MAX];
    /* Savepoint commands not sent yet, oldest first ('S' SAVEPOINT, 'R' RELEASE): they go
     * with the next statement, in one round trip (pg.c, "Savepoints"). */
    char sp_queue[DW__PG_SP_QUEUE_MAX];
    int n_sp_queue;
    struct dw_pg_holds *holds; /* NULL: not read in this transaction */
    struct dw_pg_docs *docs;   /* NULL: none kept */
    /* Leases released in the open write transaction outside any savepoint, deleted at its
     * commit in one statement (pg_leases.c): rel_owner's, deals rel_ids. */
    char *rel_owner;
    int64_t *rel_ids;
    size_t n_rel, cap_rel;
};

static inline struct dw_pg *dw__pg(struct dw_store *s) {
    return (struct dw_pg *)s;
}

/* ---- parameters -------------------------------------------------------------------- */

#define DW__PG_MAX_PARAMS 24
/* The largest JSON text a parameter may hold, as on SQLite. */
#define DW__PG_TEXT_MAX (16u << 20)

/* Parameters in text form, $1 first. A helper that fails (out of memory, a value too
 * large) marks the set failed; dw__pg_run then fails with that error and runs nothing. */
struct dw_pg_params {
    int n;
    int rc; /* 0, or the first failure (-DW_ENOMEM, -DW_ETOOBIG) */
    const char *v[DW__PG_MAX_PARAMS];
    char *owned[DW__PG_MAX_PARAMS]; /* freed by dw__pg_run (or dw__pg_params_free) */
    char num[DW__PG_MAX_PARAMS][32];
};

void dw__pg_p_text(struct dw_pg_params *p, const char *v); /* NULL = SQL NULL */
void dw__pg_p_int(struct dw_pg_params *p, int64_t v);
void dw__pg_p_id(struct dw_pg_params *p, int64_t id);                  /* 0 = SQL NULL */
void dw__pg_p_bool(struct dw_pg_params *p, bool v);                    /* as the integer 0 or 1 */
void dw__pg_p_time(struct dw_pg_params *p, dw_time_t t);               /* dw_time_format's text */
void dw__pg_p_json(struct dw_pg_params *p, const json_t *j);           /* compact; NULL = NULL */
void dw__pg_p_json_canonical(struct dw_pg_params *p, const json_t *j); /* sorted keys */
void dw__pg_params_free(struct dw_pg_params *p);

/* ---- statements -------------------------------------------------------------------- */

/* Run sql (a string literal: see above) with the parameters p (NULL: none) on the store's
 * connection, frees p's owned values. *ret (may be NULL: the result is cleared) is the
 * result of a statement that succeeded; the caller PQclear()s it. what names the operation
 * in errors ("lead_insert"). Errors as described at the top. */
int dw__pg_run(struct dw_pg *g, const char *what, const char *sql, struct dw_pg_params *p,
               PGresult **ret, struct dw_error *err);
/* The same on the journal connection (opened on first use), in autocommit. */
int dw__pg_run_journal(struct dw_pg *g, const char *what, const char *sql, struct dw_pg_params *p,
                       PGresult **ret, struct dw_error *err);
/* dw__pg_run (dw__pg_run_journal with journal), its rows as a JSON array (dw__pg_rows). */
int dw__pg_rows_of(struct dw_pg *g, bool journal, const char *what, const char *sql,
                   struct dw_pg_params *p, json_t **ret, struct dw_error *err);
/* The same for a statement that writes: *ret_changes (may be NULL) the rows it changed. */
int dw__pg_exec_count(struct dw_pg *g, bool journal, const char *what, const char *sql,
                      struct dw_pg_params *p, int64_t *ret_changes, struct dw_error *err);
/* The rows a command changed (UPDATE, DELETE, INSERT ... ON CONFLICT): 0 when it says none. */
int64_t dw__pg_changes(const PGresult *r);
/* A result cleared when it goes out of scope. */
static inline void dw__pg_clear(PGresult **r) {
    if (*r)
        PQclear(*r);
}
#define _cleanup_pgres_ __attribute__((cleanup(dw__pg_clear)))
/* The savepoint commands queued (sp_queue), then the n statements sql[i] with the
 * parameters p[i] (freed), in one round trip (libpq's pipeline mode), in the open
 * transaction, then COMMIT when commit is set (run only when every statement succeeded,
 * as PostgreSQL skips the rest of a pipeline after an error). *ret_last (may be NULL) is
 * the last statement's result when it succeeded; the caller PQclear()s it. The first
 * failure is the answer, with the errors of dw__pg_run; a lost connection forgets the
 * transaction (-DW_EBUSY). */
#define DW__PG_PIPELINE_MAX 8
int dw__pg_pipeline(struct dw_pg *g, const char *what, int n, const char *const *sql,
                    struct dw_pg_params *p, bool commit, PGresult **ret_last, struct dw_error *err);
/* The queued savepoint commands as one script ("RELEASE SAVEPOINT dw_sp; ...") ending in
 * "; " for a simple query to start with ("" when none), and the queue emptied. */
const char *dw__pg_sp_script(struct dw_pg *g, char *buf, size_t size);
/* Several statements without parameters in one round trip (DDL, SET ...). */
int dw__pg_exec_script(struct dw_pg *g, const char *what, const char *sql, struct dw_error *err);

/* ---- rows -------------------------------------------------------------------------- */

/* Row `row` of r as a JSON object by the naming rules above. */
int dw__pg_row(const PGresult *r, int row, json_t **ret, struct dw_error *err);
/* Every row as an array of such objects (an empty array when there are none). */
int dw__pg_rows(const PGresult *r, json_t **ret, struct dw_error *err);
/* One column of one row: NULL becomes 0 / NULL / 0 / JSON null. */
int64_t dw__pg_int(const PGresult *r, int row, int col);
const char *dw__pg_text(const PGresult *r, int row, int col);
dw_time_t dw__pg_time(const PGresult *r, int row, int col);
int dw__pg_json(const PGresult *r, int row, int col, json_t **ret, struct dw_error *err);
bool dw__pg_isnull(const PGresult *r, int row, int col);

/* ---- transactions ------------------------------------------------------------------ */

/* For a hook that writes several rows: its own transaction when none is open, a savepoint
 * inside the caller's when nested, nothing else. dw__pg_tx_leave commits or releases when
 * r == 0 and rolls back otherwise, and returns r (or the commit's error). */
enum dw__pg_tx { DW__PG_TX_NONE, DW__PG_TX_OWN, DW__PG_TX_SAVEPOINT };
int dw__pg_tx_enter(struct dw_pg *g, bool nested, enum dw__pg_tx *mode, struct dw_error *err);
int dw__pg_tx_leave(struct dw_pg *g, enum dw__pg_tx mode, int r, struct dw_error *err);
/* pg_advisory_xact_lock(key) in the open transaction (-DW_ESTATE when none is open). */
int dw__pg_lock(struct dw_pg *g, int64_t key, struct dw_error *err);

/* ---- appends at commit (pg_audit.c) ------------------------------------------------ */

/* Write the appends buffered in the open transaction: the audit lock, the tails, then every
 * record; with `commit`, COMMIT in the same round trip as the records. 1 when it has
 * committed, 0 when nothing was buffered (no COMMIT sent: the caller commits) or, without
 * `commit`, when all is written. A statement that reads the event log
 * or the audit chain inside a write transaction calls it first (commit false), so that it
 * sees the transaction's own appends. */
int dw__pg_appends_flush(struct dw_pg *g, bool commit, struct dw_error *err);
/* Forget the buffered appends after the first keep (a rollback to a savepoint: its mark;
 * a rollback or a lost connection: 0). */
void dw__pg_appends_drop(struct dw_pg *g, size_t keep);

/* ---- the slot holds of the open transaction (pg_slots.c) ---------------------------- */

/* Forget them (the transaction ended, or rolled back to a savepoint). */
void dw__pg_holds_forget(struct dw_pg *g);
/* Deal deal_id's stage is now open (or closed): its holds count (or not). */
void dw__pg_holds_deal_stage(struct dw_pg *g, int64_t deal_id, bool open);

/* The leases released in the open write transaction, kept for its commit (pg_leases.c):
 * when there are some, the statement that deletes them, its parameters set in *p, to be
 * sent before COMMIT in its round trip; NULL when none. forget drops them (the
 * transaction ended). */
const char *dw__pg_leases_at_commit(struct dw_pg *g, struct dw_pg_params *p);
void dw__pg_leases_forget(struct dw_pg *g);

/* Forget the documents kept for doc_peek (pg_deals.c): the transaction ended, or rolled
 * back to a savepoint. */
void dw__pg_docs_forget(struct dw_pg *g);

/* The same memory for other subjects' reads, under kinds no document has (":quote": the
 * latest quote with its lines, ":approvals": the deal's approvals; NULL kept: none). kept:
 * true and *ret (borrowed, NULL: known absent) when kept for deal_id in the open write
 * transaction; keep takes its own reference (kept only in a write transaction); drop forgets
 * deal_id's entry (0: of whichever deal is kept) and is what every writer of the subject
 * calls. */
bool dw__pg_kept(struct dw_pg *g, int64_t deal_id, const char *kind, const json_t **ret);
void dw__pg_keep(struct dw_pg *g, int64_t deal_id, const char *kind, json_t *value);
void dw__pg_kept_drop(struct dw_pg *g, int64_t deal_id, const char *kind);

/* A deal's row: the columns in the order dw__pg_deal_row reads them (pg_deals.c), which
 * fills ret from row `row` of res; dw__pg_deal_keep keeps a row the open write transaction
 * has locked (SELECT ... FOR UPDATE), for deal_get to answer from memory until a rollback
 * to a savepoint or the transaction's end (lease_hold reads it with its lock). */
#define DW__PG_DEAL_COLS                                                                           \
    "id, stage, facts, runnable, attempts, next_attempt_at, last_error, parked, account_id, "      \
    "contact_id, currency, created_at, updated_at"
int dw__pg_deal_row(const PGresult *res, int row, struct dw_deal_rec *ret, struct dw_error *err);
void dw__pg_deal_keep(struct dw_pg *g, const struct dw_deal_rec *rec);

/* ---- the subjects ------------------------------------------------------------------ */

void dw__pg_ops_deals(struct dw_store_ops *o);
void dw__pg_ops_quotes(struct dw_store_ops *o);
void dw__pg_ops_audit(struct dw_store_ops *o);
void dw__pg_ops_misc(struct dw_store_ops *o);
void dw__pg_ops_leases(struct dw_store_ops *o);
void dw__pg_ops_outbox(struct dw_store_ops *o);

extern const char dw__pg_schema_deals[];
extern const char dw__pg_schema_quotes[];
extern const char dw__pg_schema_audit[];
extern const char dw__pg_schema_misc[];
extern const char dw__pg_schema_leases[];
extern const char dw__pg_schema_outbox[];

#endif
