/* store/postgres — what pg.c, pg_util.c and pg_migrate.c share beyond pg_internal.h (not a
 * public header; the subject files need only pg_internal.h). */
#ifndef DW_STORE_PG_CORE_H
#define DW_STORE_PG_CORE_H

#include "store/postgres/pg_internal.h"

/* pg.c: open a connection to location (a postgres:// or postgresql:// URI, or a libpq
 * key=value string) and run the migrations. With check_hooks, refuse a backend whose ops
 * table leaves a MUST hook NULL (dw_store_postgres_ops.open does); without, for the tests
 * of the core alone. */
int dw__pg_open(const char *location, bool check_hooks, struct dw_pg **ret, struct dw_error *err);
/* The name of the first MUST hook o leaves NULL, or NULL when every one is set. */
const char *dw__pg_missing_hook(const struct dw_store_ops *o);

/* pg_util.c: the connection's statement cache, emptied when the connection is new. */
void dw__pg_stmts_free(struct dw_pg_stmt **cache);
/* (Re)connect c (*c NULL: a new connection) with the session settings of the backend. */
int dw__pg_connect(struct dw_pg *g, PGconn **c, struct dw_pg_stmt **cache, struct dw_error *err);
/* SQLSTATE of a failed result, "" when none. */
const char *dw__pg_sqlstate(const PGresult *r);

/* pg.c: the transactions of store.h (the ops table's begin .. rollback_to). */
int dw__pg_begin(struct dw_store *s, struct dw_error *err);
int dw__pg_snapshot(struct dw_store *s, struct dw_error *err);
int dw__pg_commit(struct dw_store *s, struct dw_error *err);
int dw__pg_rollback(struct dw_store *s);
int dw__pg_savepoint(struct dw_store *s, struct dw_error *err);
int dw__pg_release(struct dw_store *s, struct dw_error *err);
int dw__pg_rollback_to(struct dw_store *s);
void dw__pg_close(struct dw_store *s);

/* The wait for a row or advisory lock before a statement fails with -DW_EBUSY (55P03),
 * as SQLite's busy timeout. Migrations wait as long as it takes. */
#define DW__PG_LOCK_TIMEOUT "5s"

/* pg_migrate.c */
int dw__pg_migrate(struct dw_pg *g, struct dw_error *err);
/* The newest schema version this code knows. */
int dw__pg_schema_version(void);

#endif
