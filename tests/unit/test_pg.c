/* The PostgreSQL backend's core (lib/store/postgres/pg.c, pg_util.c, pg_migrate.c) on a real
 * server: opening and migrations, transactions and savepoints, parameters and the row naming
 * rules, error mapping, advisory locks, the lost-connection rule and the journal connection.
 * The store's hooks are tested by test_store.c on both backends; this file tests what they
 * are built on, through the internal entry point that opens without the hooks check.
 *
 * argv[1]: a URL template with "{db}" (tests/meson.build passes
 * "postgres://USER@127.0.0.1:PORT/{db}" from tests/with_pg.sh); each test gets a fresh
 * database, created through libpq on the server's "postgres" database and dropped after. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/postgres/pg_core.h"

static const char *url_template;
static int db_counter;

struct fx {
    char name[64];
    char url[512];
    struct dw_pg *g;
};

static void expand(const char *db, char *out, size_t size) {
    const char *at = strstr(url_template, "{db}");
    assert_non_null(at);
    snprintf(out, size, "%.*s%s%s", (int)(at - url_template), url_template, db, at + 4);
}

/* A plain libpq connection to db, for what the backend does not show. */
static PGconn *raw(const char *url) {
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("connect %s: %s", url, PQerrorMessage(c));
    return c;
}

static void raw_ok(PGconn *c, const char *sql) {
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
}

