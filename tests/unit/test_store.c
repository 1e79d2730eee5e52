/* The store's contract, backend-independent: every hook of store.h driven through s->ops
 * exactly as the control plane does, on a fresh store per test.
 *
 * The backend is chosen by a URL template (the first argument; default
 * "sqlite:{dir}/a/b/state.db"), "{dir}" replaced by a fresh temporary directory per test:
 * a second backend runs the same suite with its own URL (tests/meson.build). Only the
 * interface is used, except in the checks marked "SQLite only", which see what the
 * interface hides (file modes, the migrations table, tampering with the audit log, the
 * WAL) with the plain sqlite3 API and run when the backend under test is SQLite, and those
 * marked "PostgreSQL only", which do the same with libpq.
 *
 * PostgreSQL: the template is a postgres:// URL whose database is "{db}", replaced by a fresh
 * database per test, created on the server's "postgres" database before the test and
 * dropped after (tests/with_pg.sh gives the server). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "store/store.h"

/* The backend under test (main). */
static const char *url_template = "sqlite:{dir}/a/b/state.db";
static bool is_sqlite, is_postgres;
static int db_counter;

#define T0 ((dw_time_t)1795000000) /* 2026-11-18 */

struct fx {
    char dir[64];
    char db[64]; /* PostgreSQL: the test's database, "" when none */
    char url[512];
    char path[512]; /* SQLite: the database file */
    struct dw_store *s;
};

/* template with {dir} replaced by dir */
static void expand(const char *template, const char *dir, char *out, size_t size) {
    const char *at = strstr(template, "{dir}");
    if (at)
        snprintf(out, size, "%.*s%s%s", (int)(at - template), template, dir, at + 5);
    else
        snprintf(out, size, "%s", template);
}

/* PostgreSQL only: in place, {db} replaced by db */
static void expand_db(char *url, size_t size, const char *db) {
    char tmp[512];
    const char *at = strstr(url, "{db}");
    if (!at)
        return;
    snprintf(tmp, sizeof tmp, "%.*s%s%s", (int)(at - url), url, db, at + 4);
    snprintf(url, size, "%s", tmp);
}

/* PostgreSQL only: plain libpq access to url. */
static PGconn *pg_raw(const char *url) {
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("connecting to %s: %s", url, PQerrorMessage(c));
    return c;
}

/* The statement's status: PGRES_COMMAND_OK, PGRES_TUPLES_OK or the failure. */
static ExecStatusType pg_exec(PGconn *c, const char *sql) {
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    return st;
}

