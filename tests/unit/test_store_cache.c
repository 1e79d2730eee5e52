/* Unit tests for what the SQLite backend keeps in memory inside a write transaction (the
 * documents and leads of the deal last touched, the slot holds): every read must give what
 * the database says, after writes, rollbacks to a savepoint, a deal ending or reopening,
 * time passing, and another connection's commit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"

#define T0 ((dw_time_t)1795000000) /* 2026-11-18 */
#define DAY 86400

struct fx {
    char dir[64];
    char path[160];
    struct dw_store *s;
};

static int setup(void **state) {
    struct fx *f = calloc(1, sizeof *f);
    struct dw_error err = {0};
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/dw-cache-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/state.db", f->dir);
    char url[200];
    snprintf(url, sizeof url, "sqlite:%s", f->path);
    if (dw_store_open(url, NULL, &f->s, &err) < 0)
        fail_msg("open: %s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    struct fx *f = *state;
    char p[200];
    dw_store_close(f->s);
    const char *suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void ok(int r, const struct dw_error *err) {
    if (r < 0)
        fail_msg("%s: %s", dw_errname(r), err->msg);
}

static int64_t new_deal(struct dw_store *s) {
    struct dw_error err = {0};
    int64_t id = 0;
    ok(s->ops->deal_insert(s, T0, &id, &err), &err);
    return id;
}

static void set_stage(struct dw_store *s, int64_t id, enum dw_stage stage) {
    struct dw_error err = {0};
    struct dw_deal_rec d;
    ok(s->ops->deal_get(s, id, &d, &err), &err);
    d.stage = stage;
    ok(s->ops->deal_update(s, &d, &err), &err);
}

/* doc_get's result as compact text, or "ENOENT" */
static char *doc_text(struct dw_store *s, int64_t deal, const char *kind) {
    struct dw_error err = {0};
    json_t *doc = NULL;
    int r = s->ops->doc_get(s, deal, kind, &doc, &err);
    if (r == -DW_ENOENT)
        return strdup("ENOENT");
    ok(r, &err);
    char *t = json_dumps(doc, JSON_COMPACT);
    /* the caller owns what it got: changing it must not change the next read */
    json_object_set_new(doc, "changed", json_true());
    json_decref(doc);
    return t;
}

static void expect_doc(struct dw_store *s, int64_t deal, const char *kind, const char *want) {
    char *got = doc_text(s, deal, kind);
    assert_string_equal(got, want);
    free(got);
}

static void put(struct dw_store *s, int64_t deal, const char *kind, const char *text) {
    struct dw_error err = {0};
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    ok(s->ops->doc_put(s, deal, kind, doc, "ws", &err), &err);
    /* the writer may go on changing its own object */
    json_object_set_new(doc, "after_put", json_true());
    json_decref(doc);
}

static void test_docs_in_a_transaction(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t a = new_deal(s), b = new_deal(s);

    ok(s->ops->begin(s, &err), &err);
    expect_doc(s, a, "requirements", "ENOENT");
    put(s, a, "requirements", "{\"sites\":4}");
    expect_doc(s, a, "requirements", "{\"sites\":4}");
    expect_doc(s, a, "requirements", "{\"sites\":4}");
    put(s, a, "discovery", "{\"x\":1}");
    expect_doc(s, b, "discovery", "ENOENT"); /* another deal's reads */
    expect_doc(s, a, "discovery", "{\"x\":1}");

    /* a step that fails takes its writes with it, and the next read says so */
    ok(s->ops->savepoint(s, &err), &err);
    put(s, a, "requirements", "{\"sites\":40}");
    put(s, a, "contract", "{\"dpa\":true}");
    expect_doc(s, a, "requirements", "{\"sites\":40}");
    assert_int_equal(s->ops->rollback_to(s), 0);
    expect_doc(s, a, "requirements", "{\"sites\":4}");
    expect_doc(s, a, "contract", "ENOENT");

    ok(s->ops->doc_delete(s, a, "discovery", &err), &err);
    expect_doc(s, a, "discovery", "ENOENT");
    ok(s->ops->commit(s, &err), &err);
    expect_doc(s, a, "requirements", "{\"sites\":4}");

    /* another connection's commit between two transactions is seen by the next one */
    ok(s->ops->begin(s, &err), &err);
    expect_doc(s, a, "requirements", "{\"sites\":4}");
    ok(s->ops->commit(s, &err), &err);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE requirements SET doc = '{\"sites\":7}' WHERE deal_id = 1",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    ok(s->ops->begin(s, &err), &err);
    expect_doc(s, a, "requirements", "{\"sites\":7}");
    ok(s->ops->commit(s, &err), &err);
}

static void test_leads_in_a_transaction(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t d = new_deal(s), lead = 0;
    json_t *rec = json_pack("{s:s,s:s,s:{s:s},s:s}", "source", "web_form", "external_id", "x1",
                            "contact", "email", "ada@example.com", "message", "40 seats");
    ok(s->ops->lead_insert(s, rec, d, &lead, &err), &err);
    json_decref(rec);

    ok(s->ops->begin(s, &err), &err);
    json_t *leads = NULL;
    ok(s->ops->leads_for_deal(s, d, &leads, &err), &err);
    assert_int_equal(json_array_size(leads), 1);
    assert_true(json_is_null(json_object_get(json_array_get(leads, 0), "intake")));
    json_decref(leads);

    json_t *intake = json_pack("{s:s}", "text", "40 seats");
    ok(s->ops->lead_set_intake(s, lead, intake, &err), &err);
    json_decref(intake);
    ok(s->ops->leads_for_deal(s, d, &leads, &err), &err);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(leads, 0), "intake"), "text")),
                        "40 seats");
    json_decref(leads);

    rec = json_pack("{s:s,s:s,s:{s:s},s:s}", "source", "web_form", "external_id", "x2", "contact",
                    "email", "ada@example.com", "message", "and 5 more");
    ok(s->ops->lead_insert(s, rec, d, NULL, &err), &err);
    json_decref(rec);
    ok(s->ops->leads_for_deal(s, d, &leads, &err), &err);
    assert_int_equal(json_array_size(leads), 2);
    json_decref(leads);
    ok(s->ops->commit(s, &err), &err);
}