static int64_t raw_int(PGconn *c, const char *sql) {
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    int64_t v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

/* "CREATE DATABASE name" or "DROP DATABASE name WITH (FORCE)" on the server */
static void admin(bool create, const char *name) {
    char url[512], sql[256];
    expand("postgres", url, sizeof url);
    PGconn *c = raw(url);
    snprintf(sql, sizeof sql, create ? "CREATE DATABASE %s" : "DROP DATABASE %s WITH (FORCE)",
             name);
    raw_ok(c, sql);
    PQfinish(c);
}

static void ok(int r, const struct dw_error *err) {
    if (r < 0)
        fail_msg("%s: %s", dw_errname(r), err->msg);
}

static int setup(void **state) {
    struct fx *f = calloc(1, sizeof *f);
    struct dw_error err = {0};
    assert_non_null(f);
    snprintf(f->name, sizeof f->name, "dw_core_%d_%d", (int)getpid(), ++db_counter);
    admin(true, f->name);
    expand(f->name, f->url, sizeof f->url);
    ok(dw__pg_open(f->url, false, &f->g, &err), &err);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    struct fx *f = *state;
    if (f->g)
        dw__pg_close(&f->g->base);
    admin(false, f->name);
    free(f);
    return 0;
}

static void run_ok(struct dw_pg *g, const char *sql, struct dw_pg_params *p) {
    struct dw_error err = {0};
    ok(dw__pg_run(g, "test", sql, p, NULL, &err), &err);
}

static int64_t count(struct dw_pg *g, const char *sql) {
    struct dw_error err = {0};
    PGresult *r = NULL;
    ok(dw__pg_run(g, "count", sql, NULL, &r, &err), &err);
    int64_t n = dw__pg_int(r, 0, 0);
    PQclear(r);
    return n;
}

/* ---- open and migrations ----------------------------------------------------------- */

static void test_migrations(void **state) {
    struct fx *f = *state;
    struct dw_error err = {0};
    PGconn *c = raw(f->url);
    assert_int_equal(raw_int(c, "SELECT COUNT(*) FROM schema_migrations"), dw__pg_schema_version());
    assert_int_equal(raw_int(c, "SELECT MIN(version) FROM schema_migrations"), 1);
    /* reopening applies nothing twice */
    dw__pg_close(&f->g->base);
    f->g = NULL;
    ok(dw__pg_open(f->url, false, &f->g, &err), &err);
    assert_int_equal(raw_int(c, "SELECT COUNT(*) FROM schema_migrations"), dw__pg_schema_version());
    /* the session: UTC, UTF8, our name, the busy timeout */
    PGresult *r = NULL;
    ok(dw__pg_run(f->g, "t",
                  "SELECT current_setting('TimeZone'), current_setting('client_encoding'), "
                  "current_setting('application_name'), current_setting('lock_timeout')",
                  NULL, &r, &err),
       &err);
    assert_string_equal(dw__pg_text(r, 0, 0), "UTC");
    assert_string_equal(dw__pg_text(r, 0, 1), "UTF8");
    assert_string_equal(dw__pg_text(r, 0, 2), "dealwright");
    assert_string_equal(dw__pg_text(r, 0, 3), DW__PG_LOCK_TIMEOUT);
    PQclear(r);

    /* a database from the future is refused, and left as it was */
    raw_ok(c, "INSERT INTO schema_migrations VALUES (999, 'future', '2030-01-01T00:00:00Z')");
    dw__pg_close(&f->g->base);
    f->g = NULL;
    struct dw_pg *g2 = NULL;
    assert_int_equal(dw__pg_open(f->url, false, &g2, &err), -DW_ESTORE);
    assert_null(g2);
    assert_non_null(strstr(err.msg, "999"));
    assert_non_null(strstr(err.msg, "newer"));
    assert_int_equal(raw_int(c, "SELECT COUNT(*) FROM schema_migrations"),
                     dw__pg_schema_version() + 1);
    /* and the migration lock was let go: another session takes it at once */
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_try_advisory_lock(%d)::int", DW__PG_LOCK_MIGRATE);
    assert_int_equal(raw_int(c, sql), 1);
    PQfinish(c);
}

struct opener {
    const char *url;
    int r;
    char msg[512];
};

static void *open_thread(void *arg) {
    struct opener *o = arg;
    struct dw_error err = {0};
    struct dw_pg *g = NULL;
    o->r = dw__pg_open(o->url, false, &g, &err);
    snprintf(o->msg, sizeof o->msg, "%s", err.msg);
    if (g)
        dw__pg_close(&g->base);
    return NULL;
}

/* Workers starting together on a fresh database migrate it once. */
static void test_migrate_concurrently(void **state) {
    struct fx *f = *state;
    char name[80], url[512];
    snprintf(name, sizeof name, "%s_fresh", f->name);
    admin(true, name);
    expand(name, url, sizeof url);
    pthread_t t[4];
    struct opener o[4];
    for (int i = 0; i < 4; i++) {
        o[i] = (struct opener){.url = url};
        assert_int_equal(pthread_create(&t[i], NULL, open_thread, &o[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        if (o[i].r < 0)
            fail_msg("opener %d: %s", i, o[i].msg);
    }
    PGconn *c = raw(url);
    assert_int_equal(raw_int(c, "SELECT COUNT(*) FROM schema_migrations"), dw__pg_schema_version());
    PQfinish(c);
    admin(false, name);
}

static void test_url_rules(void **state) {
    (void)state;
    struct dw_error err = {0};
    struct dw_pg *g = NULL;
    /* a password in the URL is refused and never repeated */
    assert_int_equal(dw__pg_open("postgres://dw:s3cr3t@127.0.0.1:1/x", false, &g, &err),
                     -DW_EINVAL);
    assert_null(g);
    assert_null(strstr(err.msg, "s3cr3t"));
    assert_non_null(strstr(err.msg, "PGPASSWORD"));
    assert_int_equal(dw__pg_open("postgresql://dw@127.0.0.1:1/x?password=s3cr3t", false, &g, &err),
                     -DW_EINVAL);
    assert_null(strstr(err.msg, "s3cr3t"));
    assert_int_equal(dw__pg_open("postgres://dw@127.0.0.1:1/x?sslpassword=s3cr3t", false, &g, &err),
                     -DW_EINVAL);
    assert_null(strstr(err.msg, "s3cr3t"));
    /* nothing listening: a transient failure naming the URL */
    assert_int_equal(dw__pg_open("postgres://dw@127.0.0.1:1/x?connect_timeout=2", false, &g, &err),
                     -DW_EBUSY);
    assert_non_null(strstr(err.msg, "postgres://dw@127.0.0.1:1/x"));
    /* the registry hands the whole URL to the backend */
    struct dw_store_url u;
    ok(dw_store_url_parse("postgresql://dw@db:5433/deals?sslmode=require", &u, &err), &err);
    assert_string_equal(u.scheme, "postgresql");
    assert_string_equal(u.location, "postgresql://dw@db:5433/deals?sslmode=require");
    assert_ptr_equal(u.ops, &dw_store_postgres_ops);
    assert_int_equal(dw_store_url_parse("postgres:deals", &u, &err), -DW_EINVAL);
    assert_non_null(strstr(err.msg, "postgres://USER@HOST:PORT/DATABASE"));
}

static void dummy_hook(void) {}

static void test_missing_hook(void **state) {
    (void)state;
    struct dw_store_ops o;
    memset(&o, 0, sizeof o);
    assert_string_equal(dw__pg_missing_hook(&o), "open");
    /* every member set but one: that one is named */
    void (*fn)(void) = dummy_hook;
    for (size_t off = offsetof(struct dw_store_ops, open); off + sizeof fn <= sizeof o;
         off += sizeof fn)
        memcpy((char *)&o + off, &fn, sizeof fn);
    assert_null(dw__pg_missing_hook(&o));
    o.audit_append = NULL;
    assert_string_equal(dw__pg_missing_hook(&o), "audit_append");
    memcpy(&o.audit_append, &fn, sizeof fn);
    o.snapshot = NULL; /* MAY */
    o.mail_insert = NULL;
    o.mcall_append = NULL;
    assert_null(dw__pg_missing_hook(&o));
}

/* ---- transactions ------------------------------------------------------------------ */

static void test_transaction_states(void **state) {
    struct fx *f = *state;
    struct dw_store *s = &f->g->base;
    struct dw_error err = {0};
    assert_int_equal(dw__pg_commit(s, &err), -DW_ESTATE);
    assert_int_equal(dw__pg_savepoint(s, &err), -DW_ESTATE);
    assert_int_equal(dw__pg_release(s, &err), -DW_ESTATE);
    assert_int_equal(dw__pg_rollback_to(s), -DW_ESTATE);
    assert_int_equal(dw__pg_rollback(s), 0);
    ok(dw__pg_begin(s, &err), &err);
    assert_int_equal(dw__pg_begin(s, &err), -DW_ESTATE);
    assert_int_equal(dw__pg_snapshot(s, &err), -DW_ESTATE);
    assert_int_equal(dw__pg_release(s, &err), -DW_ESTATE); /* no savepoint */
    for (int i = 0; i < DW__PG_SAVEPOINT_MAX; i++)
        ok(dw__pg_savepoint(s, &err), &err);
    assert_int_equal(dw__pg_savepoint(s, &err), -DW_ESTATE);
    assert_non_null(strstr(err.msg, "8"));
    ok(dw__pg_rollback(s), &err);
    assert_false(f->g->in_tx);
    assert_int_equal(f->g->sp_depth, 0);
    assert_int_equal(dw__pg_lock(f->g, DW__PG_LOCK_AUDIT, &err), -DW_ESTATE);
}

static void test_savepoints(void **state) {
    struct fx *f = *state;
    struct dw_store *s = &f->g->base;
    struct dw_error err = {0};
    run_ok(f->g, "CREATE TABLE t (id integer PRIMARY KEY, v text)", NULL);
    ok(dw__pg_begin(s, &err), &err);
    run_ok(f->g, "INSERT INTO t VALUES (1, 'a')", NULL);
    ok(dw__pg_savepoint(s, &err), &err);
    run_ok(f->g, "INSERT INTO t VALUES (2, 'b')", NULL);
    ok(dw__pg_savepoint(s, &err), &err); /* nested, same name */
    run_ok(f->g, "INSERT INTO t VALUES (3, 'c')", NULL);
    ok(dw__pg_release(s, &err), &err); /* keeps 3 inside the outer one */
    ok(dw__pg_rollback_to(s), &err);   /* undoes 2 and 3 */
    ok(dw__pg_savepoint(s, &err), &err);
    /* a failing statement aborts the transaction in PostgreSQL; the savepoint saves it */
    assert_int_equal(dw__pg_run(f->g, "dup", "INSERT INTO t VALUES (1, 'again')", NULL, NULL, &err),
                     -DW_EEXIST);
    assert_null(strstr(err.msg, "again")); /* the server's DETAIL (row values) is left out */
    ok(dw__pg_rollback_to(s), &err);
    run_ok(f->g, "INSERT INTO t VALUES (4, 'd')", NULL);
    ok(dw__pg_commit(s, &err), &err);
    assert_int_equal(count(f->g, "SELECT COUNT(*) FROM t"), 2);
    assert_int_equal(count(f->g, "SELECT SUM(id) FROM t"), 5);

    /* without a savepoint the failure dooms the transaction: commit says nothing is stored */
    ok(dw__pg_begin(s, &err), &err);
    run_ok(f->g, "INSERT INTO t VALUES (5, 'e')", NULL);
    assert_int_equal(dw__pg_run(f->g, "dup", "INSERT INTO t VALUES (1, 'x')", NULL, NULL, &err),
                     -DW_EEXIST);
    assert_int_equal(dw__pg_run(f->g, "after", "SELECT 1", NULL, NULL, &err), -DW_ESTORE);
    assert_non_null(strstr(err.msg, "aborted"));
    assert_int_equal(dw__pg_commit(s, &err), -DW_ESTORE);
    assert_non_null(strstr(err.msg, "rolled back"));
    assert_false(f->g->in_tx);
    assert_int_equal(count(f->g, "SELECT COUNT(*) FROM t"), 2);
    /* and the store goes on */
    ok(dw__pg_begin(s, &err), &err);
    ok(dw__pg_commit(s, &err), &err);
}

static void test_tx_enter(void **state) {
    struct fx *f = *state;
    struct dw_error err = {0};
    enum dw__pg_tx mode;
    run_ok(f->g, "CREATE TABLE t (id integer PRIMARY KEY)", NULL);
    /* alone: its own transaction, committed */
    ok(dw__pg_tx_enter(f->g, true, &mode, &err), &err);
    assert_int_equal(mode, DW__PG_TX_OWN);
    run_ok(f->g, "INSERT INTO t VALUES (1)", NULL);
    ok(dw__pg_tx_leave(f->g, mode, 0, &err), &err);
    assert_false(f->g->in_tx);
    /* alone and failing: rolled back */
    ok(dw__pg_tx_enter(f->g, true, &mode, &err), &err);
    run_ok(f->g, "INSERT INTO t VALUES (2)", NULL);
    int r = dw__pg_run(f->g, "dup", "INSERT INTO t VALUES (1)", NULL, NULL, &err);
    assert_int_equal(dw__pg_tx_leave(f->g, mode, r, &err), -DW_EEXIST);
    assert_int_equal(count(f->g, "SELECT COUNT(*) FROM t"), 1);
    /* inside the caller's: a savepoint; a failure leaves nothing and the caller goes on */
    ok(dw__pg_begin(&f->g->base, &err), &err);
    ok(dw__pg_tx_enter(f->g, true, &mode, &err), &err);
    assert_int_equal(mode, DW__PG_TX_SAVEPOINT);
    run_ok(f->g, "INSERT INTO t VALUES (3)", NULL);
    r = dw__pg_run(f->g, "dup", "INSERT INTO t VALUES (1)", NULL, NULL, &err);
    assert_int_equal(dw__pg_tx_leave(f->g, mode, r, &err), -DW_EEXIST);
    ok(dw__pg_tx_enter(f->g, false, &mode, &err), &err);
    assert_int_equal(mode, DW__PG_TX_NONE);
    run_ok(f->g, "INSERT INTO t VALUES (4)", NULL);
    ok(dw__pg_tx_leave(f->g, mode, 0, &err), &err);
    ok(dw__pg_commit(&f->g->base, &err), &err);
    assert_int_equal(count(f->g, "SELECT COUNT(*) FROM t"), 2);
    assert_int_equal(count(f->g, "SELECT MAX(id) FROM t"), 4);
}

static void test_snapshot(void **state) {
    struct fx *f = *state;
    struct dw_error err = {0};
    run_ok(f->g, "CREATE TABLE t (id integer PRIMARY KEY)", NULL);
    run_ok(f->g, "INSERT INTO t VALUES (1)", NULL);
    PGconn *other = raw(f->url);
    ok(dw__pg_snapshot(&f->g->base, &err), &err);
    assert_int_equal(count(f->g, "SELECT COUNT(*) FROM t"), 1);
    raw_ok(other, "INSERT INTO t VALUES (2)");
    assert_int_equal(count(f->g, "SELECT COUNT(*) FROM t"), 1); /* as at its first read */
    assert_int_equal(dw__pg_run(f->g, "w", "INSERT INTO t VALUES (3)", NULL, NULL, &err),
                     -DW_ESTORE); /* read only */
    ok(dw__pg_rollback(&f->g->base), &err);
    assert_int_equal(count(f->g, "SELECT COUNT(*) FROM t"), 2);
    /* READ COMMITTED: a transaction sees what others committed since its last statement */
    ok(dw__pg_begin(&f->g->base, &err), &err);
    assert_int_equal(count(f->g, "SELECT COUNT(*) FROM t"), 2);
    raw_ok(other, "INSERT INTO t VALUES (4)");
    assert_int_equal(count(f->g, "SELECT COUNT(*) FROM t"), 3);
    ok(dw__pg_commit(&f->g->base, &err), &err);
    PQfinish(other);
}

static void test_locks(void **state) {
    struct fx *f = *state;
    struct dw_error err = {0};
    PGconn *other = raw(f->url);
    ok(dw__pg_begin(&f->g->base, &err), &err);
    ok(dw__pg_lock(f->g, DW__PG_LOCK_AUDIT, &err), &err);
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_try_advisory_xact_lock(%d)::int", DW__PG_LOCK_AUDIT);
    assert_int_equal(raw_int(other, sql), 0); /* held until commit */
    ok(dw__pg_commit(&f->g->base, &err), &err);
    assert_int_equal(raw_int(other, sql), 1);

    /* a row lock held past the lock timeout is -DW_EBUSY, transient */
    run_ok(f->g, "CREATE TABLE t (id integer PRIMARY KEY, v integer)", NULL);
    run_ok(f->g, "INSERT INTO t VALUES (1, 0)", NULL);
    raw_ok(other, "BEGIN");
    raw_ok(other, "UPDATE t SET v = 1 WHERE id = 1");
    ok(dw__pg_begin(&f->g->base, &err), &err);
    int r = dw__pg_run(f->g, "upd", "UPDATE t SET v = 2 WHERE id = 1", NULL, NULL, &err);
    assert_int_equal(r, -DW_EBUSY);
    assert_true(dw_error_is_transient(r));
    dw__pg_rollback(&f->g->base);
    raw_ok(other, "ROLLBACK");
    PQfinish(other);
}

/* Another connection's write transaction: one event and one audit record, committed. */
static int append_other(const char *url, const json_t *rec) {
    struct dw_pg *g = NULL;
    struct dw_error err = {0};
    int r = dw__pg_open(url, false, &g, &err);
    if (r == 0)
        r = dw__pg_begin(&g->base, &err);
    if (r == 0)
        r = g->base.ops->event_append(&g->base, 9, "other", NULL, 1000, NULL, &err);
    if (r == 0)
        r = g->base.ops->audit_append(&g->base, rec, 1000, NULL, &err);
    if (r == 0)
        r = dw__pg_commit(&g->base, &err);
    if (g)
        dw__pg_close(&g->base);
    return r;
}

/* begin takes no writers' lock: a second writer begins at once and commits rows of its own
 * while the first is open; a snapshot and a statement outside a transaction go on too. */
static void test_writers_together(void **state) {
    struct fx *f = *state;
    struct dw_error err = {0};
    struct dw_pg *g2 = NULL;
    run_ok(f->g, "CREATE TABLE t (id integer PRIMARY KEY)", NULL);
    ok(dw__pg_open(f->url, false, &g2, &err), &err);
    ok(dw__pg_begin(&f->g->base, &err), &err);
    run_ok(f->g, "INSERT INTO t VALUES (1)", NULL);
    int64_t t0 = dw_monotonic_us();
    ok(dw__pg_begin(&g2->base, &err), &err);
    run_ok(g2, "INSERT INTO t VALUES (2)", NULL);
    ok(dw__pg_commit(&g2->base, &err), &err);
    assert_true(dw_monotonic_us() - t0 < 2000000); /* not the lock timeout, 5 s */
    ok(dw__pg_snapshot(&g2->base, &err), &err);
    assert_int_equal(count(g2, "SELECT COUNT(*) FROM t"), 1);
    ok(dw__pg_rollback(&g2->base), &err);
    run_ok(g2, "INSERT INTO t VALUES (3)", NULL);
    ok(dw__pg_commit(&f->g->base, &err), &err);
    assert_int_equal(count(f->g, "SELECT COUNT(*) FROM t"), 3);
    dw__pg_close(&g2->base);
}

/* Appends in a write transaction wait for its commit: until then the tail lock is free and
 * nothing shows on another connection; a savepoint rolled back drops its own; the commit
 * writes the rest in call order, linked and numbered after what others committed meanwhile;
 * a read of the log inside the transaction sees the transaction's appends. */
static void test_appends_at_commit(void **state) {
    struct fx *f = *state;
    struct dw_error err = {0};
    struct dw_store *s = &f->g->base;
    PGconn *other = raw(f->url);
    json_t *rec = json_pack("{s:s, s:s, s:I, s:{s:i}}", "actor", "control", "action", "step",
                            "deal_id", (json_int_t)7, "data", "n", 1);
    char try_lock[96];
    snprintf(try_lock, sizeof try_lock, "SELECT pg_try_advisory_xact_lock(%d)::int",
             DW__PG_LOCK_AUDIT);

    ok(dw__pg_begin(s, &err), &err);
    ok(s->ops->event_append(s, 7, "a.first", NULL, 1000, NULL, &err), &err);
    ok(s->ops->audit_append(s, rec, 1000, NULL, &err), &err);
    ok(dw__pg_savepoint(s, &err), &err);
    ok(s->ops->event_append(s, 7, "b.dropped", NULL, 1000, NULL, &err), &err);
    ok(s->ops->audit_append(s, rec, 1000, NULL, &err), &err);
    assert_int_equal(dw__pg_rollback_to(s), 0);
    ok(s->ops->event_append(s, 7, "c.kept", NULL, 1000, NULL, &err), &err);
    assert_int_equal(f->g->n_pending, 3);
    assert_int_equal(raw_int(other, try_lock), 1); /* the tail lock is not held yet */
    assert_int_equal(raw_int(other, "SELECT COUNT(*) FROM events"), 0);
    /* another writer commits meanwhile: this transaction's appends come after it */
    ok(append_other(f->url, rec), &err);
    ok(dw__pg_commit(s, &err), &err);
    assert_int_equal(f->g->n_pending, 0);
    assert_int_equal(raw_int(other, "SELECT COUNT(*) FROM audit"), 2);
    assert_int_equal(raw_int(other, "SELECT seq FROM events WHERE type = 'a.first'"), 2);
    assert_int_equal(raw_int(other, "SELECT seq FROM events WHERE type = 'c.kept'"), 3);
    assert_int_equal(raw_int(other, "SELECT COUNT(*) FROM events WHERE type = 'b.dropped'"), 0);
    int64_t n = 0, bad = 0;
    ok(s->ops->audit_verify(s, &n, &bad, &err), &err);
    assert_int_equal(n, 2);

    /* a read inside the transaction sees its own appends */
    json_t *rows = NULL;
    ok(dw__pg_begin(s, &err), &err);
    ok(s->ops->event_append(s, 8, "d.own", NULL, 1000, NULL, &err), &err);
    ok(s->ops->events_for_deal(s, 8, &rows, &err), &err);
    assert_int_equal(json_array_size(rows), 1);
    json_decref(rows);
    dw__pg_rollback(s);
    assert_int_equal(raw_int(other, "SELECT COUNT(*) FROM events WHERE deal_id = 8"), 0);
    json_decref(rec);
    PQfinish(other);
}

/* ---- parameters and rows ----------------------------------------------------------- */

static void test_params_and_rows(void **state) {
    struct fx *f = *state;
    struct dw_error err = {0};
    run_ok(f->g,
           "CREATE TABLE t (id bigserial PRIMARY KEY, name text, n bigint, flag integer, "
           "doc text, amount bigint, digits integer, extra text, at text, ref bigint, b boolean)",
           NULL);
    json_t *doc = json_pack("{s:s, s:i, s:[i,i]}", "z", "last", "a", 1, "list", 1, 2);
    json_t *extra = json_pack("{s:s, s:s}", "note", "kept", "name", "never wins");
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, "Zoë \"Q\" O'Brien");
    dw__pg_p_int(&p, -9007199254740993LL);
    dw__pg_p_bool(&p, true);
    dw__pg_p_json(&p, doc);
    dw__pg_p_int(&p, 12345678);
    dw__pg_p_int(&p, 3);
    dw__pg_p_json(&p, extra);
    dw__pg_p_time(&p, 1795000000);
    dw__pg_p_id(&p, 0);
    PGresult *r = NULL;
    ok(dw__pg_run(f->g, "ins",
                  "INSERT INTO t (name, n, flag, doc, amount, digits, extra, at, ref, b) "
                  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, true) RETURNING id",
                  &p, &r, &err),
       &err);
    assert_int_equal(dw__pg_int(r, 0, 0), 1);
    PQclear(r);
    /* the JSON text is stored exactly as written (compact, members in their order) */
    ok(dw__pg_run(f->g, "sel", "SELECT doc, at, ref FROM t", NULL, &r, &err), &err);
    assert_string_equal(dw__pg_text(r, 0, 0), "{\"z\":\"last\",\"a\":1,\"list\":[1,2]}");
    assert_string_equal(dw__pg_text(r, 0, 1), "2026-11-18T11:06:40Z");
    assert_int_equal(dw__pg_time(r, 0, 1), 1795000000);
    assert_true(dw__pg_isnull(r, 0, 2));
    assert_null(dw__pg_text(r, 0, 2));
    assert_int_equal(dw__pg_int(r, 0, 2), 0);
    json_t *j = NULL;
    ok(dw__pg_json(r, 0, 0, &j, &err), &err);
    assert_true(json_equal(j, doc));
    json_decref(j);
    ok(dw__pg_json(r, 0, 2, &j, &err), &err);
    assert_true(json_is_null(j));
    PQclear(r);

    p = (struct dw_pg_params){0};
    dw__pg_p_json_canonical(&p, doc);
    ok(dw__pg_run(f->g, "canon", "SELECT $1::text", &p, &r, &err), &err);
    assert_string_equal(dw__pg_text(r, 0, 0), "{\"a\":1,\"list\":[1,2],\"z\":\"last\"}");
    PQclear(r);

    /* the naming rules */
    ok(dw__pg_run(f->g, "row",
                  "SELECT id, name, n, flag AS \"flag:bool\", doc AS \"doc:json\", "
                  "amount AS \"amount:money\", digits AS \":digits\", extra AS \":extra\", "
                  "ref, b, 0 AS \"zero:bool\", name AS \":hidden\", "
                  "(SELECT SUM(amount) FROM t) AS total, 2.5::float8 AS half, "
                  "'[1]'::jsonb AS arr FROM t",
                  NULL, &r, &err),
       &err);
    ok(dw__pg_row(r, 0, &j, &err), &err);
    PQclear(r);
    json_t *want =
        json_pack("{s:i, s:s, s:I, s:b, s:O, s:s, s:n, s:b, s:b, s:I, s:f, s:[i], s:s}", "id", 1,
                  "name", "Zoë \"Q\" O'Brien", "n", (json_int_t)-9007199254740993LL, "flag", 1,
                  "doc", doc, "amount", "12345.678", "ref", "b", 1, "zero", 0, "total",
                  (json_int_t)12345678, "half", 2.5, "arr", 1, "note", "kept");
    if (!json_equal(j, want)) {
        char *got = json_dumps(j, JSON_SORT_KEYS), *exp = json_dumps(want, JSON_SORT_KEYS);
        fail_msg("row\n got %s\nwant %s", got, exp);
    }
    json_decref(want);
    json_decref(j);

    /* rows: an array, empty when there are none */
    p = (struct dw_pg_params){0};
    dw__pg_p_int(&p, 5);
    ok(dw__pg_run(f->g, "rows", "SELECT id FROM t WHERE id > $1", &p, &r, &err), &err);
    ok(dw__pg_rows(r, &j, &err), &err);
    assert_true(json_is_array(j) && json_array_size(j) == 0);
    json_decref(j);
    PQclear(r);
    json_decref(doc);
    json_decref(extra);
}

static void test_param_limits(void **state) {
    struct fx *f = *state;
    struct dw_error err = {0};
    struct dw_pg_params p = {0};
    char *big = malloc(DW__PG_TEXT_MAX + 2);
    assert_non_null(big);
    memset(big, 'x', DW__PG_TEXT_MAX + 1);
    big[DW__PG_TEXT_MAX + 1] = '\0';
    dw__pg_p_text(&p, big);
    assert_int_equal(dw__pg_run(f->g, "big", "SELECT $1::text", &p, NULL, &err), -DW_ETOOBIG);
    free(big);
    p = (struct dw_pg_params){0};
    json_t *j = json_object();
    for (int i = 0; i < DW__PG_MAX_PARAMS + 1; i++)
        dw__pg_p_json(&p, j); /* owned copies, freed even when the run never happens */
    assert_int_equal(dw__pg_run(f->g, "many", "SELECT 1", &p, NULL, &err), -DW_EINTERNAL);
    json_decref(j);
    /* a statement the server refuses: -DW_ESTORE with its message */
    assert_int_equal(dw__pg_run(f->g, "bad", "SELECT * FROM no_such_table", NULL, NULL, &err),
                     -DW_ESTORE);
    assert_non_null(strstr(err.msg, "no_such_table"));
    assert_non_null(strstr(err.msg, "42P01"));
}

/* Each literal is prepared once per connection, then only executed. */
static void test_statement_cache(void **state) {
    struct fx *f = *state;
    struct dw_error err = {0};
    PGresult *r = NULL;
    /* what open prepared (migrations, BEGIN, COMMIT) and this query itself */
    int64_t before = count(f->g, "SELECT COUNT(*) FROM pg_prepared_statements");
    for (int i = 0; i < 200; i++) {
        struct dw_pg_params p = {0};
        dw__pg_p_int(&p, i);
        ok(dw__pg_run(f->g, "loop", "SELECT $1::int + 1", &p, &r, &err), &err);
        assert_int_equal(dw__pg_int(r, 0, 0), i + 1);
        PQclear(r);
    }
    static const char *const texts[] = {"SELECT 1", "SELECT 2", "SELECT 3"};
    for (int k = 0; k < 50; k++)
        for (int i = 0; i < 3; i++)
            run_ok(f->g, texts[i], NULL);
    assert_int_equal(count(f->g, "SELECT COUNT(*) FROM pg_prepared_statements"), before + 4);
}

/* ---- the lost connection ----------------------------------------------------------- */

static int64_t backend_pid(struct dw_pg *g) {
    return count(g, "SELECT pg_backend_pid()");
}

static void kill_backend(const char *url, int64_t pid) {
    char sql[96];
    PGconn *c = raw(url);
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld)", (long long)pid);
    raw_ok(c, sql);
    /* wait until it is gone */
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = %lld",
             (long long)pid);
    for (int i = 0; i < 100 && raw_int(c, sql) > 0; i++)
        usleep(20000);
    PQfinish(c);
}

