/* store/sqlite — scoring models (score_models): each trained version kept, the latest in
 * use. The statements are prepared per call rather than cached: models are written by a
 * person retraining and read once per engine, far from any hot path. */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"

static int prepare(struct dw_sqlite *q, const char *sql, sqlite3_stmt **ret, struct dw_error *err) {
    int rc = sqlite3_prepare_v2(q->db, sql, -1, ret, NULL);
    return rc == SQLITE_OK ? 0 : dw__sq_error(q, rc, err, "preparing a model statement");
}

int dw__sq_model_insert(struct dw_store *s, const json_t *meta, const void *blob, size_t len,
                        dw_time_t now, int64_t *ret_version, bool *ret_created,
                        struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    const char *hash = dw_json_str(meta, "hash");
    if (!hash || !blob || len == 0 || len > DW__SQ_TEXT_MAX * 16)
        return dw_error_field(err, -DW_EINVAL, "hash", "a model needs a hash and its bytes");
    enum dw__sq_tx mode;
    int r = dw__sq_tx_enter(q, true, &mode, err);
    if (r < 0)
        return r;
    sqlite3_stmt *st = NULL;
    r = prepare(q, "SELECT version, hash FROM score_models ORDER BY version DESC LIMIT 1", &st,
                err);
    int64_t latest = 0;
    bool same = false;
    if (r == 0 && (r = dw__sq_step(q, st, err, "model_insert")) == 1) {
        latest = sqlite3_column_int64(st, 0);
        const char *h = (const char *)sqlite3_column_text(st, 1);
        same = h && strcmp(h, hash) == 0;
        r = 0;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (r == 0 && !same) {
        int rc = SQLITE_OK;
        r = prepare(q,
                    "INSERT INTO score_models (version, hash, meta, model, created_at) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)",
                    &st, err);
        if (r == 0) {
            dw__sq_bind_int(st, 1, latest + 1, &rc);
            dw__sq_bind_text(st, 2, hash, &rc);
            dw__sq_bind_json_canonical(st, 3, meta, &rc);
            if (rc == SQLITE_OK)
                rc = sqlite3_bind_blob64(st, 4, blob, len, SQLITE_STATIC);
            dw__sq_bind_time(st, 5, now, &rc);
            r = rc != SQLITE_OK ? dw__sq_bind_error(rc, err, "model_insert")
                                : dw__sq_exec(q, st, err, "model_insert");
        }
        sqlite3_finalize(st);
    }
    r = dw__sq_tx_leave(q, mode, r, err);
    if (r < 0)
        return r;
    *ret_version = same ? latest : latest + 1;
    *ret_created = !same;
    return 0;
}

int dw__sq_model_get(struct dw_store *s, int64_t version, json_t **ret_meta, char **ret_blob,
                     size_t *ret_len, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    int r = prepare(q,
                    version > 0 ? "SELECT version, meta, model, created_at FROM score_models "
                                  "WHERE version = ?1"
                                : "SELECT version, meta, model, created_at FROM score_models "
                                  "ORDER BY version DESC LIMIT 1",
                    &st, err);
    if (r < 0)
        return r;
    if (version > 0)
        dw__sq_bind_int(st, 1, version, &rc);
    _cleanup_json_ json_t *meta = NULL;
    char *blob = NULL;
    size_t len = 0;
    if (rc != SQLITE_OK) {
        r = dw__sq_bind_error(rc, err, "model_get");
        goto out;
    }
    if ((r = dw__sq_step(q, st, err, "model_get")) < 0)
        goto out;
    if (r == 0) {
        r = version > 0
                ? dw_error_set(err, -DW_ENOENT, "no scoring model version %lld", (long long)version)
                : dw_error_set(err, -DW_ENOENT, "no scoring model has been trained");
        goto out;
    }
    if ((r = dw__sq_col_json(st, 1, &meta, err)) < 0)
        goto out;
    char at[32];
    if (!json_is_object(meta) ||
        dw_json_set(meta, "version", json_integer(sqlite3_column_int64(st, 0))) < 0 ||
        dw_json_set(meta, "created_at",
                    json_string(dw_time_format(dw__sq_col_time(st, 3), at, sizeof at))) < 0) {
        r = dw_error_set(err, -DW_ESTORE, "model_get: the stored meta is not an object");
        goto out;
    }
    if (ret_blob) {
        len = (size_t)sqlite3_column_bytes(st, 2);
        const void *p = sqlite3_column_blob(st, 2);
        blob = malloc(len + 1);
        if (!blob) {
            r = -DW_ENOMEM;
            goto out;
        }
        if (len)
            memcpy(blob, p, len);
        blob[len] = '\0';
        *ret_blob = blob;
        if (ret_len)
            *ret_len = len;
    }
    if (ret_meta)
        *ret_meta = DW_TAKE_PTR(meta);
    r = 0;
out:
    sqlite3_finalize(st);
    return r;
}
