/* Predictive scoring operations: train from a CSV deal history into the store, cross-
 * validate, show; and the engine's cache of the latest model, which the gateway hands to
 * the qualification agent (tool score_model).
 *
 * Training runs outside any transaction (it can take seconds); only storing the result is
 * one, so a slow training never holds the store's write lock.
 */
#include <stdlib.h>
#include <string.h>

#include "control/internal.h"
#include "engines/score.h"

static int load_data(const struct dw_score_csv *in, struct dw_score_data **ret,
                     struct dw_error *err) {
    if (!in || !in->path || !in->target || !in->positive)
        return dw_error_set(err, -DW_EINVAL,
                            "scoring needs a CSV file, a target column and "
                            "the value that counts as won");
    _cleanup_free_ char *data = NULL;
    size_t len = 0;
    int r = dw_read_file(in->path, DW_CSV_MAX_BYTES, &data, &len, err);
    if (r < 0)
        return r;
    struct dw_csv *t = NULL;
    if ((r = dw_csv_parse(in->path, data, len, in->delimiter, &t, err)) < 0)
        return r;
    struct dw_score_spec spec = {.target = in->target,
                                 .positive = in->positive,
                                 .exclude = in->exclude,
                                 .n_exclude = in->n_exclude};
    r = dw_score_data_from_csv(t, in->path, &spec, ret, err);
    dw_csv_free(t);
    return r;
}

/* The defaults, with what the caller set, for data of d's size. */
static int params_for(const struct dw_score_csv *in, const struct dw_score_data *d,
                      struct dw_score_params *p, struct dw_error *err) {
    dw_score_params_default(p);
    double mcw = (double)(d->n_rows / 2000);
    p->min_child_weight = mcw < 1 ? 1 : mcw > 20 ? 20 : mcw;
    /* A few hundred deals support shallow trees only; depth 3 scores as well there and its
     * exact contributions cost a tenth of depth 5's at every qualification. */
    if (d->n_rows < 10000)
        p->max_depth = 3;
    /* On a small table OpenMP's barriers cost more than a second thread gains (on a busy
     * machine, hundreds of times more): one thread below a million cells. */
    p->nthread = in->threads ? in->threads : d->n_rows * d->n_features < 1000000 ? 1 : 2;
    if (in->rounds)
        p->rounds = in->rounds;
    if (in->max_depth)
        p->max_depth = in->max_depth;
    if (in->eta)
        p->eta = in->eta;
    if (in->min_child_weight)
        p->min_child_weight = in->min_child_weight;
    if (in->subsample)
        p->subsample = in->subsample;
    if (in->colsample_bytree)
        p->colsample_bytree = in->colsample_bytree;
    return dw_score_params_check(p, err);
}

int dw_score_eval_csv(const struct dw_score_csv *in, int folds, json_t **ret,
                      struct dw_error *err) {
    int r = dw_base_init();
    if (r < 0)
        return dw_error_set(err, r, "cannot initialise the crypto library");
    struct dw_score_data *d = NULL;
    if ((r = load_data(in, &d, err)) < 0)
        return r;
    struct dw_score_params p;
    if ((r = params_for(in, d, &p, err)) >= 0)
        r = dw_score_cv(d, &p, folds ? folds : 10, p.seed, ret, err);
    dw_score_data_free(d);
    return r;
}

int dw_score_train_csv(struct dw_engine *e, const struct dw_score_csv *in, json_t **ret,
                       struct dw_error *err) {
    int64_t t0 = dw_monotonic_us();
    struct dw_score_data *d = NULL;
    struct dw_score_model *m = NULL;
    _cleanup_free_ char *blob = NULL;
    size_t len = 0;
    int r = load_data(in, &d, err);
    if (r < 0)
        return r;
    struct dw_score_params p;
    if ((r = params_for(in, d, &p, err)) < 0 || (r = dw_score_train(d, &p, &m, err)) < 0 ||
        (r = dw_score_model_save(m, &blob, &len, err)) < 0)
        goto out;
    const json_t *meta = dw_score_model_meta(m);
    int64_t version = 0;
    bool created = false;
    if ((r = dw__txn_begin(e, err)) < 0)
        goto out;
    r = e->store->ops->model_insert(e->store, meta, blob, len, dw__now(e), &version, &created, err);
    if (r >= 0 && created)
        r = dw__audit(e, 0, "score", "score.train",
                      json_pack("{s:I,s:s,s:s,s:O,s:O}", "version", (json_int_t)version, "hash",
                                dw_json_str(meta, "hash"), "data_hash",
                                dw_json_str(meta, "data_hash"), "rows",
                                json_object_get(meta, "rows"), "positives",
                                json_object_get(meta, "positives")),
                      err);
    if ((r = dw__txn_end(e, r, err)) < 0)
        goto out;
    double secs = (double)(dw_monotonic_us() - t0) / 1e6;
    *ret = json_pack(
        "{s:I,s:b,s:s,s:O,s:O,s:O,s:I,s:O,s:f}", "version", (json_int_t)version, "created", created,
        "hash", dw_json_str(meta, "hash"), "rows", json_object_get(meta, "rows"), "positives",
        json_object_get(meta, "positives"), "features", json_object_get(meta, "features"),
        "columns",
        (json_int_t)json_array_size(json_object_get(json_object_get(meta, "schema"), "columns")),
        "train_auc", json_object_get(meta, "train_auc"), "seconds",
        (double)(int64_t)(secs * 100) / 100);
    r = *ret ? 0 : -DW_ENOMEM;
out:
    dw_score_model_free(m);
    dw_score_data_free(d);
    return r;
}

int dw_score_show(struct dw_engine *e, int64_t version, json_t **ret, struct dw_error *err) {
    return e->store->ops->model_get(e->store, version, ret, NULL, NULL, err);
}

int dw__engine_model(struct dw_engine *e, struct dw_score_model **ret, int64_t *ret_version,
                     struct dw_error *err) {
    _cleanup_json_ json_t *meta = NULL;
    _cleanup_free_ char *blob = NULL;
    int r = e->store->ops->model_get(e->store, 0, &meta, NULL, NULL, err);
    if (r == -DW_ENOENT) {
        *ret = NULL;
        *ret_version = 0;
        return 0;
    }
    if (r < 0)
        return r;
    int64_t version = dw_json_int(meta, "version", 0);
    if (version != e->model_version) {
        size_t len = 0;
        struct dw_score_model *m = NULL;
        json_decref(meta);
        meta = NULL;
        if ((r = e->store->ops->model_get(e->store, version, &meta, &blob, &len, err)) < 0 ||
            (r = dw_score_model_load(meta, blob, len, &m, err)) < 0)
            return r;
        dw__engine_model_release(e);
        e->model = m;
        e->model_version = version;
    }
    *ret = e->model;
    *ret_version = version;
    return 0;
}

void dw__engine_model_release(struct dw_engine *e) {
    dw_score_model_free(e->model);
    e->model = NULL;
    e->model_version = 0;
}