static void test_reconnect(void **state) {
    struct fx *f = *state;
    struct dw_error err = {0};
    run_ok(f->g, "CREATE TABLE t (id integer PRIMARY KEY)", NULL);
    /* outside a transaction: reconnected once, the statement runs again (re-prepared) */
    int64_t pid = backend_pid(f->g);
    kill_backend(f->url, pid);
    run_ok(f->g, "INSERT INTO t VALUES (1)", NULL);
    assert_int_not_equal(backend_pid(f->g), pid);
    /* inside one: the transaction is gone, -DW_EBUSY, and the next begin reconnects */
    ok(dw__pg_begin(&f->g->base, &err), &err);
    run_ok(f->g, "INSERT INTO t VALUES (2)", NULL);
    ok(dw__pg_savepoint(&f->g->base, &err), &err);
    kill_backend(f->url, backend_pid(f->g));
    int r = dw__pg_run(f->g, "ins", "INSERT INTO t VALUES (3)", NULL, NULL, &err);
    assert_int_equal(r, -DW_EBUSY);
    assert_non_null(strstr(err.msg, "lost"));
    assert_false(f->g->in_tx);
    assert_int_equal(f->g->sp_depth, 0);
    assert_int_equal(dw__pg_rollback(&f->g->base), 0);
    ok(dw__pg_begin(&f->g->base, &err), &err);
    run_ok(f->g, "INSERT INTO t VALUES (2)", NULL);
    ok(dw__pg_commit(&f->g->base, &err), &err);
    assert_int_equal(count(f->g, "SELECT COUNT(*) FROM t"), 2);
    /* a commit whose connection is lost reports it (the work is redone, never assumed) */
    ok(dw__pg_begin(&f->g->base, &err), &err);
    run_ok(f->g, "INSERT INTO t VALUES (5)", NULL);
    kill_backend(f->url, backend_pid(f->g));
    assert_int_equal(dw__pg_commit(&f->g->base, &err), -DW_EBUSY);
    assert_false(f->g->in_tx);
    assert_int_equal(count(f->g, "SELECT COUNT(*) FROM t WHERE id = 5"), 0);
}