/* SLOTS_HELD for deal at now, as "user@start-T0,..." in start order */
static void expect_held(struct dw_store *s, int64_t deal, dw_time_t now, const char *want) {
    struct dw_error err = {0};
    json_t *rows = NULL;
    ok(s->ops->slots_held(s, deal, now, &rows, &err), &err);
    char got[512] = "";
    size_t i;
    json_t *h;
    json_array_foreach(rows, i, h) {
        size_t n = strlen(got);
        snprintf(got + n, sizeof got - n, "%s%s@%lld", i ? "," : "",
                 json_string_value(json_object_get(h, "user")),
                 (long long)(json_integer_value(json_object_get(h, "start")) - T0));
    }
    assert_string_equal(got, want);
    json_decref(rows);
}

static void hold(struct dw_store *s, int64_t deal, const char *user, dw_time_t start,
                 dw_time_t expires) {
    struct dw_error err = {0};
    ok(s->ops->slot_hold(s, deal, user, start, expires, &err), &err);
}

static void release(struct dw_store *s, int64_t deal) {
    struct dw_error err = {0};
    ok(s->ops->slots_free(s, deal, &err), &err);
}

static void test_holds_in_a_transaction(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t a = new_deal(s), b = new_deal(s), c = new_deal(s);
    hold(s, a, "sven", T0 + 2 * DAY, T0 + 2 * DAY); /* committed before the transaction */

    ok(s->ops->begin(s, &err), &err);
    expect_held(s, b, T0, "sven@172800");
    expect_held(s, a, T0, ""); /* never its own */
    hold(s, c, "aylin", T0 + DAY, T0 + DAY);
    expect_held(s, b, T0, "aylin@86400,sven@172800");
    expect_held(s, c, T0, "sven@172800");

    /* an ended deal's holds no longer count; reopened, they count again */
    set_stage(s, a, DW_STAGE_LOST);
    expect_held(s, b, T0, "aylin@86400");
    set_stage(s, a, DW_STAGE_PROPOSAL_READY);
    expect_held(s, b, T0, "aylin@86400,sven@172800");

    /* time passing: a slot that has begun is nobody's any more; earlier again, it is */
    expect_held(s, b, T0 + DAY, "sven@172800");
    expect_held(s, b, T0, "aylin@86400,sven@172800");

    /* a released hold, and one undone with its savepoint */
    ok(s->ops->savepoint(s, &err), &err);
    release(s, c);
    expect_held(s, b, T0, "sven@172800");
    hold(s, b, "sven", T0 + 3 * DAY, T0 + 3 * DAY);
    expect_held(s, c, T0, "sven@172800,sven@259200");
    assert_int_equal(s->ops->rollback_to(s), 0);
    expect_held(s, b, T0, "aylin@86400,sven@172800");
    expect_held(s, c, T0, "sven@172800");
    ok(s->ops->commit(s, &err), &err);

    /* outside a transaction the table itself answers, the same */
    expect_held(s, b, T0, "aylin@86400,sven@172800");
    set_stage(s, c, DW_STAGE_ORDERED);
    expect_held(s, b, T0, "sven@172800");
}