static int64_t pg_int(PGconn *c, const char *sql) {
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    int64_t v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

/* CREATE or DROP the test's database, on the server's "postgres" database. */
static void pg_admin(bool create, const char *db) {
    char url[512], sql[128];
    snprintf(url, sizeof url, "%s", url_template);
    expand_db(url, sizeof url, "postgres");
    PGconn *c = pg_raw(url);
    snprintf(sql, sizeof sql,
             create ? "CREATE DATABASE %s" : "DROP DATABASE IF EXISTS %s WITH (FORCE)", db);
    if (pg_exec(c, sql) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQfinish(c);
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static int setup(void **state) {
    struct fx *f = calloc(1, sizeof *f);
    struct dw_error err = {0};
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/dw-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    /* SQLite: a nested, not yet existing directory: open must create it. */
    expand(url_template, f->dir, f->url, sizeof f->url);
    if (strstr(f->url, "{db}")) {
        snprintf(f->db, sizeof f->db, "dw_store_%d_%d", (int)getpid(), ++db_counter);
        pg_admin(true, f->db);
        expand_db(f->url, sizeof f->url, f->db);
    }
    struct dw_store_url u;
    if (dw_store_url_parse(f->url, &u, &err) < 0)
        fail_msg("%s: %s", f->url, err.msg);
    snprintf(f->path, sizeof f->path, "%s", u.location);
    int r = dw_store_open(f->url, NULL, &f->s, &err);
    if (r < 0)
        fail_msg("open: %s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    struct fx *f = *state;
    dw_store_close(f->s);
    nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    if (*f->db)
        pg_admin(false, f->db);
    free(f);
    return 0;
}

/* SQLite only: plain sqlite3 access to the same file, for what the interface does not show. */
static sqlite3 *raw_open(const struct fx *f) {
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static int64_t raw_int(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int raw_exec(sqlite3 *db, const char *sql) {
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static void ok(int r, const struct dw_error *err) {
    if (r < 0)
        fail_msg("%s: %s", dw_errname(r), err->msg);
}

static json_t *lead(const char *source, const char *ext, const char *email) {
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "source", source, "external_id", ext,
                  "received_at", "2026-11-20T09:14:00Z", "contact", "name", "Ada", "email", email,
                  "subject", "Need 40 seats", "message", "Hello, we need 40 seats.");
    assert_non_null(j);
    return j;
}

static int64_t new_deal(struct dw_store *s) {
    struct dw_error err = {0};
    int64_t id = 0;
    ok(s->ops->deal_insert(s, T0, &id, &err), &err);
    assert_true(id > 0);
    return id;
}

/* ---- open and migrations ----------------------------------------------------------- */

static void test_open_and_migrations(void **state) {
    struct fx *f = *state;
    struct dw_error err = {0};
    struct stat sb;
    char dir[520];

    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    snprintf(dir, sizeof dir, "%s", f->path);
    *strrchr(dir, '/') = '\0'; /* the directory open made */
    assert_int_equal(stat(dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);

    /* Reopening applies nothing twice. */
    dw_store_close(f->s);
    f->s = NULL;
    ok(dw_store_open(f->url, NULL, &f->s, &err), &err);
    dw_store_close(f->s);
    f->s = NULL;
    ok(dw_store_open(f->url, NULL, &f->s, &err), &err);

    sqlite3 *db = raw_open(f);
    int64_t n = raw_int(db, "SELECT COUNT(*) FROM schema_migrations");
    assert_true(n >= 1);
    assert_int_equal(raw_int(db, "SELECT COUNT(DISTINCT version) FROM schema_migrations"), n);
    assert_int_equal(raw_int(db, "SELECT MIN(version) FROM schema_migrations"), 1);
    assert_int_equal(raw_int(db, "SELECT MAX(version) FROM schema_migrations"), n);
    /* WAL is persistent in the file; foreign keys and synchronous are per connection and
     * checked through the behaviour tests. */
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);

    /* A database from the future is refused with a clear message. */
    assert_int_equal(raw_exec(db, "INSERT INTO schema_migrations VALUES (999, 'future', "
                                  "'2030-01-01T00:00:00Z')"),
                     SQLITE_OK);
    sqlite3_close(db);
    dw_store_close(f->s);
    f->s = NULL;
    struct dw_store *s2 = NULL;
    assert_int_equal(dw_store_open(f->url, NULL, &s2, &err), -DW_ESTORE);
    assert_null(s2);
    assert_non_null(strstr(err.msg, "999"));
    assert_non_null(strstr(err.msg, "newer"));
}

/* PostgreSQL only: the migrations table, and a database from the future refused. */
static void test_pg_migrations(void **state) {
    struct fx *f = *state;
    struct dw_error err = {0};

    /* Reopening applies nothing twice. */
    dw_store_close(f->s);
    f->s = NULL;
    ok(dw_store_open(f->url, NULL, &f->s, &err), &err);
    PGconn *c = pg_raw(f->url);
    int64_t n = pg_int(c, "SELECT COUNT(*) FROM schema_migrations");
    assert_true(n >= 1);
    assert_int_equal(pg_int(c, "SELECT COUNT(DISTINCT version) FROM schema_migrations"), n);
    assert_int_equal(pg_int(c, "SELECT MIN(version) FROM schema_migrations"), 1);
    assert_int_equal(pg_int(c, "SELECT MAX(version) FROM schema_migrations"), n);
    /* money is bigint minor units, never a float or numeric */
    assert_int_equal(pg_int(c, "SELECT COUNT(*) FROM information_schema.columns WHERE "
                               "table_schema = 'public' AND data_type IN ('real', 'double "
                               "precision', 'numeric', 'money')"),
                     0);

    /* A database from the future is refused with a clear message, and left alone. */
    assert_int_equal(pg_exec(c, "INSERT INTO schema_migrations VALUES (999, 'future', "
                                "'2030-01-01T00:00:00Z')"),
                     PGRES_COMMAND_OK);
    dw_store_close(f->s);
    f->s = NULL;
    struct dw_store *s2 = NULL;
    assert_int_equal(dw_store_open(f->url, NULL, &s2, &err), -DW_ESTORE);
    assert_null(s2);
    assert_non_null(strstr(err.msg, "999"));
    assert_non_null(strstr(err.msg, "newer"));
    assert_int_equal(pg_int(c, "SELECT MAX(version) FROM schema_migrations"), 999);
    PQfinish(c);
}

static void test_stage_names(void **state) {
    (void)state;
    enum dw_stage st;
    assert_string_equal(dw_stage_name(DW_STAGE_NEW), "new");
    assert_string_equal(dw_stage_name(DW_STAGE_AWAITING_APPROVAL), "awaiting_approval");
    assert_string_equal(dw_stage_name(DW_STAGE_LOST), "lost");
    for (int i = 0; i < DW__STAGE_MAX; i++) {
        assert_int_equal(dw_stage_parse(dw_stage_name((enum dw_stage)i), &st), 0);
        assert_int_equal(st, i);
    }
    assert_int_equal(dw_stage_parse("won", &st), -DW_EINVAL);
    assert_int_equal(dw_stage_parse(NULL, &st), -DW_EINVAL);
}

/* ---- transactions ------------------------------------------------------------------ */

static void test_transaction_states(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};

    assert_int_equal(s->ops->commit(s, &err), -DW_ESTATE);
    assert_int_equal(s->ops->savepoint(s, &err), -DW_ESTATE);
    assert_int_equal(s->ops->release(s, &err), -DW_ESTATE);
    assert_int_equal(s->ops->rollback_to(s), -DW_ESTATE);
    assert_int_equal(s->ops->rollback(s), 0); /* nothing open: harmless */
    ok(s->ops->begin(s, &err), &err);
    assert_int_equal(s->ops->begin(s, &err), -DW_ESTATE);
    int64_t d = new_deal(s);
    ok(s->ops->rollback(s), &err);
    struct dw_deal_rec rec;
    assert_int_equal(s->ops->deal_get(s, d, &rec, &err), -DW_ENOENT);
}

static void test_busy(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    sqlite3 *db = raw_open(f);
    assert_int_equal(raw_exec(db, "BEGIN IMMEDIATE"), SQLITE_OK);
    /* Waits for the busy timeout, then reports a transient error. */
    int r = s->ops->begin(s, &err);
    assert_int_equal(r, -DW_EBUSY);
    assert_true(dw_error_is_transient(r));
    raw_exec(db, "ROLLBACK");
    sqlite3_close(db);
    ok(s->ops->begin(s, &err), &err);
    ok(s->ops->commit(s, &err), &err);
}

static void test_savepoint_rollback(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t seq = 0, d;
    json_t *rows = NULL, *doc = NULL;

    ok(s->ops->begin(s, &err), &err);
    d = new_deal(s);
    json_t *a = json_pack("{s:I, s:s, s:s, s:{s:i}}", "deal_id", (json_int_t)d, "actor", "control",
                          "action", "deal.created", "data", "n", 1);
    ok(s->ops->audit_append(s, a, T0, &seq, &err), &err);
    assert_int_equal(seq, 1);

    /* A step that fails: everything it did goes, including its audit record. */
    ok(s->ops->savepoint(s, &err), &err);
    ok(s->ops->event_append(s, d, "step.done", NULL, T0, &seq, &err), &err);
    ok(s->ops->audit_append(s, a, T0, &seq, &err), &err);
    assert_int_equal(seq, 2);
    doc = json_pack("{s:[]}", "needs");
    ok(s->ops->doc_put(s, d, "requirements", doc, "ws1", &err), &err);
    ok(s->ops->rollback_to(s), &err);

    /* A step that succeeds. */
    ok(s->ops->savepoint(s, &err), &err);
    ok(s->ops->audit_append(s, a, T0 + 1, &seq, &err), &err);
    assert_int_equal(seq, 2); /* the rolled-back record left no gap */
    ok(s->ops->event_append(s, d, "step.ok", NULL, T0, NULL, &err), &err);
    ok(s->ops->release(s, &err), &err);
    ok(s->ops->commit(s, &err), &err);

    ok(s->ops->events_for_deal(s, d, &rows, &err), &err);
    assert_int_equal(json_array_size(rows), 1);
    assert_string_equal(dw_json_str(json_array_get(rows, 0), "type"), "step.ok");
    json_decref(rows);
    ok(s->ops->audit_for_deal(s, d, &rows, &err), &err);
    assert_int_equal(json_array_size(rows), 2);
    assert_int_equal(dw_json_int(json_array_get(rows, 1), "seq", 0), 2);
    assert_string_equal(dw_json_str(json_array_get(rows, 1), "at"), "2026-11-18T11:06:41Z");
    json_decref(rows);
    json_t *got = NULL;
    assert_int_equal(s->ops->doc_get(s, d, "requirements", &got, &err), -DW_ENOENT);
    int64_t count = 0, bad = 0;
    ok(s->ops->audit_verify(s, &count, &bad, &err), &err);
    assert_int_equal(count, 2);
    struct dw_deal_rec rec;
    ok(s->ops->deal_get(s, d, &rec, &err), &err);

    /* Nested savepoints: the inner one rolls back, the outer keeps its work. */
    ok(s->ops->begin(s, &err), &err);
    ok(s->ops->savepoint(s, &err), &err);
    ok(s->ops->event_append(s, d, "outer", NULL, T0, NULL, &err), &err);
    ok(s->ops->savepoint(s, &err), &err);
    ok(s->ops->event_append(s, d, "inner", NULL, T0, NULL, &err), &err);
    ok(s->ops->rollback_to(s), &err);
    ok(s->ops->release(s, &err), &err);
    assert_int_equal(s->ops->release(s, &err), -DW_ESTATE);
    ok(s->ops->commit(s, &err), &err);
    ok(s->ops->events_for_deal(s, d, &rows, &err), &err);
    assert_int_equal(json_array_size(rows), 2);
    assert_string_equal(dw_json_str(json_array_get(rows, 1), "type"), "outer");
    json_decref(rows);

    json_decref(a);
    json_decref(doc);
}

/* ---- leads, accounts, contacts ----------------------------------------------------- */

static void test_lead_unique(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t d = new_deal(s), id1 = 0, id2 = 0, lid = 0, did = 0;
    json_t *l = lead("web_form", "wf-1", "Ada@Example.COM"), *got = NULL;

    ok(s->ops->begin(s, &err), &err);
    ok(s->ops->lead_insert(s, l, d, &id1, &err), &err);
    assert_true(id1 > 0);
    /* Same (source, external_id): EEXIST with the first lead's id, transaction intact. */
    assert_int_equal(s->ops->lead_insert(s, l, d, &id2, &err), -DW_EEXIST);
    assert_int_equal(id2, id1);
    json_object_set_new(l, "source", json_string("email"));
    ok(s->ops->lead_insert(s, l, d, &id2, &err), &err);
    assert_true(id2 != id1);
    ok(s->ops->commit(s, &err), &err);

    ok(s->ops->lead_find(s, "web_form", "wf-1", &lid, &did, &err), &err);
    assert_int_equal(lid, id1);
    assert_int_equal(did, d);
    assert_int_equal(s->ops->lead_find(s, "web_form", "nope", &lid, &did, &err), -DW_ENOENT);

    ok(s->ops->lead_get(s, id1, &got, &err), &err);
    assert_int_equal(dw_json_int(got, "id", 0), id1);
    assert_int_equal(dw_json_int(got, "deal_id", 0), d);
    assert_string_equal(dw_json_str(got, "source"), "web_form");
    assert_string_equal(dw_json_str(got, "external_id"), "wf-1");
    assert_string_equal(dw_json_str(got, "received_at"), "2026-11-20T09:14:00Z");
    assert_string_equal(dw_json_str(got, "contact_email"), "ada@example.com");
    assert_true(json_is_null(json_object_get(got, "intake")));
    assert_true(json_is_null(json_object_get(got, "duplicate_of")));
    json_object_set_new(l, "source", json_string("web_form"));
    assert_true(json_equal(json_object_get(got, "raw"), l));
    json_decref(got);

    ok(s->ops->leads_for_deal(s, d, &got, &err), &err);
    assert_int_equal(json_array_size(got), 2);
    assert_int_equal(dw_json_int(json_array_get(got, 0), "id", 0), id1);
    json_decref(got);

    /* Bad input changes nothing and says which field. */
    json_object_del(l, "external_id");
    assert_int_equal(s->ops->lead_insert(s, l, d, &id2, &err), -DW_EINVAL);
    assert_string_equal(err.field, "external_id");
    json_decref(l);
}

static void test_follow_up_by_email(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t d1 = new_deal(s), d2 = new_deal(s), l1, l2, found = 0;
    json_t *a = lead("email", "m-1", "bob@acme.example"), *b = lead("email", "m-2", "x@y.z");

    ok(s->ops->lead_insert(s, a, d1, &l1, &err), &err);
    ok(s->ops->lead_insert(s, b, d2, &l2, &err), &err);
    ok(s->ops->deal_find_open_by_email(s, "BOB@acme.example", 0, &found, &err), &err);
    assert_int_equal(found, d1);
    assert_int_equal(s->ops->deal_find_open_by_email(s, "bob@acme.example", d1, &found, &err),
                     -DW_ENOENT);

    /* Intake's normalised address is the one matched on. */
    json_t *intake =
        json_pack("{s:{s:s}, s:[s]}", "contact", "email", "Carol@Acme.Example", "pii", "email");
    ok(s->ops->lead_set_intake(s, l2, intake, &err), &err);
    ok(s->ops->deal_find_open_by_email(s, "carol@acme.example", 0, &found, &err), &err);
    assert_int_equal(found, d2);
    json_t *got = NULL;
    ok(s->ops->lead_get(s, l2, &got, &err), &err);
    assert_true(json_equal(json_object_get(got, "intake"), intake));
    json_decref(got);
    assert_int_equal(s->ops->lead_set_intake(s, 9999, intake, &err), -DW_ENOENT);

    /* A closed deal is not continued. */
    struct dw_deal_rec rec;
    ok(s->ops->deal_get(s, d1, &rec, &err), &err);
    rec.stage = DW_STAGE_ORDERED;
    ok(s->ops->deal_update(s, &rec, &err), &err);
    assert_int_equal(s->ops->deal_find_open_by_email(s, "bob@acme.example", 0, &found, &err),
                     -DW_ENOENT);

    ok(s->ops->lead_move(s, l2, d1, &err), &err);
    ok(s->ops->leads_for_deal(s, d1, &got, &err), &err);
    assert_int_equal(json_array_size(got), 2);
    json_decref(got);
    assert_int_equal(s->ops->lead_move(s, 9999, d1, &err), -DW_ENOENT);
    json_decref(a);
    json_decref(b);
    json_decref(intake);
}

static void test_accounts_contacts(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t acc = 0, acc2 = 0, c1 = 0, c2 = 0;
    json_t *got = NULL;

    assert_int_equal(s->ops->account_find(s, "acme.example", "Acme", &got, &err), -DW_ENOENT);
    ok(s->ops->account_insert(s, "Acme GmbH", "ACME.example", "DE", &acc, &err), &err);
    assert_int_equal(s->ops->account_insert(s, "Other", "acme.example", NULL, &acc2, &err),
                     -DW_EEXIST);
    ok(s->ops->account_insert(s, "No Domain Ltd", NULL, NULL, &acc2, &err), &err);
    ok(s->ops->account_insert(s, "No Domain Two", "", NULL, &acc2, &err), &err);

    ok(s->ops->account_find(s, "acme.EXAMPLE", NULL, &got, &err), &err);
    assert_int_equal(dw_json_int(got, "id", 0), acc);
    assert_string_equal(dw_json_str(got, "name"), "Acme GmbH");
    assert_string_equal(dw_json_str(got, "domain"), "acme.example");
    assert_string_equal(dw_json_str(got, "country"), "DE");
    json_decref(got);
    ok(s->ops->account_find(s, NULL, "no domain two", &got, &err), &err);
    assert_int_equal(dw_json_int(got, "id", 0), acc2);
    assert_true(json_is_null(json_object_get(got, "domain")));
    json_decref(got);

    json_t *c =
        json_pack("{s:s, s:s, s:s}", "name", "Ada", "email", "Ada@Acme.example", "title", "CTO");
    ok(s->ops->contact_upsert(s, acc, c, &c1, &err), &err);
    json_object_set_new(c, "phone", json_string("+49 30 1234"));
    json_object_del(c, "title");
    ok(s->ops->contact_upsert(s, 0, c, &c2, &err), &err);
    assert_int_equal(c2, c1);
    ok(s->ops->contact_get(s, c1, &got, &err), &err);
    assert_string_equal(dw_json_str(got, "email"), "ada@acme.example");
    assert_string_equal(dw_json_str(got, "title"), "CTO"); /* kept */
    assert_string_equal(dw_json_str(got, "phone"), "+49 30 1234");
    assert_int_equal(dw_json_int(got, "account_id", 0), acc); /* kept */
    json_decref(got);
    ok(s->ops->account_get(s, acc, &got, &err), &err);
    json_decref(got);
    assert_int_equal(s->ops->account_get(s, 9999, &got, &err), -DW_ENOENT);
    assert_int_equal(s->ops->contact_get(s, 9999, &got, &err), -DW_ENOENT);

    /* Other deals of the account, with their latest total. */
    int64_t d1 = new_deal(s), d2 = new_deal(s);
    struct dw_deal_rec rec;
    for (int i = 0; i < 2; i++) {
        ok(s->ops->deal_get(s, i ? d2 : d1, &rec, &err), &err);
        rec.account_id = acc;
        ok(s->ops->deal_update(s, &rec, &err), &err);
    }
    ok(s->ops->deals_for_account(s, acc, d2, &got, &err), &err);
    assert_int_equal(json_array_size(got), 1);
    assert_int_equal(dw_json_int(json_array_get(got, 0), "id", 0), d1);
    assert_string_equal(dw_json_str(json_array_get(got, 0), "stage"), "new");
    assert_true(json_is_null(json_object_get(json_array_get(got, 0), "total")));
    json_decref(got);
    json_decref(c);
}

/* The privacy purge of a lead and a contact: the columns that follow raw read back as the
 * redacted raw has them (objects as objects with their keys in order, strings as strings,
 * absent or null keys as null), the address no longer joins deals, and the contact keeps
 * only its account. */
static void test_lead_redact(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t d = new_deal(s), lid = 0, found = 0, cid = 0, cid2 = 0, acc = 0;
    json_t *l = lead("email", "m-7", "Eve@Buyer.example"), *got = NULL;
    json_object_set_new(
        l, "transcript",
        json_pack("[{s:s,s:s}]", "role", "customer", "text", "Call me on +44 20 7946 0000"));
    ok(s->ops->lead_insert(s, l, d, &lid, &err), &err);
    json_t *intake =
        json_pack("{s:{s:s,s:s}}", "contact", "name", "Eve", "email", "eve@buyer.example");
    ok(s->ops->lead_set_intake(s, lid, intake, &err), &err);
    ok(s->ops->deal_find_open_by_email(s, "eve@buyer.example", 0, &found, &err), &err);
    assert_int_equal(found, d);

    /* the caller's redacted copies: keys not in alphabetical order on purpose */
    json_t *raw = json_pack("{s:s,s:s,s:{s:s,s:s},s:s,s:s,s:[{s:s,s:s}]}", "source", "email",
                            "external_id", "m-7", "contact", "name", "[name]", "email", "[email]",
                            "subject", "Need 40 seats", "message", "[redacted]", "transcript",
                            "role", "customer", "text", "[redacted]");
    json_t *rintake = json_pack("{s:{s:s}}", "contact", "name", "[name]");
    ok(s->ops->lead_redact(s, lid, raw, rintake, &err), &err);
    ok(s->ops->lead_get(s, lid, &got, &err), &err);
    assert_true(json_equal(json_object_get(got, "raw"), raw));
    assert_true(json_equal(json_object_get(got, "intake"), rintake));
    char *contact = json_dumps(json_object_get(got, "contact"), JSON_COMPACT);
    assert_string_equal(contact, "{\"name\":\"[name]\",\"email\":\"[email]\"}");
    free(contact);
    assert_string_equal(dw_json_str(got, "subject"), "Need 40 seats");
    assert_string_equal(dw_json_str(got, "message"), "[redacted]");
    assert_true(json_equal(json_object_get(got, "transcript"), json_object_get(raw, "transcript")));
    assert_true(json_is_null(json_object_get(got, "contact_email")));
    json_decref(got);
    assert_int_equal(s->ops->deal_find_open_by_email(s, "eve@buyer.example", 0, &found, &err),
                     -DW_ENOENT);

    /* what the redacted raw lacks or holds as null is null */
    json_t *bare = json_pack("{s:s,s:s,s:n}", "source", "email", "external_id", "m-7", "contact");
    ok(s->ops->lead_redact(s, lid, bare, NULL, &err), &err);
    const json_t *peeked = NULL; /* leads_peek: the same objects as leads_for_deal */
    ok(s->ops->leads_peek(s, d, &peeked, &err), &err);
    assert_int_equal(json_array_size(peeked), 1);
    const json_t *pl = json_array_get(peeked, 0);
    assert_true(json_equal(json_object_get(pl, "raw"), bare));
    const char *nulls[] = {"contact",    "subject", "message",
                           "transcript", "intake",  "contact_email"};
    for (size_t i = 0; i < DW_ARRAY_SIZE(nulls); i++)
        if (!json_is_null(json_object_get(pl, nulls[i])))
            fail_msg("%s is not null after the purge", nulls[i]);
    json_decref((json_t *)peeked);

    assert_int_equal(s->ops->lead_redact(s, 9999, bare, NULL, &err), -DW_ENOENT);
    json_t *notobj = json_string("x");
    assert_int_equal(s->ops->lead_redact(s, lid, notobj, NULL, &err), -DW_EINVAL);
    json_decref(notobj);

    /* the contact: name, e-mail, phone and title go, its account and creation stay */
    ok(s->ops->account_insert(s, "Buyer Ltd", "buyer.example", "GB", &acc, &err), &err);
    json_t *c = json_pack("{s:s,s:s,s:s,s:s}", "name", "Eve", "email", "Eve@Buyer.example", "phone",
                          "+44 20 7946 0000", "title", "CFO");
    ok(s->ops->contact_upsert(s, acc, c, &cid, &err), &err);
    ok(s->ops->contact_redact(s, cid, T0 + 9, &err), &err);
    ok(s->ops->contact_get(s, cid, &got, &err), &err);
    const char *gone[] = {"name", "email", "phone", "title"};
    for (size_t i = 0; i < DW_ARRAY_SIZE(gone); i++)
        if (!json_is_null(json_object_get(got, gone[i])))
            fail_msg("contact %s is not null after the purge", gone[i]);
    assert_int_equal(dw_json_int(got, "account_id", 0), acc);
    assert_string_equal(dw_json_str(got, "updated_at"), "2026-11-18T11:06:49Z");
    json_decref(got);
    /* the address comes back as a new contact, not the purged one */
    ok(s->ops->contact_upsert(s, acc, c, &cid2, &err), &err);
    assert_true(cid2 != cid);
    assert_int_equal(s->ops->contact_redact(s, 9999, T0, &err), -DW_ENOENT);

    json_decref(c);
    json_decref(bare);
    json_decref(raw);
    json_decref(rintake);
    json_decref(intake);
    json_decref(l);
}

/* An account's name matches as SQLite's COLLATE NOCASE does: ASCII letters fold, others
 * do not; the oldest of two same-named accounts is the one found. */
static void test_account_names(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t a1 = 0, a2 = 0, a3 = 0;
    json_t *got = NULL;
    ok(s->ops->account_insert(s, "Acme GmbH", NULL, "DE", &a1, &err), &err);
    ok(s->ops->account_insert(s, "ACME GMBH", NULL, "AT", &a2, &err), &err);
    ok(s->ops->account_insert(s, "Ärger AG", NULL, "CH", &a3, &err), &err);
    ok(s->ops->account_find(s, NULL, "acme gmbh", &got, &err), &err);
    assert_int_equal(dw_json_int(got, "id", 0), a1);
    json_decref(got);
    ok(s->ops->account_find(s, NULL, "ÄRGER ag", &got, &err), &err);
    assert_int_equal(dw_json_int(got, "id", 0), a3);
    json_decref(got);
    assert_int_equal(s->ops->account_find(s, NULL, "ärger ag", &got, &err), -DW_ENOENT);
    assert_int_equal(s->ops->account_find(s, NULL, "acme", &got, &err), -DW_ENOENT);
    /* a domain given but unknown falls back to the name */
    ok(s->ops->account_find(s, "acme.example", "Acme GmbH", &got, &err), &err);
    assert_int_equal(dw_json_int(got, "id", 0), a1);
    json_decref(got);
}

/* ---- deals ------------------------------------------------------------------------- */

static void test_deal_round_trip(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    struct dw_deal_rec rec, back;
    int64_t d = new_deal(s);

    ok(s->ops->deal_get(s, d, &rec, &err), &err);
    assert_int_equal(rec.id, d);
    assert_int_equal(rec.stage, DW_STAGE_NEW);
    assert_true(rec.runnable);
    assert_int_equal(rec.next_attempt_at, T0);
    assert_int_equal(rec.created_at, T0);
    assert_string_equal(rec.currency, "");
    assert_string_equal(rec.last_error, "");

    rec.stage = DW_STAGE_AWAITING_APPROVAL;
    rec.facts = 0x1fff;
    rec.runnable = false;
    rec.attempts = 3;
    rec.next_attempt_at = T0 + 90;
    snprintf(rec.last_error, sizeof rec.last_error, "pricing: no price for SKU-9");
    rec.parked = true;
    snprintf(rec.currency, sizeof rec.currency, "EUR");
    rec.updated_at = T0 + 5;
    ok(s->ops->deal_update(s, &rec, &err), &err);
    ok(s->ops->deal_get(s, d, &back, &err), &err);
    assert_int_equal(back.stage, rec.stage);
    assert_int_equal(back.facts, rec.facts);
    assert_false(back.runnable);
    assert_int_equal(back.attempts, 3);
    assert_int_equal(back.next_attempt_at, T0 + 90);
    assert_string_equal(back.last_error, rec.last_error);
    assert_true(back.parked);
    assert_string_equal(back.currency, "EUR");
    assert_int_equal(back.updated_at, T0 + 5);
    assert_int_equal(back.created_at, T0);

    /* Foreign keys are on: an account that does not exist is refused. */
    rec.account_id = 4242;
    assert_int_equal(s->ops->deal_update(s, &rec, &err), -DW_ESTORE);
    rec.account_id = 0;
    rec.id = 9999;
    assert_int_equal(s->ops->deal_update(s, &rec, &err), -DW_ENOENT);
    assert_int_equal(s->ops->deal_get(s, 9999, &back, &err), -DW_ENOENT);
}

static void set_due(struct dw_store *s, int64_t id, bool runnable, bool parked, dw_time_t at) {
    struct dw_error err = {0};
    struct dw_deal_rec rec;
    ok(s->ops->deal_get(s, id, &rec, &err), &err);
    rec.runnable = runnable;
    rec.parked = parked;
    rec.next_attempt_at = at;
    ok(s->ops->deal_update(s, &rec, &err), &err);
}

static void test_deals_due(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t d[7], ids[8];
    dw_time_t next = 0;

    ok(s->ops->next_due_at(s, &next, &err), &err);
    assert_int_equal(next, 0);
    for (int i = 0; i < 7; i++)
        d[i] = new_deal(s);
    set_due(s, d[0], true, false, T0 + 100); /* later */
    set_due(s, d[1], true, false, T0 - 50);  /* due */
    set_due(s, d[2], false, false, T0 - 50); /* not runnable */
    set_due(s, d[3], true, true, T0 - 50);   /* parked */
    set_due(s, d[4], true, false, T0);       /* due exactly now */
    set_due(s, d[5], true, false, T0 + 30);  /* soonest of the later ones */
    set_due(s, d[6], true, false, T0 - 1000);

    int n = s->ops->deals_due(s, T0, ids, 8, &err);
    assert_int_equal(n, 3);
    assert_int_equal(ids[0], d[1]); /* lowest id first, not earliest time */
    assert_int_equal(ids[1], d[4]);
    assert_int_equal(ids[2], d[6]);
    assert_int_equal(s->ops->deals_due(s, T0, ids, 2, &err), 2);
    assert_int_equal(ids[1], d[4]);
    assert_int_equal(s->ops->deals_due(s, T0, ids, 0, &err), 0);
    n = s->ops->deals_due(s, T0 + 100, ids, 8, &err);
    assert_int_equal(n, 5);
    assert_int_equal(ids[0], d[0]);

    ok(s->ops->next_due_at(s, &next, &err), &err);
    assert_int_equal(next, T0 - 1000);
    set_due(s, d[1], false, false, 0);
    set_due(s, d[4], false, false, 0);
    set_due(s, d[6], false, false, 0);
    ok(s->ops->next_due_at(s, &next, &err), &err);
    assert_int_equal(next, T0 + 30);
}

/* ---- documents --------------------------------------------------------------------- */

static void test_docs(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t d = new_deal(s);
    const char *kinds[] = {"requirements", "qualification", "solution", "proposal",
                           "contract",     "schedule",      "discovery"};
    json_t *got = NULL;

    for (size_t i = 0; i < DW_ARRAY_SIZE(kinds); i++) {
        json_t *doc = json_pack("{s:s, s:i, s:[i, i]}", "kind", kinds[i], "z", (int)i, "a", 1, 2);
        assert_int_equal(s->ops->doc_get(s, d, kinds[i], &got, &err), -DW_ENOENT);
        ok(s->ops->doc_put(s, d, kinds[i], doc, "ws-a", &err), &err);
        ok(s->ops->doc_get(s, d, kinds[i], &got, &err), &err);
        assert_true(json_equal(got, doc));
        json_decref(got);
        /* put replaces */
        json_object_set_new(doc, "z", json_integer(100));
        ok(s->ops->doc_put(s, d, kinds[i], doc, "ws-b", &err), &err);
        ok(s->ops->doc_get(s, d, kinds[i], &got, &err), &err);
        assert_int_equal(dw_json_int(got, "z", 0), 100);
        json_decref(got);
        json_decref(doc);
    }
    ok(s->ops->doc_delete(s, d, "contract", &err), &err);
    assert_int_equal(s->ops->doc_get(s, d, "contract", &got, &err), -DW_ENOENT);
    ok(s->ops->doc_get(s, d, "schedule", &got, &err), &err); /* the others stay */
    json_decref(got);
    ok(s->ops->doc_delete(s, d, "solution", &err), &err);
    assert_int_equal(s->ops->doc_get(s, d, "solution", &got, &err), -DW_ENOENT);

    json_t *doc = json_object();
    assert_int_equal(s->ops->doc_put(s, d, "Bad Kind", doc, NULL, &err), -DW_EINVAL);
    assert_int_equal(s->ops->doc_put(s, d, "", doc, NULL, &err), -DW_EINVAL);
    assert_int_equal(s->ops->doc_put(s, 9999, "proposal", doc, NULL, &err), -DW_ESTORE);
    json_decref(doc);
}

/* doc_peek and quote_peek: what a reader that only reads gets. Inside a write transaction
 * (where the SQLite backend caches), a value handed out stays as it was when the document
 * is replaced, and a later peek gives the new one; outside, the same as get. */
static void test_shared_reads(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t d = new_deal(s);
    const json_t *a = NULL, *b = NULL;
    assert_int_equal(s->ops->doc_peek(s, d, "solution", &a, &err), -DW_ENOENT);
    json_t *doc = json_pack("{s:i,s:[i,i]}", "z", 1, "lines", 1, 2);
    ok(s->ops->begin(s, &err), &err);
    ok(s->ops->doc_put(s, d, "solution", doc, "ws", &err), &err);
    json_object_set_new(doc, "z", json_integer(2)); /* the writer's copy is its own */
    ok(s->ops->doc_peek(s, d, "solution", &a, &err), &err);
    assert_int_equal(dw_json_int(a, "z", 0), 1);
    ok(s->ops->doc_put(s, d, "solution", doc, "ws", &err), &err);
    assert_int_equal(dw_json_int(a, "z", 0), 1); /* the one handed out is unchanged */
    ok(s->ops->doc_peek(s, d, "solution", &b, &err), &err);
    assert_int_equal(dw_json_int(b, "z", 0), 2);
    json_t *got = NULL; /* a get is a copy of its own, whatever a peek shares */
    ok(s->ops->doc_get(s, d, "solution", &got, &err), &err);
    assert_ptr_not_equal(got, b);
    assert_true(json_equal(got, b));
    json_decref(got);
    json_decref((json_t *)a);
    json_decref((json_t *)b);

    json_t *q = json_pack("{s:s,s:s,s:I,s:I,s:[{s:s,s:I,s:I,s:I,s:I}]}", "currency", "EUR", "hash",
                          "h1", "subtotal", (json_int_t)100, "total", (json_int_t)100, "lines",
                          "sku", "X", "quantity", (json_int_t)1, "unit_price", (json_int_t)100,
                          "amount", (json_int_t)100, "net", (json_int_t)100);
    int rev = 0;
    ok(s->ops->quote_insert(s, d, q, &rev, &err), &err);
    ok(s->ops->quote_peek(s, d, 0, &a, &err), &err);
    assert_int_equal(dw_json_int(a, "revision", 0), 1);
    json_object_set_new(q, "hash", json_string("h2"));
    ok(s->ops->quote_insert(s, d, q, &rev, &err), &err);
    assert_string_equal(dw_json_str(a, "hash"), "h1");
    ok(s->ops->quote_peek(s, d, 0, &b, &err), &err);
    assert_int_equal(dw_json_int(b, "revision", 0), 2);
    assert_string_equal(dw_json_str(b, "hash"), "h2");
    json_decref((json_t *)a);
    json_decref((json_t *)b);
    ok(s->ops->commit(s, &err), &err);
    ok(s->ops->doc_peek(s, d, "solution", &a, &err), &err); /* outside a transaction */
    assert_int_equal(dw_json_int(a, "z", 0), 2);
    json_decref((json_t *)a);
    json_decref(q);
    json_decref(doc);
}

/* ---- quotes ------------------------------------------------------------------------ */

static json_t *quote(int64_t total, const char *hash) {
    json_t *q = json_pack(
        "{s:s, s:i, s:I, s:I, s:I, s:i, s:i, s:s, s:s, s:[s], s:["
        "{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:i},"
        "{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:i, s:s}]}",
        "currency", "EUR", "digits", 2, "subtotal", (json_int_t)(total + 1000), "discount",
        (json_int_t)1000, "total", (json_int_t)total, "discount_bp", 1250, "term_months", 12,
        "hash", hash, "ws_hash", "ws-1", "rules", "volume-tier", "lines",
        /* line 1 */
        "sku", "PLAT-SEAT", "name", "Platform seat", "quantity", (json_int_t)40, "unit_price",
        (json_int_t)129000, "amount", (json_int_t)5160000, "discount", (json_int_t)645000, "net",
        (json_int_t)4515000, "billing", "annual", "term_months", 12,
        /* line 2: a value past 2^53 must survive exactly */
        "sku", "SUPPORT-PREM", "name", "Premium support", "quantity", (json_int_t)1, "unit_price",
        (json_int_t)9007199254740993LL, "amount", (json_int_t)9007199254740993LL, "discount",
        (json_int_t)0, "net", (json_int_t)9007199254740993LL, "billing", "one_time", "term_months",
        0, "tier", "gold");
    assert_non_null(q);
    return q;
}

static void test_quote_revisions(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t d = new_deal(s), other = new_deal(s);
    int rev = 0;
    json_t *q1 = quote(4515000, "h1"), *q2 = quote(4000000, "h2"), *got = NULL;

    assert_int_equal(s->ops->quote_get(s, d, 0, &got, &err), -DW_ENOENT);
    ok(s->ops->begin(s, &err), &err);
    ok(s->ops->quote_insert(s, d, q1, &rev, &err), &err);
    assert_int_equal(rev, 1);
    ok(s->ops->quote_insert(s, d, q2, &rev, &err), &err);
    assert_int_equal(rev, 2);
    ok(s->ops->commit(s, &err), &err);
    /* outside a transaction the hook opens its own */
    ok(s->ops->quote_insert(s, other, q1, &rev, &err), &err);
    assert_int_equal(rev, 1);

    ok(s->ops->quote_get(s, d, 0, &got, &err), &err);
    assert_int_equal(dw_json_int(got, "revision", 0), 2);
    assert_string_equal(dw_json_str(got, "hash"), "h2");
    assert_int_equal(dw_json_int(got, "total", 0), 4000000);
    json_decref(got);

    ok(s->ops->quote_get(s, d, 1, &got, &err), &err);
    assert_int_equal(dw_json_int(got, "revision", 1), 1);
    assert_true(dw_json_int(got, "id", 0) > 0);
    assert_non_null(dw_json_str(got, "created_at"));
    assert_true(json_equal(json_object_get(got, "lines"), json_object_get(q1, "lines")));
    /* every key given comes back with the same value */
    const char *key;
    json_t *v;
    json_object_foreach(q1, key, v) {
        if (!json_equal(json_object_get(got, key), v))
            fail_msg("quote key %s did not round-trip", key);
    }
    json_decref(got);
    assert_int_equal(s->ops->quote_get(s, d, 3, &got, &err), -DW_ENOENT);

    ok(s->ops->quotes_for_deal(s, d, &got, &err), &err);
    assert_int_equal(json_array_size(got), 2);
    assert_int_equal(dw_json_int(json_array_get(got, 0), "revision", 0), 1);
    assert_int_equal(dw_json_int(json_array_get(got, 1), "revision", 0), 2);
    assert_null(json_object_get(json_array_get(got, 0), "lines"));
    json_decref(got);

    /* A bad line: nothing of the quote is written. */
    json_object_del(json_array_get(json_object_get(q2, "lines"), 1), "net");
    assert_int_equal(s->ops->quote_insert(s, d, q2, &rev, &err), -DW_EINVAL);
    assert_string_equal(err.field, "lines[1].net");
    ok(s->ops->quote_get(s, d, 0, &got, &err), &err);
    assert_int_equal(dw_json_int(got, "revision", 0), 2);
    json_decref(got);
    /* Same inside the caller's transaction: the first line's row does not stay behind. */
    ok(s->ops->begin(s, &err), &err);
    assert_int_equal(s->ops->quote_insert(s, d, q2, &rev, &err), -DW_EINVAL);
    ok(s->ops->quote_insert(s, d, q1, &rev, &err), &err);
    assert_int_equal(rev, 3);
    ok(s->ops->commit(s, &err), &err);
    if (is_sqlite) { /* SQLite only: no orphan line rows */
        sqlite3 *db = raw_open(f);
        assert_int_equal(raw_int(db, "SELECT COUNT(*) FROM quote_lines WHERE quote_id NOT IN "
                                     "(SELECT id FROM quotes)"),
                         0);
        assert_int_equal(raw_int(db, "SELECT COUNT(*) FROM quote_lines"), 8);
        sqlite3_close(db);
    }

    json_decref(q1);
    json_decref(q2);
}

/* ---- approvals --------------------------------------------------------------------- */

static int64_t approval(struct dw_store *s, int64_t d, const char *kind, const char *hash) {
    struct dw_error err = {0};
    int64_t id = 0;
    json_t *a = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}", "kind", kind, "required_role",
                          "deal_desk", "reason", "discount 12.5% above band", "rule",
                          "discount-band-2", "quote_revision", 1, "quote_hash", hash);
    ok(s->ops->approval_insert(s, d, a, T0, &id, &err), &err);
    json_decref(a);
    return id;
}

static const char *status_of(struct dw_store *s, int64_t id, json_t **hold) {
    struct dw_error err = {0};
    ok(s->ops->approval_get(s, id, hold, &err), &err);
    return dw_json_str(*hold, "status");
}

static void test_approvals(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t d = new_deal(s), d2 = new_deal(s);
    json_t *got = NULL;

    int64_t keep = approval(s, d, "discount", "hashA");
    int64_t stale_pending = approval(s, d, "deal_size", "hashB");
    int64_t stale_approved = approval(s, d, "legal", "hashB");
    int64_t stale_rejected = approval(s, d, "export_control", "hashB");
    int64_t other_deal = approval(s, d2, "discount", "hashB");

    ok(s->ops->approval_decide(s, stale_approved, "approved", "vp", "ok", T0 + 1, &err), &err);
    ok(s->ops->approval_decide(s, stale_rejected, "rejected", "legal1", "no", T0 + 1, &err), &err);
    /* Only pending approvals can be decided. */
    assert_int_equal(s->ops->approval_decide(s, stale_approved, "rejected", "vp", NULL, T0, &err),
                     -DW_ESTATE);
    assert_int_equal(s->ops->approval_decide(s, 9999, "approved", "vp", NULL, T0, &err),
                     -DW_ENOENT);
    assert_int_equal(s->ops->approval_decide(s, keep, "maybe", "vp", NULL, T0, &err), -DW_EINVAL);

    ok(s->ops->approval_get(s, stale_approved, &got, &err), &err);
    assert_string_equal(dw_json_str(got, "decided_by"), "vp");
    assert_string_equal(dw_json_str(got, "note"), "ok");
    assert_string_equal(dw_json_str(got, "decided_at"), "2026-11-18T11:06:41Z");
    assert_string_equal(dw_json_str(got, "required_role"), "deal_desk");
    assert_string_equal(dw_json_str(got, "quote_hash"), "hashB");
    assert_int_equal(dw_json_int(got, "quote_revision", 0), 1);
    assert_int_equal(dw_json_int(got, "deal_id", 0), d);
    json_decref(got);

    int n = s->ops->approvals_void_stale(s, d, "hashA", T0 + 2, &err);
    assert_int_equal(n, 2);
    assert_string_equal(status_of(s, keep, &got), "pending");
    json_decref(got);
    assert_string_equal(status_of(s, stale_pending, &got), "void");
    json_decref(got);
    assert_string_equal(status_of(s, stale_approved, &got), "void");
    assert_string_equal(dw_json_str(got, "decided_by"), "vp"); /* history kept */
    json_decref(got);
    assert_string_equal(status_of(s, stale_rejected, &got), "rejected");
    json_decref(got);
    assert_string_equal(status_of(s, other_deal, &got), "pending");
    json_decref(got);
    assert_int_equal(s->ops->approvals_void_stale(s, d, "hashA", T0 + 3, &err), 0);

    ok(s->ops->approvals_pending(s, 0, 0, &got, &err), &err);
    assert_int_equal(json_array_size(got), 2);
    assert_int_equal(dw_json_int(json_array_get(got, 0), "id", 0), keep);
    assert_int_equal(dw_json_int(json_array_get(got, 1), "id", 0), other_deal);
    json_decref(got);
    ok(s->ops->approvals_for_deal(s, d, &got, &err), &err);
    assert_int_equal(json_array_size(got), 4);
    json_decref(got);

    /* the privacy purge: reason and note replaced, the business record kept */
    ok(s->ops->approval_redact(s, stale_approved, "why: \"[redacted]\"", "[redacted]", &err), &err);
    ok(s->ops->approval_get(s, stale_approved, &got, &err), &err);
    assert_string_equal(dw_json_str(got, "reason"), "why: \"[redacted]\"");
    assert_string_equal(dw_json_str(got, "note"), "[redacted]");
    assert_string_equal(dw_json_str(got, "status"), "void");
    assert_string_equal(dw_json_str(got, "decided_by"), "vp");
    assert_string_equal(dw_json_str(got, "decided_at"), "2026-11-18T11:06:41Z");
    assert_string_equal(dw_json_str(got, "required_role"), "deal_desk");
    assert_string_equal(dw_json_str(got, "quote_hash"), "hashB");
    json_decref(got);
    ok(s->ops->approval_redact(s, keep, "kept", NULL, &err), &err);
    ok(s->ops->approval_get(s, keep, &got, &err), &err);
    assert_string_equal(dw_json_str(got, "reason"), "kept");
    assert_null(dw_json_str(got, "note"));
    assert_string_equal(dw_json_str(got, "status"), "pending");
    json_decref(got);
    assert_int_equal(s->ops->approval_redact(s, 9999, "x", NULL, &err), -DW_ENOENT);
    assert_int_equal(s->ops->approval_redact(s, keep, NULL, NULL, &err), -DW_EINVAL);
}

/* ---- orders ------------------------------------------------------------------------ */

/* A write transaction's reads see its own writes, whatever a backend keeps in memory for
 * the transaction (the deal's approvals, its latest quote, its documents, the audit tail):
 * every write of them is seen by the next read, a reader's copy is its own, and a rollback
 * to a savepoint is seen too. */
static int approvals_status_count(struct dw_store *s, int64_t d, const char *status) {
    struct dw_error err = {0};
    json_t *list = NULL, *a;
    size_t i;
    int n = 0;
    ok(s->ops->approvals_for_deal(s, d, &list, &err), &err);
    json_array_foreach(list, i, a) n += strcmp(dw_json_str(a, "status"), status) == 0;
    json_array_append_new(list, json_pack("{s:s}", "status", status)); /* the caller's own */
    json_decref(list);
    return n;
}

static void test_tx_reads_follow_writes(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t d = new_deal(s), d2 = new_deal(s);
    json_t *got = NULL;
    ok(s->ops->begin(s, &err), &err);
    assert_int_equal(approvals_status_count(s, d, "pending"), 0);
    assert_int_equal(approvals_status_count(s, d, "pending"), 0);
    int64_t a1 = approval(s, d, "discount", "hashA");
    assert_int_equal(approvals_status_count(s, d, "pending"), 1);
    approval(s, d, "legal", "hashB");
    assert_int_equal(approvals_status_count(s, d, "pending"), 2);
    ok(s->ops->approval_decide(s, a1, "approved", "vp", NULL, T0 + 1, &err), &err);
    assert_int_equal(approvals_status_count(s, d, "approved"), 1);
    ok(s->ops->approval_redact(s, a1, "(removed)", NULL, &err), &err);
    ok(s->ops->approvals_for_deal(s, d, &got, &err), &err);
    assert_string_equal(dw_json_str(json_array_get(got, 0), "reason"), "(removed)");
    json_decref(got);
    assert_int_equal(s->ops->approvals_void_stale(s, d, "hashA", T0 + 2, &err), 1);
    assert_int_equal(approvals_status_count(s, d, "void"), 1);
    /* another deal's approvals in between, then the first deal's again */
    assert_int_equal(approvals_status_count(s, d2, "pending"), 0);
    assert_int_equal(approvals_status_count(s, d, "void"), 1);
    /* a rollback to a savepoint undoes an approval the transaction then reads */
    ok(s->ops->savepoint(s, &err), &err);
    approval(s, d, "export_control", "hashA");
    assert_int_equal(approvals_status_count(s, d, "pending"), 1);
    ok(s->ops->rollback_to(s), &err);
    assert_int_equal(approvals_status_count(s, d, "pending"), 0);

    /* the latest quote: absent, then each revision as written */
    assert_int_equal(s->ops->quote_get(s, d, 0, &got, &err), -DW_ENOENT);
    json_t *q = quote(100, "h1");
    int rev = 0;
    ok(s->ops->quote_insert(s, d, q, &rev, &err), &err);
    ok(s->ops->quote_get(s, d, 0, &got, &err), &err);
    assert_int_equal(dw_json_int(got, "revision", 0), 1);
    assert_int_equal(json_array_size(json_object_get(got, "lines")), 2);
    json_object_set_new(got, "hash", json_string("changed by the caller"));
    json_decref(got);
    ok(s->ops->quote_get(s, d, 0, &got, &err), &err);
    assert_string_equal(dw_json_str(got, "hash"), "h1");
    json_decref(got);
    json_object_set_new(q, "hash", json_string("h2"));
    ok(s->ops->quote_insert(s, d, q, &rev, &err), &err);
    ok(s->ops->quote_get(s, d, 0, &got, &err), &err);
    assert_int_equal(dw_json_int(got, "revision", 0), 2);
    assert_string_equal(dw_json_str(got, "hash"), "h2");
    json_decref(got);
    json_decref(q);

    /* a document read back after its write, as written, the reader's copy its own */
    json_t *doc = json_pack("{s:s,s:[i]}", "kind", "demo", "n", 1);
    ok(s->ops->doc_put(s, d, "schedule", doc, "ws", &err), &err);
    json_object_set_new(doc, "kind", json_string("changed by the writer"));
    ok(s->ops->doc_get(s, d, "schedule", &got, &err), &err);
    assert_string_equal(dw_json_str(got, "kind"), "demo");
    json_object_set_new(got, "kind", json_string("changed by the reader"));
    json_decref(got);
    ok(s->ops->doc_get(s, d, "schedule", &got, &err), &err);
    assert_string_equal(dw_json_str(got, "kind"), "demo");
    json_decref(got);
    json_decref(doc);

    /* the deal's row: as written, and as before a write a rollback to a savepoint undid */
    struct dw_deal_rec row, back;
    ok(s->ops->deal_get(s, d, &row, &err), &err);
    row.stage = DW_STAGE_PRICING;
    row.facts = 7;
    snprintf(row.last_error, sizeof row.last_error, "%s", "first");
    ok(s->ops->deal_update(s, &row, &err), &err);
    ok(s->ops->deal_get(s, d, &back, &err), &err);
    assert_int_equal(back.stage, DW_STAGE_PRICING);
    assert_int_equal(back.facts, 7);
    assert_string_equal(back.last_error, "first");
    assert_int_equal(back.created_at, row.created_at);
    ok(s->ops->savepoint(s, &err), &err);
    row.stage = DW_STAGE_LOST;
    snprintf(row.last_error, sizeof row.last_error, "%s", "second");
    ok(s->ops->deal_update(s, &row, &err), &err);
    ok(s->ops->deal_get(s, d, &back, &err), &err);
    assert_string_equal(back.last_error, "second");
    ok(s->ops->rollback_to(s), &err);
    ok(s->ops->deal_get(s, d, &back, &err), &err);
    assert_int_equal(back.stage, DW_STAGE_PRICING);
    assert_string_equal(back.last_error, "first");

    /* audit records in one transaction, one rolled back between them: one chain, no gap */
    json_t *rec = json_pack("{s:I, s:s, s:s, s:{}}", "deal_id", (json_int_t)d, "actor", "control",
                            "action", "step", "data");
    ok(s->ops->audit_append(s, rec, T0, NULL, &err), &err);
    ok(s->ops->savepoint(s, &err), &err);
    ok(s->ops->audit_append(s, rec, T0, NULL, &err), &err);
    ok(s->ops->rollback_to(s), &err);
    ok(s->ops->audit_append(s, rec, T0, NULL, &err), &err);
    ok(s->ops->audit_append(s, rec, T0, NULL, &err), &err);
    ok(s->ops->commit(s, &err), &err);
    json_decref(rec);
    int64_t count = 0, bad = 0;
    ok(s->ops->audit_verify(s, &count, &bad, &err), &err);
    assert_int_equal(count, 3);
    ok(s->ops->audit_for_deal(s, d, &got, &err), &err);
    assert_int_equal(json_array_size(got), 3);
    assert_int_equal(dw_json_int(json_array_get(got, 2), "seq", 0), 3);
    json_decref(got);
    /* and after the commit, from the store */
    assert_int_equal(approvals_status_count(s, d, "void"), 1);
    ok(s->ops->quote_get(s, d, 0, &got, &err), &err);
    assert_int_equal(dw_json_int(got, "revision", 0), 2);
    json_decref(got);
}

static void test_order_unique(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t d = new_deal(s), id = 0, id2 = 0;
    json_t *q = quote(4515000, "h1"), *got = NULL;
    json_t *o = json_pack("{s:i, s:s, s:s, s:I, s:s, s:O}", "quote_revision", 1, "quote_hash", "h1",
                          "currency", "EUR", "total", (json_int_t)4515000, "accepted_by",
                          "ada@acme.example", "lines", json_object_get(q, "lines"));

    assert_int_equal(s->ops->order_get(s, d, &got, &err), -DW_ENOENT);
    ok(s->ops->begin(s, &err), &err);
    ok(s->ops->order_insert(s, d, o, T0, &id, &err), &err);
    assert_int_equal(s->ops->order_insert(s, d, o, T0, &id2, &err), -DW_EEXIST);
    ok(s->ops->commit(s, &err), &err);

    ok(s->ops->order_get(s, d, &got, &err), &err);
    assert_int_equal(dw_json_int(got, "id", 0), id);
    assert_int_equal(dw_json_int(got, "deal_id", 0), d);
    assert_int_equal(dw_json_int(got, "total", 0), 4515000);
    assert_string_equal(dw_json_str(got, "quote_hash"), "h1");
    assert_string_equal(dw_json_str(got, "accepted_by"), "ada@acme.example");
    assert_true(json_equal(json_object_get(got, "lines"), json_object_get(q, "lines")));
    json_decref(got);
    json_decref(o);
    json_decref(q);
}

/* ---- audit chain ------------------------------------------------------------------- */

/* PostgreSQL only: the log and the events refuse edits at the SQL level (triggers), and an
 * edit made with the triggers switched off is found by audit_verify. */
static void pg_audit_tamper(struct fx *f) {
    struct dw_error err = {0};
    int64_t count = 0, bad = 0;
    PGconn *c = pg_raw(f->url);
    assert_int_equal(pg_exec(c, "UPDATE audit SET actor = 'x' WHERE seq = 3"), PGRES_FATAL_ERROR);
    assert_int_equal(pg_exec(c, "DELETE FROM audit WHERE seq = 3"), PGRES_FATAL_ERROR);
    assert_int_equal(pg_exec(c, "TRUNCATE audit"), PGRES_FATAL_ERROR);
    assert_int_equal(pg_exec(c, "DELETE FROM events"), PGRES_FATAL_ERROR);
    assert_int_equal(pg_exec(c, "UPDATE events SET type = 'x'"), PGRES_FATAL_ERROR);
    assert_int_equal(pg_exec(c, "TRUNCATE events"), PGRES_FATAL_ERROR);
    assert_int_equal(pg_int(c, "SELECT COUNT(*) FROM events"), 1);
    assert_int_equal(pg_int(c, "SELECT COUNT(*) FROM audit"), 1000);

    /* Someone with the database's owner role switches the triggers off and edits a record. */
    assert_int_equal(pg_exec(c, "ALTER TABLE audit DISABLE TRIGGER USER"), PGRES_COMMAND_OK);
    assert_int_equal(pg_exec(c, "UPDATE audit SET data = '{\"i\":1}' WHERE seq = 437"),
                     PGRES_COMMAND_OK);
    PQfinish(c);
    assert_int_equal(f->s->ops->audit_verify(f->s, &count, &bad, &err), -DW_EINTEGRITY);
    assert_int_equal(bad, 437);
    assert_non_null(strstr(err.msg, "437"));
}

static void test_audit_chain(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t seq = 0, count = 0, bad = 0;

    ok(s->ops->audit_verify(s, &count, &bad, &err), &err);
    assert_int_equal(count, 0);
    ok(s->ops->begin(s, &err), &err);
    for (int i = 1; i <= 1000; i++) {
        json_t *rec =
            json_pack("{s:s, s:s, s:{s:i, s:s, s:[i, f], s:{s:b}}}", "actor",
                      i % 3 ? "agent:pricing" : "user:vp", "action", "tool.write_quote", "data",
                      "i", i, "text", "Grüße \"quoted\"\n", "list", i, 0.1, "nested", "ok", i % 2);
        if (i % 4)
            json_object_set_new(rec, "deal_id", json_integer(i % 17));
        if (i % 5)
            json_object_set_new(rec, "ws_hash", json_string("ws-hash-1"));
        ok(s->ops->audit_append(s, rec, T0 + i, &seq, &err), &err);
        assert_int_equal(seq, i);
        json_decref(rec);
    }
    ok(s->ops->event_append(s, 5, "quote.created", NULL, T0, NULL, &err), &err);
    ok(s->ops->commit(s, &err), &err);
    ok(s->ops->audit_verify(s, &count, &bad, &err), &err);
    assert_int_equal(count, 1000);

    json_t *rows = NULL;
    ok(s->ops->audit_for_deal(s, 5, &rows, &err), &err);
    assert_true(json_array_size(rows) > 0);
    json_t *first = json_array_get(rows, 0);
    assert_int_equal(dw_json_int(first, "seq", 0), 5);
    assert_int_equal(dw_json_int(json_object_get(first, "data"), "i", 0), 5);
    assert_int_equal(strlen(dw_json_str(first, "hash")), 64);
    json_decref(rows);

    if (is_postgres)
        pg_audit_tamper(f);
    if (!is_sqlite)
        return;
    /* SQLite only: the log refuses edits at the SQL level. */
    sqlite3 *db = raw_open(f);
    assert_int_not_equal(raw_exec(db, "UPDATE audit SET actor = 'x' WHERE seq = 3"), SQLITE_OK);
    assert_int_not_equal(raw_exec(db, "DELETE FROM audit WHERE seq = 3"), SQLITE_OK);
    assert_int_not_equal(raw_exec(db, "DELETE FROM events"), SQLITE_OK);
    assert_int_not_equal(raw_exec(db, "UPDATE events SET type = 'x'"), SQLITE_OK);
    assert_int_equal(raw_int(db, "SELECT COUNT(*) FROM events"), 1);

    /* Someone with the file drops the trigger and edits one record's data. */
    assert_int_equal(raw_exec(db, "DROP TRIGGER audit_no_update"), SQLITE_OK);
    assert_int_equal(raw_exec(db, "UPDATE audit SET data = '{\"i\":1}' WHERE seq = 437"),
                     SQLITE_OK);
    sqlite3_close(db);
    bad = 0;
    assert_int_equal(s->ops->audit_verify(s, &count, &bad, &err), -DW_EINTEGRITY);
    assert_int_equal(bad, 437);
    assert_non_null(strstr(err.msg, "437"));
}

static void test_audit_relink_detected(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t count = 0, bad = 0;
    json_t *rec = json_pack("{s:s, s:s, s:{}}", "actor", "a", "action", "b", "data");
    for (int i = 0; i < 10; i++)
        ok(s->ops->audit_append(s, rec, T0, NULL, &err), &err);
    json_decref(rec);
    ok(s->ops->audit_verify(s, &count, &bad, &err), &err);
    assert_int_equal(count, 10);

    /* PostgreSQL only: the same with libpq. */
    if (is_postgres) {
        PGconn *c = pg_raw(f->url);
        assert_int_equal(pg_exec(c, "ALTER TABLE audit DISABLE TRIGGER USER"), PGRES_COMMAND_OK);
        assert_int_equal(pg_exec(c, "DELETE FROM audit WHERE seq = 6"), PGRES_COMMAND_OK);
        PQfinish(c);
        assert_int_equal(s->ops->audit_verify(s, &count, &bad, &err), -DW_EINTEGRITY);
        assert_int_equal(bad, 7);
    }
    /* SQLite only: deleting a record breaks the sequence at the next one. */
    if (is_sqlite) {
        sqlite3 *db = raw_open(f);
        assert_int_equal(raw_exec(db, "DROP TRIGGER audit_no_delete"), SQLITE_OK);
        assert_int_equal(raw_exec(db, "DELETE FROM audit WHERE seq = 6"), SQLITE_OK);
        sqlite3_close(db);
        assert_int_equal(s->ops->audit_verify(s, &count, &bad, &err), -DW_EINTEGRITY);
        assert_int_equal(bad, 7);
    }

    /* Bad input. */
    json_t *noactor = json_pack("{s:s}", "action", "b");
    assert_int_equal(s->ops->audit_append(s, noactor, T0, NULL, &err), -DW_EINVAL);
    assert_string_equal(err.field, "actor");
    json_decref(noactor);
}

/* ---- listings and stats ------------------------------------------------------------ */

static void test_deals_list_and_stats(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t acc = 0, contact = 0, lid = 0, oid = 0, aid = 0;
    int rev = 0;
    json_t *got = NULL;

    int64_t d1 = new_deal(s), d2 = new_deal(s), d3 = new_deal(s);
    ok(s->ops->account_insert(s, "Acme GmbH", "acme.example", "DE", &acc, &err), &err);
    json_t *c = json_pack("{s:s}", "email", "ada@acme.example");
    ok(s->ops->contact_upsert(s, acc, c, &contact, &err), &err);
    json_t *l = lead("web_form", "wf-9", "Zed@Other.example");
    ok(s->ops->lead_insert(s, l, d2, &lid, &err), &err);

    struct dw_deal_rec rec;
    ok(s->ops->deal_get(s, d1, &rec, &err), &err);
    rec.stage = DW_STAGE_PROPOSAL_READY;
    rec.account_id = acc;
    rec.contact_id = contact;
    snprintf(rec.currency, sizeof rec.currency, "EUR");
    ok(s->ops->deal_update(s, &rec, &err), &err);
    json_t *q = quote(123450, "h");
    ok(s->ops->quote_insert(s, d1, q, &rev, &err), &err);
    json_object_set_new(q, "total", json_integer(-5));
    json_object_set_new(q, "digits", json_integer(0));
    ok(s->ops->quote_insert(s, d3, q, &rev, &err), &err);
    ok(s->ops->deal_get(s, d3, &rec, &err), &err);
    rec.parked = true;
    ok(s->ops->deal_update(s, &rec, &err), &err);
    json_t *doc = json_object();
    ok(s->ops->doc_put(s, d1, "proposal", doc, "ws", &err), &err);
    json_t *o = json_pack("{s:i, s:s, s:s, s:i, s:[]}", "quote_revision", 1, "quote_hash", "h",
                          "currency", "EUR", "total", 123450, "lines");
    ok(s->ops->order_insert(s, d1, o, T0, &oid, &err), &err);
    aid = approval(s, d3, "discount", "h");

    ok(s->ops->deals_list(s, NULL, 0, 0, &got, &err), &err);
    assert_int_equal(json_array_size(got), 3);
    json_t *r1 = json_array_get(got, 0), *r2 = json_array_get(got, 1), *r3 = json_array_get(got, 2);
    assert_int_equal(dw_json_int(r1, "id", 0), d1);
    assert_string_equal(dw_json_str(r1, "stage"), "proposal_ready");
    assert_string_equal(dw_json_str(r1, "account"), "Acme GmbH");
    assert_string_equal(dw_json_str(r1, "contact_email"), "ada@acme.example");
    assert_string_equal(dw_json_str(r1, "currency"), "EUR");
    assert_string_equal(dw_json_str(r1, "total"), "1234.50");
    assert_true(json_is_false(json_object_get(r1, "parked")));
    assert_string_equal(dw_json_str(r1, "last_error"), "");
    assert_non_null(dw_json_str(r1, "updated_at"));
    /* no account or contact yet: the lead's address, no total */
    assert_true(json_is_null(json_object_get(r2, "account")));
    assert_string_equal(dw_json_str(r2, "contact_email"), "zed@other.example");
    assert_true(json_is_null(json_object_get(r2, "total")));
    /* the quote's currency and digits when the deal has none */
    assert_string_equal(dw_json_str(r3, "currency"), "EUR");
    assert_string_equal(dw_json_str(r3, "total"), "-5");
    assert_true(json_is_true(json_object_get(r3, "parked")));
    json_decref(got);

    ok(s->ops->deals_list(s, "new", 0, 0, &got, &err), &err);
    assert_int_equal(json_array_size(got), 2);
    json_decref(got);
    ok(s->ops->deals_list(s, "", 0, 0, &got, &err), &err);
    assert_int_equal(json_array_size(got), 3);
    json_decref(got);
    assert_int_equal(s->ops->deals_list(s, "won", 0, 0, &got, &err), -DW_EINVAL);
    /* pages: after an id, at most limit, by id */
    ok(s->ops->deals_list(s, NULL, 0, 2, &got, &err), &err);
    assert_int_equal(json_array_size(got), 2);
    assert_int_equal(dw_json_int(json_array_get(got, 1), "id", 0), d2);
    json_decref(got);
    ok(s->ops->deals_list(s, NULL, d2, 2, &got, &err), &err);
    assert_int_equal(json_array_size(got), 1);
    assert_int_equal(dw_json_int(json_array_get(got, 0), "id", 0), d3);
    json_decref(got);
    ok(s->ops->deals_list(s, "new", d2, 5, &got, &err), &err);
    assert_int_equal(json_array_size(got), 1);
    json_decref(got);
    ok(s->ops->deals_list(s, NULL, d3, 5, &got, &err), &err);
    assert_int_equal(json_array_size(got), 0);
    json_decref(got);
    ok(s->ops->approvals_pending(s, aid, 5, &got, &err), &err);
    assert_int_equal(json_array_size(got), 0);
    json_decref(got);
    ok(s->ops->approvals_pending(s, 0, 1, &got, &err), &err);
    assert_int_equal(json_array_size(got), 1);
    json_decref(got);

    ok(s->ops->stats(s, &got, &err), &err);
    json_t *stages = json_object_get(got, "stages");
    assert_true(json_is_object(stages));
    assert_int_equal(json_object_size(stages), DW__STAGE_MAX);
    for (int i = 0; i < DW__STAGE_MAX; i++)
        assert_true(json_is_integer(json_object_get(stages, dw_stage_name((enum dw_stage)i))));
    assert_int_equal(dw_json_int(stages, "new", -1), 2);
    assert_int_equal(dw_json_int(stages, "proposal_ready", -1), 1);
    assert_int_equal(dw_json_int(stages, "ordered", -1), 0);
    assert_int_equal(dw_json_int(got, "approvals_pending", -1), 1);
    assert_int_equal(dw_json_int(got, "proposals", -1), 1);
    assert_int_equal(dw_json_int(got, "orders", -1), 1);
    assert_int_equal(dw_json_int(got, "leads", -1), 1);
    assert_int_equal(dw_json_int(got, "parked", -1), 1);
    json_decref(got);

    ok(s->ops->deals_for_account(s, acc, 0, &got, &err), &err);
    assert_int_equal(json_array_size(got), 1);
    assert_string_equal(dw_json_str(json_array_get(got, 0), "total"), "1234.50");
    json_decref(got);

    json_decref(c);
    json_decref(l);
    json_decref(q);
    json_decref(doc);
    json_decref(o);
}

/* ---- API tokens and the event log from a position ----------------------------------- */

/* A key of the store: the first one stored under a name is every later caller's, across
 * connections; another name is another key. */
static void test_keys(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s, *s2 = NULL;
    struct dw_error err = {0};
    unsigned char a[32], b[32], got[32];
    memset(a, 0xa5, sizeof a);
    memset(b, 0x5a, sizeof b);
    ok(s->ops->key_get(s, "buyer", a, sizeof a, T0, got, &err), &err);
    assert_memory_equal(got, a, sizeof a);
    ok(s->ops->key_get(s, "buyer", b, sizeof b, T0, got, &err), &err);
    assert_memory_equal(got, a, sizeof a);
    ok(dw_store_open(f->url, NULL, &s2, &err), &err);
    ok(s2->ops->key_get(s2, "buyer", b, sizeof b, T0, got, &err), &err);
    assert_memory_equal(got, a, sizeof a);
    ok(s2->ops->key_get(s2, "other", b, sizeof b, T0, got, &err), &err);
    assert_memory_equal(got, b, sizeof b);
    /* a key asked for with another length is damaged, not silently cut */
    assert_int_equal(s2->ops->key_get(s2, "buyer", b, 16, T0, got, &err), -DW_ESTORE);
    dw_store_close(s2);
}

static void test_tokens(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t a = 0, b = 0;
    ok(s->ops->token_insert(s, "maria", "deal_desk", "h1", "aaaa1111", T0, &a, &err), &err);
    ok(s->ops->token_insert(s, "webform", "integration", "h2", "bbbb2222", T0, &b, &err), &err);
    assert_true(a > 0 && b > a);
    assert_int_equal(s->ops->token_insert(s, "x", "admin", "h1", "cccc", T0, &b, &err), -DW_EEXIST);
    assert_int_equal(s->ops->token_insert(s, "", "admin", "h3", "cccc", T0, &b, &err), -DW_EINVAL);
    json_t *t = NULL;
    ok(s->ops->token_find(s, "h1", &t, &err), &err);
    assert_string_equal(dw_json_str(t, "user"), "maria");
    assert_string_equal(dw_json_str(t, "role"), "deal_desk");
    assert_int_equal(dw_json_int(t, "id", 0), a);
    assert_null(json_object_get(t, "hash"));
    json_decref(t);
    t = NULL;
    assert_int_equal(s->ops->token_find(s, "nope", &t, &err), -DW_ENOENT);
    ok(s->ops->token_revoke(s, a, T0 + 60, &err), &err);
    assert_int_equal(s->ops->token_find(s, "h1", &t, &err), -DW_ENOENT);
    assert_int_equal(s->ops->token_revoke(s, a, T0 + 61, &err), -DW_ENOENT);
    assert_int_equal(s->ops->token_revoke(s, 999, T0 + 61, &err), -DW_ENOENT);
    json_t *list = NULL;
    ok(s->ops->tokens_list(s, &list, &err), &err);
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(dw_json_str(json_array_get(list, 0), "revoked_at"),
                        "2026-11-18T11:07:40Z"); /* T0 + 60 */
    assert_true(json_is_null(json_object_get(json_array_get(list, 1), "revoked_at")));
    assert_string_equal(dw_json_str(json_array_get(list, 1), "prefix"), "bbbb2222");
    assert_null(json_object_get(json_array_get(list, 1), "hash"));
    json_decref(list);
}

static void test_events_since(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t seq = 0;
    for (int i = 0; i < 5; i++)
        ok(s->ops->event_append(s, i % 2 ? 7 : 0, "x.happened", NULL, T0, &seq, &err), &err);
    json_t *ev = NULL;
    ok(s->ops->events_since(s, 2, 2, &ev, &err), &err);
    assert_int_equal(json_array_size(ev), 2);
    assert_int_equal(dw_json_int(json_array_get(ev, 0), "seq", 0), 3);
    assert_int_equal(dw_json_int(json_array_get(ev, 1), "seq", 0), 4);
    assert_int_equal(dw_json_int(json_array_get(ev, 1), "deal_id", 0), 7);
    assert_true(json_is_object(json_object_get(json_array_get(ev, 0), "data")));
    json_decref(ev);
    ok(s->ops->events_since(s, seq, 100, &ev, &err), &err);
    assert_int_equal(json_array_size(ev), 0);
    json_decref(ev);
}

/* A second store opened and closed in the same process must leave the first one's locks
 * alone: otherwise another process, closing its own connection, believes it is the last,
 * checkpoints and deletes the WAL under the first, whose later commits are then lost. */
static void test_second_open_keeps_locks(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s, *s2 = NULL;
    struct dw_error err = {0};
    new_deal(s);
    ok(dw_store_open(f->url, NULL, &s2, &err), &err);
    dw_store_close(s2);
    /* another process (not a fork: it would inherit SQLite's view of this one's locks)
     * reads and closes */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'SELECT count(*) FROM deals' >/dev/null", f->path);
    assert_int_equal(system(cmd), 0);
    int64_t id = new_deal(s); /* committed through the first store */
    sqlite3 *db = raw_open(f);
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM deals WHERE id = %lld", (long long)id);
    assert_int_equal(raw_int(db, sql), 1);
    sqlite3_close(db);
}

/* ---- the reports' running totals (migration 6) ---------------------------------------- */

static void stage_change(struct dw_store *s, int64_t deal, const char *from, const char *to,
                         dw_time_t at) {
    struct dw_error err = {0};
    json_t *data = json_pack("{s:s,s:s,s:s}", "from", from, "to", to, "by", "test");
    ok(s->ops->event_append(s, deal, "deal.stage_changed", data, at, NULL, &err), &err);
    json_decref(data);
}

static void expect_rows(int r, const struct dw_error *err, json_t *rows, const char *want) {
    ok(r, err);
    char *got = json_dumps(rows, JSON_COMPACT | JSON_SORT_KEYS);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
    json_decref(rows);
}

/* Figures worked out by hand from the history: deal A goes through the whole pipeline,
 * back from its proposal to pricing once (a revision) and on to an order a day later;
 * deal B stops for information; deal C never moves. */
static void expect_totals(struct dw_store *s) {
    struct dw_error err = {0};
    json_t *rows = NULL;
    int r = s->ops->report_reached(s, &rows, &err);
    expect_rows(r, &err, rows,
                "[{\"n\":1,\"stages\":\",\"},"
                "{\"n\":1,\"stages\":\",qualifying,needs_info,\"},"
                "{\"n\":1,\"stages\":\",qualifying,scoping,pricing,awaiting_approval,"
                "proposal_ready,ordered,\"}]");
    r = s->ops->report_stays(s, &rows, &err);
    expect_rows(r, &err, rows,
                "[{\"max_s\":7200,\"mean_s\":7200,\"n\":1,\"stage\":\"awaiting_approval\"},"
                "{\"max_s\":60,\"mean_s\":45,\"n\":2,\"stage\":\"new\"},"
                "{\"max_s\":3600,\"mean_s\":1850,\"n\":2,\"stage\":\"pricing\"},"
                "{\"max_s\":86400,\"mean_s\":43250,\"n\":2,\"stage\":\"proposal_ready\"},"
                "{\"max_s\":60,\"mean_s\":60,\"n\":2,\"stage\":\"qualifying\"},"
                "{\"max_s\":180,\"mean_s\":180,\"n\":1,\"stage\":\"scoping\"}]");
    /* the first entry counts, not the return after the revision */
    r = s->ops->report_time_to(s, "proposal_ready", &rows, &err);
    expect_rows(r, &err, rows, "[{\"max_s\":11100,\"mean_s\":11100,\"n\":1}]");
    r = s->ops->report_time_to(s, "ordered", &rows, &err);
    expect_rows(r, &err, rows, "[{\"max_s\":97700,\"mean_s\":97700,\"n\":1}]");
    r = s->ops->report_time_to(s, "lost", &rows, &err);
    expect_rows(r, &err, rows, "[]");
}

static void test_report_totals(void **state) {
    struct fx *f = *state;
    struct dw_error err = {0};
    struct dw_store *s = f->s;
    ok(s->ops->begin(s, &err), &err);
    int64_t a = new_deal(s), b = 0, c = new_deal(s);
    (void)c;
    ok(s->ops->deal_insert(s, T0 + 1000, &b, &err), &err);
    stage_change(s, a, "new", "qualifying", T0 + 60);
    stage_change(s, b, "new", "qualifying", T0 + 1030);
    stage_change(s, a, "qualifying", "scoping", T0 + 120);
    stage_change(s, a, "scoping", "pricing", T0 + 300);
    stage_change(s, b, "qualifying", "needs_info", T0 + 1090);
    stage_change(s, a, "pricing", "awaiting_approval", T0 + 3900);
    stage_change(s, a, "awaiting_approval", "proposal_ready", T0 + 11100);
    stage_change(s, a, "proposal_ready", "pricing", T0 + 11200);
    stage_change(s, a, "pricing", "proposal_ready", T0 + 11300);
    stage_change(s, a, "proposal_ready", "ordered", T0 + 97700);
    /* other events and a stage change naming no real deal leave the totals alone */
    ok(s->ops->event_append(s, a, "deal.created", NULL, T0, NULL, &err), &err);
    stage_change(s, 999, "new", "ordered", T0 + 5);
    ok(s->ops->commit(s, &err), &err);
    expect_totals(s);
    if (!is_sqlite)
        return;

    /* SQLite only: a store from before migration 6 (the same events, no totals) gets them
     * built from its event log when it is opened. */
    dw_store_close(f->s);
    f->s = NULL;
    sqlite3 *db = raw_open(f);
    assert_int_equal(raw_exec(db, "DROP TRIGGER events_report; DROP TABLE report_deal_stages;"
                                  "DROP TABLE report_stays; DROP TABLE report_firsts;"
                                  "DROP TABLE bookings; DROP TABLE store_keys;"
                                  "DROP TABLE mail_outbox;"    /* migrations 7-9, after it */
                                  "DROP TABLE outbox_cursors;" /* migration 11 */
                                  "DROP TABLE deal_leases;"    /* migration 10 */
                                  "DELETE FROM schema_migrations WHERE version >= 6"),
                     SQLITE_OK);
    sqlite3_close(db);
    ok(dw_store_open(f->url, NULL, &f->s, &err), &err);
    expect_totals(f->s);
}

/* ---- the WAL stays bounded under readers that never all stop at once ------------------ */

struct wal_readers {
    const char *path;
    atomic_bool stop;
};

/* Short read transactions back to back, as the server's GET handlers make them: there is
 * nearly always one in flight, but none lasts more than a few milliseconds. */
static void *wal_reader(void *ud) {
    struct wal_readers *w = ud;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(w->path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_busy_timeout(db, 5000);
    while (!atomic_load(&w->stop)) {
        sqlite3_exec(db, "BEGIN; SELECT COUNT(*) FROM deals; SELECT MAX(seq) FROM events;", NULL,
                     NULL, NULL);
        usleep(2000);
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    sqlite3_close(db);
    return NULL;
}

static void test_wal_bounded(void **state) {
    struct fx *f = *state;
    struct dw_error err = {0};
    char wal[520];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    struct wal_readers w = {.path = f->path};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, wal_reader, &w), 0);
        usleep(1000); /* staggered, so that their transactions overlap */
    }
    /* 48 MiB in commits of 256 KiB over about six seconds; the WAL would hold all of it */
    static char big[256 * 1024];
    memset(big, 'x', sizeof big - 1);
    json_t *data = json_pack("{s:s}", "blob", big);
    assert_non_null(data);
    int64_t deal = new_deal(f->s);
    off_t most = 0;
    for (int i = 0; i < 192; i++) {
        ok(f->s->ops->event_append(f->s, deal, "test.blob", data, T0, NULL, &err), &err);
        struct stat sb;
        if (stat(wal, &sb) == 0 && sb.st_size > most)
            most = sb.st_size;
        usleep(30000);
    }
    json_decref(data);
    atomic_store(&w.stop, true);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    /* 8 MiB, then a TRUNCATE within the next second (about 8 MiB more here) */
    if (most > 24 * 1024 * 1024)
        fail_msg("the WAL reached %lld bytes", (long long)most);
}

/* ---- webhooks and their outbox ----------------------------------------------------- */

static json_t *only(json_t *rows) {
    assert_int_equal(json_array_size(rows), 1);
    return json_array_get(rows, 0);
}

static void test_webhooks_outbox(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    json_t *rows = NULL;
    int64_t deal = new_deal(s), seq = 0, id = 0, n = -1;
    ok(s->ops->event_append(s, deal, "deal.created", NULL, T0, NULL, &err), &err);
    ok(s->ops->event_append(s, deal, "deal.updated", NULL, T0, &seq, &err), &err);

    /* a subscription starts after the newest event */
    ok(s->ops->webhook_insert(s, "https://crm.example/hook", "deal.*", "whsec_0123456789abcdef", T0,
                              &id, &err),
       &err);
    assert_true(id > 0);
    ok(s->ops->webhooks_list(s, &rows, &err), &err);
    json_t *h = only(rows);
    assert_int_equal(dw_json_int(h, "id", 0), id);
    assert_string_equal(dw_json_str(h, "url"), "https://crm.example/hook");
    assert_string_equal(dw_json_str(h, "events"), "deal.*");
    assert_string_equal(dw_json_str(h, "secret"), "whsec_0123456789abcdef");
    assert_int_equal(dw_json_int(h, "last_seq", -1), seq);
    assert_string_equal(dw_json_str(h, "created_at"), "2026-11-18T11:06:40Z");
    json_decref(rows);

    /* last_seq moves forward only */
    ok(s->ops->webhook_advance(s, id, seq + 3, &err), &err);
    ok(s->ops->webhook_advance(s, id, seq + 1, &err), &err);
    ok(s->ops->webhooks_list(s, &rows, &err), &err);
    assert_int_equal(dw_json_int(only(rows), "last_seq", -1), seq + 3);
    json_decref(rows);

    /* enqueueing the same event twice delivers once */
    ok(s->ops->delivery_insert(s, id, 3, "deal.created", "{\"seq\":3}", 1000, T0, &err), &err);
    ok(s->ops->delivery_insert(s, id, 3, "deal.created", "{\"seq\":3}", 1000, T0, &err), &err);
    ok(s->ops->delivery_insert(s, id, 4, "deal.stage_changed", "{\"seq\":4}", 5000, T0, &err),
       &err);
    ok(s->ops->deliveries_list(s, NULL, 0, 100, &rows, &err), &err);
    assert_int_equal(json_array_size(rows), 2);
    int64_t d1 = dw_json_int(json_array_get(rows, 0), "id", 0);
    int64_t d2 = dw_json_int(json_array_get(rows, 1), "id", 0);
    assert_true(d1 > 0 && d2 > d1);
    assert_string_equal(dw_json_str(json_array_get(rows, 0), "status"), "pending");
    assert_int_equal(dw_json_int(json_array_get(rows, 0), "event_seq", 0), 3);
    assert_null(json_object_get(json_array_get(rows, 0), "secret"));
    json_decref(rows);

    /* due: pending, next_at reached, with what posting needs */
    ok(s->ops->deliveries_due(s, 2000, 10, &rows, &err), &err);
    json_t *d = only(rows);
    assert_int_equal(dw_json_int(d, "id", 0), d1);
    assert_string_equal(dw_json_str(d, "url"), "https://crm.example/hook");
    assert_string_equal(dw_json_str(d, "secret"), "whsec_0123456789abcdef");
    assert_string_equal(dw_json_str(d, "body"), "{\"seq\":3}");
    assert_string_equal(dw_json_str(d, "event_type"), "deal.created");
    assert_int_equal(dw_json_int(d, "attempts", -1), 0);
    json_decref(rows);
    ok(s->ops->deliveries_due(s, 9000, 1, &rows, &err), &err); /* max */
    assert_int_equal(json_array_size(rows), 1);
    json_decref(rows);

    /* attempts recorded; no status or error stored as null */
    struct dw_delivery_update dead = {d1, "dead", 3, 0, 500, "HTTP 500"};
    struct dw_delivery_update retry = {d2, "pending", 1, 9000, 0, ""};
    ok(s->ops->delivery_update(s, &dead, &err), &err);
    ok(s->ops->delivery_update(s, &retry, &err), &err);
    ok(s->ops->deliveries_list(s, "dead", 0, 100, &rows, &err), &err);
    d = only(rows);
    assert_int_equal(dw_json_int(d, "id", 0), d1);
    assert_int_equal(dw_json_int(d, "attempts", 0), 3);
    assert_int_equal(dw_json_int(d, "last_status", 0), 500);
    assert_string_equal(dw_json_str(d, "last_error"), "HTTP 500");
    json_decref(rows);
    ok(s->ops->deliveries_list(s, "pending", 0, 100, &rows, &err), &err);
    d = only(rows);
    assert_true(json_is_null(json_object_get(d, "last_status")));
    assert_true(json_is_null(json_object_get(d, "last_error")));
    json_decref(rows);
    ok(s->ops->deliveries_due(s, 8999, 10, &rows, &err), &err); /* d1 dead, d2 not yet due */
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);

    /* paging: after an id, at most max */
    ok(s->ops->deliveries_list(s, NULL, d1, 100, &rows, &err), &err);
    assert_int_equal(dw_json_int(only(rows), "id", 0), d2);
    json_decref(rows);
    ok(s->ops->deliveries_list(s, NULL, 0, 1, &rows, &err), &err);
    assert_int_equal(dw_json_int(only(rows), "id", 0), d1);
    json_decref(rows);
    ok(s->ops->delivery_counts(s, &rows, &err), &err);
    expect_rows(0, &err, rows, "[{\"n\":1,\"status\":\"dead\"},{\"n\":1,\"status\":\"pending\"}]");

    /* replay: only dead ones come back, due at once with no attempts */
    ok(s->ops->delivery_replay(s, d2, 100, &n, &err), &err);
    assert_int_equal(n, 0);
    ok(s->ops->delivery_replay(s, 0, 100, &n, &err), &err);
    assert_int_equal(n, 1);
    ok(s->ops->deliveries_due(s, 100, 10, &rows, &err), &err);
    d = only(rows);
    assert_int_equal(dw_json_int(d, "id", 0), d1);
    assert_int_equal(dw_json_int(d, "attempts", -1), 0);
    json_decref(rows);

    /* removed: gone from the list, its deliveries no longer due; twice is -DW_ENOENT */
    ok(s->ops->webhook_remove(s, id, T0 + 60, &err), &err);
    assert_int_equal(s->ops->webhook_remove(s, id, T0 + 60, &err), -DW_ENOENT);
    assert_int_equal(s->ops->webhook_remove(s, id + 100, T0, &err), -DW_ENOENT);
    ok(s->ops->webhooks_list(s, &rows, &err), &err);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);
    ok(s->ops->deliveries_due(s, 100000, 10, &rows, &err), &err);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);

    /* inside a transaction that rolls back, nothing stays */
    ok(s->ops->begin(s, &err), &err);
    ok(s->ops->webhook_insert(s, "https://b.example/", "*", "whsec_0123456789abcdef", T0, &id,
                              &err),
       &err);
    ok(s->ops->rollback(s), &err);
    ok(s->ops->webhooks_list(s, &rows, &err), &err);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);
}