/* The journal connection commits on its own, whatever the store's transaction does. */
static void test_journal(void **state) {
    struct fx *f = *state;
    struct dw_error err = {0};
    run_ok(f->g, "CREATE TABLE j (id integer PRIMARY KEY)", NULL);
    assert_null(f->g->journal); /* opened on first use */
    ok(dw__pg_begin(&f->g->base, &err), &err);
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, 7);
    ok(dw__pg_run_journal(f->g, "j", "INSERT INTO j VALUES ($1)", &p, NULL, &err), &err);
    assert_non_null(f->g->journal);
    ok(dw__pg_rollback(&f->g->base), &err);
    assert_int_equal(count(f->g, "SELECT COUNT(*) FROM j"), 1);
    /* and it reconnects as the store's does */
    PGresult *r = NULL;
    ok(dw__pg_run_journal(f->g, "pid", "SELECT pg_backend_pid()", NULL, &r, &err), &err);
    int64_t pid = dw__pg_int(r, 0, 0);
    PQclear(r);
    kill_backend(f->url, pid);
    p = (struct dw_pg_params){0};
    dw__pg_p_int(&p, 8);
    ok(dw__pg_run_journal(f->g, "j", "INSERT INTO j VALUES ($1)", &p, NULL, &err), &err);
    assert_int_equal(count(f->g, "SELECT COUNT(*) FROM j"), 2);
}

int main(int argc, char **argv) {
    if (argc < 2 || !strstr(argv[1], "{db}")) {
        fprintf(stderr, "usage: test-pg postgres://USER@HOST:PORT/{db}\n");
        return 2;
    }
    url_template = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_rules),
        cmocka_unit_test(test_missing_hook),
        cmocka_unit_test_setup_teardown(test_migrations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_concurrently, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transaction_states, setup, teardown),
        cmocka_unit_test_setup_teardown(test_savepoints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_enter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_locks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writers_together, setup, teardown),
        cmocka_unit_test_setup_teardown(test_appends_at_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_params_and_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_param_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal, setup, teardown),
    };
    return cmocka_run_group_tests_name("postgres core", tests, NULL, NULL) ? 1 : 0;
}
