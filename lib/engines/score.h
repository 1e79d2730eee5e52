/* Predictive scoring (engines layer): a gradient-boosted tree model of won and lost deals,
 * trained and applied with XGBoost's C API, that explains each score by its features'
 * contributions (SHAP values, XGBoost's pred_contribs). docs/internals/scoring.md has the
 * design: encoding, parameters, versioning, cross-validation and how qualification uses it.
 *
 * Data: a CSV table (lib/engines/csv.h) with a target column; each other column not
 * excluded is a feature, numeric when every non-empty cell is a finite number, categorical
 * otherwise (one-hot encoded: one 0/1 feature per value seen in training). An empty cell is
 * missing (XGBoost learns where missing values go).
 *
 * Versioning: a model's hash is the SHA-256 of its training data as used (the kept
 * columns, their types, every cell and label) and its parameters, so the same data and
 * parameters give the same hash; training is deterministic (fixed seed, fixed threads), so
 * they also give the same model and the same scores.
 *
 * Thread-safety: data and models are immutable after creation; a model may be used for
 * prediction by one thread at a time (XGBoost returns results in the booster's buffers).
 */
#ifndef DW_SCORE_H
#define DW_SCORE_H

#include "base/base.h"
#include "engines/csv.h"

#define DW_SCORE_MAX_CATEGORIES 256 /* distinct values of one categorical column */
#define DW_SCORE_MAX_FEATURES 4096  /* encoded features (numeric + one per category) */
#define DW_SCORE_MAX_CELLS 32000000 /* rows x encoded features (128 MB of floats) */
#define DW_SCORE_MAX_ROUNDS 5000
#define DW_SCORE_MAX_DEPTH 16
#define DW_SCORE_MAX_FOLDS 20
#define DW_SCORE_MAX_MODEL (256u * 1024 * 1024) /* bytes of a saved model */

/* Training parameters (XGBoost's names in docs/internals/scoring.md). */
struct dw_score_params {
    int rounds;    /* boosting rounds (trees) */
    int max_depth; /* of each tree */
    double eta;    /* learning rate */
    double min_child_weight, subsample, colsample_bytree, lambda;
    int nthread; /* 0 = 2 */
    uint64_t seed;
};
/* The defaults (tuned on the UCI bank-marketing data; see docs/internals/scoring.md). */
void dw_score_params_default(struct dw_score_params *p);
/* -DW_EINVAL with the parameter named when out of range. */
int dw_score_params_check(const struct dw_score_params *p, struct dw_error *err);

/* What to learn from a table: the target column, the value that counts as a win (every
 * other value is a loss), and columns to leave out. */
struct dw_score_spec {
    const char *target, *positive;
    const char *const *exclude;
    size_t n_exclude;
};

/* A table encoded for training. */
struct dw_score_data {
    size_t n_rows, n_features, n_positive;
    float *x;       /* n_rows * n_features, row-major, NaN = missing */
    float *y;       /* n_rows labels, 1 = positive */
    json_t *schema; /* {target, positive, columns: [{name, type: "numeric" | "categorical",
                       categories: [...] (categorical only)}]} */
    char data_hash[DW_SHA256_HEX]; /* SHA-256 of the data as used */
};
/* Encode table t (file names it in errors: FILE:LINE:COL of a bad cell). Errors: the target
 * or an excluded column not in the header, a row without a target value, only one class,
 * too many categories (exclude identifier columns), no feature left. */
int dw_score_data_from_csv(const struct dw_csv *t, const char *file,
                           const struct dw_score_spec *spec, struct dw_score_data **ret,
                           struct dw_error *err);
void dw_score_data_free(struct dw_score_data *d);

struct dw_score_model;

/* Train on every row of d. The model's meta (dw_score_model_meta) holds hash, schema,
 * params, rows, positives, train_auc. */
int dw_score_train(const struct dw_score_data *d, const struct dw_score_params *p,
                   struct dw_score_model **ret, struct dw_error *err);
/* The model as bytes (XGBoost's JSON model format; caller frees *ret_blob). */
int dw_score_model_save(const struct dw_score_model *m, char **ret_blob, size_t *ret_len,
                        struct dw_error *err);
/* A model from its meta and the bytes dw_score_model_save gave. */
int dw_score_model_load(const json_t *meta, const void *blob, size_t len,
                        struct dw_score_model **ret, struct dw_error *err);
void dw_score_model_free(struct dw_score_model *m);
/* {hash, schema, params, rows, positives, train_auc, ...} — borrowed, lives with m. The
 * store adds version and created_at. */
const json_t *dw_score_model_meta(const struct dw_score_model *m);

/* Score one example: features is an object {column name: value} (numbers, numeric strings
 * or category strings; absent or null = missing). *ret (caller owns):
 *   {probability: 0..1, matched: how many of the model's columns the features give,
 *    columns: how many the model has, bias: log-odds,
 *    top: [{feature, value, contribution}] the `top` largest contributions (log-odds, summed
 *         over a categorical column's one-hot features), by absolute size}
 * Deterministic. */
int dw_score_predict(const struct dw_score_model *m, const json_t *features, size_t top,
                     json_t **ret, struct dw_error *err);

/* k-fold cross-validation, stratified (each fold has the same share of positives), folds
 * assigned by a fixed-seed shuffle: the same data, parameters and seed give the same
 * figures. *ret: {folds, auc (mean of the folds), auc_sd, fold_auc: [...], pooled_auc (over
 * all out-of-fold scores), rows, positives, features, seconds}. */
int dw_score_cv(const struct dw_score_data *d, const struct dw_score_params *p, int folds,
                uint64_t seed, json_t **ret, struct dw_error *err);

/* Area under the ROC curve of scores against 0/1 labels (Mann-Whitney U with ties counted
 * half). -DW_EINVAL when one class is absent. */
int dw_auc(const float *score, const float *label, size_t n, double *ret);

#endif