/* ---- demo slot holds ---------------------------------------------------------------- */

static void expect_held(struct dw_store *s, int64_t deal, dw_time_t now, const char *want) {
    struct dw_error err = {0};
    json_t *rows = NULL;
    int r = s->ops->slots_held(s, deal, now, &rows, &err);
    /* starts relative to T0, to keep the expectations readable */
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
        json_object_set_new(row, "start", json_integer(dw_json_int(row, "start", 0) - T0));
    expect_rows(r, &err, rows, want);
}

/* The event outbox's publisher (store.h "the event outbox's publisher"): a cursor by name
 * that moves only forward, its lease inside a write transaction, and a delivery read by
 * its event. */
static void test_outbox_cursors(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t seq = -1, id = 0;
    ok(s->ops->outbox_cursor_get(s, "nats:A", &seq, &err), &err);
    assert_int_equal(seq, 0);                                             /* never set */
    assert_int_equal(s->ops->outbox_lock(s, "nats:A", &err), -DW_ESTATE); /* no transaction */
    ok(s->ops->begin(s, &err), &err);
    ok(s->ops->outbox_lock(s, "nats:A", &err), &err);
    ok(s->ops->outbox_cursor_advance(s, "nats:A", 42, T0, &err), &err);
    ok(s->ops->outbox_cursor_advance(s, "nats:A", 17, T0, &err), &err); /* never back */
    ok(s->ops->commit(s, &err), &err);
    ok(s->ops->outbox_cursor_get(s, "nats:A", &seq, &err), &err);
    assert_int_equal(seq, 42);
    ok(s->ops->outbox_cursor_get(s, "nats:B", &seq, &err), &err);
    assert_int_equal(seq, 0); /* by name */
    ok(s->ops->begin(s, &err), &err);
    ok(s->ops->outbox_cursor_advance(s, "nats:A", 43, T0, &err), &err);
    s->ops->rollback(s); /* the cursor moves with its transaction */
    ok(s->ops->outbox_cursor_get(s, "nats:A", &seq, &err), &err);
    assert_int_equal(seq, 42);

    ok(s->ops->webhook_insert(s, "https://b.example/", "*", "whsec_0123456789abcdef", T0, &id,
                              &err),
       &err);
    json_t *d = NULL;
    assert_int_equal(s->ops->delivery_for_event(s, id, 7, &d, &err), -DW_ENOENT);
    ok(s->ops->delivery_insert(s, id, 7, "lead.received", "{\"seq\":7}", 1000, T0, &err), &err);
    ok(s->ops->delivery_for_event(s, id, 7, &d, &err), &err);
    assert_int_equal(dw_json_int(d, "webhook_id", 0), id);
    assert_int_equal(dw_json_int(d, "event_seq", 0), 7);
    assert_string_equal(dw_json_str(d, "event_type"), "lead.received");
    assert_string_equal(dw_json_str(d, "body"), "{\"seq\":7}");
    assert_string_equal(dw_json_str(d, "status"), "pending");
    assert_int_equal(dw_json_int(d, "attempts", -1), 0);
    assert_int_equal(dw_json_int(d, "next_at", 0), 1000);
    assert_string_equal(dw_json_str(d, "url"), "https://b.example/");
    assert_string_equal(dw_json_str(d, "secret"), "whsec_0123456789abcdef");
    json_decref(d);

    /* the claim: one of two senders takes a due delivery; not before it is due, not with a
     * stale attempt count, not once it is delivered */
    int64_t did = 0;
    ok(s->ops->delivery_for_event(s, id, 7, &d, &err), &err);
    did = dw_json_int(d, "id", 0);
    json_decref(d);
    bool got = true;
    ok(s->ops->delivery_claim(s, did, 0, 999, 5000, &got, &err), &err);
    assert_false(got); /* due at 1000 */
    ok(s->ops->delivery_claim(s, did, 1, 1000, 5000, &got, &err), &err);
    assert_false(got); /* not after 1 attempt */
    ok(s->ops->delivery_claim(s, did, 0, 1000, 5000, &got, &err), &err);
    assert_true(got);
    ok(s->ops->delivery_claim(s, did, 0, 1000, 5000, &got, &err), &err);
    assert_false(got); /* taken: due at 5000 now */
    ok(s->ops->delivery_for_event(s, id, 7, &d, &err), &err);
    assert_int_equal(dw_json_int(d, "next_at", 0), 5000);
    json_decref(d);
    struct dw_delivery_update up = {.id = did, .status = "delivered", .attempts = 1};
    ok(s->ops->delivery_update(s, &up, &err), &err);
    ok(s->ops->delivery_claim(s, did, 1, 9000, 9999, &got, &err), &err);
    assert_false(got);
}

