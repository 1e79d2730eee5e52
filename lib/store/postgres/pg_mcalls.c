/* store/postgres — the model-call journal (model_calls, model_verdicts), as
 * sqlite_mcalls.c (docs/internals/models.md "Journal").
 *
 * An entry must be durable before its answer is used and outlive the step that asked for it
 * failing or its process being killed, so that the step's re-run finds the answer it has
 * already paid for. The step runs inside the control plane's transaction on the store's
 * connection, where an entry would vanish with the step. SQLite keeps the journal in a file
 * of its own for that; here the tables are in the same database and every hook of the
 * journal runs on the second connection (dw__pg_run_journal), in autocommit: an append or a
 * verdict is committed when the hook returns, whatever the store's connection has open,
 * and the reads see every process's committed entries at once (the budgets and the circuit
 * breaker are shared by all workers). The purge runs there too, as on SQLite.
 *
 * Append-only but for the purge: the schema refuses an UPDATE (pg_misc.c).
 */
#include "store/postgres/pg_misc.h"

int dw__pgm_mcall_append(struct dw_store *s, const json_t *rec, dw_time_t now, int64_t *ret_id,
                         struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, dw_json_str(rec, "key"));
    dw__pg_p_time(&p, now);
    dw__pg_p_int(&p, (int64_t)now);
    dw__pg_p_id(&p, dw_json_int(rec, "deal_id", 0));
    static const char *const text[] = {"agent",         "task",     "prompt",
                                       "template_hash", "provider", "model"};
    for (int i = 0; i < 6; i++)
        dw__pg_p_text(&p, dw_json_str(rec, text[i]));
    const json_t *req = json_object_get(rec, "request"), *resp = json_object_get(rec, "response");
    dw__pg_p_json(&p, req);
    dw__pg_p_json(&p, json_is_null(resp) ? NULL : resp);
    dw__pg_p_text(&p, dw_json_str(rec, "outcome") ? dw_json_str(rec, "outcome") : "failed");
    dw__pg_p_text(&p, dw_json_str(rec, "why"));
    static const char *const ints[] = {"tokens_in", "tokens_out", "latency_ms", "attempts"};
    for (int i = 0; i < 4; i++)
        dw__pg_p_int(&p, dw_json_int(rec, ints[i], 0));
    const json_t *flags = json_object_get(rec, "flags");
    dw__pg_p_json(&p, json_array_size(flags) ? flags : NULL);
    dw__pg_p_bool(&p, json_is_true(json_object_get(rec, "fallback")));
    dw__pg_p_int(&p, dw_json_int(rec, "wall_ms", 0));
    PGresult *res = NULL;
    int r = dw__pg_run_journal(
        dw__pg(s), "model journal: append",
        "INSERT INTO model_calls (key, at, at_s, deal_id, agent, task, prompt, template_hash, "
        "provider, model, request, response, outcome, why, tokens_in, tokens_out, latency_ms, "
        "attempts, flags, fallback, wall_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
        "$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id",
        &p, &res, err);
    if (r < 0)
        return r;
    if (ret_id)
        *ret_id = dw__pg_int(res, 0, 0);
    PQclear(res);
    return 0;
}

#define DW__PGM_MC_COLS                                                                            \
    "id, key, at, deal_id, agent, task, prompt, template_hash, provider, model, "                  \
    "request AS \"request:json\", response AS \"response:json\", outcome, why, tokens_in, "        \
    "tokens_out, latency_ms, attempts, flags AS \"flags:json\", fallback AS \"fallback:bool\""

int dw__pgm_mcall_find(struct dw_store *s, const char *key, json_t **ret, struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, key);
    PGresult *res = NULL;
    /* only answers that came back are replayed; a failure is tried again */
    int r = dw__pg_run_journal(dw__pg(s), "model journal: find",
                               "SELECT " DW__PGM_MC_COLS " FROM model_calls WHERE key = $1 AND "
                               "outcome IN ('ok', 'refused', 'invalid') ORDER BY id DESC LIMIT 1",
                               &p, &res, err);
    if (r < 0)
        return r;
    r = PQntuples(res) ? dw__pg_row(res, 0, ret, err) : -DW_ENOENT;
    PQclear(res);
    return r;
}

