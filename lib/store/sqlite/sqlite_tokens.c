/* store/sqlite — API tokens (api_tokens) and reading the event log from a position (for the
 * server's event stream). A token row holds the SHA-256 of the secret, never the secret. */
#include <string.h>

#include "sqlite_internal.h"

int dw__sq_token_insert(struct dw_store *s, const char *user, const char *role, const char *hash,
                        const char *prefix, dw_time_t now, int64_t *ret_id, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    if (!user || !*user || !role || !*role || !hash || !prefix)
        return dw_error_field(err, -DW_EINVAL, "user", "a token needs a user, a role and a hash");
    int r = dw__sq_stmt(q, DW__SQ_TOKEN_INSERT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_text(st, 1, user, &rc);
    dw__sq_bind_text(st, 2, role, &rc);
    dw__sq_bind_text(st, 3, hash, &rc);
    dw__sq_bind_text(st, 4, prefix, &rc);
    dw__sq_bind_time(st, 5, now, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "token_insert");
    if ((r = dw__sq_exec(q, st, err, "token_insert")) < 0)
        return r;
    *ret_id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

int dw__sq_token_find(struct dw_store *s, const char *hash, json_t **ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_TOKEN_FIND, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_text(st, 1, hash, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "token_find");
    if ((r = dw__sq_step(q, st, err, "token_find")) < 0)
        return r;
    if (r == 0)
        return dw_error_set(err, -DW_ENOENT, "no such token");
    return dw__sq_row(st, ret, err);
}

int dw__sq_tokens_list(struct dw_store *s, json_t **ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int r = dw__sq_stmt(q, DW__SQ_TOKENS_LIST, &st, err);
    if (r < 0)
        return r;
    return dw__sq_rows(q, st, ret, err, "tokens_list");
}

int dw__sq_token_revoke(struct dw_store *s, int64_t id, dw_time_t now, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_TOKEN_REVOKE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, id, &rc);
    dw__sq_bind_time(st, 2, now, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "token_revoke");
    if ((r = dw__sq_exec(q, st, err, "token_revoke")) < 0)
        return r;
    if (sqlite3_changes(q->db) == 0)
        return dw_error_set(err, -DW_ENOENT, "no token %lld that is not revoked", (long long)id);
    return 0;
}

int dw__sq_events_since(struct dw_store *s, int64_t after_seq, int max, json_t **ret,
                        struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = dw__sq_stmt(q, DW__SQ_EVENTS_SINCE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, after_seq < 0 ? 0 : after_seq, &rc);
    dw__sq_bind_int(st, 2, max < 1 ? 1 : max, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "events_since");
    return dw__sq_rows(q, st, ret, err, "events_since");
}

/* A key of the store: the one stored under name, else `fresh` stored as it (the first
 * writer wins; every later caller gets the same bytes). */
int dw__sq_key_get(struct dw_store *s, const char *name, const void *fresh, size_t len,
                   dw_time_t now, void *ret_key, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    int rc = SQLITE_OK, r;
    {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if ((r = dw__sq_stmt(q, DW__SQ_KEY_ADD, &st, err)) < 0)
            return r;
        dw__sq_bind_text(st, 1, name, &rc);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_blob(st, 2, fresh, (int)len, SQLITE_TRANSIENT);
        dw__sq_bind_time(st, 3, now, &rc);
        if (rc != SQLITE_OK)
            return dw__sq_bind_error(rc, err, "key_get");
        if ((r = dw__sq_exec(q, st, err, "key_get")) < 0)
            return r;
    }
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if ((r = dw__sq_stmt(q, DW__SQ_KEY_GET, &st, err)) < 0)
        return r;
    dw__sq_bind_text(st, 1, name, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "key_get");
    if ((r = dw__sq_step(q, st, err, "key_get")) < 0)
        return r;
    if (r == 0 || sqlite3_column_bytes(st, 0) != (int)len)
        return dw_error_set(err, -DW_ESTORE, "the store's key '%s' is missing or damaged", name);
    memcpy(ret_key, sqlite3_column_blob(st, 0), len);
    return 0;
}