static void test_slot_holds(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t a = new_deal(s), b = new_deal(s), c = new_deal(s);
    ok(s->ops->slot_hold(s, a, "petra", T0 + 3600, T0 + 3600, &err), &err);
    ok(s->ops->slot_hold(s, a, "petra", T0 + 7200, T0 + 1800, &err), &err);
    ok(s->ops->slot_hold(s, b, "tom", T0 + 5400, T0 + 5400, &err), &err);
    /* other deals' holds, by start; never the asking deal's own */
    expect_held(s, c, T0,
                "[{\"start\":3600,\"user\":\"petra\"},{\"start\":5400,\"user\":\"tom\"},"
                "{\"start\":7200,\"user\":\"petra\"}]");
    expect_held(s, a, T0, "[{\"start\":5400,\"user\":\"tom\"}]");
    /* expired, then begun */
    expect_held(s, c, T0 + 1800,
                "[{\"start\":3600,\"user\":\"petra\"},{\"start\":5400,\"user\":\"tom\"}]");
    expect_held(s, c, T0 + 3600, "[{\"start\":5400,\"user\":\"tom\"}]");
    /* holding the same slot again replaces it */
    ok(s->ops->slot_hold(s, a, "petra", T0 + 3600, T0 + 60, &err), &err);
    expect_held(s, c, T0 + 61,
                "[{\"start\":5400,\"user\":\"tom\"},{\"start\":7200,\"user\":\"petra\"}]");
    /* a deal that is no longer open holds nothing */
    struct dw_deal_rec rec;
    ok(s->ops->deal_get(s, b, &rec, &err), &err);
    rec.stage = DW_STAGE_ORDERED;
    ok(s->ops->deal_update(s, &rec, &err), &err);
    expect_held(s, c, T0 + 61, "[{\"start\":7200,\"user\":\"petra\"}]");
    /* released */
    ok(s->ops->slots_free(s, a, &err), &err);
    rec.stage = DW_STAGE_PROPOSAL_READY;
    ok(s->ops->deal_update(s, &rec, &err), &err);
    expect_held(s, c, T0, "[{\"start\":5400,\"user\":\"tom\"}]");
}

