/* store/postgres: worker leases (store.h "worker leases", docs/internals/scale-out.md).
 *
 * deal_leases holds one row per leased deal: owner and until_ms, in milliseconds of the
 * database server's clock (clock_timestamp()), which every worker on every machine shares,
 * so a worker's own clock can neither shorten nor stretch another's lease.
 *
 * Locking, under READ COMMITTED (every hook says which rows it locks, always a deal's row
 * before its lease's, so that two hooks never wait for each other in a circle):
 * - lease_claim locks the due deals it takes with FOR UPDATE OF d SKIP LOCKED: a deal whose
 *   row another transaction holds (a claim in progress, a step running on it) is skipped,
 *   not waited for. Its upsert takes a lease only when the lease row, as last committed, is
 *   expired or the owner's own (ON CONFLICT ... DO UPDATE ... WHERE reads the newest
 *   version): a claim that committed after this statement's snapshot wins.
 * - lease_hold, in the step's transaction, locks the deal's row and then updates its lease
 *   only while the owner still holds it: until that transaction ends, no claim can take the
 *   deal (its row is locked), and a claim that took it first makes the hold answer 0.
 * - lease_renew skips the lease rows a transaction holds (FOR UPDATE SKIP LOCKED): the
 *   owner's own step holds them and extends them itself. It extends the others, and gives
 *   up (deletes) those already expired, which a step of the owner would not hold anyway
 *   once another had taken them; each is counted once.
 */
#include <stdlib.h>
#include <string.h>

#include "store/postgres/pg_internal.h"
#include "store/record.h"

/* now on the database server's clock, in milliseconds since the epoch */
#define NOW_MS "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

const char dw__pg_schema_leases[] =
    /* The deal a control plane (owner "host:pid:n") has claimed, and until when. No row:
     * nobody holds it. */
    "CREATE TABLE deal_leases ("
    "  deal_id bigint PRIMARY KEY,"
    "  owner text NOT NULL,"
    "  until_ms bigint NOT NULL"
    ");"
    "CREATE INDEX deal_leases_owner ON deal_leases (owner);";

static int leases_flush(struct dw_pg *g, struct dw_error *err);