/* Updates that leave the indexed columns alone write only the others; the row and every
 * index still say what the last update said. */
static void test_deal_updates_in_a_transaction(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t a = new_deal(s), b = new_deal(s);
    struct dw_deal_rec d;
    int64_t ids[4];

    ok(s->ops->begin(s, &err), &err);
    ok(s->ops->deal_get(s, a, &d, &err), &err);
    d.facts = 3;
    snprintf(d.last_error, sizeof d.last_error, "pricing: busy");
    d.updated_at = T0 + 5;
    ok(s->ops->deal_update(s, &d, &err), &err); /* nothing indexed changes */
    d.stage = DW_STAGE_SCOPING;
    d.facts = 7;
    ok(s->ops->deal_update(s, &d, &err), &err); /* the stage does */
    d.facts = 15;
    d.last_error[0] = '\0';
    ok(s->ops->deal_update(s, &d, &err), &err);
    ok(s->ops->deal_get(s, b, &d, &err), &err);
    d.runnable = false;
    ok(s->ops->deal_update(s, &d, &err), &err);
    d.facts = 1;
    ok(s->ops->deal_update(s, &d, &err), &err);
    ok(s->ops->commit(s, &err), &err);

    ok(s->ops->deal_get(s, a, &d, &err), &err);
    assert_int_equal(d.stage, DW_STAGE_SCOPING);
    assert_int_equal(d.facts, 15);
    assert_string_equal(d.last_error, "");
    assert_int_equal(d.updated_at, T0 + 5);
    ok(s->ops->deal_get(s, b, &d, &err), &err);
    assert_false(d.runnable);
    assert_int_equal(d.facts, 1);
    int n = s->ops->deals_due(s, T0 + 10, ids, 4, &err);
    assert_int_equal(n, 1); /* only a: b is not runnable */
    assert_int_equal(ids[0], a);
    json_t *list = NULL;
    ok(s->ops->deals_list(s, "scoping", 0, 10, &list, &err), &err);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* The latest quote revision, read again after a new revision and after a rollback. */
static void test_latest_quote_in_a_transaction(void **state) {
    struct fx *f = *state;
    struct dw_store *s = f->s;
    struct dw_error err = {0};
    int64_t d = new_deal(s);
    int rev = 0;
    json_t *got = NULL;
    const char *quote_fmt = "{s:s,s:s,s:i,s:I,s:I,s:I,s:i,s:i,s:[{s:s,s:i,s:I,s:I,s:I,s:I}]}";
#define QUOTE(total)                                                                               \
    json_pack(quote_fmt, "hash", "h" #total, "currency", "EUR", "digits", 2, "subtotal",           \
              (json_int_t)(total), "discount", (json_int_t)0, "total", (json_int_t)(total),        \
              "discount_bp", 0, "term_months", 12, "lines", "sku", "NW-EDGE-50", "quantity", 1,    \
              "unit_price", (json_int_t)(total), "amount", (json_int_t)(total), "discount",        \
              (json_int_t)0, "net", (json_int_t)(total))

    ok(s->ops->begin(s, &err), &err);
    assert_int_equal(s->ops->quote_get(s, d, 0, &got, &err), -DW_ENOENT);
    json_t *q1 = QUOTE(1000);
    ok(s->ops->quote_insert(s, d, q1, &rev, &err), &err);
    json_decref(q1);
    ok(s->ops->quote_get(s, d, 0, &got, &err), &err);
    assert_int_equal(json_integer_value(json_object_get(got, "revision")), 1);
    json_object_set_new(got, "total", json_integer(1)); /* the caller's own copy */
    json_decref(got);
    ok(s->ops->quote_get(s, d, 0, &got, &err), &err);
    assert_string_equal(json_string_value(json_object_get(got, "hash")), "h1000");
    json_decref(got);

    ok(s->ops->savepoint(s, &err), &err);
    json_t *q2 = QUOTE(2000);
    ok(s->ops->quote_insert(s, d, q2, &rev, &err), &err);
    json_decref(q2);
    ok(s->ops->quote_get(s, d, 0, &got, &err), &err);
    assert_int_equal(json_integer_value(json_object_get(got, "revision")), 2);
    json_decref(got);
    assert_int_equal(s->ops->rollback_to(s), 0);
    ok(s->ops->quote_get(s, d, 0, &got, &err), &err);
    assert_int_equal(json_integer_value(json_object_get(got, "revision")), 1);
    assert_string_equal(json_string_value(json_object_get(got, "hash")), "h1000");
    json_decref(got);
    ok(s->ops->commit(s, &err), &err);
#undef QUOTE
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_docs_in_a_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leads_in_a_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_holds_in_a_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deal_updates_in_a_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_latest_quote_in_a_transaction, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