/* ---- the mail outbox, demo bookings, scoring models, the model-call journal ------------ */

static void test_mail_outbox(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    json_t *rows = NULL;
    int64_t deal = new_deal(s), id = 0, id2 = 0;
    bool yes = false;
    struct dw_mail_rec m = {deal,
                            "proposal",
                            "<p1.D-1@vendor.example>",
                            "sales@vendor.example",
                            "ada@acme.example",
                            "Subject: Your proposal\r\n\r\nHello Ada,\r\nattached.\r\n"};
    ok(s->ops->mail_insert(s, &m, T0, &id, &yes, &err), &err);
    assert_true(yes && id > 0);
    /* composed once: the same Message-ID again changes nothing and names the row */
    ok(s->ops->mail_insert(s, &m, T0 + 5, &id2, &yes, &err), &err);
    assert_false(yes);
    assert_int_equal(id2, id);
    ok(s->ops->mail_due(s, T0 - 1, 10, &rows, &err), &err);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);
    ok(s->ops->mail_due(s, T0, 10, &rows, &err), &err);
    char want[1024];
    snprintf(want, sizeof want,
             "[{\"attempts\":0,\"deal_id\":%lld,\"id\":%lld,\"kind\":\"proposal\","
             "\"message\":\"Subject: Your proposal\\r\\n\\r\\nHello Ada,\\r\\nattached.\\r\\n\","
             "\"message_id\":\"<p1.D-1@vendor.example>\",\"recipient\":\"ada@acme.example\","
             "\"sender\":\"sales@vendor.example\"}]",
             (long long)deal, (long long)id);
    expect_rows(0, &err, rows, want);
    /* two senders claim it: only the first gets it */
    ok(s->ops->mail_claim(s, id, 0, T0 + 300, &yes, &err), &err);
    assert_true(yes);
    ok(s->ops->mail_claim(s, id, 0, T0 + 300, &yes, &err), &err);
    assert_false(yes);
    /* a claim that lapses (its sender died) is due again */
    ok(s->ops->mail_due(s, T0 + 299, 10, &rows, &err), &err);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);
    ok(s->ops->mail_due(s, T0 + 300, 10, &rows, &err), &err);
    assert_int_equal(dw_json_int(only(rows), "attempts", -1), 1);
    json_decref(rows);
    ok(s->ops->mail_claim(s, id, 1, T0 + 900, &yes, &err), &err);
    assert_true(yes);
    /* the first sender, whose claim was taken over, cannot write its outcome */
    ok(s->ops->mail_update(s, id, 1, "sent", 0, NULL, T0 + 301, &yes, &err), &err);
    assert_false(yes);
    ok(s->ops->mail_update(s, id, 2, "sent", 0, NULL, T0 + 301, &yes, &err), &err);
    assert_true(yes);
    ok(s->ops->mail_list(s, "sent", &rows, &err), &err);
    snprintf(want, sizeof want,
             "[{\"attempts\":2,\"created_at\":\"2026-11-18T11:06:40Z\",\"deal_id\":%lld,"
             "\"id\":%lld,\"kind\":\"proposal\",\"last_error\":null,"
             "\"message_id\":\"<p1.D-1@vendor.example>\",\"next_at\":0,"
             "\"sent_at\":\"2026-11-18T11:11:41Z\",\"status\":\"sent\","
             "\"to\":\"ada@acme.example\"}]",
             (long long)deal, (long long)id);
    expect_rows(0, &err, rows, want);
    /* the privacy purge: both messages lose their text and address; the one not yet sent
     * is dead, never to be sent */
    struct dw_mail_rec m2 = {deal,
                             "follow_up",
                             "<f1.D-1@vendor.example>",
                             "sales@vendor.example",
                             "ada@acme.example",
                             "Subject: Any news?\r\n"};
    ok(s->ops->mail_insert(s, &m2, T0 + 400, &id2, &yes, &err), &err);
    assert_true(yes && id2 > id);
    ok(s->ops->mail_redact(s, deal, "[redacted]", &err), &err);
    ok(s->ops->mail_list(s, NULL, &rows, &err), &err);
    assert_int_equal(json_array_size(rows), 2);
    json_t *a = json_array_get(rows, 0), *b = json_array_get(rows, 1);
    assert_string_equal(dw_json_str(a, "status"), "sent");
    assert_string_equal(dw_json_str(a, "to"), "[redacted]");
    assert_true(json_is_null(json_object_get(a, "last_error")));
    assert_string_equal(dw_json_str(b, "status"), "dead");
    assert_string_equal(dw_json_str(b, "to"), "[redacted]");
    assert_string_equal(dw_json_str(b, "last_error"),
                        "redacted by the privacy purge before it was sent");
    assert_null(json_object_get(b, "message"));
    json_decref(rows);
    ok(s->ops->mail_due(s, T0 + 100000, 10, &rows, &err), &err);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);
}

