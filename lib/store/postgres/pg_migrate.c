/* store/postgres/pg_migrate — the PostgreSQL schema, as an ordered list of versioned
 * migrations (the SQLite backend's rules: lib/store/sqlite/migrations.c).
 *
 * On open, under the session advisory lock DW__PG_LOCK_MIGRATE (so that workers starting
 * together migrate once, the others waiting for it), every migration newer than the
 * database's version is applied in its own transaction together with its row in
 * schema_migrations: a crash or a failing migration leaves the database at the previous
 * version. A database whose version is newer than this code knows is refused: an older
 * binary must not write into a schema it does not understand.
 *
 * Migration 1 is the tables of every subject, each file's dw__pg_schema_X string in the
 * order deals, quotes, audit, misc, leases, outbox (a table may refer to those before it).
 * Later changes append a migration (never edit an applied one) and describe it in
 * docs/internals/store.md.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/postgres/pg_core.h"

struct migration {
    int version;
    const char *description;
    const char *const *parts; /* DDL scripts run in order, NULL-terminated; "" skipped */
};

static const char *const v1_parts[] = {
    dw__pg_schema_deals,
    dw__pg_schema_quotes,
    dw__pg_schema_audit,
    dw__pg_schema_misc,
    dw__pg_schema_leases,
    dw__pg_schema_outbox,
    NULL,
};

/* The claims (lease_claim, deals_due) take the due deals lowest id first: without an
 * index in id order over the runnable ones only, PostgreSQL walks the primary key past
 * every finished deal (0.3 ms at 1,000 of them, 0.03 ms with it). */
static const char *const v2_parts[] = {
    "CREATE INDEX deals_due_id ON deals (id) WHERE runnable = 1 AND parked = 0",
    NULL,
};

static const struct migration migrations[] = {
    {1,
     "leads, accounts, contacts, deals, documents, quotes, approvals, orders, events, audit, "
     "tokens, keys, webhooks, deliveries, mail, slots, bookings, models, model calls, leases, "
     "outbox cursors",
     v1_parts},
    {2, "the runnable deals in id order, for the claims", v2_parts},
};

int dw__pg_schema_version(void) {
    return migrations[DW_ARRAY_SIZE(migrations) - 1].version;
}

static int current_version(struct dw_pg *g, int *ret, struct dw_error *err) {
    PGresult *r = NULL;
    int rc = dw__pg_run(g, "migrate", "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                        NULL, &r, err);
    if (rc < 0)
        return rc;
    *ret = (int)dw__pg_int(r, 0, 0);
    PQclear(r);
    return 0;
}

static int apply(struct dw_pg *g, const struct migration *m, struct dw_error *err) {
    char what[48];
    int r = dw__pg_begin(&g->base, err);
    if (r < 0)
        return r;
    snprintf(what, sizeof what, "migration %d", m->version);
    for (const char *const *part = m->parts; *part && r == 0; part++)
        if (**part)
            r = dw__pg_exec_script(g, what, *part, err);
    if (r == 0) {
        struct dw_pg_params p = {0};
        dw__pg_p_int(&p, m->version);
        dw__pg_p_text(&p, m->description);
        dw__pg_p_time(&p, time(NULL));
        r = dw__pg_run(g, what,
                       "INSERT INTO schema_migrations (version, description, applied_at) "
                       "VALUES ($1, $2, $3)",
                       &p, NULL, err);
    }
    if (r < 0) {
        dw__pg_rollback(&g->base);
        return r;
    }
    return dw__pg_commit(&g->base, err);
}

static int migrate_locked(struct dw_pg *g, struct dw_error *err) {
    int have = 0, r;
    r = dw__pg_exec_script(g, "migrate",
                           "CREATE TABLE IF NOT EXISTS schema_migrations ("
                           "  version integer PRIMARY KEY,"
                           "  description text NOT NULL,"
                           "  applied_at text NOT NULL"
                           ")",
                           err);
    if (r == 0)
        r = current_version(g, &have, err);
    if (r < 0)
        return r;
    if (have > dw__pg_schema_version())
        return dw_error_set(err, -DW_ESTORE,
                            "the database's schema is at version %d, newer than this dealwright "
                            "knows (%d): upgrade dealwright before opening it",
                            have, dw__pg_schema_version());
    for (size_t i = 0; i < DW_ARRAY_SIZE(migrations); i++)
        if (migrations[i].version > have && (r = apply(g, &migrations[i], err)) < 0)
            return r;
    return 0;
}

int dw__pg_migrate(struct dw_pg *g, struct dw_error *err) {
    char sql[160];
    /* wait as long as another process's migration takes; the session lock outlives the
     * migrations' own transactions */
    snprintf(sql, sizeof sql, "SET lock_timeout = 0; SELECT pg_advisory_lock(%d)",
             DW__PG_LOCK_MIGRATE);
    int r = dw__pg_exec_script(g, "migrate", sql, err);
    if (r < 0)
        return r;
    r = migrate_locked(g, err);
    struct dw_error unlock_err = {0};
    snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%d); SET lock_timeout = '%s'",
             DW__PG_LOCK_MIGRATE, DW__PG_LOCK_TIMEOUT);
    int u = dw__pg_exec_script(g, "migrate", sql, &unlock_err);
    if (r == 0 && u < 0) {
        *err = unlock_err;
        r = u;
    }
    return r;
}