static int cmp_id(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Due as deals_due has it (its partial index deals_due), and nobody else's lease. */
#define DUE                                                                                        \
    "d.runnable = 1 AND d.parked = 0 AND d.next_attempt_at <= $1 AND NOT EXISTS "                  \
    "(SELECT 1 FROM deal_leases l WHERE l.deal_id = d.id AND l.until_ms > " NOW_MS " AND "         \
    "l.owner <> $2)"
#define TAKE                                                                                       \
    "INSERT INTO deal_leases (deal_id, owner, until_ms) SELECT id, $2, " NOW_MS " + $3 FROM due "  \
    "ON CONFLICT (deal_id) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms "    \
    "WHERE deal_leases.until_ms <= " NOW_MS " OR deal_leases.owner = excluded.owner "              \
    "RETURNING deal_id"

static int pg_lease_claim(struct dw_store *s, dw_time_t now, const char *owner, int lease_ms,
                          int64_t only_deal, int64_t *ids, int max, struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    int r = dw__store_lease_input(owner, lease_ms, err);
    if (r < 0 || max <= 0)
        return r;
    if (g->in_tx)
        return dw_error_set(err, -DW_ESTATE, "lease_claim: in a transaction of its own only");
    struct dw_pg_params p = {0};
    dw__pg_p_time(&p, now);
    dw__pg_p_text(&p, owner);
    dw__pg_p_int(&p, lease_ms);
    dw__pg_p_int(&p, max);
    PGresult *res = NULL;
    /* one statement: its own transaction */
    if (only_deal > 0) {
        dw__pg_p_int(&p, only_deal);
        r = dw__pg_run(g, "lease_claim",
                       "WITH due AS (SELECT d.id FROM deals d WHERE d.id = $5 AND " DUE
                       " LIMIT $4 FOR UPDATE OF d SKIP LOCKED) " TAKE,
                       &p, &res, err);
    } else {
        r = dw__pg_run(g, "lease_claim",
                       "WITH due AS (SELECT d.id FROM deals d WHERE " DUE
                       " ORDER BY d.id LIMIT $4 FOR UPDATE OF d SKIP LOCKED) " TAKE,
                       &p, &res, err);
    }
    if (r < 0)
        return r;
    int n = PQntuples(res);
    if (n > max)
        n = max;
    for (int i = 0; i < n; i++)
        ids[i] = dw__pg_int(res, i, 0);
    PQclear(res);
    qsort(ids, (size_t)n, sizeof *ids, cmp_id); /* lowest first, as the steps lock them */
    return n;
}

static int pg_lease_hold(struct dw_store *s, const char *owner, int64_t deal_id, int lease_ms,
                         struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    int r = dw__store_lease_input(owner, lease_ms, err);
    if (r < 0)
        return r;
    if (!g->in_tx || g->read_only)
        return dw_error_set(err, -DW_ESTATE, "lease_hold: inside the step's transaction only");
    for (size_t i = 0; i < g->n_rel; i++) /* released in this transaction, then held again */
        if (g->rel_ids[i] == deal_id && (r = leases_flush(g, err)) < 0)
            return r;
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, deal_id);
    dw__pg_p_text(&p, owner);
    dw__pg_p_int(&p, lease_ms);
    PGresult *res = NULL;
    /* the deal's row first (as a claim locks it), then its lease while it is still ours;
     * the row, locked, is kept for the step's deal_get (dw__pg_deal_keep), which then reads
     * nothing */
    r = dw__pg_run(g, "lease_hold",
                   "WITH d AS (SELECT " DW__PG_DEAL_COLS " FROM deals WHERE id = $1 FOR UPDATE), "
                   "u AS (UPDATE deal_leases SET until_ms = " NOW_MS " + $3 "
                   "WHERE deal_id = (SELECT id FROM d) AND owner = $2 RETURNING deal_id) "
                   "SELECT d.*, (SELECT count(*) FROM u) AS held FROM d",
                   &p, &res, err);
    if (r < 0)
        return r;
    int held = PQntuples(res) == 1 && dw__pg_int(res, 0, 13) == 1;
    struct dw_deal_rec d;
    if (held && dw__pg_deal_row(res, 0, &d, NULL) == 0)
        dw__pg_deal_keep(g, &d);
    PQclear(res);
    return held;
}

/* Releases in a write transaction outside any savepoint (the control plane's, after each
 * deal of its batch) wait for the commit, which deletes them all in one statement in its
 * own round trip (dw__pg_leases_at_commit): the lease and the deal's steps still end in the
 * same commit, and a rollback keeps the lease, as the DELETE rolled back would. Inside a
 * savepoint, which a rollback to it would have to undo, a release runs at once; so does
 * one of another owner's (the kept ones are sent first). */
static const char sql_release_many[] =
    "DELETE FROM deal_leases WHERE owner = $1 AND deal_id = ANY ($2::bigint[])";

/* A parameter the set owns (dw__pg_params_free frees it); NULL: out of memory. */
static void p_owned(struct dw_pg_params *p, char *v) {
    if (p->rc || !v || p->n >= DW__PG_MAX_PARAMS) {
        free(v);
        if (!p->rc)
            p->rc = -DW_ENOMEM;
        return;
    }
    p->owned[p->n] = v;
    p->v[p->n++] = v;
}

const char *dw__pg_leases_at_commit(struct dw_pg *g, struct dw_pg_params *p) {
    if (!g->n_rel || !g->rel_owner)
        return NULL;
    size_t size = g->n_rel * 21 + 3, used = 0;
    char *ids = malloc(size);
    if (ids) {
        ids[used++] = '{';
        for (size_t i = 0; i < g->n_rel; i++)
            used += (size_t)snprintf(ids + used, size - used, "%s%lld", i ? "," : "",
                                     (long long)g->rel_ids[i]);
        snprintf(ids + used, size - used, "}");
    }
    p_owned(p, g->rel_owner);
    g->rel_owner = NULL;
    p_owned(p, ids);
    dw__pg_leases_forget(g); /* sent with the commit, or the transaction is gone */
    return sql_release_many;
}