static json_t *booking(const char *user, dw_time_t start, const char *status, int number,
                       int sequence) {
    json_t *b = json_pack("{s:s,s:I,s:i,s:s,s:i,s:i,s:s,s:I}", "user", user, "start",
                          (json_int_t)start, "minutes", 45, "status", status, "number", number,
                          "sequence", sequence, "booked_by", "maria", "updated_at", (json_int_t)T0);
    assert_non_null(b);
    return b;
}

static void test_bookings(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    json_t *got = NULL, *b;
    int64_t a = new_deal(s), d2 = new_deal(s), c = new_deal(s);
    assert_int_equal(s->ops->booking_get(s, a, &got, &err), -DW_ENOENT);
    b = booking("petra", T0 + 7200, "booked", 1, 0);
    ok(s->ops->booking_put(s, a, b, &err), &err);
    json_decref(b);
    ok(s->ops->booking_get(s, a, &got, &err), &err);
    char *text = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS), want[400];
    snprintf(want, sizeof want,
             "{\"booked_by\":\"maria\",\"deal_id\":%lld,\"minutes\":45,\"number\":1,"
             "\"sequence\":0,\"start\":%lld,\"status\":\"booked\",\"updated_at\":%lld,"
             "\"user\":\"petra\"}",
             (long long)a, (long long)(T0 + 7200), (long long)T0);
    assert_string_equal(text, want);
    free(text);
    json_decref(got);
    /* another deal cannot book the same engineer's start; the refusal leaves the caller's
     * transaction going, with what it wrote before */
    ok(s->ops->begin(s, &err), &err);
    ok(s->ops->slot_hold(s, c, "tom", T0 + 3600, T0 + 3600, &err), &err);
    b = booking("petra", T0 + 7200, "booked", 1, 0);
    assert_int_equal(s->ops->booking_put(s, d2, b, &err), -DW_EEXIST);
    json_decref(b);
    ok(s->ops->slot_hold(s, c, "tom", T0 + 5400, T0 + 5400, &err), &err);
    ok(s->ops->commit(s, &err), &err);
    assert_int_equal(s->ops->booking_get(s, d2, &got, &err), -DW_ENOENT);
    expect_held(s, d2, T0,
                "[{\"start\":3600,\"user\":\"tom\"},{\"start\":5400,\"user\":\"tom\"},"
                "{\"start\":7200,\"user\":\"petra\"}]");
    /* a booked demo holds the hour whatever its deal's stage */
    struct dw_deal_rec rec;
    ok(s->ops->deal_get(s, a, &rec, &err), &err);
    rec.stage = DW_STAGE_ORDERED;
    ok(s->ops->deal_update(s, &rec, &err), &err);
    expect_held(s, c, T0, "[{\"start\":7200,\"user\":\"petra\"}]");
    expect_held(s, a, T0, "[{\"start\":3600,\"user\":\"tom\"},{\"start\":5400,\"user\":\"tom\"}]");
    /* cancelled, the start is free for another deal */
    b = booking("petra", T0 + 7200, "cancelled", 1, 1);
    ok(s->ops->booking_put(s, a, b, &err), &err);
    json_decref(b);
    b = booking("petra", T0 + 7200, "booked", 1, 0);
    ok(s->ops->booking_put(s, d2, b, &err), &err);
    json_decref(b);
    ok(s->ops->booking_get(s, a, &got, &err), &err);
    assert_string_equal(dw_json_str(got, "status"), "cancelled");
    assert_int_equal(dw_json_int(got, "sequence", -1), 1);
    json_decref(got);
    expect_held(s, a, T0,
                "[{\"start\":3600,\"user\":\"tom\"},{\"start\":5400,\"user\":\"tom\"},"
                "{\"start\":7200,\"user\":\"petra\"}]");
}

/* Another worker's scheduling step (its own store, as in another process): begin, the slots
 * other deals hold, commit. */
struct sched {
    struct dw_store *s;
    int64_t deal;
    json_t *held;
    int r;
    struct dw_error err;
};

static void *other_scheduler(void *ud) {
    struct sched *w = ud;
    if ((w->r = w->s->ops->begin(w->s, &w->err)) < 0)
        return NULL;
    w->r = w->s->ops->slots_held(w->s, w->deal, T0, &w->held, &w->err);
    if (w->r == 0)
        w->r = w->s->ops->commit(w->s, &w->err);
    else
        w->s->ops->rollback(w->s);
    return NULL;
}

static void test_slots_two_workers(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    json_t *held = NULL;
    int64_t a = new_deal(s), b = new_deal(s);
    struct sched w = {.deal = b};
    ok(dw_store_open(f->url, NULL, &w.s, &err), &err);
    /* worker one finds petra's 10:00 free and holds it for deal a ... */
    ok(s->ops->begin(s, &err), &err);
    ok(s->ops->slots_held(s, a, T0, &held, &err), &err);
    assert_int_equal(json_array_size(held), 0);
    json_decref(held);
    ok(s->ops->slot_hold(s, a, "petra", T0 + 3600, T0 + 3600, &err), &err);
    /* ... while worker two asks for deal b: it must see that hold, so it waits for it */
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, other_scheduler, &w), 0);
    usleep(300 * 1000);
    ok(s->ops->commit(s, &err), &err);
    pthread_join(th, NULL);
    expect_rows(w.r, &w.err, w.held, "[{\"start\":1795003600,\"user\":\"petra\"}]");
    dw_store_close(w.s);
}

static void test_score_models(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    /* the bytes as trained, a NUL among them */
    static const char one[] = "{\"learner\":{\"trees\":1}}\0after the NUL",
                      two[] = "{\"learner\":{\"trees\":2}}";
    json_t *meta = NULL;
    char *blob = NULL;
    size_t len = 0;
    int64_t v = 0;
    bool created = false;
    assert_int_equal(s->ops->model_get(s, 0, &meta, &blob, &len, &err), -DW_ENOENT);
    json_t *m1 = json_pack("{s:s,s:i}", "hash", "h1", "rows", 40),
           *m2 = json_pack("{s:s,s:i}", "hash", "h2", "rows", 41);
    ok(s->ops->model_insert(s, m1, one, sizeof one - 1, T0, &v, &created, &err), &err);
    assert_true(created);
    assert_int_equal(v, 1);
    /* the same training again stores nothing */
    ok(s->ops->model_insert(s, m1, two, sizeof two - 1, T0 + 30, &v, &created, &err), &err);
    assert_false(created);
    assert_int_equal(v, 1);
    ok(s->ops->model_insert(s, m2, two, sizeof two - 1, T0 + 60, &v, &created, &err), &err);
    assert_true(created);
    assert_int_equal(v, 2);
    json_decref(m1);
    json_decref(m2);
    ok(s->ops->model_get(s, 0, &meta, &blob, &len, &err), &err);
    expect_rows(0, &err, meta,
                "{\"created_at\":\"2026-11-18T11:07:40Z\",\"hash\":\"h2\",\"rows\":41,"
                "\"version\":2}");
    assert_int_equal(len, sizeof two - 1);
    assert_string_equal(blob, two);
    free(blob);
    ok(s->ops->model_get(s, 1, NULL, &blob, &len, &err), &err);
    assert_int_equal(len, sizeof one - 1);
    assert_memory_equal(blob, one, sizeof one - 1);
    assert_int_equal(blob[len], '\0');
    free(blob);
    assert_int_equal(s->ops->model_get(s, 3, &meta, NULL, NULL, &err), -DW_ENOENT);
}

static json_t *mcall(const char *key, int64_t deal, const char *outcome, int tokens_in,
                     int latency_ms, bool fallback, int64_t wall_ms) {
    json_t *e =
        json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:{s:s},s:{s:i},s:s,s:i,s:i,s:i,s:i,"
                  "s:[s],s:b,s:I}",
                  "key", key, "deal_id", (json_int_t)deal, "agent", "requirements", "task",
                  "extraction", "prompt", "extract", "provider", "local", "model", "q", "request",
                  "user", "[NAME_1] needs 12 seats", "response", "quantity", 12, "outcome", outcome,
                  "tokens_in", tokens_in, "tokens_out", 10, "latency_ms", latency_ms, "attempts", 1,
                  "flags", "masked", "fallback", fallback, "wall_ms", (json_int_t)wall_ms);
    assert_non_null(e);
    return e;
}

