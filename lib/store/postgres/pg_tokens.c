/* store/postgres — API tokens (api_tokens) and the store's keys (store_keys), as
 * sqlite_tokens.c. A token row holds the SHA-256 of the secret, never the secret. */
#include <string.h>

#include "store/postgres/pg_misc.h"

int dw__pgm_token_insert(struct dw_store *s, const char *user, const char *role, const char *hash,
                         const char *prefix, dw_time_t now, int64_t *ret_id, struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    if (!user || !*user || !role || !*role || !hash || !prefix)
        return dw_error_field(err, -DW_EINVAL, "user", "a token needs a user, a role and a hash");
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, user);
    dw__pg_p_text(&p, role);
    dw__pg_p_text(&p, hash);
    dw__pg_p_text(&p, prefix);
    dw__pg_p_time(&p, now);
    /* a hash already stored is answered without an error, which would abort the caller's
     * transaction */
    PGresult *res = NULL;
    int r = dw__pg_run(g, "token_insert",
                       "INSERT INTO api_tokens (\"user\", role, hash, prefix, created_at) "
                       "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING RETURNING id",
                       &p, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        r = dw_error_set(err, -DW_EEXIST, "token_insert: a token with that hash exists");
    else
        *ret_id = dw__pg_int(res, 0, 0);
    PQclear(res);
    return r;
}

int dw__pgm_token_find(struct dw_store *s, const char *hash, json_t **ret, struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, hash);
    PGresult *res = NULL;
    int r = dw__pg_run(dw__pg(s), "token_find",
                       "SELECT id, \"user\", role FROM api_tokens "
                       "WHERE hash = $1 AND revoked_at IS NULL",
                       &p, &res, err);
    if (r < 0)
        return r;
    r = PQntuples(res) ? dw__pg_row(res, 0, ret, err)
                       : dw_error_set(err, -DW_ENOENT, "no such token");
    PQclear(res);
    return r;
}

int dw__pgm_tokens_list(struct dw_store *s, json_t **ret, struct dw_error *err) {
    return dw__pg_rows_of(
        dw__pg(s), false, "tokens_list",
        "SELECT id, \"user\", role, prefix, created_at, revoked_at FROM api_tokens "
        "ORDER BY id",
        NULL, ret, err);
}

int dw__pgm_token_revoke(struct dw_store *s, int64_t id, dw_time_t now, struct dw_error *err) {
    struct dw_pg_params p = {0};
    int64_t changes = 0;
    dw__pg_p_int(&p, id);
    dw__pg_p_time(&p, now);
    int r = dw__pg_exec_count(
        dw__pg(s), false, "token_revoke",
        "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", &p, &changes,
        err);
    if (r == 0 && changes == 0)
        r = dw_error_set(err, -DW_ENOENT, "no token %lld that is not revoked", (long long)id);
    return r;
}

/* The stored key of name into ret_key: 1 when there is one, 0 when there is none. */
static int key_read(struct dw_pg *g, const char *name, size_t len, void *ret_key,
                    struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, name);
    PGresult *res = NULL;
    int r = dw__pg_run_journal(g, "key_get", "SELECT key FROM store_keys WHERE name = $1", &p, &res,
                               err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return 0;
    }
    size_t n = 0;
    unsigned char *key = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 0), &n);
    PQclear(res);
    if (!key)
        return dw_error_set(err, -DW_ENOMEM, "key_get: out of memory");
    r = 1;
    if (n != len)
        r = dw_error_set(err, -DW_ESTORE, "the store's key '%s' is missing or damaged", name);
    else
        memcpy(ret_key, key, len);
    explicit_bzero(key, n);
    PQfreemem(key);
    return r;
}

/* A key of the store: the one stored under name, else `fresh` stored as it. On the journal
 * connection, in autocommit: the key is committed before anyone uses it, whatever the
 * store's connection has open (a snapshot cannot write; a transaction that rolled back
 * would take with it a key already used to sign a link). The first writer wins across
 * processes: INSERT ... ON CONFLICT DO NOTHING, then everyone reads what is stored. */
int dw__pgm_key_get(struct dw_store *s, const char *name, const void *fresh, size_t len,
                    dw_time_t now, void *ret_key, struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    int r = key_read(g, name, len, ret_key, err);
    if (r != 0)
        return r < 0 ? r : 0;
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, name);
    dw__pgm_p_bytea(&p, fresh, len, 4096);
    dw__pg_p_time(&p, now);
    r = dw__pg_exec_count(g, true, "key_get",
                          "INSERT INTO store_keys (name, key, created_at) VALUES ($1, $2, $3) "
                          "ON CONFLICT (name) DO NOTHING",
                          &p, NULL, err);
    if (r < 0)
        return r;
    r = key_read(g, name, len, ret_key, err);
    if (r == 0)
        r = dw_error_set(err, -DW_ESTORE, "the store's key '%s' is missing or damaged", name);
    return r < 0 ? r : 0;
}