void dw__pg_leases_forget(struct dw_pg *g) {
    free(g->rel_owner);
    g->rel_owner = NULL;
    g->n_rel = 0;
}

/* Send the kept releases now (a lease statement that must see them). */
static int leases_flush(struct dw_pg *g, struct dw_error *err) {
    struct dw_pg_params p = {0};
    const char *sql = dw__pg_leases_at_commit(g, &p);
    return sql ? dw__pg_run(g, "lease_release", sql, &p, NULL, err) : 0;
}

static int pg_lease_release(struct dw_store *s, const char *owner, int64_t deal_id,
                            struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    int r = dw__store_lease_input(owner, 1, err);
    if (r < 0)
        return r;
    if (g->n_rel && (!deal_id || strcmp(g->rel_owner, owner) != 0) &&
        (r = leases_flush(g, err)) < 0)
        return r;
    if (deal_id && g->in_tx && !g->read_only && g->sp_depth == 0) {
        if (g->n_rel == g->cap_rel) {
            size_t cap = g->cap_rel ? g->cap_rel * 2 : 64;
            int64_t *v = realloc(g->rel_ids, cap * sizeof *v);
            if (!v)
                return dw__store_oom(err);
            g->rel_ids = v;
            g->cap_rel = cap;
        }
        if (!g->rel_owner && !(g->rel_owner = strdup(owner)))
            return dw__store_oom(err);
        g->rel_ids[g->n_rel++] = deal_id;
        return 0;
    }
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, owner);
    if (!deal_id)
        return dw__pg_run(g, "lease_release", "DELETE FROM deal_leases WHERE owner = $1", &p, NULL,
                          err);
    dw__pg_p_int(&p, deal_id);
    return dw__pg_run(g, "lease_release",
                      "DELETE FROM deal_leases WHERE owner = $1 AND deal_id = $2", &p, NULL, err);
}

static int pg_lease_renew(struct dw_store *s, const char *owner, int lease_ms, int64_t *ret_held,
                          int64_t *ret_lost, struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    int r = dw__store_lease_input(owner, lease_ms, err);
    if (r < 0 || (g->n_rel && (r = leases_flush(g, err)) < 0))
        return r;
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, owner);
    dw__pg_p_int(&p, lease_ms);
    PGresult *res = NULL;
    /* only the rows no transaction holds: a step in progress holds its deal's lease and
     * extends it itself; an expired one nobody holds is given up */
    r = dw__pg_run(g, "lease_renew",
                   "WITH mine AS (SELECT deal_id, until_ms > " NOW_MS " AS live FROM deal_leases "
                   "WHERE owner = $1 FOR UPDATE SKIP LOCKED), "
                   "renewed AS (UPDATE deal_leases l SET until_ms = " NOW_MS " + $2 FROM mine "
                   "WHERE l.deal_id = mine.deal_id AND mine.live RETURNING 1), "
                   "dropped AS (DELETE FROM deal_leases l USING mine WHERE "
                   "l.deal_id = mine.deal_id AND NOT mine.live RETURNING 1) "
                   "SELECT (SELECT count(*) FROM renewed), (SELECT count(*) FROM dropped)",
                   &p, &res, err);
    if (r < 0)
        return r;
    if (ret_held)
        *ret_held = dw__pg_int(res, 0, 0);
    if (ret_lost)
        *ret_lost = dw__pg_int(res, 0, 1);
    PQclear(res);
    return 0;
}

void dw__pg_ops_leases(struct dw_store_ops *o) {
    o->lease_claim = pg_lease_claim;
    o->lease_hold = pg_lease_hold;
    o->lease_release = pg_lease_release;
    o->lease_renew = pg_lease_renew;
    /* a store that servers and workers on many machines share: every control plane leases */
    o->many_workers = true;
}