static void test_model_journal(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s, *s2 = NULL;
    struct dw_error err = {0};
    json_t *got = NULL, *e;
    int64_t deal = new_deal(s), other = new_deal(s), id = 0, n = 0;
    /* durable on its own: an entry made inside a transaction that rolls back stays, and
     * another process finds it while this one's transaction is still open */
    ok(dw_store_open(f->url, NULL, &s2, &err), &err);
    ok(s->ops->begin(s, &err), &err);
    e = mcall("k1", deal, "ok", 100, 80, false, 1795000000123);
    ok(s->ops->mcall_append(s, e, T0, &id, &err), &err);
    json_decref(e);
    assert_true(id > 0);
    ok(s2->ops->mcall_find(s2, "k1", &got, &err), &err);
    assert_int_equal(dw_json_int(got, "id", 0), id);
    json_decref(got);
    ok(s->ops->mcall_verdict(s, id, "partial", NULL, T0 + 1, &err), &err);
    s->ops->rollback(s);
    ok(s->ops->mcall_find(s, "k1", &got, &err), &err);
    char want[1400];
    snprintf(want, sizeof want,
             "{\"agent\":\"requirements\",\"at\":\"2026-11-18T11:06:40Z\",\"attempts\":1,"
             "\"deal_id\":%lld,\"fallback\":false,\"flags\":[\"masked\"],\"id\":%lld,"
             "\"key\":\"k1\",\"latency_ms\":80,\"model\":\"q\",\"outcome\":\"ok\","
             "\"prompt\":\"extract\",\"provider\":\"local\",\"request\":{\"user\":\"[NAME_1] "
             "needs 12 seats\"},\"response\":{\"quantity\":12},\"task\":\"extraction\","
             "\"template_hash\":null,\"tokens_in\":100,\"tokens_out\":10,\"why\":null}",
             (long long)deal, (long long)id);
    expect_rows(0, &err, got, want);
    /* a failure and a budget skip are journaled, never replayed */
    e = mcall("k2", deal, "failed", 0, 3000, true, 1795000000456);
    ok(s->ops->mcall_append(s, e, T0 + 100, NULL, &err), &err);
    json_decref(e);
    e = mcall("k3", other, "budget", 0, 0, true, 1795000000789);
    ok(s->ops->mcall_append(s, e, T0 + 86400, NULL, &err), &err);
    json_decref(e);
    assert_int_equal(s->ops->mcall_find(s, "k2", &got, &err), -DW_ENOENT);
    /* the same verdict again (a step re-run on the replayed answer) is kept once */
    json_t *why = json_pack("[{s:s}]", "field", "country");
    ok(s->ops->mcall_verdict(s, id, "partial", why, T0 + 200, &err), &err);
    ok(s->ops->mcall_verdict(s, id, "partial", why, T0 + 300, &err), &err);
    ok(s->ops->mcall_verdict(s, id, "partial", NULL, T0 + 300, &err), &err);
    json_decref(why);
    assert_int_equal(s->ops->mcall_verdict(s, id + 100, "accepted", NULL, T0, &err), -DW_ENOENT);
    ok(s2->ops->mcalls_for_deal(s2, deal, &got, &err), &err);
    assert_int_equal(json_array_size(got), 2);
    expect_rows(0, &err, json_incref(json_object_get(json_array_get(got, 0), "verdicts")),
                "[{\"at\":\"2026-11-18T11:06:41Z\",\"detail\":null,\"verdict\":\"partial\"},"
                "{\"at\":\"2026-11-18T11:10:00Z\",\"detail\":[{\"field\":\"country\"}],"
                "\"verdict\":\"partial\"}]");
    expect_rows(0, &err, json_incref(json_object_get(json_array_get(got, 1), "verdicts")), "[]");
    json_decref(got);
    /* tokens by deal and since a time; the breaker's view (skips say nothing of health) */
    ok(s->ops->mcall_tokens(s, deal, 0, &n, &err), &err);
    assert_int_equal(n, 100 + 10 + 0 + 10);
    ok(s->ops->mcall_tokens(s, 0, T0 + 100, &n, &err), &err);
    assert_int_equal(n, 10 + 10);
    ok(s->ops->mcall_recent(s, "local", 5, &got, &err), &err);
    expect_rows(0, &err, got,
                "[{\"outcome\":\"failed\",\"wall_ms\":1795000000456},"
                "{\"outcome\":\"ok\",\"wall_ms\":1795000000123}]");
    ok(s->ops->mcall_stats(s, &got, &err), &err);
    expect_rows(0, &err, got,
                "[{\"calls\":1,\"fallbacks\":1,\"latency_ms_sum\":0,\"le_100\":1,\"le_1000\":1,"
                "\"le_10000\":1,\"le_250\":1,\"le_2500\":1,\"le_30000\":1,\"le_500\":1,"
                "\"le_5000\":1,\"model\":\"q\",\"outcome\":\"budget\",\"provider\":\"local\","
                "\"task\":\"extraction\",\"tokens_in\":0,\"tokens_out\":10},"
                "{\"calls\":1,\"fallbacks\":1,\"latency_ms_sum\":3000,\"le_100\":0,"
                "\"le_1000\":0,\"le_10000\":1,\"le_250\":0,\"le_2500\":0,\"le_30000\":1,"
                "\"le_500\":0,\"le_5000\":1,\"model\":\"q\",\"outcome\":\"failed\","
                "\"provider\":\"local\",\"task\":\"extraction\",\"tokens_in\":0,"
                "\"tokens_out\":10},"
                "{\"calls\":1,\"fallbacks\":0,\"latency_ms_sum\":80,\"le_100\":1,\"le_1000\":1,"
                "\"le_10000\":1,\"le_250\":1,\"le_2500\":1,\"le_30000\":1,\"le_500\":1,"
                "\"le_5000\":1,\"model\":\"q\",\"outcome\":\"ok\",\"provider\":\"local\","
                "\"task\":\"extraction\",\"tokens_in\":100,\"tokens_out\":10}]");
    /* the privacy purge of the deal leaves the other deal's entries */
    ok(s->ops->mcalls_purge(s, deal, &n, &err), &err);
    assert_int_equal(n, 2);
    ok(s->ops->mcalls_for_deal(s, deal, &got, &err), &err);
    assert_int_equal(json_array_size(got), 0);
    json_decref(got);
    ok(s->ops->mcalls_for_deal(s, other, &got, &err), &err);
    assert_int_equal(json_array_size(got), 1);
    json_decref(got);
    dw_store_close(s2);
}

/* Another sender of webhook deliveries (its own store, as in another process): in one
 * transaction, what is due, then commit. */
struct sender {
    struct dw_store *s;
    json_t *due;
    int r;
    int64_t due_at_us; /* when deliveries_due answered (dw_monotonic_us) */
    struct dw_error err;
};

static void *other_sender(void *ud) {
    struct sender *w = ud;
    if ((w->r = w->s->ops->begin(w->s, &w->err)) < 0)
        return NULL;
    w->r = w->s->ops->deliveries_due(w->s, 2000, 10, &w->due, &w->err);
    w->due_at_us = dw_monotonic_us();
    if (w->r == 0)
        w->r = w->s->ops->commit(w->s, &w->err);
    else
        w->s->ops->rollback(w->s);
    return NULL;
}

/* Two senders, each in its own transaction, never take the same delivery: the second is
 * handed what the first did not take (PostgreSQL: deliveries_due locks what it hands out,
 * FOR UPDATE SKIP LOCKED; SQLite: one writer at a time). On PostgreSQL the second does not
 * wait for the first either: it is answered while the first still holds its delivery (a
 * plain FOR UPDATE would wait for the first's commit, then skip the row it changed). */
static void test_deliveries_two_senders(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    json_t *rows = NULL;
    int64_t hook = 0;
    ok(s->ops->webhook_insert(s, "https://crm.example/hook", "*", "whsec_0123456789abcdef", T0,
                              &hook, &err),
       &err);
    for (int seq = 1; seq <= 3; seq++)
        ok(s->ops->delivery_insert(s, hook, seq, "deal.created", "{}", 1000, T0, &err), &err);
    struct sender w = {0};
    ok(dw_store_open(f->url, NULL, &w.s, &err), &err);
    ok(s->ops->begin(s, &err), &err);
    ok(s->ops->deliveries_due(s, 2000, 1, &rows, &err), &err);
    json_t *d = only(rows);
    assert_int_equal(dw_json_int(d, "event_seq", 0), 1);
    struct dw_delivery_update done = {dw_json_int(d, "id", 0), "delivered", 1, 0, 200, NULL};
    json_decref(rows);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, other_sender, &w), 0);
    usleep(300 * 1000); /* the first sender posts meanwhile */
    ok(s->ops->delivery_update(s, &done, &err), &err);
    int64_t commit_at_us = dw_monotonic_us();
    ok(s->ops->commit(s, &err), &err);
    pthread_join(th, NULL);
    ok(w.r, &w.err);
    if (strcmp(s->ops->name, "postgres") == 0)
        assert_true(w.due_at_us < commit_at_us);
    assert_int_equal(json_array_size(w.due), 2);
    assert_int_equal(dw_json_int(json_array_get(w.due, 0), "event_seq", 0), 2);
    assert_int_equal(dw_json_int(json_array_get(w.due, 1), "event_seq", 0), 3);
    json_decref(w.due);
    dw_store_close(w.s);
}

/* PostgreSQL only: a store key asked for inside a read-only snapshot is stored all the same,
 * for good (key_get writes on the journal connection, in autocommit). */
static void test_pg_key_in_snapshot(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s, *s2 = NULL;
    struct dw_error err = {0};
    unsigned char a[32], b[32], got[32];
    memset(a, 0xa5, sizeof a);
    memset(b, 0x5a, sizeof b);
    ok(s->ops->snapshot(s, &err), &err);
    ok(s->ops->key_get(s, "buyer", a, sizeof a, T0, got, &err), &err);
    assert_memory_equal(got, a, sizeof a);
    ok(s->ops->rollback(s), &err);
    ok(dw_store_open(f->url, NULL, &s2, &err), &err);
    ok(s2->ops->key_get(s2, "buyer", b, sizeof b, T0, got, &err), &err);
    assert_memory_equal(got, a, sizeof a);
    dw_store_close(s2);
}

/* ---- the approvals report --------------------------------------------------------- */

static void test_report_approvals(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    json_t *rows = NULL;
    int64_t d = new_deal(s);
    int64_t a1 = approval(s, d, "discount", "h1"), a2 = approval(s, d, "legal", "h1");
    (void)approval(s, d, "deal_size", "h1");
    ok(s->ops->approval_decide(s, a1, "approved", "vp", NULL, T0 + 600, &err), &err);
    ok(s->ops->approval_decide(s, a2, "approved", "vp", NULL, T0 + 1800, &err), &err);
    int r = s->ops->report_approvals(s, &rows, &err);
    expect_rows(r, &err, rows,
                "[{\"mean_wait_s\":1200,\"n\":2,\"oldest\":\"2026-11-18T11:06:40Z\","
                "\"status\":\"approved\"},{\"mean_wait_s\":null,\"n\":1,\"oldest\":"
                "\"2026-11-18T11:06:40Z\",\"status\":\"pending\"}]");
}

/* ---- the store's clock ------------------------------------------------------------ */

/* Timestamps a hook is given no `now` for come from the clock the store was opened with
 * (the engine's), not from the process. */
static void test_clock(void **state) {
    struct fx *f = *state;
    struct dw_error err = {0};
    dw_store_close(f->s);
    f->s = NULL;
    struct dw_clock clock = {.pin = T0 + 86400};
    ok(dw_store_open(f->url, &clock, &f->s, &err), &err);
    struct dw_store *s = f->s;
    assert_int_equal(dw_store_now(s), T0 + 86400);
    int64_t id = 0;
    json_t *got = NULL;
    ok(s->ops->account_insert(s, "Acme", "acme.example", "DE", &id, &err), &err);
    ok(s->ops->account_get(s, id, &got, &err), &err);
    assert_string_equal(dw_json_str(got, "created_at"), "2026-11-19T11:06:40Z");
    json_decref(got);
    clock.pin = T0 + 2 * 86400; /* the engine moved its clock: the store follows */
    ok(s->ops->account_insert(s, "Beta", "beta.example", "FR", &id, &err), &err);
    ok(s->ops->account_get(s, id, &got, &err), &err);
    assert_string_equal(dw_json_str(got, "created_at"), "2026-11-20T11:06:40Z");
    json_decref(got);
}

/* ---- worker leases ------------------------------------------------------------------ */

static int claim(struct dw_store *s, const char *owner, int lease_ms, int64_t only, int64_t *ids,
                 int max) {
    struct dw_error err = {0};
    int n = s->ops->lease_claim(s, T0, owner, lease_ms, only, ids, max, &err);
    ok(n, &err);
    return n;
}

/* Claims take due deals nobody else holds; a lease another owner took after this one
 * expired cannot be held (the step must not run); release, renew and expiry. */
static void test_leases(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t d[5], ids[8], held = -1, lost = -1;
    for (int i = 0; i < 5; i++)
        d[i] = new_deal(s);
    set_due(s, d[0], true, false, T0 - 10);
    set_due(s, d[1], true, false, T0 - 10);
    set_due(s, d[2], true, false, T0);
    set_due(s, d[3], true, false, T0 + 10); /* not yet due */
    set_due(s, d[4], true, true, T0 - 10);  /* parked */

    assert_int_equal(claim(s, "a", 60000, 0, ids, 2), 2);
    assert_int_equal(ids[0], d[0]);
    assert_int_equal(ids[1], d[1]);
    assert_int_equal(claim(s, "b", 60000, 0, ids, 8), 1); /* what a holds is not b's */
    assert_int_equal(ids[0], d[2]);
    assert_int_equal(claim(s, "c", 60000, 0, ids, 8), 0);
    assert_int_equal(claim(s, "a", 60000, 0, ids, 8), 2); /* its own again (a retried batch) */
    assert_int_equal(claim(s, "c", 60000, d[0], ids, 8), 0);
    assert_int_equal(claim(s, "a", 60000, d[0], ids, 8), 1);
    assert_int_equal(ids[0], d[0]);
    assert_int_equal(claim(s, "a", 60000, d[3], ids, 8), 0); /* not due */

    /* a's leases expire; b takes them over */
    assert_int_equal(claim(s, "a", 1, 0, ids, 8), 2);
    usleep(30 * 1000);
    assert_int_equal(claim(s, "b", 60000, 0, ids, 8), 3);
    assert_int_equal(ids[0], d[0]);
    assert_int_equal(ids[2], d[2]);
    /* a's step on d[0] must not run; b's may, and ends b's lease with it */
    assert_int_equal(s->ops->lease_hold(s, "a", d[0], 60000, &err), -DW_ESTATE);
    ok(s->ops->begin(s, &err), &err);
    assert_int_equal(s->ops->lease_claim(s, T0, "a", 60000, 0, ids, 8, &err), -DW_ESTATE);
    assert_int_equal(s->ops->lease_hold(s, "a", d[0], 60000, &err), 0);
    assert_int_equal(s->ops->lease_hold(s, "b", d[0], 60000, &err), 1);
    ok(s->ops->lease_release(s, "b", d[0], &err), &err);
    ok(s->ops->commit(s, &err), &err);
    assert_int_equal(claim(s, "c", 60000, 0, ids, 8), 1); /* released: anyone's */
    assert_int_equal(ids[0], d[0]);
    /* a release rolled back leaves the lease as it was; one in a savepoint rolled back to
     * as well */
    ok(s->ops->begin(s, &err), &err);
    ok(s->ops->lease_release(s, "c", d[0], &err), &err);
    s->ops->rollback(s);
    assert_int_equal(claim(s, "a", 60000, d[0], ids, 8), 0); /* still c's */
    ok(s->ops->begin(s, &err), &err);
    ok(s->ops->savepoint(s, &err), &err);
    ok(s->ops->lease_release(s, "c", d[0], &err), &err);
    ok(s->ops->rollback_to(s), &err);
    ok(s->ops->commit(s, &err), &err);
    assert_int_equal(claim(s, "a", 60000, d[0], ids, 8), 0);

    /* the heartbeat: b holds two, a none */
    ok(s->ops->lease_renew(s, "b", 60000, &held, &lost, &err), &err);
    assert_int_equal(held, 2);
    assert_int_equal(lost, 0);
    ok(s->ops->lease_renew(s, "a", 60000, &held, &lost, &err), &err);
    assert_int_equal(held, 0);
    assert_int_equal(lost, 0);
    /* every lease of b ends at once (a clean stop); e's expire before it renews them */
    ok(s->ops->lease_release(s, "b", 0, &err), &err);
    assert_int_equal(claim(s, "e", 1, 0, ids, 8), 2);
    usleep(30 * 1000);
    ok(s->ops->lease_renew(s, "e", 60000, &held, &lost, &err), &err);
    assert_int_equal(held, 0);
    assert_int_equal(lost, 2);
    ok(s->ops->lease_renew(s, "e", 60000, &held, &lost, &err), &err); /* given up */
    assert_int_equal(lost, 0);

    if (!is_sqlite) {
        /* many connections (PostgreSQL): a deal whose step holds its lease in an open
         * transaction is skipped by a claim on another connection, even once expired, and
         * the others are claimed meanwhile (FOR UPDATE SKIP LOCKED: nobody waits) */
        struct dw_store *s2 = NULL;
        ok(dw_store_open(f->url, NULL, &s2, &err), &err);
        ok(s->ops->lease_release(s, "c", 0, &err), &err);
        ok(s->ops->lease_release(s, "e", 0, &err), &err);
        assert_int_equal(claim(s, "f", 60000, 0, ids, 8), 3);
        ok(s->ops->begin(s, &err), &err);
        assert_int_equal(s->ops->lease_hold(s, "f", d[1], 1, &err), 1);
        usleep(30 * 1000);
        ok(s->ops->lease_release(s, "f", d[0], &err), &err); /* not yet committed */
        assert_int_equal(claim(s2, "g", 60000, 0, ids, 8), 0);
        ok(s->ops->commit(s, &err), &err);
        assert_int_equal(claim(s2, "g", 60000, 0, ids, 8), 2); /* d[0] released, d[1] expired */
        assert_int_equal(ids[0], d[0]);
        assert_int_equal(ids[1], d[1]);
        dw_store_close(s2);
    }
}

/* ---- every hook is there ---------------------------------------------------------- */

static void test_every_hook_set(void **state) {
    struct fx *f = *state;
    const struct dw_store_ops *o = f->s->ops;
    assert_non_null(o->name);
    /* the members from open to the end are all function pointers; only snapshot MAY be
     * missing (store.h) */
    size_t first = offsetof(struct dw_store_ops, open), n = 0;
    for (size_t off = first; off + sizeof(void (*)(void)) <= sizeof *o;
         off += sizeof(void (*)(void)), n++) {
        void (*fn)(void);
        memcpy(&fn, (const char *)o + off, sizeof fn);
        if (!fn && off != offsetof(struct dw_store_ops, snapshot))
            fail_msg("%s: hook %zu (byte %zu of struct dw_store_ops) is not set", o->name, n, off);
    }
    assert_true(n >= 70);
}

/* ---- choosing the backend by URL -------------------------------------------------- */

static void expect_url(const char *url, int want, const char *scheme, const char *location,
                       const char *msg_part) {
    struct dw_store_url u;
    struct dw_error err = {0};
    int r = dw_store_url_parse(url, &u, &err);
    if (r != want)
        fail_msg("%s: %d, want %d (%s)", url, r, want, err.msg);
    if (r == 0) {
        assert_string_equal(u.scheme, scheme);
        assert_string_equal(u.location, location);
        assert_non_null(u.ops);
        return;
    }
    assert_null(u.ops);
    assert_string_equal(err.field, "db");
    if (!strstr(err.msg, msg_part))
        fail_msg("%s: '%s' does not say '%s'", url, err.msg, msg_part);
}

