/* store/postgres — scoring models (score_models), as sqlite_models.c: each trained version
 * kept, the latest in use, the model's bytes as bytea. Two processes storing a model at once
 * would both read the same latest version; the table lock (SHARE ROW EXCLUSIVE conflicts
 * with itself, not with readers) makes the second wait for the first and then see its row.
 * Models are written by a person retraining, far from any hot path. */
#include <stdlib.h>
#include <string.h>

#include "store/postgres/pg_misc.h"

/* The largest model stored, as on SQLite. */
#define DW__PGM_MODEL_MAX ((size_t)256 << 20)

/* The latest version and whether its hash is hash, under the table lock. */
static int latest(struct dw_pg *g, const char *hash, int64_t *ret_version, bool *ret_same,
                  struct dw_error *err) {
    int r =
        dw__pg_exec_count(g, false, "model_insert",
                          "LOCK TABLE score_models IN SHARE ROW EXCLUSIVE MODE", NULL, NULL, err);
    if (r < 0)
        return r;
    PGresult *res = NULL;
    r = dw__pg_run(g, "model_insert",
                   "SELECT version, hash FROM score_models ORDER BY version DESC LIMIT 1", NULL,
                   &res, err);
    if (r < 0)
        return r;
    *ret_version = 0;
    *ret_same = false;
    if (PQntuples(res)) {
        *ret_version = dw__pg_int(res, 0, 0);
        const char *h = dw__pg_text(res, 0, 1);
        *ret_same = h && strcmp(h, hash) == 0;
    }
    PQclear(res);
    return 0;
}

int dw__pgm_model_insert(struct dw_store *s, const json_t *meta, const void *blob, size_t len,
                         dw_time_t now, int64_t *ret_version, bool *ret_created,
                         struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    const char *hash = dw_json_str(meta, "hash");
    if (!hash || !blob || len == 0 || len > DW__PGM_MODEL_MAX)
        return dw_error_field(err, -DW_EINVAL, "hash", "a model needs a hash and its bytes");
    enum dw__pg_tx mode;
    int r = dw__pg_tx_enter(g, true, &mode, err);
    if (r < 0)
        return r;
    int64_t version = 0;
    bool same = false;
    r = latest(g, hash, &version, &same, err);
    if (r == 0 && !same) {
        struct dw_pg_params p = {0};
        dw__pg_p_int(&p, version + 1);
        dw__pg_p_text(&p, hash);
        dw__pg_p_json_canonical(&p, meta);
        dw__pgm_p_bytea(&p, blob, len, DW__PGM_MODEL_MAX);
        dw__pg_p_time(&p, now);
        r = dw__pg_exec_count(g, false, "model_insert",
                              "INSERT INTO score_models (version, hash, meta, model, created_at) "
                              "VALUES ($1, $2, $3, $4, $5)",
                              &p, NULL, err);
    }
    r = dw__pg_tx_leave(g, mode, r, err);
    if (r < 0)
        return r;
    *ret_version = same ? version : version + 1;
    *ret_created = !same;
    return 0;
}

/* Row 0 of res (version, meta, model, created_at) into the caller's results. */
static int model_of(const PGresult *res, json_t **ret_meta, char **ret_blob, size_t *ret_len,
                    struct dw_error *err) {
    _cleanup_json_ json_t *meta = NULL;
    int r = dw__pg_json(res, 0, 1, &meta, err);
    if (r < 0)
        return r;
    char at[32];
    if (!json_is_object(meta) ||
        dw_json_set(meta, "version", json_integer(dw__pg_int(res, 0, 0))) < 0 ||
        dw_json_set(meta, "created_at",
                    json_string(dw_time_format(dw__pg_time(res, 0, 3), at, sizeof at))) < 0)
        return dw_error_set(err, -DW_ESTORE, "model_get: the stored meta is not an object");
    if (ret_blob) {
        size_t len = 0;
        unsigned char *bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 2), &len);
        if (!bytes)
            return dw_error_set(err, -DW_ENOMEM, "model_get: out of memory");
        char *blob = malloc(len + 1);
        if (!blob) {
            PQfreemem(bytes);
            return dw_error_set(err, -DW_ENOMEM, "model_get: out of memory");
        }
        if (len)
            memcpy(blob, bytes, len);
        blob[len] = '\0';
        PQfreemem(bytes);
        *ret_blob = blob;
        if (ret_len)
            *ret_len = len;
    }
    if (ret_meta)
        *ret_meta = DW_TAKE_PTR(meta);
    return 0;
}

int dw__pgm_model_get(struct dw_store *s, int64_t version, json_t **ret_meta, char **ret_blob,
                      size_t *ret_len, struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    PGresult *res = NULL;
    int r;
    if (version > 0) {
        struct dw_pg_params p = {0};
        dw__pg_p_int(&p, version);
        r = dw__pg_run(g, "model_get",
                       "SELECT version, meta, model, created_at FROM score_models "
                       "WHERE version = $1",
                       &p, &res, err);
    } else {
        r = dw__pg_run(g, "model_get",
                       "SELECT version, meta, model, created_at FROM score_models "
                       "ORDER BY version DESC LIMIT 1",
                       NULL, &res, err);
    }
    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        r = version > 0
                ? dw_error_set(err, -DW_ENOENT, "no scoring model version %lld", (long long)version)
                : dw_error_set(err, -DW_ENOENT, "no scoring model has been trained");
    else
        r = model_of(res, ret_meta, ret_blob, ret_len, err);
    PQclear(res);
    return r;
}