int dw__pgm_mcall_verdict(struct dw_store *s, int64_t id, const char *verdict, const json_t *detail,
                          dw_time_t now, struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    struct dw_pg_params p = {0};
    int64_t changes = 0;
    dw__pg_p_int(&p, id);
    dw__pg_p_time(&p, now);
    dw__pg_p_text(&p, verdict);
    dw__pg_p_json(&p, detail);
    /* a step re-run on a replayed answer gives the same verdict again: kept once (the
     * unique index model_verdicts_once) */
    int r =
        dw__pg_exec_count(g, true, "model journal: verdict",
                          "INSERT INTO model_verdicts (call_id, at, verdict, detail) "
                          "SELECT id, $2::text, $3::text, $4::text FROM model_calls WHERE id = $1 "
                          "ON CONFLICT DO NOTHING",
                          &p, &changes, err);
    if (r < 0 || changes > 0)
        return r;
    p = (struct dw_pg_params){0};
    dw__pg_p_int(&p, id);
    PGresult *res = NULL;
    if ((r = dw__pg_run_journal(g, "model journal: verdict",
                                "SELECT 1 FROM model_calls WHERE id = $1", &p, &res, err)) < 0)
        return r;
    if (PQntuples(res) == 0)
        r = dw_error_set(err, -DW_ENOENT, "no model call %lld in the journal", (long long)id);
    PQclear(res);
    return r;
}

int dw__pgm_mcalls_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret,
                            struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, deal_id);
    return dw__pg_rows_of(dw__pg(s), true, "model journal: read",
                          "SELECT " DW__PGM_MC_COLS ", COALESCE((SELECT json_agg(json_build_object("
                          "'at', v.at, 'verdict', v.verdict, 'detail', v.detail::json) ORDER BY "
                          "v.id) FROM model_verdicts v WHERE v.call_id = c.id), '[]'::json) AS "
                          "\"verdicts:json\" FROM model_calls c WHERE deal_id = $1 ORDER BY id",
                          &p, ret, err);
}

int dw__pgm_mcall_tokens(struct dw_store *s, int64_t deal_id, dw_time_t since, int64_t *ret,
                         struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, deal_id);
    dw__pg_p_int(&p, (int64_t)since);
    PGresult *res = NULL;
    *ret = 0;
    int r = dw__pg_run_journal(dw__pg(s), "model journal: tokens",
                               "SELECT COALESCE(SUM(tokens_in + tokens_out), 0)::bigint FROM "
                               "model_calls WHERE ($1::bigint = 0 OR deal_id = $1) AND at_s >= $2",
                               &p, &res, err);
    if (r < 0)
        return r;
    *ret = dw__pg_int(res, 0, 0);
    PQclear(res);
    return 0;
}

int dw__pgm_mcall_recent(struct dw_store *s, const char *provider, int n, json_t **ret,
                         struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, provider);
    dw__pgm_p_limit(&p, n);
    /* skips (budget, breaker) say nothing of the provider's health */
    return dw__pg_rows_of(dw__pg(s), true, "model journal: read",
                          "SELECT outcome, wall_ms FROM model_calls WHERE provider = $1 AND "
                          "outcome NOT IN ('budget', 'breaker') ORDER BY id DESC LIMIT $2",
                          &p, ret, err);
}

int dw__pgm_mcalls_purge(struct dw_store *s, int64_t deal_id, int64_t *ret_n,
                         struct dw_error *err) {
    struct dw_pg_params p = {0};
    int64_t n = 0;
    if (ret_n)
        *ret_n = 0;
    dw__pg_p_int(&p, deal_id);
    int r = dw__pg_exec_count(dw__pg(s), true, "model journal: purge",
                              "DELETE FROM model_calls WHERE deal_id = $1", &p, &n, err);
    if (r == 0 && ret_n)
        *ret_n = n;
    return r;
}

int dw__pgm_mcall_stats(struct dw_store *s, json_t **ret, struct dw_error *err) {
    /* latency buckets (ms, cumulative as Prometheus wants them); the order SQLite gives
     * (NULL first, bytewise) */
    return dw__pg_rows_of(
        dw__pg(s), true, "model journal: read",
        "SELECT provider, model, task, outcome, COUNT(*) AS calls, "
        "SUM(tokens_in)::bigint AS tokens_in, SUM(tokens_out)::bigint AS tokens_out, "
        "SUM(latency_ms)::bigint AS latency_ms_sum, SUM(fallback)::bigint AS fallbacks, "
        "COUNT(*) FILTER (WHERE latency_ms <= 100) AS le_100, "
        "COUNT(*) FILTER (WHERE latency_ms <= 250) AS le_250, "
        "COUNT(*) FILTER (WHERE latency_ms <= 500) AS le_500, "
        "COUNT(*) FILTER (WHERE latency_ms <= 1000) AS le_1000, "
        "COUNT(*) FILTER (WHERE latency_ms <= 2500) AS le_2500, "
        "COUNT(*) FILTER (WHERE latency_ms <= 5000) AS le_5000, "
        "COUNT(*) FILTER (WHERE latency_ms <= 10000) AS le_10000, "
        "COUNT(*) FILTER (WHERE latency_ms <= 30000) AS le_30000 "
        "FROM model_calls GROUP BY provider, model, task, outcome "
        "ORDER BY provider COLLATE \"C\" NULLS FIRST, model COLLATE \"C\" NULLS FIRST, "
        "task COLLATE \"C\", outcome COLLATE \"C\"",
        NULL, ret, err);
}