static void test_store_url(void **state) {
    (void)state;
    expect_url("state.db", 0, "sqlite", "state.db", NULL);
    expect_url("/var/lib/dw/state.db", 0, "sqlite", "/var/lib/dw/state.db", NULL);
    expect_url(":memory:", 0, "sqlite", ":memory:", NULL);
    expect_url("./a:b.db", 0, "sqlite", "./a:b.db", NULL);
    expect_url("C:", 0, "sqlite", "C:", NULL); /* one letter: a path */
    expect_url("sqlite:state.db", 0, "sqlite", "state.db", NULL);
    expect_url("sqlite:/abs/state.db", 0, "sqlite", "/abs/state.db", NULL);
    expect_url("sqlite:///abs/state.db", 0, "sqlite", "/abs/state.db", NULL);
    expect_url("SQLite:x.db", 0, "sqlite", "x.db", NULL);
    /* PostgreSQL: libpq takes the URL as written, scheme included */
    expect_url("postgres://dw@db.internal/deals", 0, "postgres", "postgres://dw@db.internal/deals",
               NULL);
    expect_url("postgresql://dw@localhost:5433/dw?sslmode=require", 0, "postgresql",
               "postgresql://dw@localhost:5433/dw?sslmode=require", NULL);
    expect_url("postgres:dw", -DW_EINVAL, NULL, NULL, "postgres://USER@HOST:PORT/DATABASE");
    expect_url("postgresql://", -DW_EINVAL, NULL, NULL, "postgresql://USER@HOST:PORT/DATABASE");
    expect_url("mysql://localhost/dw", -DW_EINVAL, NULL, NULL, "'mysql' is not a store backend");
    expect_url("file:state.db", -DW_EINVAL, NULL, NULL, "'file' is not a store backend");
    expect_url("sqlite://host/x.db", -DW_EINVAL, NULL, NULL, "no host");
    expect_url("sqlite:", -DW_EINVAL, NULL, NULL, "names no database");
    expect_url("", -DW_EINVAL, NULL, NULL, "no database");
    /* and opening one refuses the same way, creating nothing */
    struct dw_store *s = NULL;
    struct dw_error err = {0};
    assert_int_equal(dw_store_open("mysql://localhost/dw", NULL, &s, &err), -DW_EINVAL);
    assert_null(s);
    /* a password in a PostgreSQL URL is refused before any connection, and not repeated */
    assert_int_equal(dw_store_open("postgres://dw:s3cr3t@127.0.0.1:1/dw", NULL, &s, &err),
                     -DW_EINVAL);
    assert_null(s);
    assert_null(strstr(err.msg, "s3cr3t"));
    assert_non_null(strstr(err.msg, "PGPASSWORD"));
}

/* ---- many writers at once -------------------------------------------------------- */

/* Writers on their own connections (as processes are on PostgreSQL, each with its own
 * session) append to the audit chain and the event log, take quote revisions of one deal and
 * decide the same approvals, all at once. Whatever the backend serialises and however,
 * the chain must not fork (it verifies, seqs 1..n, each record once), events and
 * revisions must be numbered without a gap or a double, and each approval decided once. */
#define RACE_WRITERS 4
#define RACE_ROUNDS 50

struct racer {
    const char *url;
    int id;
    int64_t deal;               /* shared: every writer prices it */
    const int64_t *approvals;   /* RACE_ROUNDS pending ones every writer decides */
    atomic_int *ready;          /* the writers start together */
    int won;                    /* approvals this writer decided */
    int revisions[RACE_ROUNDS]; /* the quote revisions it was given */
    char failure[800];          /* "" when all went well */
};

/* One hook, redone while the store says busy. */
#define RACE_RETRY(call)                                                                           \
    do {                                                                                           \
        rc = (call);                                                                               \
    } while (rc == -DW_EBUSY)

/* Round k: inside a transaction (even k) the audit record, the event and the quote revision
 * commit together and the transaction is redone while busy; outside one (odd k) each hook
 * is its own. */
static int race_round(struct dw_store *s, struct racer *w, int k, const json_t *q,
                      struct dw_error *err) {
    json_t *rec =
        json_pack("{s:s, s:s, s:I, s:{s:i, s:i}}", "actor", "agent:race", "action", "race.append",
                  "deal_id", (json_int_t)w->deal, "data", "writer", w->id, "round", k);
    int rc;
    if (!rec)
        return -DW_ENOMEM;
    if (k % 2 == 0) {
        do {
            rc = s->ops->begin(s, err);
            if (rc == 0)
                rc = s->ops->audit_append(s, rec, T0 + k, NULL, err);
            if (rc == 0)
                rc = s->ops->event_append(s, w->deal, "race.event", rec, T0 + k, NULL, err);
            if (rc == 0)
                rc = s->ops->quote_insert(s, w->deal, q, &w->revisions[k], err);
            if (rc == 0)
                rc = s->ops->commit(s, err);
            if (rc < 0)
                s->ops->rollback(s);
        } while (rc == -DW_EBUSY);
    } else {
        RACE_RETRY(s->ops->audit_append(s, rec, T0 + k, NULL, err));
        if (rc == 0)
            RACE_RETRY(s->ops->event_append(s, w->deal, "race.event", rec, T0 + k, NULL, err));
        if (rc == 0)
            RACE_RETRY(s->ops->quote_insert(s, w->deal, q, &w->revisions[k], err));
    }
    json_decref(rec);
    if (rc < 0)
        return rc;
    char user[16];
    snprintf(user, sizeof user, "w%d", w->id);
    RACE_RETRY(s->ops->approval_decide(s, w->approvals[k], "approved", user, NULL, T0 + k, err));
    if (rc == 0)
        w->won++;
    return rc == -DW_ESTATE ? 0 : rc; /* another writer decided it first */
}

static void *race_writer(void *ud) {
    struct racer *w = ud;
    struct dw_store *s = NULL;
    struct dw_error err = {0};
    json_t *q = quote(4515000, "race");
    int rc = dw_store_open(w->url, NULL, &s, &err);
    atomic_fetch_add(w->ready, 1);
    while (atomic_load(w->ready) < RACE_WRITERS)
        ;
    for (int k = 0; rc == 0 && k < RACE_ROUNDS; k++) {
        rc = race_round(s, w, k, q, &err);
        if (rc < 0)
            snprintf(w->failure, sizeof w->failure, "writer %d round %d: %s: %s", w->id, k,
                     dw_errname(rc), err.msg);
    }
    if (rc < 0 && !w->failure[0])
        snprintf(w->failure, sizeof w->failure, "writer %d: open: %s", w->id, err.msg);
    json_decref(q);
    dw_store_close(s);
    return NULL;
}

static void test_concurrent_writers(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    enum { N = RACE_WRITERS * RACE_ROUNDS };
    int64_t deal = new_deal(s), approvals[RACE_ROUNDS];
    for (int k = 0; k < RACE_ROUNDS; k++)
        approvals[k] = approval(s, deal, "discount", "race");
    atomic_int ready = 0;
    struct racer w[RACE_WRITERS];
    pthread_t th[RACE_WRITERS];
    for (int i = 0; i < RACE_WRITERS; i++) {
        w[i] = (struct racer){
            .url = f->url, .id = i, .deal = deal, .approvals = approvals, .ready = &ready};
        assert_int_equal(pthread_create(&th[i], NULL, race_writer, &w[i]), 0);
    }
    for (int i = 0; i < RACE_WRITERS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < RACE_WRITERS; i++)
        if (w[i].failure[0])
            fail_msg("%s", w[i].failure);

    /* The chain: one line, seqs 1..N, every writer's every round exactly once. */
    int64_t count = 0, bad = 0;
    ok(s->ops->audit_verify(s, &count, &bad, &err), &err);
    assert_int_equal(count, N);
    json_t *rows = NULL;
    ok(s->ops->audit_since(s, 0, N + 10, &rows, &err), &err);
    assert_int_equal(json_array_size(rows), N);
    bool seen[RACE_WRITERS][RACE_ROUNDS] = {{false}};
    for (size_t i = 0; i < N; i++) {
        json_t *r = json_array_get(rows, i), *data = json_object_get(r, "data");
        assert_int_equal(dw_json_int(r, "seq", 0), (int64_t)i + 1);
        int64_t wr = dw_json_int(data, "writer", -1), k = dw_json_int(data, "round", -1);
        assert_true(wr >= 0 && wr < RACE_WRITERS && k >= 0 && k < RACE_ROUNDS);
        assert_false(seen[wr][k]);
        seen[wr][k] = true;
    }
    json_decref(rows);

    /* Events numbered 1..N in order, each once. */
    ok(s->ops->events_since(s, 0, N + 10, &rows, &err), &err);
    assert_int_equal(json_array_size(rows), N);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(dw_json_int(json_array_get(rows, i), "seq", 0), (int64_t)i + 1);
    json_decref(rows);

    /* Quote revisions 1..N, each given to exactly one writer. */
    bool given[N + 1] = {false};
    for (int i = 0; i < RACE_WRITERS; i++)
        for (int k = 0; k < RACE_ROUNDS; k++) {
            int rev = w[i].revisions[k];
            assert_true(rev >= 1 && rev <= N);
            assert_false(given[rev]);
            given[rev] = true;
        }
    ok(s->ops->quotes_for_deal(s, deal, &rows, &err), &err);
    assert_int_equal(json_array_size(rows), N);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(dw_json_int(json_array_get(rows, i), "revision", 0), (int64_t)i + 1);
    json_decref(rows);

    /* Each approval decided once, by the writer that was told it won. */
    int won = 0;
    for (int i = 0; i < RACE_WRITERS; i++)
        won += w[i].won;
    assert_int_equal(won, RACE_ROUNDS);
    ok(s->ops->approvals_pending(s, 0, 0, &rows, &err), &err);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);
}

/* Writers that each append several events and audit records per transaction (written at
 * commit on PostgreSQL) while a reader follows the log, each read resuming after the last
 * seq it saw, as webhooks, the outbox and GET /v1/events do. The reader must be handed every
 * seq once, in order, with no gap: a seq it skipped would be an event it never delivers. */
#define TAIL_WRITERS 3
#define TAIL_ROUNDS 30
#define TAIL_PER_ROUND 4 /* events per transaction; one audit record each */

struct tail_writer {
    const char *url;
    int id;
    char failure[600];
};

static void *tail_writer_main(void *ud) {
    struct tail_writer *w = ud;
    struct dw_store *s = NULL;
    struct dw_error err = {0};
    int rc = dw_store_open(w->url, NULL, &s, &err);
    for (int k = 0; rc == 0 && k < TAIL_ROUNDS; k++) {
        json_t *rec =
            json_pack("{s:s, s:s, s:I, s:{s:i, s:i}}", "actor", "agent:tail", "action",
                      "tail.append", "deal_id", (json_int_t)1, "data", "writer", w->id, "round", k);
        do {
            rc = s->ops->begin(s, &err);
            for (int e = 0; rc == 0 && e < TAIL_PER_ROUND; e++) {
                rc = s->ops->event_append(s, 1, "tail.event", rec, T0 + k, NULL, &err);
                if (rc == 0)
                    rc = s->ops->audit_append(s, rec, T0 + k, NULL, &err);
            }
            if (rc == 0)
                rc = s->ops->commit(s, &err);
            if (rc < 0)
                s->ops->rollback(s);
        } while (rc == -DW_EBUSY);
        json_decref(rec);
    }
    if (rc < 0)
        snprintf(w->failure, sizeof w->failure, "writer %d: %s: %s", w->id, dw_errname(rc),
                 err.msg);
    dw_store_close(s);
    return NULL;
}

static void test_events_resume_gap_free(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s, *r = NULL;
    struct dw_error err = {0};
    enum { N = TAIL_WRITERS * TAIL_ROUNDS * TAIL_PER_ROUND };
    struct tail_writer w[TAIL_WRITERS];
    pthread_t th[TAIL_WRITERS];
    ok(dw_store_open(f->url, NULL, &r, &err), &err);
    for (int i = 0; i < TAIL_WRITERS; i++) {
        w[i] = (struct tail_writer){.url = f->url, .id = i};
        assert_int_equal(pthread_create(&th[i], NULL, tail_writer_main, &w[i]), 0);
    }
    /* the reader: small pages, each after the last seq seen, until all are seen */
    int64_t last = 0, last_audit = 0, reads = 0;
    int64_t t_end = dw_monotonic_us() + 120 * 1000000LL;
    while ((last < N || last_audit < N) && dw_monotonic_us() < t_end) {
        json_t *rows = NULL;
        ok(r->ops->events_since(r, last, 3, &rows, &err), &err);
        for (size_t i = 0; i < json_array_size(rows); i++) {
            int64_t seq = dw_json_int(json_array_get(rows, i), "seq", 0);
            if (seq != last + 1)
                fail_msg("the reader resumed after event %lld and was handed %lld", (long long)last,
                         (long long)seq);
            last = seq;
        }
        json_decref(rows);
        ok(r->ops->audit_since(r, last_audit, 3, &rows, &err), &err);
        for (size_t i = 0; i < json_array_size(rows); i++) {
            int64_t seq = dw_json_int(json_array_get(rows, i), "seq", 0);
            if (seq != last_audit + 1)
                fail_msg("the reader resumed after audit record %lld and was handed %lld",
                         (long long)last_audit, (long long)seq);
            last_audit = seq;
        }
        json_decref(rows);
        reads++;
    }
    for (int i = 0; i < TAIL_WRITERS; i++) {
        pthread_join(th[i], NULL);
        if (w[i].failure[0])
            fail_msg("%s", w[i].failure);
    }
    assert_int_equal(last, N);
    assert_int_equal(last_audit, N);
    assert_true(reads > 1); /* it did resume */
    int64_t count = 0, bad = 0;
    ok(s->ops->audit_verify(s, &count, &bad, &err), &err);
    assert_int_equal(count, N);
    dw_store_close(r);
}

/* PostgreSQL only: the deals deals_due returns inside a write transaction are locked to its
 * end (FOR UPDATE SKIP LOCKED), so no other connection changes a deal a batch is running,
 * while the others stay free; outside a transaction and in a read snapshot it only reads
 * (every due deal, nothing locked, no wait). */
static void test_pg_deals_due_skip_locked(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s, *s2 = NULL;
    struct dw_error err = {0};
    int64_t d[5], ids[8], ids2[8];
    struct dw_deal_rec rec;
    for (int i = 0; i < 5; i++)
        d[i] = new_deal(s); /* each due at T0 */
    ok(dw_store_open(f->url, NULL, &s2, &err), &err);

    ok(s->ops->begin(s, &err), &err);
    assert_int_equal(s->ops->deals_due(s, T0, ids, 2, &err), 2);
    assert_int_equal(ids[0], d[0]);
    assert_int_equal(ids[1], d[1]);
    assert_int_equal(s2->ops->deals_due(s2, T0, ids2, 8, &err), 5);
    ok(s2->ops->snapshot(s2, &err), &err);
    assert_int_equal(s2->ops->deals_due(s2, T0, ids2, 8, &err), 5);
    ok(s2->ops->rollback(s2), &err);
    /* a deal the batch did not take changes at once; one it took waits for it (then busy) */
    ok(s2->ops->deal_get(s2, d[2], &rec, &err), &err);
    rec.next_attempt_at = T0 + 60;
    ok(s2->ops->deal_update(s2, &rec, &err), &err);
    ok(s2->ops->deal_get(s2, d[0], &rec, &err), &err);
    rec.next_attempt_at = T0 + 60;
    assert_int_equal(s2->ops->deal_update(s2, &rec, &err), -DW_EBUSY);

    /* the batch commits: its locks go, and the other connection's change goes through */
    ok(s->ops->commit(s, &err), &err);
    ok(s2->ops->deal_update(s2, &rec, &err), &err);
    ok(s->ops->begin(s, &err), &err);
    assert_int_equal(s->ops->deals_due(s, T0, ids, 8, &err), 3);
    assert_int_equal(ids[0], d[1]);
    ok(s->ops->commit(s, &err), &err);
    dw_store_close(s2);
}

/* argv[1]: the URL template of the backend under test (see the top of this file). */
int main(int argc, char **argv) {
    if (argc > 1)
        url_template = argv[1];
    struct dw_store_url u;
    struct dw_error err = {0};
    char probe[512];
    expand(url_template, "/tmp/probe", probe, sizeof probe);
    if (dw_store_url_parse(probe, &u, &err) < 0) {
        fprintf(stderr, "test_store: %s: %s\n", url_template, err.msg);
        return 2;
    }
    is_sqlite = strcmp(u.scheme, "sqlite") == 0;
    is_postgres = strncmp(u.scheme, "postgres", 8) == 0;
    /* the contract: through the interface only */
    const struct CMUnitTest contract[] = {
        cmocka_unit_test(test_store_url),
        cmocka_unit_test_setup_teardown(test_every_hook_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_totals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_approvals, setup, teardown),
        cmocka_unit_test(test_stage_names),
        cmocka_unit_test_setup_teardown(test_transaction_states, setup, teardown),
        cmocka_unit_test_setup_teardown(test_savepoint_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lead_unique, setup, teardown),
        cmocka_unit_test_setup_teardown(test_follow_up_by_email, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accounts_contacts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lead_redact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_account_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deal_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deals_due, setup, teardown),
        cmocka_unit_test_setup_teardown(test_docs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_reads_follow_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quote_revisions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_approvals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_unique, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_relink_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deals_list_and_stats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_since, setup, teardown),
        cmocka_unit_test_setup_teardown(test_webhooks_outbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slot_holds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slots_two_workers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deliveries_two_senders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bookings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mail_outbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_score_models, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_journal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_resume_gap_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox_cursors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leases, setup, teardown),
    };
    /* SQLite only: what its file, locks and WAL do */
    const struct CMUnitTest sqlite[] = {
        cmocka_unit_test_setup_teardown(test_open_and_migrations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wal_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_open_keeps_locks, setup, teardown),
    };
    /* PostgreSQL only: what its server keeps (with libpq) and what its triggers do */
    const struct CMUnitTest postgres[] = {
        cmocka_unit_test_setup_teardown(test_pg_migrations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_deals_due_skip_locked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_key_in_snapshot, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("store contract", contract, NULL, NULL);
    if (is_sqlite)
        failed += cmocka_run_group_tests_name("store sqlite", sqlite, NULL, NULL);
    if (is_postgres)
        failed += cmocka_run_group_tests_name("store postgres", postgres, NULL, NULL);
    return failed ? 1 : 0;
}
